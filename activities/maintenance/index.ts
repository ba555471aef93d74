import type { Deps } from '../../src/infra/deps';
import { deletionActivities } from './deletions';
import { rateLimitActivities } from './rate-limits';

/** Housekeeping on Schedules: stranded deletions handed back to their workflows, rate-limit rows pruned. */
export function maintenanceActivities(deps: Pick<Deps, 'db' | 'cfg'>) {
  return { ...deletionActivities(deps), ...rateLimitActivities(deps) };
}
