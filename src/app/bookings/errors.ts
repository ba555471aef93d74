import type { ApplicationFailure } from '@temporalio/common';
import type { SlotProblem } from '../../domain/availability/slot-check';
import type { TransitionProblem } from '../../domain/booking/lifecycle';
import {
  conflict,
  describeProblems,
  invalid,
  type DomainError,
  type FieldProblem,
} from '../../domain/shared/errors';
import { BookingFailure, slotFailureType } from '../../../workflows/booking/definitions';

// The one translation of booking failures into DomainErrors. A new booking finds slot problems
// itself (explainUnbookable); a reschedule is pre-checked here and hears the rest from its workflow
// as BookingFailure types. All arrive here, so the same problem is always the same answer.

export function bookingFailureError(
  type: string | undefined,
  message: string,
  details?: FieldProblem[],
): DomainError {
  switch (type) {
    case BookingFailure.InvalidRequest:
      return invalid(message, details);
    case BookingFailure.SlotTaken:
      return conflict('That time has just been booked; choose another slot', 'slot_taken', details);
    case BookingFailure.SlotUnavailable:
      return conflict(message, 'slot_unavailable', details);
    case BookingFailure.TooManyRescheduleAttempts:
      return conflict(message, 'too_many_reschedule_attempts');
    default:
      return conflict(message, 'invalid_transition');
  }
}

/** An update the booking's workflow refused (its validator or its handler). */
export function refusedUpdateError(f: ApplicationFailure): DomainError {
  const details = Array.isArray(f.details?.[0])
    ? (f.details[0] as FieldProblem[])
    : (f.details as FieldProblem[] | undefined);
  return bookingFailureError(
    f.type ?? undefined,
    f.message,
    details?.filter((d) => d && typeof d.field === 'string'),
  );
}

/** A new booking's start that is not bookable. */
export function unbookableStart(problem: SlotProblem): DomainError {
  const type = slotFailureType(problem.code);
  const message =
    type === BookingFailure.InvalidRequest
      ? `start ${problem.reason}`
      : `That time cannot be booked: start ${problem.reason}`;
  return bookingFailureError(type, message, [{ field: 'start', reason: problem.reason }]);
}

/** A reschedule's new start that is not open, worded as the workflow's move words it. */
export function unmovableStart(problem: SlotProblem): DomainError {
  return bookingFailureError(slotFailureType(problem.code), `The new start ${problem.reason}`, [
    { field: 'start', reason: problem.reason },
  ]);
}

/** A lifecycle rule's refusal, as the workflow's validators word it (workflows/booking/requests.ts). */
export function transitionError(p: TransitionProblem): DomainError {
  if (p.code === 'invalid_request') {
    const details = p.field ? [{ field: p.field, reason: p.message }] : [];
    return invalid(p.field ? describeProblems('Invalid request', details) : p.message, details);
  }
  if (p.code === 'too_many_attempts')
    return bookingFailureError(BookingFailure.TooManyRescheduleAttempts, p.message);
  return bookingFailureError(BookingFailure.InvalidTransition, p.message);
}
