import type { PaidSession } from '../../generated/prisma/client';
import type { Deps } from '../../infra/deps';
import {
  paidSessionReadyUpdate,
  paidSessionWorkflowType,
  type PaidSessionWorkflow,
  type PaidSessionWorkflowInput,
} from '../../../workflows/paid-sessions/definitions';
import { workflowIds } from '../../../workflows/shared/ids';
import { startAndAwait, type StartOutcome } from '../workflow-start';
import {
  CoachIdAttr,
  CourseIdAttr,
  DomainStatusAttr,
  PaidSessionIdAttr,
  UserIdAttr,
} from '../../../workflows/shared/search-attributes';

// How the API and the webhook start and reach paid-session-<id>. Only the contract is imported.

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

/** Starts paid-session-<id> for the committed row and waits for its PaymentIntent (docs/adr/0011). */
export function startPaidSessionAndAwaitReady(
  deps: Pick<Deps, 'temporal' | 'cfg'>,
  row: PaidSession,
): Promise<StartOutcome> {
  return startAndAwait<PaidSessionWorkflow>(
    deps,
    paidSessionWorkflowType,
    paidSessionStartOptions(deps, row),
    paidSessionReadyUpdate,
  );
}

export function paidSessionHandle(deps: Pick<Deps, 'temporal'>, sessionId: string) {
  return deps.temporal.workflow.getHandle<PaidSessionWorkflow>(workflowIds.paidSession(sessionId));
}
