import type Stripe from 'stripe';
import { isUuid } from '../../domain/shared/ids';
import { PLAN_CURRENCY } from '../../domain/subscriptions/plans';
import { snapshotOf } from '../../data/subscriptions';
import type { StripeEventRouter } from '../payments/router';
import {
  stripeSubscriptionEventSignal,
  subscriptionWorkflowType,
  type StripeSubscriptionEvent,
  type SubscriptionWorkflow,
} from '../../../workflows/subscriptions/definitions';
import { subscriptionStartOptions } from './workflow';

// Stripe Billing's events for subscription-<userId>. Our customers and subscriptions carry
// metadata.userId (invoices carry it in parent.subscription_details.metadata); the event is
// normalised to what it says about the subscription and signalled with signalWithStart.

const TYPES = new Set([
  'invoice.paid',
  'invoice.payment_failed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.deleted',
]);

const idOf = (v: string | { id: string } | null | undefined) => (typeof v === 'string' ? v : (v?.id ?? null));

/** What an event says about the subscription, and whose it is (null: not ours). */
export function normaliseSubscriptionEvent(
  event: Stripe.Event,
): { userId: string | null; subscriptionId: string | null; signal: StripeSubscriptionEvent } | undefined {
  if (!TYPES.has(event.type)) return undefined;
  const base = { eventId: event.id, type: event.type, createdMs: event.created * 1000 };
  if (event.type.startsWith('customer.subscription.')) {
    const snap = snapshotOf(event.data.object as Stripe.Subscription);
    const deleted = event.type === 'customer.subscription.deleted';
    return {
      userId: snap.userId,
      subscriptionId: snap.subscriptionId,
      signal: {
        ...base,
        subscriptionId: snap.subscriptionId,
        status: deleted ? 'canceled' : snap.status,
        ...(snap.plan ? { plan: snap.plan } : {}),
        periodEndMs: snap.periodEndMs,
        cancelAtPeriodEnd: deleted ? false : snap.cancelAtPeriodEnd,
      },
    };
  }
  if (event.type === 'customer.deleted') {
    const customer = event.data.object as Stripe.Customer;
    return {
      userId: customer.metadata?.userId ?? null,
      subscriptionId: null,
      signal: { ...base, subscriptionId: null, status: 'canceled', cancelAtPeriodEnd: false },
    };
  }
  const invoice = event.data.object as Stripe.Invoice;
  const details = invoice.parent?.subscription_details;
  const subscriptionId = idOf(details?.subscription as string | { id: string } | null | undefined);
  if (!subscriptionId) return undefined; // a one-off invoice, not a subscription's
  // Our prices are in PLAN_CURRENCY: an invoice in another currency is not one of ours to count.
  if (invoice.currency !== PLAN_CURRENCY.toLowerCase()) return undefined;
  const firstInvoice = invoice.billing_reason === 'subscription_create';
  const periodEnd = invoice.lines?.data?.[0]?.period?.end;
  const paid = event.type === 'invoice.paid';
  return {
    userId: details?.metadata?.userId ?? null,
    subscriptionId,
    signal: {
      ...base,
      subscriptionId,
      // A failed first payment leaves the subscription incomplete (the client retries the
      // confirmation); a failed renewal makes it past_due and starts dunning.
      ...(paid ? { status: 'active' as const } : firstInvoice ? {} : { status: 'past_due' as const }),
      ...(paid && periodEnd ? { periodEndMs: periodEnd * 1000 } : {}),
      ...(!paid ? { payUrl: invoice.hosted_invoice_url ?? null } : {}),
    },
  };
}

export const subscriptionEventRouter: StripeEventRouter = async (deps, event) => {
  const n = normaliseSubscriptionEvent(event);
  if (!n) return undefined;
  // Stripe's subscription ids are strings; anything else is not one of ours (and no query may see it).
  if (n.subscriptionId !== null && typeof n.subscriptionId !== 'string') return undefined;
  let userId = isUuid(n.userId) ? n.userId : null;
  if (userId && !(await deps.db.user.count({ where: { id: userId } }))) userId = null;
  if (!userId && n.subscriptionId) {
    const row = await deps.db.subscription.findFirst({
      where: { stripeSubscriptionId: n.subscriptionId },
      select: { userId: true },
    });
    userId = row?.userId ?? null;
  }
  if (!userId) return undefined;
  const options = subscriptionStartOptions(deps.cfg, userId);
  return {
    workflowId: options.workflowId,
    async deliver() {
      await deps.temporal.workflow.signalWithStart<SubscriptionWorkflow, [StripeSubscriptionEvent]>(
        subscriptionWorkflowType,
        { ...options, signal: stripeSubscriptionEventSignal, signalArgs: [n.signal] },
      );
    },
  };
};
