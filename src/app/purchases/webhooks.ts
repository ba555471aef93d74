import type Stripe from 'stripe';
import {
  purchasePaymentSignal,
  purchaseRefundedSignal,
  purchaseWorkflowType,
  type PurchasePaymentSignal,
  type PurchaseRefundedSignal,
  type PurchaseWorkflow,
} from '../../../workflows/purchases/definitions';
import type { Deps } from '../../infra/deps';
import { purchaseStartOptions } from './workflow';

// Stripe events of purchases, for STRIPE_EVENT_ROUTERS: PaymentIntents we created carry
// metadata { kind: 'purchase', purchaseId }; a charge.refunded is matched by its PaymentIntent id
// (a charge does not carry the intent's metadata). The workflow checks amount and currency.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const PAYMENT_KINDS: Record<string, PurchasePaymentSignal['kind'] | undefined> = {
  'payment_intent.succeeded': 'succeeded',
  'payment_intent.payment_failed': 'failed',
  'payment_intent.canceled': 'canceled',
};

// Typed by shape, not by importing StripeEventRouter: src/app/payments/webhooks.ts imports this module.
export async function purchaseEventRouter(
  deps: Pick<Deps, 'db' | 'temporal' | 'cfg'>,
  event: Stripe.Event,
): Promise<{ workflowId: string; deliver(): Promise<void> } | undefined> {
  if (event.type === 'charge.refunded') {
    const charge = event.data.object as Stripe.Charge;
    const intentId =
      typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
    if (!intentId) return undefined;
    const row = await deps.db.purchase.findUnique({ where: { paymentIntentId: intentId } });
    if (!row) return undefined;
    const signal: PurchaseRefundedSignal = {
      eventId: event.id,
      paymentIntentId: intentId,
      amountRefundedMinor: charge.amount_refunded,
      currency: charge.currency,
      refundId: charge.refunds?.data?.[0]?.id ?? null,
    };
    const options = purchaseStartOptions(deps, row);
    return {
      workflowId: options.workflowId,
      async deliver() {
        await deps.temporal.workflow.signalWithStart<PurchaseWorkflow, [PurchaseRefundedSignal]>(
          purchaseWorkflowType,
          {
            ...options,
            signal: purchaseRefundedSignal,
            signalArgs: [signal],
          },
        );
      },
    };
  }
  const kind = PAYMENT_KINDS[event.type];
  if (!kind) return undefined;
  const intent = event.data.object as Stripe.PaymentIntent;
  const purchaseId = intent.metadata?.purchaseId;
  if (intent.metadata?.kind !== 'purchase' || !purchaseId || !UUID.test(purchaseId)) return undefined;
  const row = await deps.db.purchase.findUnique({ where: { id: purchaseId } });
  if (!row) return undefined;
  const signal: PurchasePaymentSignal = {
    eventId: event.id,
    kind,
    paymentIntentId: intent.id,
    amountMinor: kind === 'succeeded' ? intent.amount_received || intent.amount : intent.amount,
    currency: intent.currency,
    ...(kind === 'failed' && intent.last_payment_error?.message
      ? { message: intent.last_payment_error.message }
      : {}),
  };
  const options = purchaseStartOptions(deps, row);
  return {
    workflowId: options.workflowId,
    async deliver() {
      await deps.temporal.workflow.signalWithStart<PurchaseWorkflow, [PurchasePaymentSignal]>(
        purchaseWorkflowType,
        {
          ...options,
          signal: purchasePaymentSignal,
          signalArgs: [signal],
        },
      );
    },
  };
}
