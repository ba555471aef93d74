import { setHandler } from '@temporalio/workflow';
import {
  purchasePaymentSignal,
  purchaseReadyUpdate,
  purchaseRefundedSignal,
  purchaseStateQuery,
  refundPurchaseUpdate,
  type PurchaseWorkflowInput,
  type PurchaseWorkflowResult,
} from './definitions';
import { Purchase } from './purchase';

// purchase-<id>: one checkout from its PENDING insert to PAID (credits granted, ledger, emails) or
// EXPIRED (abandoned: the intent is cancelled), and a later refund (the coach's update or Stripe's
// charge.refunded) to REFUNDED with unused credits revoked.
//
//   PENDING ── payment_intent.succeeded (amount + currency checked) ──> PAID ── refund ──> REFUNDED
//      └── checkout timeout ──> EXPIRED
//
// A run ends once its work is done; a webhook or refund for a finished purchase starts a new run
// (signalWithStart / update-with-start), which loads the row and carries on. Every step is keyed
// (status-guarded writes, Stripe idempotency keys, email and ledger and analytics keys), so a run
// that repeats a step of an earlier one changes nothing.
//
// Where things are: the state, the handlers and the loop (the Purchase class, purchase.ts), the
// ledger, analytics and emails that follow PAID and REFUNDED (effects.ts), the activity proxies
// (proxies.ts). Handlers are registered before the first await, so nothing sent with the start is
// refused.

export async function purchaseWorkflow(input: PurchaseWorkflowInput): Promise<PurchaseWorkflowResult> {
  const purchase = new Purchase(input);
  setHandler(purchasePaymentSignal, (e) => purchase.receivePayment(e));
  setHandler(purchaseRefundedSignal, (e) => purchase.receiveRefund(e));
  setHandler(purchaseStateQuery, () => purchase.state());
  setHandler(purchaseReadyUpdate, () => purchase.ready());
  setHandler(refundPurchaseUpdate, (req) => purchase.refund(req), {
    validator: (req) => purchase.checkRefundable(req),
  });
  return purchase.run();
}
