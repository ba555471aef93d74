import type { Deps } from '../src/infra/deps';
import { analyticsActivities } from './analytics';
import { bookingActivities } from './bookings';
import { clipActivities, clipMediaActivities } from './clips';
import { emailActivities } from './email';
import { healthActivities, mediaHealthActivities } from './health';
import { maintenanceActivities } from './maintenance';
import { paidSessionActivities } from './paid-sessions';
import { paymentActivities } from './payments';
import { payoutActivities } from './payouts';
import { purchaseActivities } from './purchases';
import { subscriptionActivities } from './subscriptions';
import { videoActivities, videoMediaActivities } from './videos';

// One factory per task queue, merging one folder per feature, with the I/O dependencies injected
// (tests pass the real services they started). Each worker registers only its own queue's
// activities, and workflows type their proxies with DefaultActivities or MediaActivities, so ffmpeg
// can neither be called on the default queue nor be registered there.

/** The default queue: quick Postgres + S3 steps, Stripe, email, OpenAI and housekeeping. */
export function createDefaultActivities(deps: Deps) {
  return {
    ...healthActivities(deps),
    ...emailActivities(deps),
    ...paymentActivities(deps),
    ...bookingActivities(deps),
    ...videoActivities(deps),
    ...clipActivities(deps),
    ...paidSessionActivities(deps),
    ...purchaseActivities(deps),
    ...payoutActivities(deps),
    ...subscriptionActivities(deps),
    ...analyticsActivities(deps),
    ...maintenanceActivities(deps),
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
