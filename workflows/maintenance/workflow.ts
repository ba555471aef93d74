import { profiles } from '../shared/profiles';
import { activities } from '../shared/proxies';
import { deleteVideoThroughItsWorkflow } from '../shared/video-deletion';
import type {
  PruneRateLimitsInput,
  PruneRateLimitsResult,
  ResumeDeletionsInput,
  ResumeDeletionsResult,
} from './definitions';

// Housekeeping run by Temporal Schedules (workers/schedules.ts: rate limits hourly, stranded
// deletions every 15 minutes), not by a timer in the API: one run at a time, visible in the Temporal
// UI, and retried by the next run if Postgres was away.

const maintenance = activities(profiles.maintenance);

/** Deletes the rate-limit windows that have ended (the hits table otherwise grows forever). */
class RateLimitPruning {
  constructor(private readonly input: PruneRateLimitsInput) {}

  async run(): Promise<PruneRateLimitsResult> {
    const olderThanMs = Date.now() - this.input.retainMs;
    const deleted = await maintenance.pruneRateLimitHits({ olderThanMs });
    return { deleted, olderThan: new Date(olderThanMs).toISOString() };
  }
}

/**
 * Issue 9 #11: a deletion must complete even when nobody repeats it. Rows marked deleted longer ago
 * than the grace period are handed to video-<id> again (deleteVideoThroughItsWorkflow), and sessions
 * left empty are purged.
 */
class DeletionSweep {
  private started = 0;
  private signalled = 0;

  constructor(private readonly input: ResumeDeletionsInput) {}

  async run(): Promise<ResumeDeletionsResult> {
    const markedBeforeMs = Date.now() - this.input.graceMs;
    const stranded = await maintenance.findStrandedDeletions({ markedBeforeMs });
    for (const video of stranded.videos) {
      if ((await deleteVideoThroughItsWorkflow(video, stranded)) === 'started') this.started++;
      else this.signalled++;
    }
    const sessionsPurged = await maintenance.purgeEmptyDeletedSessions({ markedBeforeMs });
    return { started: this.started, signalled: this.signalled, sessionsPurged };
  }
}

export async function pruneRateLimitsWorkflow(input: PruneRateLimitsInput): Promise<PruneRateLimitsResult> {
  return new RateLimitPruning(input).run();
}

export async function resumeDeletionsWorkflow(input: ResumeDeletionsInput): Promise<ResumeDeletionsResult> {
  return new DeletionSweep(input).run();
}
