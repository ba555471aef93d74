import { log } from '@temporalio/workflow';
import { applyFact, isStale, type SubscriptionFact } from '../../src/domain/subscriptions/state';
import type { StripeSubscriptionEvent } from './definitions';
import { stripe } from './proxies';
import type { SubscriptionRun } from './state';

// Stripe's subscription events. Every fact is stamped with the event's `created` and folded field by
// field, newest stamp wins (src/domain/subscriptions/state.ts applyFact), so repeats and reordering cannot
// roll the state back; an event older than the newest thing known also makes the workflow re-read
// the subscription from Stripe.

/** The event's facts, stamped by its creation time and id. */
const factOf = (e: StripeSubscriptionEvent): SubscriptionFact => ({
  stamp: { atMs: e.createdMs, id: e.eventId },
  ...(e.status !== undefined ? { status: e.status } : {}),
  ...(e.plan !== undefined && e.plan !== null ? { plan: e.plan } : {}),
  ...(e.periodEndMs !== undefined ? { periodEndMs: e.periodEndMs } : {}),
  ...(e.cancelAtPeriodEnd !== undefined ? { cancelAtPeriodEnd: e.cancelAtPeriodEnd } : {}),
});

export async function ingest(st: SubscriptionRun, e: StripeSubscriptionEvent): Promise<void> {
  const { c } = st;
  if (!st.firstSighting(e.eventId)) return;
  if (e.subscriptionId && c.subscriptionId && e.subscriptionId !== c.subscriptionId) {
    log.info('event for another subscription ignored', {
      eventId: e.eventId,
      subscriptionId: e.subscriptionId,
    });
    return;
  }
  if (e.subscriptionId && !c.subscriptionId) c.subscriptionId = e.subscriptionId;
  if (e.payUrl) st.payUrl = e.payUrl;
  const fact = factOf(e);
  const stale = isStale(c.facts, fact);
  c.facts = applyFact(c.facts, fact);
  if (stale && c.subscriptionId) await refetch(st, e.eventId);
}

/**
 * An event older than what is known: Stripe's current subscription is the truth. It is applied
 * only when it is recognisably this user's (metadata.userId) and priced by one of our lookup keys;
 * otherwise the stamps alone have kept the newer facts.
 */
async function refetch(st: SubscriptionRun, eventId: string): Promise<void> {
  const { c } = st;
  const snap = await stripe.fetchStripeSubscription({ subscriptionId: c.subscriptionId! });
  if (!snap || snap.userId !== st.userId || snap.subscriptionId !== c.subscriptionId || !snap.plan) {
    log.info('stale event: Stripe re-read not applicable, stamps kept the newer state', { eventId });
    return;
  }
  st.learn(
    {
      status: snap.status,
      plan: snap.plan,
      periodEndMs: snap.periodEndMs,
      cancelAtPeriodEnd: snap.cancelAtPeriodEnd,
    },
    'refetch',
  );
}
