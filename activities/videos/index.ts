import type { Deps } from '../../src/infra/deps';
import { analysisActivities } from './analysis';
import { videoMediaActivities } from './media';
import { videoPostgresActivities } from './postgres';

/** video-<id>'s default-queue steps: validation, state, deletion, and the AI analysis. */
export function videoActivities(deps: Pick<Deps, 'cfg' | 'db' | 's3'>) {
  return { ...videoPostgresActivities(deps), ...analysisActivities(deps) };
}

export { videoMediaActivities };
