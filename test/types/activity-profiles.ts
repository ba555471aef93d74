// Type-level test, checked by `tsc --noEmit` (npm run typecheck / lint), never run: each line under
// `@ts-expect-error` must fail to compile, or tsc reports the directive as unused. It proves what
// docs/adr/0009 promises: an activity proxy offers only the activities of its profile's queue.
import type { ActivityInterfaceFor } from '@temporalio/workflow';
import type { DefaultActivities, MediaActivities } from '../../activities';
import { profiles } from '../../workflows/shared/profiles';
import { activities, localActivities } from '../../workflows/shared/proxies';

export function checkedByTscOnly(queue: string): void {
  // What compiles: each profile's own queue.
  const db = activities(profiles.postgres);
  const media = activities(profiles.media(queue).transcode);
  const local = localActivities(profiles.postgresLocal);
  void db.transitionBooking;
  void media.transcodeVideo;
  void local.transitionBooking;
  const typedAsDefault: ActivityInterfaceFor<DefaultActivities> = db;
  const typedAsMedia: ActivityInterfaceFor<MediaActivities> = media;
  void [typedAsDefault, typedAsMedia];

  // A media activity on the Postgres profile.
  // @ts-expect-error transcodeVideo is not a default-queue activity
  void db.transcodeVideo;
  // @ts-expect-error the Postgres profile's proxy is not a media proxy
  const notMedia: ActivityInterfaceFor<MediaActivities> = activities(profiles.postgres);
  // A Postgres activity on the media queue.
  // @ts-expect-error transitionBooking is not registered on the media queue
  void media.transitionBooking;
  // @ts-expect-error nor can a media proxy pass for a default one
  const notDefault: ActivityInterfaceFor<DefaultActivities> = activities(profiles.media(queue).trim);
  // Options that are not a named profile (no queue in their type).
  // @ts-expect-error plain options carry no queue
  activities({ startToCloseTimeout: '1 minute' });
  // A local profile for an ordinary proxy, and the other way round.
  // @ts-expect-error a local activity's options are not an ordinary activity's
  activities(profiles.stripeLocal);
  // @ts-expect-error an ordinary profile cannot make local activities
  localActivities(profiles.stripe);
  // Local activities run on the workflow's own (default-queue) worker: never media work.
  // @ts-expect-error a media profile cannot make local activities
  localActivities(profiles.media(queue).probe);
  void [notMedia, notDefault];
}
