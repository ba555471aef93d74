import type Stripe from 'stripe';
import type { Deps } from '../../infra/deps';
import {
  paidSessionPaymentSignal,
  paidSessionWorkflowType,
  type PaidSessionPaymentSignal,
  type PaidSessionWorkflow,
} from '../../../workflows/paid-sessions/definitions';
import { workflowIds } from '../../../workflows/shared/ids';
import { paidSessionStartOptions } from './workflow';

// Stripe events about a paid session's PaymentIntent (metadata.kind = 'paid_session') or its charge
// (found by the PaymentIntent id we stored) reach paid-session-<id> as signals; signalWithStart, so
// a refund or dispute after the session settled starts a short run that records it. The workflow
// checks the PaymentIntent id, the currency and the amount before an event counts.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fromEvent(
  event: Stripe.Event,
):
  | { by: 'session'; sessionId: string; signal: Omit<PaidSessionPaymentSignal, 'eventId'> }
  | { by: 'intent'; paymentIntentId: string; signal: Omit<PaidSessionPaymentSignal, 'eventId'> }
  | undefined {
  if (event.type === 'payment_intent.amount_capturable_updated' || event.type === 'payment_intent.canceled') {
    const pi = event.data.object;
    const sessionId = pi.metadata?.paidSessionId;
    if (pi.metadata?.kind !== 'paid_session' || !sessionId || !UUID.test(sessionId)) return undefined;
    const authorised = event.type === 'payment_intent.amount_capturable_updated';
    return {
      by: 'session',
      sessionId,
      signal: {
        kind: authorised ? 'authorised' : 'canceled',
        paymentIntentId: pi.id,
        amountMinor: authorised ? pi.amount_capturable : pi.amount,
        currency: pi.currency,
      },
    };
  }
  if (event.type === 'charge.refunded') {
    const ch = event.data.object;
    const pi = typeof ch.payment_intent === 'string' ? ch.payment_intent : ch.payment_intent?.id;
    if (!pi) return undefined;
    const refundId = ch.refunds?.data?.[0]?.id;
    return {
      by: 'intent',
      paymentIntentId: pi,
      signal: {
        kind: 'refunded',
        paymentIntentId: pi,
        amountMinor: ch.amount_refunded,
        currency: ch.currency,
        ...(refundId ? { refundId } : {}),
      },
    };
  }
  if (event.type === 'charge.dispute.created' || event.type === 'charge.dispute.closed') {
    const d = event.data.object;
    const pi = typeof d.payment_intent === 'string' ? d.payment_intent : d.payment_intent?.id;
    if (!pi) return undefined;
    return {
      by: 'intent',
      paymentIntentId: pi,
      signal: { kind: 'dispute', paymentIntentId: pi, amountMinor: d.amount, currency: d.currency },
    };
  }
  return undefined;
}

// Typed by shape, not by importing StripeEventRouter: src/app/payments/webhooks.ts imports this module.
export async function paidSessionPaymentRouter(
  deps: Pick<Deps, 'db' | 'temporal' | 'cfg'>,
  event: Stripe.Event,
): Promise<{ workflowId: string; deliver(): Promise<void> } | undefined> {
  const found = fromEvent(event);
  if (!found) return undefined;
  const row =
    found.by === 'session'
      ? await deps.db.paidSession.findUnique({ where: { id: found.sessionId } })
      : await deps.db.paidSession.findUnique({ where: { paymentIntentId: found.paymentIntentId } });
  if (!row) return undefined;
  const signal: PaidSessionPaymentSignal = { eventId: event.id, ...found.signal };
  const workflowId = workflowIds.paidSession(row.id);
  return {
    workflowId,
    async deliver() {
      await deps.temporal.workflow.signalWithStart<PaidSessionWorkflow, [PaidSessionPaymentSignal]>(
        paidSessionWorkflowType,
        { ...paidSessionStartOptions(deps, row), signal: paidSessionPaymentSignal, signalArgs: [signal] },
      );
    },
  };
}
