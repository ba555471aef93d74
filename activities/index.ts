import type { Deps } from '../src/infra/deps';
import { bookingActivities } from './postgres/booking';
import { emailActivities } from './email';
import { healthActivities } from './health';
import { analysisActivities } from './openai';
import { mediaActivities } from './media/ffmpeg';
import { storageActivities } from './postgres/videos';
import { stripeActivities } from './stripe/payments';

/** All activities, with their I/O dependencies injected (tests pass the real services they started). */
export function createActivities(deps: Deps) {
  return {
    ...healthActivities(deps),
    ...emailActivities(deps),
    ...storageActivities(deps),
    ...mediaActivities(deps),
    ...analysisActivities(deps),
    ...bookingActivities(deps),
    ...stripeActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
