// Failure types that more than one workflow family meets. Family-specific catalogues live in each
// family's definitions.ts (BookingFailure, ClipFailure) or, for video, in src/domain/videos/status.ts.

/** Raised by the Stripe activities; every money lifecycle (bookings now, payouts and subscriptions next) sees it. */
export const StripeFailure = {
  /** Stripe refused for good (bad parameters, auth, a card decline, idempotency-key reuse): retrying cannot help. */
  Rejected: 'StripeRejected',
} as const;
