import {
  proxyActivities,
  proxyLocalActivities,
  type ActivityInterfaceFor,
  type LocalActivityInterfaceFor,
} from '@temporalio/workflow';
import type { DefaultActivities, MediaActivities } from '../../activities';
import type { LocalProfile, Profile, QueueName } from './profiles';

// The only way workflow code makes activity proxies (test/unit/workflows/proxies.test.ts keeps it
// so). The activities a proxy offers follow from its profile's queue, so an ffmpeg activity on a
// Postgres profile, or a Postgres one on the media queue, does not compile
// (test/types/activity-profiles.ts), and a workflow names each profile once:
//
//   const db = activities(profiles.postgres);
//   await db.transitionBooking({ … });

/** What each queue's worker registers (activities/index.ts: one factory per queue). */
interface ActivitiesOn {
  default: DefaultActivities;
  media: MediaActivities;
}

/** A proxy of the activities registered on `profile`'s queue, called with its options. */
export function activities<Q extends QueueName>(profile: Profile<Q>): ActivityInterfaceFor<ActivitiesOn[Q]> {
  return proxyActivities<ActivitiesOn[Q]>(profile);
}

/** A proxy of default-queue activities run as local activities, inside the workflow task. */
export function localActivities(profile: LocalProfile): LocalActivityInterfaceFor<DefaultActivities> {
  return proxyLocalActivities<DefaultActivities>(profile);
}
