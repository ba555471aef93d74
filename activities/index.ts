import type { Deps } from '../src/infra/deps';
import { healthActivities } from './health';

/** All activities, with their I/O dependencies injected (tests pass the real services they started). */
export function createActivities(deps: Deps) {
  return {
    ...healthActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
