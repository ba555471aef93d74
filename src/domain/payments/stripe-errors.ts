// Which Stripe errors a retry cannot fix: one rule for every Stripe call (payments, paid sessions,
// purchases, billing, payout transfers).

/** A Stripe error as plain data (type like StripeInvalidRequestError, code like balance_insufficient). */
export interface StripeErrorInfo {
  type?: string | null;
  code?: string | null;
  message?: string | null;
}

/** Bad parameters, auth, a card decline, a key reused for other parameters. */
const PERMANENT_TYPES = new Set([
  'StripeInvalidRequestError',
  'StripeCardError',
  'StripeAuthenticationError',
  'StripePermissionError',
  'StripeIdempotencyError',
]);

/**
 * True when retrying cannot help. `idempotency_key_in_use` comes as an invalid request but is not
 * one: an earlier attempt with the same key (cut off by its timeout) is still running at Stripe, and
 * a retry gets that attempt's answer once it ends. Network errors, rate limits and Stripe's own 5xx
 * are retried too.
 */
export function isPermanentStripeError(e: StripeErrorInfo): boolean {
  if (e.code === 'idempotency_key_in_use') return false;
  return !!e.type && PERMANENT_TYPES.has(e.type);
}
