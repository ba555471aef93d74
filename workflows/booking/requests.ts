import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import {
  cancelProblem,
  noShowProblem,
  rescheduleProblem,
  type LifecycleFacts,
  type TransitionProblem,
} from '../../src/domain/booking/lifecycle';
import {
  BookingFailure,
  type BookingSnapshot,
  type CancelRequest,
  type RescheduleRequest,
} from './definitions';

// The booking updates' checks, as ApplicationFailures the API turns into 400 / 409. Validators run
// them before an update is accepted (so a refused request leaves no trace in history) and handlers
// run the state checks again once they hold the lock, against the state as it is then.

const MAX_REASON_LENGTH = 1000;

export function failure(p: TransitionProblem): ApplicationFailure {
  return ApplicationFailure.create({
    type: p.code === 'invalid_request' ? BookingFailure.InvalidRequest : BookingFailure.InvalidTransition,
    message: p.field ? `${p.field} ${p.message}` : p.message,
    details: p.field ? [{ field: p.field, reason: p.message }] : [],
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
