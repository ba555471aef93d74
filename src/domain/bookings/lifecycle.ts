// The booking state machine as data and pure checks. The booking workflow's update validators and
// the API's fast pre-checks both ask these functions, so the two can never disagree. Times are UTC
// epoch milliseconds passed in by the caller (the workflow's deterministic clock, or the request's).

export const BOOKING_STATUSES = [
  'PENDING',
  'CONFIRMED',
  'CANCELLED',
  'EXPIRED',
  'COMPLETED',
  'NO_SHOW',
] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/** Statuses that hold the coach's time (the exclusion constraint covers exactly these). */
export const ACTIVE_STATUSES: readonly BookingStatus[] = ['PENDING', 'CONFIRMED'];

export function isActive(status: BookingStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

/** After this many moves a booking must be cancelled and booked again (keeps history bounded). */
export const MAX_RESCHEDULES = 10;

/**
 * Reschedule requests a booking's workflow accepts over the booking's life, failed ones included
 * (a time taken meanwhile, outside availability). Temporal counts accepted updates per run, so an
 * unbounded stream of failing requests would otherwise exhaust the run and block cancelling.
 */
export const MAX_RESCHEDULE_ATTEMPTS = 30;

export type CancelledBy = 'athlete' | 'coach';

export interface LifecycleFacts {
  status: BookingStatus;
  startMs: number;
  endMs: number;
  rescheduleCount: number;
}

export interface TransitionProblem {
  /**
   * invalid_transition → 409 (the booking's state forbids it); invalid_request → 400 (bad input);
   * too_many_attempts → 409 (this booking takes no more reschedule requests).
   */
  code: 'invalid_transition' | 'invalid_request' | 'too_many_attempts';
  field?: string;
  message: string;
}

const stateProblem = (message: string): TransitionProblem => ({ code: 'invalid_transition', message });

export function cancelProblem(b: LifecycleFacts, nowMs: number): TransitionProblem | null {
  if (!isActive(b.status)) return stateProblem(`A ${describeStatus(b.status)} booking cannot be cancelled`);
  if (nowMs >= b.startMs)
    return stateProblem('The session has already started; it can no longer be cancelled');
  return null;
}

export function rescheduleProblem(
  b: LifecycleFacts,
  newStartMs: number,
  nowMs: number,
): TransitionProblem | null {
  if (!isActive(b.status)) return stateProblem(`A ${describeStatus(b.status)} booking cannot be rescheduled`);
  if (nowMs >= b.startMs) return stateProblem('The session has already started; it can no longer be moved');
  if (b.rescheduleCount >= MAX_RESCHEDULES) {
    return stateProblem(`This booking has been moved ${MAX_RESCHEDULES} times; cancel it and book again`);
  }
  if (!Number.isFinite(newStartMs))
    return { code: 'invalid_request', field: 'start', message: 'must be a date-time' };
  if (newStartMs === b.startMs)
    return { code: 'invalid_request', field: 'start', message: 'is the current start time' };
  if (newStartMs <= nowMs) return { code: 'invalid_request', field: 'start', message: 'is in the past' };
  return null;
}

/** Refuses a reschedule request once the booking has used its `max` attempts. */
export function rescheduleAttemptsProblem(attempts: number, max: number): TransitionProblem | null {
  if (attempts < max) return null;
  return {
    code: 'too_many_attempts',
    message: `This booking has had ${max} reschedule requests; cancel it and book again`,
  };
}

/**
 * A no-show can be marked once the session has started, and until `windowMs` after its end (the
 * booking is COMPLETED by then; marking turns it into NO_SHOW).
 */
export function noShowProblem(b: LifecycleFacts, nowMs: number, windowMs: number): TransitionProblem | null {
  if (b.status === 'CONFIRMED') {
    return nowMs >= b.startMs
      ? null
      : stateProblem('The session has not started yet; a no-show can be marked once it has');
  }
  if (b.status === 'COMPLETED') {
    return nowMs < b.endMs + windowMs
      ? null
      : stateProblem('Too late: a no-show must be marked soon after the session ends');
  }
  return stateProblem(`A ${describeStatus(b.status)} booking cannot be marked as a no-show`);
}

export function describeStatus(status: BookingStatus): string {
  return status === 'NO_SHOW' ? 'no-show' : status.toLowerCase();
}
