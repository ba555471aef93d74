import type { WorkflowHandle } from '@temporalio/client';
import {
  describeStatus,
  isActive,
  rescheduleProblem,
  type BookingStatus,
  type CancelledBy,
} from '../../domain/bookings/lifecycle';
import type { Actor } from '../../domain/identity/access';
import { conflict, forbidden } from '../../domain/shared/errors';
import { explainUnmovable } from '../../data/availability';
import type { Booking } from '../../generated/prisma/client';
import type { Db } from '../../infra/prisma';
import type { Deps } from '../../infra/deps';
import {
  BookingFailure,
  cancelUpdate,
  noShowUpdate,
  rescheduleUpdate,
  type BookingWorkflow,
  type CancelOutcome,
} from '../../../workflows/bookings/definitions';
import { temporalFailure } from '../temporal-failures';
import { bookingDetails, bookingFor, type BookingDetails } from './bookings';
import { bookingFailureError, refusedUpdateError, transitionError, unmovableStart } from './errors';
import { bookingHandle } from './workflow';

// Changing a booking after its insert: cancel, reschedule and no-show are Temporal Updates on
// booking-<id>, so every rule (state, timing, refunds) is checked in one place. The database gives
// a fast refusal first (the status; for a reschedule also the lifecycle rules and whether the new
// time is open now), so a request that cannot succeed never reaches the workflow, where Temporal
// counts every accepted update against the run; the workflow re-checks authoritatively.

/** How long a cancel / reschedule / no-show call waits for the workflow before giving up. */
const UPDATE_WAIT_MS = 20_000;

type ChangeDeps = Pick<Deps, 'temporal' | 'db'>;

/** Runs an update on the booking's workflow and turns its failures into DomainErrors. */
async function runUpdate<T>(
  deps: ChangeDeps,
  bookingId: string,
  call: (h: WorkflowHandle<BookingWorkflow>) => Promise<T>,
): Promise<T> {
  try {
    return await deps.temporal.withDeadline(Date.now() + UPDATE_WAIT_MS, () =>
      call(bookingHandle(deps, bookingId)),
    );
  } catch (err) {
    throw await temporalFailure(err, {
      what: 'The booking could not be updated',
      refused: refusedUpdateError,
      closed: async () => {
        const row = await deps.db.booking.findUnique({ where: { id: bookingId }, select: { status: true } });
        return conflict(
          `This booking is ${row ? describeStatus(row.status) : 'closed'} and can no longer be changed`,
          'invalid_transition',
        );
      },
    });
  }
}

/** Fast refusal from the database before asking the workflow. */
function assertOpen(status: BookingStatus, action: string): void {
  if (!isActive(status))
    throw conflict(`A ${describeStatus(status)} booking cannot be ${action}`, 'invalid_transition');
}

/** Who is acting on the booking: its athlete, or the coach side (the coach, or an operator). */
const sideOf = (b: Pick<Booking, 'athleteId'>, actor: Actor): CancelledBy =>
  actor.id === b.athleteId ? 'athlete' : 'coach';

async function cancelBooking(
  deps: ChangeDeps,
  booking: Pick<Booking, 'id' | 'status'>,
  req: { by: CancelledBy; actorId: string; reason: string },
): Promise<CancelOutcome> {
  assertOpen(booking.status, 'cancelled');
  return runUpdate(deps, booking.id, (h) => h.executeUpdate(cancelUpdate, { args: [req] }));
}

/**
 * What a reschedule can be refused for without its workflow: the lifecycle rules on the stored row,
 * and whether the new time is open right now (read without the coach's lock; the move re-checks
 * under it). Only a time taken in between still fails inside the workflow.
 */
async function assertMovable(db: Db, booking: BookingDetails, start: Date, now: Date): Promise<void> {
  const problem = rescheduleProblem(
    {
      status: booking.status,
      startMs: booking.startsAt.getTime(),
      endMs: booking.endsAt.getTime(),
      rescheduleCount: booking.rescheduleCount,
    },
    start.getTime(),
    now.getTime(),
  );
  if (problem) throw transitionError(problem);
  const timeZone = booking.coach.coachProfile?.timeZone;
  if (!timeZone)
    throw bookingFailureError(BookingFailure.SlotUnavailable, 'The coach no longer takes bookings');
  const service = await db.bookingService.findUniqueOrThrow({ where: { id: booking.serviceId } });
  const slot = await explainUnmovable(db, { ...booking, service }, timeZone, start, now);
  if (slot) throw unmovableStart(slot);
}

async function rescheduleBooking(
  deps: ChangeDeps,
  booking: BookingDetails,
  req: { by: CancelledBy; actorId: string; start: Date },
) {
  assertOpen(booking.status, 'rescheduled');
  await assertMovable(deps.db, booking, req.start, new Date());
  return runUpdate(deps, booking.id, (h) =>
    h.executeUpdate(rescheduleUpdate, {
      args: [{ by: req.by, actorId: req.actorId, start: req.start.toISOString() }],
    }),
  );
}

async function markNoShow(deps: ChangeDeps, booking: Pick<Booking, 'id' | 'status'>, actorId: string) {
  if (booking.status !== 'CONFIRMED' && booking.status !== 'COMPLETED') {
    throw conflict(
      `A ${describeStatus(booking.status)} booking cannot be marked as a no-show`,
      'invalid_transition',
    );
  }
  return runUpdate(deps, booking.id, (h) => h.executeUpdate(noShowUpdate, { args: [{ actorId }] }));
}

/** Cancel by its athlete or its coach; the refund follows the offering's policy (a coach refunds in full). */
export async function cancelAs(deps: ChangeDeps, actor: Actor, id: string, reason: string) {
  const booking = await bookingFor(deps.db, actor, id, 'write');
  const outcome = await cancelBooking(deps, booking, {
    by: sideOf(booking, actor),
    actorId: actor.id,
    reason,
  });
  return { booking: await bookingDetails(deps.db, id), refund: outcome.refund };
}

/** Move to another open slot, by its athlete or its coach. */
export async function rescheduleAs(
  deps: ChangeDeps,
  actor: Actor,
  id: string,
  start: Date,
): Promise<BookingDetails> {
  const booking = await bookingFor(deps.db, actor, id, 'write');
  await rescheduleBooking(deps, booking, { by: sideOf(booking, actor), actorId: actor.id, start });
  return bookingDetails(deps.db, id);
}

/** Only the booking's coach can say the athlete did not come. */
export async function markNoShowAs(deps: ChangeDeps, actor: Actor, id: string): Promise<BookingDetails> {
  const booking = await bookingFor(deps.db, actor, id, 'read');
  if (actor.id !== booking.coachId) throw forbidden('Only the coach can mark a no-show');
  await markNoShow(deps, booking, actor.id);
  return bookingDetails(deps.db, id);
}
