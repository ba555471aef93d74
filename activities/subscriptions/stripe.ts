import { ApplicationFailure } from '@temporalio/activity';
import type Stripe from 'stripe';
import { lookupKeyOf, type PlanChoice } from '../../src/domain/subscriptions/catalogue';
import { snapshotOf, type StripeSubscriptionSnapshot } from '../../src/data/subscriptions';
import type { Deps } from '../../src/infra/deps';
import { classify } from '../payments/stripe-errors';
import { StripeFailure } from '../../workflows/shared/failures';

// Stripe Billing calls made by subscription-<userId>. Every write carries the idempotency key the
// workflow derived from its own step counters (workflows/subscriptions/definitions.ts
// subscriptionKeys), so a retried activity, a worker killed mid-call or a replay reaches Stripe as
// the same request and changes the subscription once. The first payment's client secret goes to the
// subscriptions row, never into workflow history.

export function subscriptionStripeActivities(deps: Pick<Deps, 'db' | 'stripe' | 'cfg'>) {
  const { db, stripe } = deps;

  async function priceIdFor(choice: PlanChoice): Promise<string> {
    const key = lookupKeyOf(choice);
    const prices = await stripe.prices.list({ lookup_keys: [key], active: true, limit: 1 });
    // Stripe filters by lookup key; a price carrying another one is never charged by mistake.
    // (stripe-mock answers every list with one fixture price that has no key at all.)
    const price = prices.data.find((p) => p.lookup_key === key || p.lookup_key === null);
    if (!price)
      throw ApplicationFailure.create({
        type: StripeFailure.Rejected,
        message: `No active Stripe price with lookup key ${key}: run npm run stripe:sync`,
        nonRetryable: true,
      });
    return price.id;
  }

  return {
    /** The user's Stripe customer, created once (metadata.userId routes customer.deleted back). */
    async ensureStripeCustomer(input: { userId: string; key: string }): Promise<{ customerId: string }> {
      const existing = await db.subscription.findUnique({
        where: { userId: input.userId },
        select: { stripeCustomerId: true },
      });
      if (existing?.stripeCustomerId) return { customerId: existing.stripeCustomerId };
      const user = await db.user.findUniqueOrThrow({
        where: { id: input.userId },
        select: { email: true, name: true },
      });
      let customer;
      try {
        customer = await stripe.customers.create(
          { email: user.email, name: user.name, metadata: { userId: input.userId } },
          { idempotencyKey: input.key },
        );
      } catch (err) {
        classify(err, 'creating the Stripe customer failed');
      }
      await db.subscription.upsert({
        where: { userId: input.userId },
        create: { userId: input.userId, stripeCustomerId: customer.id },
        update: { stripeCustomerId: customer.id },
      });
      return { customerId: customer.id };
    },

    /**
     * Creates the subscription with its first invoice open (default_incomplete): the client confirms
     * the payment with the invoice's confirmation secret, stored on the row for GET/POST answers.
     */
    async createStripeSubscription(input: {
      userId: string;
      customerId: string;
      choice: PlanChoice;
      key: string;
    }): Promise<StripeSubscriptionSnapshot & { needsPayment: boolean; createdMs: number }> {
      const price = await priceIdFor(input.choice);
      let sub: Stripe.Subscription;
      try {
        sub = await stripe.subscriptions.create(
          {
            customer: input.customerId,
            items: [{ price }],
            payment_behavior: 'default_incomplete',
            payment_settings: { save_default_payment_method: 'on_subscription' },
            expand: ['latest_invoice.confirmation_secret'],
            metadata: {
              userId: input.userId,
              plan: input.choice.plan,
              seatTier: input.choice.seatTier ?? '',
            },
          },
          { idempotencyKey: input.key },
        );
      } catch (err) {
        classify(err, 'creating the subscription failed');
      }
      const invoice = typeof sub.latest_invoice === 'object' ? sub.latest_invoice : null;
      const clientSecret = invoice?.confirmation_secret?.client_secret ?? null;
      await db.subscription.update({
        where: { userId: input.userId },
        data: { stripeSubscriptionId: sub.id, clientSecret },
      });
      const snap = snapshotOf(sub);
      return { ...snap, needsPayment: clientSecret !== null, createdMs: sub.created * 1000 };
    },

    /** Moves the subscription to another price: prorated and invoiced now, or (period end) without proration. */
    async updateStripeSubscriptionPlan(input: {
      subscriptionId: string;
      choice: PlanChoice;
      prorate: boolean;
      key: string;
    }): Promise<{ periodEndMs: number | null }> {
      const price = await priceIdFor(input.choice);
      let sub: Stripe.Subscription;
      try {
        const current = await stripe.subscriptions.retrieve(input.subscriptionId);
        const itemId = current.items.data[0]?.id;
        sub = await stripe.subscriptions.update(
          input.subscriptionId,
          {
            items: [itemId ? { id: itemId, price } : { price }],
            proration_behavior: input.prorate ? 'always_invoice' : 'none',
            metadata: { plan: input.choice.plan, seatTier: input.choice.seatTier ?? '' },
          },
          { idempotencyKey: input.key },
        );
      } catch (err) {
        classify(err, 'changing the subscription plan failed');
      }
      return { periodEndMs: snapshotOf(sub).periodEndMs };
    },

    /** Sets or clears cancel_at_period_end (cancel at the period end / resume). */
    async setStripeCancelAtPeriodEnd(input: {
      subscriptionId: string;
      cancel: boolean;
      key: string;
    }): Promise<void> {
      try {
        await stripe.subscriptions.update(
          input.subscriptionId,
          { cancel_at_period_end: input.cancel },
          { idempotencyKey: input.key },
        );
      } catch (err) {
        classify(
          err,
          input.cancel ? 'scheduling the cancellation failed' : 'resuming the subscription failed',
        );
      }
    },

    /** Ends the subscription now (an operator's immediate cancel, or dunning that ran out). */
    async cancelStripeSubscription(input: { subscriptionId: string; key: string }): Promise<void> {
      try {
        await stripe.subscriptions.cancel(input.subscriptionId, {}, { idempotencyKey: input.key });
      } catch (err) {
        const e = err as { code?: string };
        // Already cancelled (by Stripe itself, or a previous attempt whose answer was lost).
        if (e.code === 'resource_missing') return;
        classify(err, 'cancelling the subscription failed');
      }
    },

    /** The subscription as Stripe has it now; asked when an event arrives older than what the workflow knows. */
    async fetchStripeSubscription(input: {
      subscriptionId: string;
    }): Promise<StripeSubscriptionSnapshot | null> {
      try {
        return snapshotOf(await stripe.subscriptions.retrieve(input.subscriptionId));
      } catch (err) {
        if ((err as { code?: string }).code === 'resource_missing') return null;
        classify(err, 'reading the subscription failed');
      }
    },
  };
}
