import {
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  startChild,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { DefaultActivities } from '../../activities';
import { workflowIds } from '../shared/ids';
import { profiles } from '../shared/profiles';
import { deleteVideoSignal, videoWorkflowType, type VideoWorkflow } from '../videos/definitions';
import type {
  PruneRateLimitsInput,
  PruneRateLimitsResult,
  ResumeDeletionsInput,
  ResumeDeletionsResult,
} from './definitions';

// Housekeeping run by a Temporal Schedule (hourly), not by a timer in the API: one run at a time,
// visible in the Temporal UI, and retried by the next run if Postgres was away.

const { pruneRateLimitHits, findStrandedDeletions, purgeEmptyDeletedSessions } =
  proxyActivities<DefaultActivities>(profiles.maintenance);

/** Deletes the rate-limit windows that have ended (the hits table otherwise grows forever). */
export async function pruneRateLimitsWorkflow(input: PruneRateLimitsInput): Promise<PruneRateLimitsResult> {
  const olderThanMs = Date.now() - input.retainMs;
  const deleted = await pruneRateLimitHits({ olderThanMs });
  return { deleted, olderThan: new Date(olderThanMs).toISOString() };
}

/**
 * Issue 9 #11: a deletion must complete even when nobody repeats it. Rows marked deleted longer ago
 * than the grace period are handed to video-<id> again: a new run in delete mode when none is open
 * (abandoned on this run's close, so it outlives the sweep), or the delete signal to the open run.
 * Both are idempotent on the video's side, so a deletion already under way is not disturbed.
 */
export async function resumeDeletionsWorkflow(input: ResumeDeletionsInput): Promise<ResumeDeletionsResult> {
  const markedBeforeMs = Date.now() - input.graceMs;
  const stranded = await findStrandedDeletions({ markedBeforeMs });
  let started = 0;
  let signalled = 0;
  for (const video of stranded.videos) {
    const workflowId = workflowIds.video(video.id);
    try {
      await startChild<VideoWorkflow>(videoWorkflowType, {
        workflowId,
        args: [
          {
            videoId: video.id,
            coachId: video.coachId,
            mode: 'delete',
            uploadTimeoutMs: stranded.uploadTimeoutMs,
            mediaTaskQueue: stranded.mediaTaskQueue,
          },
        ],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      started++;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      await getExternalWorkflowHandle(workflowId).signal(deleteVideoSignal);
      signalled++;
    }
  }
  const sessionsPurged = await purgeEmptyDeletedSessions({ markedBeforeMs });
  return { started, signalled, sessionsPurged };
}
