import type { Deps } from '../src/infra/deps';
import { emailActivities } from './email';
import { healthActivities } from './health';

/** All activities, with their I/O dependencies injected (tests pass the real services they started). */
export function createActivities(deps: Deps) {
  return {
    ...healthActivities(deps),
    ...emailActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
