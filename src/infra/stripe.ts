import Stripe from 'stripe';
import type { Config } from './config';

/**
 * The real Stripe SDK. Without STRIPE_SECRET_KEY it talks to stripe-mock (Stripe's own API mock) at
 * STRIPE_API_URL; with a key it talks to Stripe (test or live mode, as the key says).
 */
export function createStripe(cfg: Pick<Config, 'STRIPE_SECRET_KEY' | 'STRIPE_API_URL'>): Stripe {
  if (cfg.STRIPE_SECRET_KEY) return new Stripe(cfg.STRIPE_SECRET_KEY, { maxNetworkRetries: 2 });
  const url = new URL(cfg.STRIPE_API_URL);
  return new Stripe('sk_test_123', {
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    maxNetworkRetries: 2,
  });
}

export type { Stripe };
