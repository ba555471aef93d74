import type { S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import type Stripe from 'stripe';
import type { Config } from './config';
import { createMailer, type Transporter } from './mailer';
import { createPrisma, type Db } from './prisma';
import { createS3 } from './s3';
import { createStripe } from './stripe';
import { createTemporalClient } from './temporal';

/** Everything the API and activities talk to; built once per process and passed down explicitly. */
export interface Deps {
  cfg: Config;
  db: Db;
  s3: S3Client;
  stripe: Stripe;
  mailer: Transporter;
  temporal: Client;
}

export async function createDeps(cfg: Config): Promise<Deps> {
  return {
    cfg,
    db: createPrisma(cfg.DATABASE_URL),
    s3: createS3(cfg),
    stripe: createStripe(cfg),
    mailer: createMailer(cfg),
    temporal: await createTemporalClient(cfg),
  };
}

export async function closeDeps(deps: Deps): Promise<void> {
  await Promise.allSettled([deps.db.$disconnect(), deps.temporal.connection.close()]);
  deps.s3.destroy();
  deps.mailer.close();
}
