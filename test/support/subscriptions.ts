import type { App } from '../../src/api/app';
import { lookupKeyOf, type PlanChoice } from '../../src/domain/subscriptions/catalogue';
import type { Deps } from '../../src/infra/deps';
import { postStripeEvent } from './bookings';
import { call } from './harness';
import type { TestUser } from './users';

// Stripe Billing's side of a subscription in tests: signed webhook events shaped like Stripe's
// (subscription objects with metadata.userId and a price lookup key; invoices with
// parent.subscription_details), each with an explicit `created` so ordering is under the test's control.

const nowSec = () => Math.floor(Date.now() / 1000);
let n = 0;
const id = (prefix: string) =>
  `${prefix}_${Date.now().toString(36)}${(++n).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export function stripeEvent(type: string, object: unknown, createdSec = nowSec()) {
  return {
    id: id('evt'),
    object: 'event',
    api_version: '2026-10-28.endive',
    created: createdSec,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

export function subscriptionObject(a: {
  userId: string;
  subscriptionId: string;
  choice: PlanChoice;
  status: string;
  periodEndSec?: number;
  cancelAtPeriodEnd?: boolean;
}) {
  return {
    id: a.subscriptionId,
    object: 'subscription',
    status: a.status,
    cancel_at_period_end: a.cancelAtPeriodEnd ?? false,
    metadata: { userId: a.userId },
    items: {
      object: 'list',
      data: [
        {
          id: 'si_test',
          object: 'subscription_item',
          current_period_end: a.periodEndSec ?? nowSec() + 30 * 86_400,
          price: { id: 'price_test', object: 'price', lookup_key: lookupKeyOf(a.choice) },
        },
      ],
    },
  };
}

export function invoiceObject(a: {
  userId: string;
  subscriptionId: string;
  billingReason: 'subscription_create' | 'subscription_cycle' | 'subscription_update';
  periodEndSec?: number;
  currency?: string;
}) {
  return {
    id: id('in'),
    object: 'invoice',
    billing_reason: a.billingReason,
    currency: a.currency ?? 'usd',
    hosted_invoice_url: `https://invoice.stripe.test/${a.subscriptionId}`,
    parent: {
      type: 'subscription_details',
      subscription_details: { subscription: a.subscriptionId, metadata: { userId: a.userId } },
    },
    lines: {
      object: 'list',
      data: [{ period: { start: nowSec(), end: a.periodEndSec ?? nowSec() + 30 * 86_400 } }],
    },
  };
}

export async function sendStripeEvent(app: App, deps: Deps, event: unknown) {
  const res = await postStripeEvent(app, deps, event);
  if (res.status !== 200) throw new Error(`webhook: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { outcome: string; workflowId?: string };
}

/** POST /api/subscriptions, then the subscription id stripe-mock gave it (from the projection row). */
export async function subscribeTo(app: App, deps: Deps, user: TestUser, plan: string, seatTier?: string) {
  const res = await call(app, 'POST', '/api/subscriptions', {
    token: user.token,
    body: { plan, ...(seatTier ? { seatTier } : {}) },
  });
  if (res.status !== 201) throw new Error(`subscribe: ${res.status} ${JSON.stringify(res.body)}`);
  const row = await deps.db.subscription.findUniqueOrThrow({ where: { userId: user.id } });
  return { body: res.body, subscriptionId: row.stripeSubscriptionId! };
}

/** Stripe's word that the first (or a renewal) invoice was paid, `offsetSec` after now. */
export async function payInvoice(
  app: App,
  deps: Deps,
  user: TestUser,
  subscriptionId: string,
  offsetSec = 1,
  billingReason: 'subscription_create' | 'subscription_cycle' = 'subscription_create',
) {
  return sendStripeEvent(
    app,
    deps,
    stripeEvent(
      'invoice.paid',
      invoiceObject({ userId: user.id, subscriptionId, billingReason }),
      nowSec() + offsetSec,
    ),
  );
}

export async function roleOf(deps: Deps, userId: string) {
  return (await deps.db.user.findUniqueOrThrow({ where: { id: userId }, select: { role: true } })).role;
}

export { nowSec };
