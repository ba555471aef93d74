import {
  purchasePaymentSignal,
  purchaseRefundedSignal,
  purchaseWorkflowType,
  type PurchasePaymentSignal,
  type PurchaseRefundedSignal,
  type PurchaseWorkflow,
} from '../../../workflows/purchases/definitions';
import { cardPaymentSignal, isCardPayment, type PaymentEvent } from '../../domain/payments/events';
import { paymentEventRouter } from '../payments/router';
import { purchaseStartOptions } from './workflow';

// Stripe events about a purchase's PaymentIntent (succeeded, failed, canceled) and its charge
// (charge.refunded) reach purchase-<id> as signals; signalWithStart, so a refund of a finished
// purchase starts a run that settles it. The workflow checks the amount and currency.
export const purchasePaymentRouter = paymentEventRouter({
  kind: 'purchase',
  idKey: 'purchaseId',
  takes: (ev): ev is PaymentEvent => isCardPayment(ev) || ev.kind === 'refunded',
  owns: (deps, paymentIntentId) =>
    deps.db.purchase.findUnique({
      where: { paymentIntentId },
      select: { id: true, coachId: true, buyerId: true, status: true },
    }),
  rowId: (row) => row.id,
  signal(deps, row, ev, eventId) {
    const options = purchaseStartOptions(deps, row);
    return {
      workflowId: options.workflowId,
      async deliver() {
        if (isCardPayment(ev)) {
          await deps.temporal.workflow.signalWithStart<PurchaseWorkflow, [PurchasePaymentSignal]>(
            purchaseWorkflowType,
            { ...options, signal: purchasePaymentSignal, signalArgs: [cardPaymentSignal(ev, eventId)] },
          );
          return;
        }
        const refunded: PurchaseRefundedSignal = {
          eventId,
          paymentIntentId: ev.paymentIntentId,
          amountRefundedMinor: ev.amountMinor,
          currency: ev.currency,
          refundId: ev.refundId ?? null,
        };
        await deps.temporal.workflow.signalWithStart<PurchaseWorkflow, [PurchaseRefundedSignal]>(
          purchaseWorkflowType,
          { ...options, signal: purchaseRefundedSignal, signalArgs: [refunded] },
        );
      },
    };
  },
});
