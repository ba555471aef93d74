import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import {
  describeStatus,
  isActive,
  type BookingStatus,
  type CancelledBy,
} from '../../domain/booking/lifecycle';
import type { Actor } from '../../domain/identity/access';
import { conflict, forbidden, unavailable, type FieldProblem } from '../../domain/shared/errors';
import type { Booking } from '../../generated/prisma/client';
import type { Deps } from '../../infra/deps';
import {
  cancelUpdate,
  noShowUpdate,
  rescheduleUpdate,
  type BookingWorkflow,
  type CancelOutcome,
} from '../../../workflows/booking/definitions';
import { bookingDetails, bookingFor, type BookingDetails } from './bookings';
import { bookingFailureError } from './errors';
import { bookingHandle } from './workflow';

// Changing a booking after its insert: cancel, reschedule and no-show are Temporal Updates on
// booking-<id>, so every rule (state, timing, refunds) is checked in one place. The database status
// gives a fast refusal first; the workflow re-checks authoritatively.

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
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const f = err.cause;
      const details = Array.isArray(f.details?.[0])
        ? (f.details[0] as FieldProblem[])
        : (f.details as FieldProblem[] | undefined);
      throw bookingFailureError(
        f.type ?? undefined,
        f.message,
        details?.filter((d) => d && typeof d.field === 'string'),
      );
    }
    if (err instanceof WorkflowNotFoundError || isClosedWorkflowError(err)) {
      const row = await deps.db.booking.findUnique({ where: { id: bookingId }, select: { status: true } });
      throw conflict(
        `This booking is ${row ? describeStatus(row.status) : 'closed'} and can no longer be changed`,
        'invalid_transition',
      );
    }
    if (isDeadlineError(err))
      throw unavailable(
        'The booking could not be updated right now; try again shortly',
        'temporarily_unavailable',
      );
    throw err;
  }
}

function isClosedWorkflowError(err: unknown): boolean {
  return err instanceof Error && /workflow execution already completed|already completed/i.test(err.message);
}

function isDeadlineError(err: unknown): boolean {
  return err instanceof Error && /deadline|cancel/i.test(`${err.name} ${err.message}`);
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

async function rescheduleBooking(
  deps: ChangeDeps,
  booking: Pick<Booking, 'id' | 'status'>,
  req: { by: CancelledBy; actorId: string; start: Date },
) {
  assertOpen(booking.status, 'rescheduled');
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
