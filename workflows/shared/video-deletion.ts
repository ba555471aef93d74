import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { getExternalWorkflowHandle, ParentClosePolicy, startChild } from '@temporalio/workflow';
import { deleteVideoSignal, videoWorkflowType, type VideoWorkflow } from '../videos/definitions';
import { workflowIds } from './ids';

/**
 * Hands a video to video-<id> in delete mode: a new run when none is open (abandoned on the caller's
 * close, so it outlives the caller), or the delete signal to the open run. Both are idempotent on the
 * video's side, so a deletion already under way is not disturbed. Used by the housekeeping sweep and
 * by a subscription whose grace period ended.
 */
export async function deleteVideoThroughItsWorkflow(
  video: { id: string; coachId: string },
  settings: { uploadTimeoutMs: number; mediaTaskQueue: string },
): Promise<'started' | 'signalled'> {
  const workflowId = workflowIds.video(video.id);
  try {
    await startChild<VideoWorkflow>(videoWorkflowType, {
      workflowId,
      args: [
        {
          videoId: video.id,
          coachId: video.coachId,
          mode: 'delete',
          uploadTimeoutMs: settings.uploadTimeoutMs,
          mediaTaskQueue: settings.mediaTaskQueue,
        },
      ],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    return 'started';
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    await getExternalWorkflowHandle(workflowId).signal(deleteVideoSignal);
    return 'signalled';
  }
}
