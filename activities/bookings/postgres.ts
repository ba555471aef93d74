import { ApplicationFailure } from '@temporalio/activity';
import { blockedRange } from '../../src/domain/availability/slots';
import type { BookingStatus, CancelledBy } from '../../src/domain/bookings/lifecycle';
import { readBookingSnapshot } from '../../src/data/bookings';
import type { Deps } from '../../src/infra/deps';
import { explainUnmovable, lockCoachSchedule, moveRules } from '../../src/data/availability';
import { isExclusionViolation } from '../../src/data/postgres-errors';
import { BookingFailure, slotFailureType, type BookingSnapshot } from '../../workflows/bookings/definitions';

// Postgres side of the booking workflow. The workflow is the only writer of a booking after its
// PENDING insert; every write here is conditional on the current status, so a retried activity
// (or a replayed one) can never move a booking twice.

const MINUTE_MS = 60_000;

export interface TransitionInput {
  bookingId: string;
  from: BookingStatus[];
  to: BookingStatus;
  /** Recorded with PENDING → CONFIRMED when the booking was paid. */
  payment?: { amountMinor: number };
  /** Recorded with → CANCELLED; bumps the iCalendar SEQUENCE for the CANCEL invite. */
  cancellation?: { by: CancelledBy; reason: string; atMs: number; refundDueMinor: number; rule: string };
}

export interface TransitionResult {
  status: BookingStatus;
  sequence: number;
}

export interface MoveResult {
  startMs: number;
  endMs: number;
  sequence: number;
  rescheduleCount: number;
}

export function bookingPostgresActivities(deps: Pick<Deps, 'db'>) {
  const { db } = deps;
  return {
    /**
     * The booking as the workflow sees it. The API starts the workflow inside the transaction that
     * inserts the row, so the row may not be visible for a few milliseconds: "not found" is retried
     * (the workflow bounds the retries and gives up if the insert never committed).
     */
    async loadBookingSnapshot(bookingId: string): Promise<BookingSnapshot> {
      const snapshot = await readBookingSnapshot(db, bookingId);
      if (!snapshot)
        throw ApplicationFailure.retryable(
          `booking ${bookingId} is not (yet) in the database`,
          BookingFailure.BookingNotFound,
        );
      return snapshot;
    },

    /** Moves the booking from one of `from` to `to`; a no-op when it is not in `from` (returns where it is). */
    async transitionBooking(input: TransitionInput): Promise<TransitionResult> {
      const c = input.cancellation;
      await db.booking.updateMany({
        where: { id: input.bookingId, status: { in: input.from } },
        data: {
          status: input.to,
          ...(input.payment ? { paidAt: new Date(), amountPaidMinor: input.payment.amountMinor } : {}),
          ...(c
            ? {
                cancelledAt: new Date(c.atMs),
                cancelledBy: c.by,
                cancelReason: c.reason,
                refundDueMinor: c.refundDueMinor,
                refundRule: c.rule,
                sequence: { increment: 1 },
              }
            : {}),
        },
      });
      return db.booking.findUniqueOrThrow({
        where: { id: input.bookingId },
        select: { status: true, sequence: true },
      });
    },

    /**
     * Reschedule: re-checks the new start against the coach's availability at this instant (with
     * this booking left out) and moves the blocked range in one transaction, under the same per-coach
     * lock and exclusion constraint as a new booking. Non-retryable failures carry the field and why.
     */
    async moveBooking(input: { bookingId: string; startMs: number }): Promise<MoveResult> {
      const start = new Date(input.startMs);
      try {
        return await db.$transaction(
          async (tx) => {
            const b = await tx.booking.findUniqueOrThrow({
              where: { id: input.bookingId },
              include: { service: true },
            });
            const result = (r: {
              startsAt: Date;
              endsAt: Date;
              sequence: number;
              rescheduleCount: number;
            }): MoveResult => ({
              startMs: r.startsAt.getTime(),
              endMs: r.endsAt.getTime(),
              sequence: r.sequence,
              rescheduleCount: r.rescheduleCount,
            });
            // A retry of an attempt that committed: the booking is already there.
            if (b.startsAt.getTime() === input.startMs) return result(b);
            if (b.status !== 'PENDING' && b.status !== 'CONFIRMED') {
              throw ApplicationFailure.nonRetryable(
                `A ${b.status.toLowerCase()} booking cannot be moved`,
                BookingFailure.InvalidTransition,
              );
            }
            const timeZone = await lockCoachSchedule(tx, b.coachId);
            if (!timeZone)
              throw ApplicationFailure.nonRetryable(
                'The coach no longer takes bookings',
                BookingFailure.SlotUnavailable,
              );
            const problem = await explainUnmovable(tx, b, timeZone, start, new Date());
            if (problem) {
              throw ApplicationFailure.create({
                type: slotFailureType(problem.code),
                message: `The new start ${problem.reason}`,
                details: [{ field: 'start', reason: problem.reason }],
                nonRetryable: true,
              });
            }
            const end = new Date(start.getTime() + moveRules(b).durationMin * MINUTE_MS);
            const blocked = blockedRange(start, end, b.bufferBeforeMin, b.bufferAfterMin);
            const moved = await tx.booking.update({
              where: { id: b.id },
              data: {
                startsAt: start,
                endsAt: end,
                blockedStart: blocked.start,
                blockedEnd: blocked.end,
                sequence: { increment: 1 },
                rescheduleCount: { increment: 1 },
              },
            });
            return result(moved);
          },
          { maxWait: 10_000, timeout: 15_000 },
        );
      } catch (err) {
        if (isExclusionViolation(err)) {
          throw ApplicationFailure.create({
            type: BookingFailure.SlotTaken,
            message: 'That time was just booked by someone else',
            details: [{ field: 'start', reason: 'overlaps another booking (buffers included)' }],
            nonRetryable: true,
          });
        }
        throw err;
      }
    },
  };
}
