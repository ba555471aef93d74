import type { Deps } from '../src/infra/deps';
import { bookingActivities } from './booking';
import { emailActivities } from './email';
import { healthActivities } from './health';
import { analysisActivities } from './analysis';
import { mediaActivities } from './media';
import { storageActivities } from './storage';
import { stripeActivities } from './stripe';

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
