import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { blockedRange } from '../../domain/availability/slots';
import {
  describeStatus,
  isActive,
  type BookingStatus,
  type CancelledBy,
} from '../../domain/booking/lifecycle';
import { hasFeature } from '../../domain/billing/plans';
import { explainUnbookable } from '../../domain/availability/slot-check';
import type { Booking, BookingService } from '../../generated/prisma/client';
import { DomainError } from '../../domain/shared/errors';
import type { Config } from '../../infra/config';
import type { Deps } from '../../infra/deps';
import {
  BookingFailure,
  bookingReadyUpdate,
  bookingWorkflowType,
  cancelUpdate,
  noShowUpdate,
  rescheduleUpdate,
  type BookingWorkflow,
  type BookingWorkflowInput,
  type CancelOutcome,
} from '../../../workflows/booking/definitions';
import {
  BookingIdAttr,
  CoachIdAttr,
  DomainStatusAttr,
  UserIdAttr,
} from '../../../workflows/shared/search-attributes';
import { workflowIds } from '../../../workflows/shared/ids';
import { loadSlotQuery, lockCoachSchedule } from '../../data/availability';
import { isExclusionViolation } from '../../data/postgres-errors';

// Creating a booking and steering its workflow. The API never calls Stripe or SMTP itself: it
// writes the PENDING row and starts booking-<id> in one transaction, then (briefly) waits for the
// workflow to have the PaymentIntent ready so the response can carry the client secret.

const MINUTE_MS = 60_000;
/** How long POST /api/bookings waits for the workflow's PaymentIntent before answering without it. */
export const PAYMENT_READY_WAIT_MS = 5_000;
/** How long a cancel / reschedule / no-show call waits for the workflow before giving up. */
const UPDATE_WAIT_MS = 20_000;

export function bookingWorkflowInput(
  cfg: Pick<Config, 'BOOKING_HOLD_TIMEOUT' | 'BOOKING_REMINDER_LEAD' | 'BOOKING_NO_SHOW_WINDOW'>,
  bookingId: string,
): BookingWorkflowInput {
  return {
    bookingId,
    holdTimeoutMs: cfg.BOOKING_HOLD_TIMEOUT,
    reminderLeadMs: cfg.BOOKING_REMINDER_LEAD,
    noShowWindowMs: cfg.BOOKING_NO_SHOW_WINDOW,
  };
}

export interface CreateBookingInput {
  athleteId: string;
  serviceId: string;
  start: Date;
  timeZone?: string;
  notes?: string;
}

/**
 * Checks the slot against the coach's availability at this instant and inserts the PENDING booking,
 * under a per-coach lock, in one transaction that also starts the workflow: either both exist or
 * neither does (a workflow whose insert rolled back finds no row and ends). The exclusion
 * constraint is the last word on overlaps; losing that race is a 409, never a double booking.
 */
export async function createBooking(
  deps: Pick<Deps, 'db' | 'temporal' | 'cfg'>,
  input: CreateBookingInput,
  now = new Date(),
): Promise<Booking> {
  const { db } = deps;
  const service = await db.bookingService.findUnique({
    where: { id: input.serviceId },
    include: {
      coach: { select: { id: true, role: true, coachProfile: { select: { bookingEnabled: true } } } },
    },
  });
  if (!service || !service.active) {
    throw new DomainError('not_found', 'not_found', 'Service not found', [
      { field: 'serviceId', reason: 'no bookable service has this id' },
    ]);
  }
  if (!service.coach.coachProfile?.bookingEnabled || !hasFeature(service.coach.role, 'bookings_enabled')) {
    throw new DomainError('conflict', 'bookings_closed', 'This coach is not taking bookings right now');
  }
  if (service.coachId === input.athleteId) {
    throw new DomainError('invalid', 'invalid_request', 'You cannot book your own service', [
      { field: 'serviceId', reason: 'is your own service' },
    ]);
  }
  const start = input.start;
  const end = new Date(start.getTime() + service.durationMin * MINUTE_MS);
  const blocked = blockedRange(start, end, service.bufferBeforeMin, service.bufferAfterMin);
  const id = randomUUID();

  try {
    return await db.$transaction(
      async (tx) => {
        const timeZone = await lockCoachSchedule(tx, service.coachId);
        if (!timeZone)
          throw new DomainError('conflict', 'bookings_closed', 'This coach is not taking bookings right now');
        const query = await loadSlotQuery(tx, {
          coachId: service.coachId,
          timeZone,
          service,
          from: start,
          to: new Date(start.getTime() + 1),
          now,
        });
        const problem = explainUnbookable(query, start);
        if (problem) throw slotError(problem.code, problem.reason);
        const row = await tx.booking.create({
          data: {
            id,
            coachId: service.coachId,
            athleteId: input.athleteId,
            serviceId: service.id,
            startsAt: start,
            endsAt: end,
            blockedStart: blocked.start,
            blockedEnd: blocked.end,
            bufferBeforeMin: service.bufferBeforeMin,
            bufferAfterMin: service.bufferAfterMin,
            timeZone: input.timeZone ?? null,
            notes: input.notes ?? '',
            priceMinor: service.priceMinor,
            currency: service.currency,
          },
        });
        try {
          await startBookingWorkflow(deps, row);
        } catch (err) {
          // Rolls the insert back: a hold without its workflow would never be released.
          throw new DomainError(
            'unavailable',
            'temporarily_unavailable',
            `Bookings are briefly unavailable; try again (${(err as Error).message})`,
          );
        }
        return row;
      },
      // Many athletes may queue for one coach's lock; each holds it for milliseconds.
      { maxWait: 20_000, timeout: 30_000 },
    );
  } catch (err) {
    if (isExclusionViolation(err)) throw slotError('taken', 'overlaps another booking (buffers included)');
    throw err;
  }
}

function slotError(code: string, reason: string): DomainError {
  const details = [{ field: 'start', reason }];
  if (code === 'in_past') return new DomainError('invalid', 'invalid_request', `start ${reason}`, details);
  if (code === 'taken')
    return new DomainError(
      'conflict',
      'slot_taken',
      'That time has just been booked; choose another slot',
      details,
    );
  return new DomainError(
    'conflict',
    'slot_unavailable',
    `That time cannot be booked: start ${reason}`,
    details,
  );
}

async function startBookingWorkflow(deps: Pick<Deps, 'temporal' | 'cfg'>, row: Booking): Promise<void> {
  await deps.temporal.workflow.start<BookingWorkflow>(bookingWorkflowType, {
    taskQueue: deps.cfg.TEMPORAL_TASK_QUEUE,
    workflowId: workflowIds.booking(row.id),
    args: [bookingWorkflowInput(deps.cfg, row.id)],
    typedSearchAttributes: [
      { key: BookingIdAttr, value: row.id },
      { key: CoachIdAttr, value: row.coachId },
      { key: UserIdAttr, value: row.athleteId },
      { key: DomainStatusAttr, value: row.status },
    ],
  });
}

function handle(deps: Pick<Deps, 'temporal'>, bookingId: string): WorkflowHandle<BookingWorkflow> {
  return deps.temporal.workflow.getHandle<BookingWorkflow>(workflowIds.booking(bookingId));
}

/**
 * Waits (up to `timeoutMs`) until the workflow has confirmed a free booking or created the
 * PaymentIntent of a paid one. A timeout is not an error: the booking exists and the client reads
 * the client secret from GET /api/bookings/{id} once it is there.
 */
export async function awaitBookingReady(
  deps: Pick<Deps, 'temporal'>,
  bookingId: string,
  timeoutMs = PAYMENT_READY_WAIT_MS,
): Promise<boolean> {
  try {
    await deps.temporal.withDeadline(Date.now() + timeoutMs, () =>
      handle(deps, bookingId).executeUpdate(bookingReadyUpdate),
    );
    return true;
  } catch {
    return false;
  }
}

/** Runs an update on the booking's workflow and turns its failures into DomainErrors. */
async function runUpdate<T>(
  deps: Pick<Deps, 'temporal' | 'db'>,
  bookingId: string,
  call: (h: WorkflowHandle<BookingWorkflow>) => Promise<T>,
): Promise<T> {
  try {
    return await deps.temporal.withDeadline(Date.now() + UPDATE_WAIT_MS, () => call(handle(deps, bookingId)));
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const f = err.cause;
      const details = Array.isArray(f.details?.[0])
        ? (f.details[0] as { field: string; reason: string }[])
        : (f.details as { field: string; reason: string }[] | undefined);
      const fields = details?.filter((d) => d && typeof d.field === 'string');
      switch (f.type) {
        case BookingFailure.InvalidRequest:
          throw new DomainError('invalid', 'invalid_request', f.message, fields);
        case BookingFailure.SlotTaken:
          throw new DomainError(
            'conflict',
            'slot_taken',
            'That time has just been booked; choose another slot',
            fields,
          );
        case BookingFailure.SlotUnavailable:
          throw new DomainError('conflict', 'slot_unavailable', f.message, fields);
        default:
          throw new DomainError('conflict', 'invalid_transition', f.message);
      }
    }
    if (err instanceof WorkflowNotFoundError || isClosedWorkflowError(err)) {
      const row = await deps.db.booking.findUnique({ where: { id: bookingId }, select: { status: true } });
      throw new DomainError(
        'conflict',
        'invalid_transition',
        `This booking is ${row ? describeStatus(row.status) : 'closed'} and can no longer be changed`,
      );
    }
    if (isDeadlineError(err))
      throw new DomainError(
        'unavailable',
        'temporarily_unavailable',
        'The booking could not be updated right now; try again shortly',
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

/** Fast refusal from the database before asking the workflow (which re-checks authoritatively). */
function assertOpen(status: BookingStatus, action: string): void {
  if (!isActive(status))
    throw new DomainError(
      'conflict',
      'invalid_transition',
      `A ${describeStatus(status)} booking cannot be ${action}`,
    );
}

export async function cancelBooking(
  deps: Pick<Deps, 'temporal' | 'db'>,
  booking: Pick<Booking, 'id' | 'status'>,
  req: { by: CancelledBy; actorId: string; reason: string },
): Promise<CancelOutcome> {
  assertOpen(booking.status, 'cancelled');
  return runUpdate(deps, booking.id, (h) => h.executeUpdate(cancelUpdate, { args: [req] }));
}

export async function rescheduleBooking(
  deps: Pick<Deps, 'temporal' | 'db'>,
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

export async function markNoShow(
  deps: Pick<Deps, 'temporal' | 'db'>,
  booking: Pick<Booking, 'id' | 'status'>,
  actorId: string,
) {
  if (booking.status !== 'CONFIRMED' && booking.status !== 'COMPLETED') {
    throw new DomainError(
      'conflict',
      'invalid_transition',
      `A ${describeStatus(booking.status)} booking cannot be marked as a no-show`,
    );
  }
  return runUpdate(deps, booking.id, (h) => h.executeUpdate(noShowUpdate, { args: [{ actorId }] }));
}

// ── Views ───────────────────────────────────────────────────────────────────────────────────────

export type BookingWithService = Booking & { service: Pick<BookingService, 'title' | 'durationMin'> };

export type PaymentState =
  'not_required' | 'preparing' | 'awaiting_payment' | 'paid' | 'refunded' | 'partially_refunded' | 'not_paid';

export function paymentState(b: Booking): PaymentState {
  if (b.priceMinor === 0) return 'not_required';
  if (b.paidAt) {
    if (b.refundedMinor > 0) return b.refundedMinor >= b.amountPaidMinor ? 'refunded' : 'partially_refunded';
    return 'paid';
  }
  if (b.status !== 'PENDING') return 'not_paid';
  return b.paymentIntentId ? 'awaiting_payment' : 'preparing';
}
