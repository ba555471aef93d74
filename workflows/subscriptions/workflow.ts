import { setHandler } from '@temporalio/workflow';
import {
  cancelSubscriptionUpdate,
  changePlanUpdate,
  resumeSubscriptionUpdate,
  stripeSubscriptionEventSignal,
  subscribeUpdate,
  subscriptionStateQuery,
  type SubscriptionWorkflowInput,
} from './definitions';
import { Subscription } from './subscription';

// subscription-<userId>: one user's subscription for as long as the user exists.
//
//   none ── subscribe ──> incomplete ── invoice.paid ──> active ── invoice.payment_failed ──> past_due
//                                         ▲   │ change (upgrade now / downgrade at period end)   │ dunning emails
//                                         │   └ cancel (period end) ── subscription.deleted ──> canceled
//                                         └────────────── paid in time ─────────────────────────┘ still unpaid: canceled
//
// API calls are Updates whose validators refuse what the rules refuse (nothing is accepted, nothing
// changes); Stripe's events are signals. Every fact is stamped (an event's `created`, or a local
// change made after everything seen) and folded field by field, newest stamp wins, so repeats and
// reordering cannot roll the state back (src/domain/subscriptions/state.ts applyFact); an event older
// than the newest thing known also makes the workflow re-read the subscription from Stripe. After
// every change the user's role in Postgres follows the entitled plan, a grace period starts when a
// video plan is left (its end deletes the stored videos through video-<id>), and the projection row
// is rewritten. Each billing period (and whenever Temporal suggests) the run continues as new.
//
// Where things are: the run's state (state.ts), handlers and main loop (subscription.ts), Stripe's
// events (events.ts), what follows every change (sync.ts), the timers (timers.ts; when they are due:
// src/domain/subscriptions/timers.ts), the activity proxies (proxies.ts).

export async function subscriptionWorkflow(input: SubscriptionWorkflowInput): Promise<void> {
  const subscription = new Subscription(input);
  setHandler(subscriptionStateQuery, () => subscription.state());
  setHandler(stripeSubscriptionEventSignal, (e) => subscription.receiveEvent(e));
  setHandler(subscribeUpdate, (req) => subscription.subscribe(req), {
    validator: (req) => subscription.validateSubscribe(req),
  });
  setHandler(changePlanUpdate, (req) => subscription.changePlan(req), {
    validator: (req) => subscription.validateChange(req),
  });
  setHandler(cancelSubscriptionUpdate, (req) => subscription.cancel(req), {
    validator: (req) => subscription.validateCancel(req),
  });
  setHandler(resumeSubscriptionUpdate, () => subscription.resume(), {
    validator: () => subscription.validateResume(),
  });
  return subscription.run();
}
