// Rate-limit rules of the shop, here (not in src/app) so the workers' retention of rate-limit rows
// (workers/schedules.ts) can read them. Counted by src/data/rate-limit.ts.

export const CHECKOUT_LIMITS = {
  /** Checkouts started by one buyer: each creates a PaymentIntent. */
  perBuyer: { limit: 30, windowMs: 60 * 60_000 },
};
