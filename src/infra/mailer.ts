import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from './config';

export function createMailer(cfg: Pick<Config, 'SMTP_URL'>): Transporter {
  return nodemailer.createTransport(cfg.SMTP_URL);
}

export type { Transporter };
