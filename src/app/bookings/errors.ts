import type { SlotProblem } from '../../domain/availability/slot-check';
import { conflict, invalid, type DomainError, type FieldProblem } from '../../domain/shared/errors';
import { BookingFailure } from '../../../workflows/booking/definitions';

// The one translation of booking failures into DomainErrors. A new booking finds slot problems
// itself (explainUnbookable); a reschedule hears them from its workflow as BookingFailure types.
// Both arrive here, so the same problem is always the same answer.

/** in_past is a mistake in the request; taken means someone got there first; the rest are not slots. */
export function slotFailureType(code: SlotProblem['code']) {
  if (code === 'taken') return BookingFailure.SlotTaken;
  if (code === 'in_past') return BookingFailure.InvalidRequest;
  return BookingFailure.SlotUnavailable;
}

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
    default:
      return conflict(message, 'invalid_transition');
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
