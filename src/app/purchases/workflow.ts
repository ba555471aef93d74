import { WithStartWorkflowOperation } from '@temporalio/client';
import type { Purchase } from '../../generated/prisma/client';
import type { Config } from '../../infra/config';
import type { Deps } from '../../infra/deps';
import {
  purchaseReadyUpdate,
  purchaseWorkflowType,
  refundPurchaseUpdate,
  type PurchaseSnapshot,
  type PurchaseWorkflow,
  type PurchaseWorkflowInput,
  type RefundOutcome,
  type RefundRequest,
} from '../../../workflows/purchases/definitions';
import { workflowIds } from '../../../workflows/shared/ids';
import { startAndAwait, type StartOutcome } from '../workflow-start';
import {
  CoachIdAttr,
  DomainStatusAttr,
  PurchaseIdAttr,
  UserIdAttr,
} from '../../../workflows/shared/search-attributes';

// How the API starts and reaches purchase-<id> (docs/adr/0011): commit the row, then one
// update-with-start that joins a run already there. Only the workflow's contract is imported.

export function purchaseWorkflowInput(
  cfg: Pick<Config, 'PURCHASE_CHECKOUT_TIMEOUT' | 'PLATFORM_FEE_BPS'>,
  purchaseId: string,
  snapshot?: PurchaseSnapshot,
): PurchaseWorkflowInput {
  return {
    purchaseId,
    checkoutTimeoutMs: cfg.PURCHASE_CHECKOUT_TIMEOUT,
    feeBps: cfg.PLATFORM_FEE_BPS,
    ...(snapshot ? { snapshot } : {}),
  };
}

export function purchaseStartOptions(
  deps: Pick<Deps, 'cfg'>,
  row: Pick<Purchase, 'id' | 'coachId' | 'buyerId' | 'status'>,
  snapshot?: PurchaseSnapshot,
) {
  return {
    taskQueue: deps.cfg.TEMPORAL_TASK_QUEUE,
    workflowId: workflowIds.purchase(row.id),
    args: [purchaseWorkflowInput(deps.cfg, row.id, snapshot)] as [PurchaseWorkflowInput],
    typedSearchAttributes: [
      { key: PurchaseIdAttr, value: row.id },
      { key: CoachIdAttr, value: row.coachId },
      { key: UserIdAttr, value: row.buyerId },
      { key: DomainStatusAttr, value: row.status },
    ],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
  };
}

/** Starts purchase-<id> and waits for its PaymentIntent (docs/adr/0011). */
export function startPurchaseAndAwaitReady(
  deps: Pick<Deps, 'temporal' | 'cfg'>,
  row: Purchase,
  snapshot: PurchaseSnapshot,
): Promise<StartOutcome> {
  return startAndAwait<PurchaseWorkflow>(
    deps,
    purchaseWorkflowType,
    purchaseStartOptions(deps, row, snapshot),
    purchaseReadyUpdate,
  );
}

/**
 * The refund update on purchase-<id>; a purchase whose run has finished gets a new run (which loads
 * the row) in the same call.
 */
export function refundThroughWorkflow(
  deps: Pick<Deps, 'temporal' | 'cfg'>,
  row: Pick<Purchase, 'id' | 'coachId' | 'buyerId' | 'status'>,
  req: RefundRequest,
): Promise<RefundOutcome> {
  const startOp = new WithStartWorkflowOperation<PurchaseWorkflow>(
    purchaseWorkflowType,
    purchaseStartOptions(deps, row),
  );
  return deps.temporal.workflow.executeUpdateWithStart(refundPurchaseUpdate, {
    args: [req],
    startWorkflowOperation: startOp,
  });
}
