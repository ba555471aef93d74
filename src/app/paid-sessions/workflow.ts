import { WithStartWorkflowOperation } from '@temporalio/client';
import type { PaidSession } from '../../generated/prisma/client';
import type { Deps } from '../../infra/deps';
import {
  paidSessionReadyUpdate,
  paidSessionWorkflowType,
  type PaidSessionWorkflow,
  type PaidSessionWorkflowInput,
} from '../../../workflows/paid-sessions/definitions';
import { workflowIds } from '../../../workflows/shared/ids';
import {
  CoachIdAttr,
  CourseIdAttr,
  DomainStatusAttr,
  PaidSessionIdAttr,
  UserIdAttr,
} from '../../../workflows/shared/search-attributes';

// How the API and the webhook start and reach paid-session-<id>. Only the contract is imported.

/** How long POST /api/sessions/create waits for the PaymentIntent before answering without it. */
export const PAYMENT_READY_WAIT_MS = 5_000;

export function paidSessionInput(
  cfg: Pick<Deps['cfg'], 'PLATFORM_FEE_BPS' | 'PAID_SESSION_IDLE_TIMEOUT' | 'PAID_SESSION_AUTH_WINDOW'>,
  row: PaidSession,
): PaidSessionWorkflowInput {
  return {
    sessionId: row.id,
    studentId: row.studentId,
    coachId: row.coachId,
    courseId: row.courseId,
    lockedMinor: row.lockedMinor,
    currency: row.currency,
    pricePerMinuteMinor: row.pricePerMinuteMinor,
    lockedAtMs: row.createdAt.getTime(),
    feeBps: cfg.PLATFORM_FEE_BPS,
    idleTimeoutMs: cfg.PAID_SESSION_IDLE_TIMEOUT,
    authWindowMs: cfg.PAID_SESSION_AUTH_WINDOW,
    ...(row.settledAt && (row.status === 'completed' || row.status === 'cancelled')
      ? {
          settled: {
            status: row.status,
            paymentIntentId: row.paymentIntentId,
            capturedMinor: row.capturedMinor ?? 0,
            releasedMinor: row.releasedMinor ?? 0,
            refundedMinor: row.refundedMinor,
          },
        }
      : {}),
  };
}

export function paidSessionStartOptions(deps: Pick<Deps, 'cfg'>, row: PaidSession) {
  return {
    taskQueue: deps.cfg.TEMPORAL_TASK_QUEUE,
    workflowId: workflowIds.paidSession(row.id),
    args: [paidSessionInput(deps.cfg, row)] as [PaidSessionWorkflowInput],
    typedSearchAttributes: [
      { key: PaidSessionIdAttr, value: row.id },
      { key: CourseIdAttr, value: row.courseId },
      { key: CoachIdAttr, value: row.coachId },
      { key: UserIdAttr, value: row.studentId },
      { key: DomainStatusAttr, value: row.status },
    ],
  };
}

/**
 * Starts paid-session-<id> for the committed row and waits for its PaymentIntent, in one call
 * (update-with-start, docs/adr/0011). `waiting`: the run exists but has not answered in time.
 */
export async function startPaidSessionAndAwaitReady(
  deps: Pick<Deps, 'temporal' | 'cfg'>,
  row: PaidSession,
  timeoutMs = PAYMENT_READY_WAIT_MS,
): Promise<'ready' | 'waiting' | 'not_started'> {
  const options = paidSessionStartOptions(deps, row);
  const startOp = new WithStartWorkflowOperation<PaidSessionWorkflow>(paidSessionWorkflowType, {
    ...options,
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  try {
    await deps.temporal.withDeadline(Date.now() + timeoutMs, () =>
      deps.temporal.workflow.executeUpdateWithStart(paidSessionReadyUpdate, {
        startWorkflowOperation: startOp,
      }),
    );
    return 'ready';
  } catch {
    if (
      await startOp.workflowHandle().then(
        () => true,
        () => false,
      )
    )
      return 'waiting';
    try {
      await deps.temporal.withDeadline(Date.now() + timeoutMs, () =>
        deps.temporal.workflow.start<PaidSessionWorkflow>(paidSessionWorkflowType, {
          ...options,
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      );
      return 'waiting';
    } catch {
      return 'not_started';
    }
  }
}

export function paidSessionHandle(deps: Pick<Deps, 'temporal'>, sessionId: string) {
  return deps.temporal.workflow.getHandle<PaidSessionWorkflow>(workflowIds.paidSession(sessionId));
}
