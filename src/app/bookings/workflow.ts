import type { WorkflowHandle } from '@temporalio/client';
import type { Booking } from '../../generated/prisma/client';
import type { Config } from '../../infra/config';
import type { Deps } from '../../infra/deps';
import {
  bookingReadyUpdate,
  bookingWorkflowType,
  type BookingWorkflow,
  type BookingSnapshot,
  type BookingWorkflowInput,
} from '../../../workflows/bookings/definitions';
import { workflowIds } from '../../../workflows/shared/ids';
import { startAndAwait, type StartOutcome } from '../workflow-start';
import {
  BookingIdAttr,
  CoachIdAttr,
  DomainStatusAttr,
  UserIdAttr,
} from '../../../workflows/shared/search-attributes';

// How the API starts and reaches booking-<id>. Only the workflow's contract is imported here.

export function bookingWorkflowInput(
  cfg: Pick<
    Config,
    'BOOKING_HOLD_TIMEOUT' | 'BOOKING_REMINDER_LEAD' | 'BOOKING_NO_SHOW_WINDOW' | 'PLATFORM_FEE_BPS'
  >,
  bookingId: string,
  snapshot?: BookingSnapshot,
): BookingWorkflowInput {
  return {
    bookingId,
    ...(snapshot ? { snapshot } : {}),
    holdTimeoutMs: cfg.BOOKING_HOLD_TIMEOUT,
    reminderLeadMs: cfg.BOOKING_REMINDER_LEAD,
    noShowWindowMs: cfg.BOOKING_NO_SHOW_WINDOW,
    platformFeeBps: cfg.PLATFORM_FEE_BPS,
  };
}

/** How the first run of booking-<id> is started: typed, and findable by booking, coach and athlete. */
function startOptions(deps: Pick<Deps, 'cfg'>, row: Booking, snapshot?: BookingSnapshot) {
  return {
    taskQueue: deps.cfg.TEMPORAL_TASK_QUEUE,
    workflowId: workflowIds.booking(row.id),
    args: [bookingWorkflowInput(deps.cfg, row.id, snapshot)] as [BookingWorkflowInput],
    typedSearchAttributes: [
      { key: BookingIdAttr, value: row.id },
      { key: CoachIdAttr, value: row.coachId },
      { key: UserIdAttr, value: row.athleteId },
      { key: DomainStatusAttr, value: row.status },
    ],
  };
}

/**
 * Starts booking-<id> for the committed row and waits for its bookingReady answer: a free booking
 * confirmed, or a paid one's PaymentIntent created (the client reads the secret from the row).
 */
export function startBookingAndAwaitReady(
  deps: Pick<Deps, 'temporal' | 'cfg'>,
  row: Booking,
  snapshot: BookingSnapshot,
): Promise<StartOutcome> {
  return startAndAwait<BookingWorkflow>(
    deps,
    bookingWorkflowType,
    startOptions(deps, row, snapshot),
    bookingReadyUpdate,
  );
}

/**
 * Starts the workflow of bookings whose start was lost (the API died between commit and start): each
 * loads its row and confirms or expires it as usual. A workflow already there is left alone.
 */
export async function restartBookingWorkflows(
  deps: Pick<Deps, 'temporal' | 'cfg'>,
  rows: Booking[],
): Promise<void> {
  await Promise.allSettled(
    rows.map((row) =>
      deps.temporal.workflow.start<BookingWorkflow>(bookingWorkflowType, {
        ...startOptions(deps, row),
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    ),
  );
}

export function bookingHandle(
  deps: Pick<Deps, 'temporal'>,
  bookingId: string,
): WorkflowHandle<BookingWorkflow> {
  return deps.temporal.workflow.getHandle<BookingWorkflow>(workflowIds.booking(bookingId));
}
