import type { Deps } from '../src/infra/deps';
import { emailActivities } from './email';
import { healthActivities, mediaHealthActivities } from './health';
import { clipMediaActivities } from './media/clip';
import { videoMediaActivities } from './media/video';
import { analysisActivities } from './openai';
import { bookingActivities } from './postgres/booking';
import { clipActivities } from './postgres/clips';
import { deletionActivities } from './postgres/deletions';
import { ledgerActivities } from './postgres/ledger';
import { paidSessionActivities } from './postgres/paid-sessions';
import { paidSessionStripeActivities } from './stripe/paid-sessions';
import { payoutActivities } from './postgres/payouts';
import { connectActivities } from './stripe/connect';
import { scheduleActivities } from './temporal-schedules';
import { rateLimitActivities } from './postgres/rate-limits';
import { videoActivities } from './postgres/videos';
import { stripeActivities } from './stripe/payments';
import { purchaseStripeActivities } from './stripe/purchases';
import { purchaseActivities } from './postgres/purchases';
import { creditActivities } from './postgres/credits';
import { analyticsActivities } from './postgres/analytics';
import { billingActivities } from './stripe/billing';
import { subscriptionStoreActivities } from './postgres/subscriptions';

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
