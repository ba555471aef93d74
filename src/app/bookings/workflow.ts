import type { WorkflowHandle } from '@temporalio/client';
import type { Booking } from '../../generated/prisma/client';
import type { Config } from '../../infra/config';
import type { Deps } from '../../infra/deps';
import {
  bookingReadyUpdate,
  bookingWorkflowType,
  type BookingWorkflow,
  type BookingWorkflowInput,
} from '../../../workflows/booking/definitions';
import { workflowIds } from '../../../workflows/shared/ids';
import {
  BookingIdAttr,
  CoachIdAttr,
  DomainStatusAttr,
  UserIdAttr,
} from '../../../workflows/shared/search-attributes';

// How the API starts and reaches booking-<id>. Only the workflow's contract is imported here.

/** How long POST /api/bookings waits for the workflow's PaymentIntent before answering without it. */
export const PAYMENT_READY_WAIT_MS = 5_000;

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

export async function startBookingWorkflow(
  deps: Pick<Deps, 'temporal' | 'cfg'>,
  row: Booking,
): Promise<void> {
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

export function bookingHandle(
  deps: Pick<Deps, 'temporal'>,
  bookingId: string,
): WorkflowHandle<BookingWorkflow> {
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
      bookingHandle(deps, bookingId).executeUpdate(bookingReadyUpdate),
    );
    return true;
  } catch {
    return false;
  }
}
