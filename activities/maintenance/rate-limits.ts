import { prune } from '../../src/data/rate-limit';
import type { Deps } from '../../src/infra/deps';

// Housekeeping of the rate-limit counters (src/data/rate-limit.ts), run by the maintenance schedule.

export function rateLimitActivities(deps: Pick<Deps, 'db'>) {
  return {
    /** Deletes the windows that started before `olderThanMs`; returns how many rows went. */
    async pruneRateLimitHits(input: { olderThanMs: number }): Promise<number> {
      return prune(deps.db, new Date(input.olderThanMs));
    },
  };
}
