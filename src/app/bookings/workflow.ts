import { WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
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
 * Starts booking-<id> for the committed row and waits (up to `timeoutMs`) for its bookingReady
 * answer, in one call (update-with-start). `ready`: a free booking is confirmed or a paid one's
 * PaymentIntent exists; `waiting`: the workflow runs but has not answered yet (the client reads the
 * client secret from GET /api/bookings/{id} later); `not_started`: no workflow runs for the row.
 */
export async function startBookingAndAwaitReady(
  deps: Pick<Deps, 'temporal' | 'cfg'>,
  row: Booking,
  snapshot: BookingSnapshot,
  timeoutMs = PAYMENT_READY_WAIT_MS,
): Promise<'ready' | 'waiting' | 'not_started'> {
  const options = startOptions(deps, row, snapshot);
  const startOp = new WithStartWorkflowOperation<BookingWorkflow>(bookingWorkflowType, {
    ...options,
    // A repeated call (ensureStarted below) joins the run the first one started.
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  try {
    await deps.temporal.withDeadline(Date.now() + timeoutMs, () =>
      deps.temporal.workflow.executeUpdateWithStart(bookingReadyUpdate, { startWorkflowOperation: startOp }),
    );
    return 'ready';
  } catch {
    const started = await startOp.workflowHandle().then(
      () => true,
      () => false,
    );
    if (started) return 'waiting';
    // The answer was lost (a deadline, a dropped connection): the start may or may not have happened.
    return (await ensureStarted(deps, options)) ? 'waiting' : 'not_started';
  }
}

/** A plain start that joins a run already there; false when the workflow service cannot be reached. */
async function ensureStarted(
  deps: Pick<Deps, 'temporal'>,
  options: ReturnType<typeof startOptions>,
): Promise<boolean> {
  try {
    await deps.temporal.withDeadline(Date.now() + PAYMENT_READY_WAIT_MS, () =>
      deps.temporal.workflow.start<BookingWorkflow>(bookingWorkflowType, {
        ...options,
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    );
    return true;
  } catch {
    return false;
  }
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
