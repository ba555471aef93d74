import type { Client } from '@temporalio/client';
import type { Config } from '../../infra/config';
import { conflict } from '../../domain/shared/errors';
import { overallPercent, type Stage } from '../../domain/videos/status';
import { temporalFailure } from '../temporal-failures';
import { CoachIdAttr, DomainStatusAttr, VideoIdAttr } from '../../../workflows/shared/search-attributes';
import { workflowIds } from '../../../workflows/shared/ids';
import {
  clipWorkflowType,
  deleteClipSignal,
  type ClipWorkflow,
  type ClipWorkflowInput,
} from '../../../workflows/clips/definitions';
import {
  cancelUploadSignal,
  deleteVideoSignal,
  uploadCompletedSignal,
  videoProgressQuery,
  videoWorkflowType,
  type VideoWorkflow,
  type VideoWorkflowInput,
} from '../../../workflows/videos/definitions';

// How the API starts and steers the video-<id> and clip-<id> workflows. Deletions and completions
// use signal-with-start: they reach the running workflow, or start a run that does the work.

type Deps = { temporal: Client; cfg: Config };

/**
 * A request to the Temporal server; a failure it can meet becomes a 4xx/503 through the API's one
 * mapping (src/app/temporal-failures.ts): a server that cannot be reached is a 503 with Retry-After.
 * `what` starts the message ("… right now; try again shortly").
 */
async function reachTemporal(call: () => Promise<unknown>, what: string): Promise<void> {
  try {
    await call();
  } catch (err) {
    throw await temporalFailure(err, {
      what,
      // Neither start nor signal-with-start meets a closed workflow or a refused update.
      closed: () => conflict(`${what}: the workflow has closed`, 'workflow_closed'),
      refused: (failure) => conflict(`${what}: ${failure.message}`, 'workflow_refused'),
    });
  }
}

function videoInput(
  deps: Deps,
  videoId: string,
  coachId: string,
  mode: VideoWorkflowInput['mode'],
): VideoWorkflowInput {
  return {
    videoId,
    coachId,
    mode,
    uploadTimeoutMs: deps.cfg.VIDEO_UPLOAD_TIMEOUT,
    mediaTaskQueue: deps.cfg.TEMPORAL_MEDIA_TASK_QUEUE,
  };
}

function attrs(videoId: string, coachId: string, status: string) {
  return [
    { key: VideoIdAttr, value: videoId },
    { key: CoachIdAttr, value: coachId },
    { key: DomainStatusAttr, value: status },
  ];
}

/** Starts video-<id> waiting for the upload (it aborts the upload after VIDEO_UPLOAD_TIMEOUT). */
export async function startUploadWorkflow(deps: Deps, videoId: string, coachId: string): Promise<void> {
  await reachTemporal(
    () =>
      deps.temporal.workflow.start<VideoWorkflow>(videoWorkflowType, {
        taskQueue: deps.cfg.TEMPORAL_TASK_QUEUE,
        workflowId: workflowIds.video(videoId),
        args: [videoInput(deps, videoId, coachId, 'upload')],
        typedSearchAttributes: attrs(videoId, coachId, 'AWAITING_UPLOAD'),
      }),
    'Nothing was kept: the upload cannot be started',
  );
}

/** Tells video-<id> the upload completed; starts a processing run if no run is waiting. */
export async function signalUploadCompleted(deps: Deps, videoId: string, coachId: string): Promise<void> {
  await deps.temporal.workflow.signalWithStart<VideoWorkflow, []>(videoWorkflowType, {
    taskQueue: deps.cfg.TEMPORAL_TASK_QUEUE,
    workflowId: workflowIds.video(videoId),
    args: [videoInput(deps, videoId, coachId, 'retry')],
    signal: uploadCompletedSignal,
    signalArgs: [],
    typedSearchAttributes: attrs(videoId, coachId, 'PROCESSING'),
  });
}

/**
 * Tells video-<id> to stop waiting for the upload. With signal-with-start, like deletions: when no run
 * is waiting (it closed as the row was read, or a crash came between the row and its run) a new one
 * takes the cancellation and gives the storage back, instead of the caller getting a 500.
 */
export async function signalCancelUpload(
  deps: Deps,
  videoId: string,
  coachId: string,
  reason: string,
): Promise<void> {
  await reachTemporal(
    () =>
      deps.temporal.workflow.signalWithStart<VideoWorkflow, [{ reason?: string }]>(videoWorkflowType, {
        taskQueue: deps.cfg.TEMPORAL_TASK_QUEUE,
        workflowId: workflowIds.video(videoId),
        args: [videoInput(deps, videoId, coachId, 'upload')],
        signal: cancelUploadSignal,
        signalArgs: [{ reason }],
        typedSearchAttributes: attrs(videoId, coachId, 'AWAITING_UPLOAD'),
      }),
    'The upload cannot be cancelled',
  );
}

/** Re-runs the pipeline on a failed video's kept upload; throws WorkflowExecutionAlreadyStartedError while a run is open. */
export async function startRetryWorkflow(deps: Deps, videoId: string, coachId: string): Promise<void> {
  await deps.temporal.workflow.start<VideoWorkflow>(videoWorkflowType, {
    taskQueue: deps.cfg.TEMPORAL_TASK_QUEUE,
    workflowId: workflowIds.video(videoId),
    args: [videoInput(deps, videoId, coachId, 'retry')],
    typedSearchAttributes: attrs(videoId, coachId, 'PROCESSING'),
  });
}

/**
 * Deletes a video: the running workflow stops what it does and cleans up, or a new run does. The row
 * is marked deleted first; when Temporal cannot take the request, a 503 says to repeat it (the
 * deletion use cases accept a marked row again and re-send this).
 */
export async function requestVideoDeletion(deps: Deps, videoId: string, coachId: string): Promise<void> {
  await reachTemporal(
    () =>
      deps.temporal.workflow.signalWithStart<VideoWorkflow, []>(videoWorkflowType, {
        taskQueue: deps.cfg.TEMPORAL_TASK_QUEUE,
        workflowId: workflowIds.video(videoId),
        args: [videoInput(deps, videoId, coachId, 'delete')],
        signal: deleteVideoSignal,
        signalArgs: [],
        typedSearchAttributes: attrs(videoId, coachId, 'DELETING'),
      }),
    'The video is hidden and its deletion recorded, but the deletion cannot be handed to processing',
  );
}

type ClipRef = { id: string; videoId: string; coachId: string };

function clipInput(deps: Deps, clip: ClipRef, mode: ClipWorkflowInput['mode']): ClipWorkflowInput {
  return {
    clipId: clip.id,
    videoId: clip.videoId,
    coachId: clip.coachId,
    mode,
    mediaTaskQueue: deps.cfg.TEMPORAL_MEDIA_TASK_QUEUE,
  };
}

export async function startClipWorkflow(deps: Deps, clip: ClipRef): Promise<void> {
  await deps.temporal.workflow.start<ClipWorkflow>(clipWorkflowType, {
    taskQueue: deps.cfg.TEMPORAL_TASK_QUEUE,
    workflowId: workflowIds.clip(clip.id),
    args: [clipInput(deps, clip, 'create')],
    typedSearchAttributes: attrs(clip.videoId, clip.coachId, 'PROCESSING'),
  });
}

export async function requestClipDeletion(deps: Deps, clip: ClipRef): Promise<void> {
  await reachTemporal(
    () =>
      deps.temporal.workflow.signalWithStart<ClipWorkflow, []>(clipWorkflowType, {
        taskQueue: deps.cfg.TEMPORAL_TASK_QUEUE,
        workflowId: workflowIds.clip(clip.id),
        args: [clipInput(deps, clip, 'delete')],
        signal: deleteClipSignal,
        signalArgs: [],
        typedSearchAttributes: attrs(clip.videoId, clip.coachId, 'DELETING'),
      }),
    'The clip is unchanged: its deletion cannot be handed to processing',
  );
}

/**
 * Stage and percent from the workflow's `progress` query; falls back to the stored stage when the
 * workflow does not answer within `timeoutMs` (no worker up, or the run has closed).
 */
export async function videoProgress(
  deps: Deps,
  videoId: string,
  storedStage: Stage,
  timeoutMs = 1500,
): Promise<{ stage: Stage; percent: number }> {
  const fallback = { stage: storedStage, percent: overallPercent(storedStage) };
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await Promise.race([
      deps.temporal.workflow.getHandle(workflowIds.video(videoId)).query(videoProgressQuery),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      }),
    ]);
    return answer ? { stage: answer.stage, percent: answer.percent } : fallback;
  } catch {
    return fallback;
  } finally {
    clearTimeout(timer);
  }
}
