import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { plainlyUnbookable } from '../../src/domain/availability/slot-check';
import {
  cancelProblem,
  noShowProblem,
  rescheduleAttemptsProblem,
  rescheduleProblem,
  type LifecycleFacts,
  type TransitionProblem,
} from '../../src/domain/bookings/lifecycle';
import { describeProblems } from '../../src/domain/shared/errors';
import {
  BookingFailure,
  slotFailureType,
  type BookingSnapshot,
  type CancelRequest,
  type RescheduleRequest,
} from './definitions';

// The booking updates' checks, as ApplicationFailures the API turns into 400 / 409. Validators run
// them before an update is accepted (so a refused request leaves no trace in history and does not
// count against Temporal's per-run update limit) and handlers run the state checks again once they
// hold the lock, against the state as it is then. Validators cannot read Postgres: whether the new
// time is open is judged by the handler's moveBooking.

const MAX_REASON_LENGTH = 1000;

const FAILURE_OF: Record<TransitionProblem['code'], string> = {
  invalid_request: BookingFailure.InvalidRequest,
  invalid_transition: BookingFailure.InvalidTransition,
  too_many_attempts: BookingFailure.TooManyRescheduleAttempts,
};

export function failure(p: TransitionProblem): ApplicationFailure {
  const details = p.field ? [{ field: p.field, reason: p.message }] : [];
  return ApplicationFailure.create({
    type: FAILURE_OF[p.code],
    message: p.field ? describeProblems('Invalid request', details) : p.message,
    details,
    nonRetryable: true,
  });
}

/** An activity's own ApplicationFailure (SlotTaken, InvalidRequest…) becomes the update's failure. */
export function updateFailure(err: unknown): unknown {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    const cause = err.cause;
    return ApplicationFailure.create({
      type: cause.type ?? BookingFailure.ActivityFailed,
      message: cause.message,
      details: cause.details ?? [],
      nonRetryable: true,
    });
  }
  return err;
}

const facts = (s: BookingSnapshot): LifecycleFacts => ({
  status: s.status,
  startMs: s.startMs,
  endMs: s.endMs,
  rescheduleCount: s.rescheduleCount,
});

function checkActor(req: { by: unknown }): void {
  if (req.by !== 'athlete' && req.by !== 'coach')
    throw failure({ code: 'invalid_request', field: 'by', message: 'must be athlete or coach' });
}

export function checkCancelRequest(req: CancelRequest): void {
  checkActor(req);
  if (typeof req.reason !== 'string' || req.reason.length > MAX_REASON_LENGTH) {
    throw failure({
      code: 'invalid_request',
      field: 'reason',
      message: `must be text of at most ${MAX_REASON_LENGTH} characters`,
    });
  }
}

export function checkRescheduleRequest(req: RescheduleRequest): void {
  checkActor(req);
}

/**
 * After the state checks: the booking's budget of reschedule requests, and a start no offering
 * could have open (the past, beyond every horizon). Refused before acceptance, never counted.
 */
export function checkRescheduleAttempt(
  attempts: { used: number; max: number },
  startMs: number,
  nowMs: number,
): void {
  const tooMany = rescheduleAttemptsProblem(attempts.used, attempts.max);
  if (tooMany) throw failure(tooMany);
  const plain = plainlyUnbookable(startMs, nowMs);
  if (plain) {
    const details = [{ field: 'start', reason: plain.reason }];
    throw ApplicationFailure.create({
      type: slotFailureType(plain.code),
      message: describeProblems('The new start cannot be booked', details),
      details,
      nonRetryable: true,
    });
  }
}

export function checkCancel(s: BookingSnapshot, nowMs: number): void {
  const problem = cancelProblem(facts(s), nowMs);
  if (problem) throw failure(problem);
}

export function checkReschedule(s: BookingSnapshot, startMs: number, nowMs: number): void {
  const problem = rescheduleProblem(facts(s), startMs, nowMs);
  if (problem) throw failure(problem);
}

export function checkNoShow(s: BookingSnapshot, actorId: string, nowMs: number, windowMs: number): void {
  if (actorId !== s.coach.id)
    throw failure({ code: 'invalid_transition', message: 'Only the coach can mark a no-show' });
  const problem = noShowProblem(facts(s), nowMs, windowMs);
  if (problem) throw failure(problem);
}
