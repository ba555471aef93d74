import type Stripe from 'stripe';
import { readinessOf } from '../../domain/payouts/payouts';
import { readTransferReversed } from '../../domain/payouts/reversals';
import { isStripeId, isUuid } from '../../domain/shared/ids';
import {
  accountUpdatedSignal,
  payoutAccountWorkflowId,
  payoutAccountWorkflowType,
  payoutReversalWorkflowId,
  payoutReversalWorkflowType,
  transferReversedSignal,
  type AccountUpdatedSignal,
  type PayoutAccountWorkflow,
  type PayoutReversalWorkflow,
  type TransferReversedSignal,
} from '../../../workflows/payouts/definitions';
import type { StripeEventRouter } from '../payments/router';

// account.updated for a coach's connected account → payout-account-<coach> (signalWithStart), which
// stores the readiness in order and creates, updates or pauses the coach's payout Schedule.
// transfer.reversed for one of our payouts' transfers → payout-reversal-<transfer> (signalWithStart),
// which posts each reversal to the ledger once and tells the coach. Nothing is changed inline: a
// delivery that fails half-way is routed again on Stripe's redelivery.

/** Ours when the account is one we stored: found by metadata.coachId, or else by its id. */
export const connectAccountRouter: StripeEventRouter = async (deps, event) => {
  if (event.type !== 'account.updated') return undefined;
  const account = event.data.object as Stripe.Account;
  if (typeof account?.id !== 'string') return undefined;
  const coachId = account.metadata?.coachId;
  const row = isUuid(coachId)
    ? await deps.db.connectAccount.findUnique({ where: { coachId } })
    : await deps.db.connectAccount.findUnique({ where: { stripeAccountId: account.id } });
  if (!row || row.stripeAccountId !== account.id) return undefined;
  const signal: AccountUpdatedSignal = {
    eventId: event.id,
    stripeAccountId: account.id,
    // Signed events always carry `created`; without it the event orders as arriving now.
    eventAtMs: Number.isSafeInteger(event.created) ? event.created * 1000 : Date.now(),
    readiness: readinessOf(account),
  };
  const workflowId = payoutAccountWorkflowId(row.coachId);
  return {
    workflowId,
    async deliver() {
      await deps.temporal.workflow.signalWithStart<PayoutAccountWorkflow, [AccountUpdatedSignal]>(
        payoutAccountWorkflowType,
        {
          workflowId,
          taskQueue: deps.cfg.TEMPORAL_TASK_QUEUE,
          args: [{ coachId: row.coachId }],
          signal: accountUpdatedSignal,
          signalArgs: [signal],
        },
      );
    },
  };
};

/**
 * Ours when the transfer is a payout's (found by its stored transfer id); anything else is
 * acknowledged and ignored. The event is read here (readTransferReversed) and checked against the
 * payout by the workflow's activity, under the payout's lock, before anything counts.
 */
export const transferReversedRouter: StripeEventRouter = async (deps, event) => {
  if (event.type !== 'transfer.reversed') return undefined;
  const transfer = event.data.object as Partial<Stripe.Transfer> | null;
  const transferId = transfer?.id;
  if (!isStripeId(transferId)) return undefined;
  const payout = await deps.db.payout.findUnique({
    where: { stripeTransferId: transferId },
    select: { id: true, coachId: true },
  });
  if (!payout) return undefined;
  const read = readTransferReversed(transfer!);
  const signal: TransferReversedSignal = read.ok
    ? { eventId: event.id, report: read.report, problem: null }
    : { eventId: event.id, report: null, problem: read.problem };
  const workflowId = payoutReversalWorkflowId(transferId);
  return {
    workflowId,
    async deliver() {
      await deps.temporal.workflow.signalWithStart<PayoutReversalWorkflow, [TransferReversedSignal]>(
        payoutReversalWorkflowType,
        {
          workflowId,
          taskQueue: deps.cfg.TEMPORAL_TASK_QUEUE,
          args: [{ payoutId: payout.id, coachId: payout.coachId, transferId }],
          signal: transferReversedSignal,
          signalArgs: [signal],
        },
      );
    },
  };
};
