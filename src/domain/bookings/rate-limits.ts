// How much booking one athlete may do, against calendar squatting: every hold blocks a coach's slot
// for the hold time, creates a Stripe PaymentIntent and ends in an email. The rate-limit rules are
// counted by src/data/rate-limit.ts; workers/schedules.ts keeps their rows for the longest window.

const MINUTE_MS = 60_000;

export const BOOKING_LIMITS = {
  /** Booking attempts per athlete (any outcome) in an hour: a season's lessons fit, a sweep does not. */
  perAthlete: { limit: 20, windowMs: 60 * MINUTE_MS },
} as const;

/** Unpaid holds one athlete may have on one coach's calendar at a time. */
export const MAX_PENDING_HOLDS_PER_COACH = 2;

export interface HoldsProblem {
  message: string;
  /** When the earliest hold ends (paid or expired), a place frees up. */
  retryAfterSeconds: number;
}

/**
 * Refuses another unpaid hold when the athlete already has MAX_PENDING_HOLDS_PER_COACH on this
 * coach (`pendingCreatedAtMs`: when each was made), saying when the first of them runs out.
 */
export function holdsProblem(
  pendingCreatedAtMs: readonly number[],
  nowMs: number,
  holdTimeoutMs: number,
): HoldsProblem | null {
  if (pendingCreatedAtMs.length < MAX_PENDING_HOLDS_PER_COACH) return null;
  const firstEnds = Math.min(...pendingCreatedAtMs) + holdTimeoutMs;
  return {
    message: `You already hold ${pendingCreatedAtMs.length} unpaid slots with this coach (at most ${MAX_PENDING_HOLDS_PER_COACH}); pay for or cancel one, or wait until a hold ends`,
    retryAfterSeconds: Math.max(1, Math.ceil((firstEnds - nowMs) / 1000)),
  };
}
