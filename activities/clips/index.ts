import type { Deps } from '../../src/infra/deps';
import { clipMediaActivities } from './media';
import { clipPostgresActivities } from './postgres';

/** clip-<id>'s quick Postgres + S3 steps (default queue). */
export function clipActivities(deps: Pick<Deps, 'cfg' | 'db' | 's3'>) {
  return clipPostgresActivities(deps);
}

export { clipMediaActivities };
