// Failure types that more than one workflow family meets. Family-specific catalogues live in each
// family's definitions.ts (BookingFailure, ClipFailure) or, for video, in src/domain/videos/status.ts.

/**
 * Raised by the Stripe activities of every money lifecycle (bookings, paid sessions, purchases,
 * payouts, subscriptions); the Stripe profiles never retry it (workflows/shared/profiles.ts).
 */
export const StripeFailure = {
  /** Stripe refused for good (bad parameters, auth, a card decline, idempotency-key reuse): retrying cannot help. */
  Rejected: 'StripeRejected',
} as const;
