import { proxyActivities } from '@temporalio/workflow';
import type { DefaultActivities } from '../../activities';
import { profiles } from '../shared/profiles';
import type { PruneRateLimitsInput, PruneRateLimitsResult } from './definitions';

// Housekeeping run by a Temporal Schedule (hourly), not by a timer in the API: one run at a time,
// visible in the Temporal UI, and retried by the next run if Postgres was away.

const { pruneRateLimitHits } = proxyActivities<DefaultActivities>(profiles.maintenance);

/** Deletes the rate-limit windows that have ended (the hits table otherwise grows forever). */
export async function pruneRateLimitsWorkflow(input: PruneRateLimitsInput): Promise<PruneRateLimitsResult> {
  const olderThanMs = Date.now() - input.retainMs;
  const deleted = await pruneRateLimitHits({ olderThanMs });
  return { deleted, olderThan: new Date(olderThanMs).toISOString() };
}
