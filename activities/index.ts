import type { Deps } from '../src/infra/deps';
import { emailActivities } from './email';
import { healthActivities, mediaHealthActivities } from './health';
import { clipMediaActivities } from './clips/media';
import { videoMediaActivities } from './videos/media';
import { analysisActivities } from './videos/analysis';
import { bookingActivities } from './bookings/postgres';
import { clipActivities } from './clips/postgres';
import { deletionActivities } from './maintenance/deletions';
import { ledgerActivities } from './payments/ledger';
import { paidSessionActivities } from './paid-sessions/postgres';
import { paidSessionStripeActivities } from './paid-sessions/stripe';
import { payoutActivities } from './payouts/postgres';
import { connectActivities } from './payouts/stripe';
import { scheduleActivities } from './payouts/schedules';
import { rateLimitActivities } from './maintenance/rate-limits';
import { videoActivities } from './videos/postgres';
import { stripeActivities } from './bookings/stripe';
import { purchaseStripeActivities } from './purchases/stripe';
import { purchaseActivities } from './purchases/postgres';
import { creditActivities } from './purchases/credits';
import { analyticsActivities } from './analytics/postgres';
import { billingActivities } from './subscriptions/stripe';
import { subscriptionStoreActivities } from './subscriptions/postgres';

// One factory per task queue, with the I/O dependencies injected (tests pass the real services they
// started). Each worker registers only its own queue's activities, and workflows type their proxies
// with DefaultActivities or MediaActivities, so ffmpeg can neither be called on the default queue
// nor be registered there.

/** The default queue: quick Postgres + S3 steps, Stripe, email, OpenAI and housekeeping. */
export function createDefaultActivities(deps: Deps) {
  return {
    ...healthActivities(deps),
    ...emailActivities(deps),
    ...videoActivities(deps),
    ...clipActivities(deps),
    ...analysisActivities(deps),
    ...bookingActivities(deps),
    ...stripeActivities(deps),
    ...rateLimitActivities(deps),
    ...deletionActivities(deps),
    ...purchaseActivities(deps),
    ...purchaseStripeActivities(deps),
    ...creditActivities(deps),
    ...analyticsActivities(deps),
    ...billingActivities(deps),
    ...subscriptionStoreActivities(deps),
    ...ledgerActivities(deps),
    ...paidSessionActivities(deps),
    ...paidSessionStripeActivities(deps),
    ...payoutActivities(deps),
    ...connectActivities(deps),
    ...scheduleActivities(deps),
  };
}

/** The media queue: ffmpeg work, run with low concurrency so a transcode never starves the rest. */
export function createMediaActivities(deps: Deps) {
  return {
    ...mediaHealthActivities(deps),
    ...videoMediaActivities(deps),
    ...clipMediaActivities(deps),
  };
}

export type DefaultActivities = ReturnType<typeof createDefaultActivities>;
export type MediaActivities = ReturnType<typeof createMediaActivities>;

// Compile-time: no activity is registered on both queues (a workflow could reach it through either proxy).
type OnOneQueueOnly<T extends never> = T;
type ActivitiesOnBothQueues = OnOneQueueOnly<keyof DefaultActivities & keyof MediaActivities>;
