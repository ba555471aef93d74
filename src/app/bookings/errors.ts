import type { ApplicationFailure } from '@temporalio/common';
import type { SlotProblem } from '../../domain/availability/slot-check';
import type { TransitionProblem } from '../../domain/bookings/lifecycle';
import {
  conflict,
  describeProblems,
  invalid,
  notFound,
  type DomainError,
  type FieldProblem,
} from '../../domain/shared/errors';
import { BookingFailure, slotFailureType } from '../../../workflows/bookings/definitions';

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

/** Why a package credit cannot pay for this booking (issue 13), naming the field. */
export function creditError(
  code: 'not_found' | 'other_service' | 'expired' | 'revoked' | 'used_up',
): DomainError {
  switch (code) {
    case 'not_found':
      return notFound('Credit', [{ field: 'creditId', reason: 'you have no credit with this id' }]);
    case 'other_service':
      return invalid(
        'This credit is for another service: the package does not cover this one',
        [{ field: 'creditId', reason: 'is for another service' }],
        'credit_not_applicable',
      );
    case 'expired':
      return conflict('This credit has expired', 'credit_expired', [
        { field: 'creditId', reason: 'has expired' },
      ]);
    case 'revoked':
      return conflict('This credit was withdrawn by a refund', 'credit_revoked', [
        { field: 'creditId', reason: 'was withdrawn by a refund' },
      ]);
    default:
      return conflict('You have no credit left for this service', 'no_credit_left', [
        { field: 'useCredit', reason: 'no unused, unexpired credit for this service' },
      ]);
  }
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

/** A lifecycle rule's refusal, as the workflow's validators word it (workflows/bookings/requests.ts). */
export function transitionError(p: TransitionProblem): DomainError {
  if (p.code === 'invalid_request') {
    const details = p.field ? [{ field: p.field, reason: p.message }] : [];
    return invalid(p.field ? describeProblems('Invalid request', details) : p.message, details);
  }
  if (p.code === 'too_many_attempts')
    return bookingFailureError(BookingFailure.TooManyRescheduleAttempts, p.message);
  return bookingFailureError(BookingFailure.InvalidTransition, p.message);
}
