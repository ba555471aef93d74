import { defineQuery, defineSignal } from '@temporalio/workflow';
import { VIDEO_PROGRESS_SIGNAL, type Stage } from '../../src/domain/videos/status';

// The contract of video-<id>: how the API starts and steers a video's workflow and reads its
// progress, and how the media activities report progress to it. The failure types its activities
// raise are catalogued with the failure kinds they mean in src/domain/videos/status.ts
// (NON_RETRYABLE_TYPES).

/** The registered workflow type; start it with `client.workflow.start<VideoWorkflow>(videoWorkflowType, …)`. */
export const videoWorkflowType = 'videoWorkflow';
export type VideoWorkflow = (input: VideoWorkflowInput) => Promise<VideoOutcome>;

export interface VideoWorkflowInput {
  videoId: string;
  coachId: string;
  /** upload: wait for the client's parts; retry: re-run a failed video; delete: remove everything. */
  mode: 'upload' | 'retry' | 'delete';
  uploadTimeoutMs: number;
  /** The media task queue (from config) the ffmpeg activities run on. */
  mediaTaskQueue: string;
}

export type VideoOutcome = 'ready' | 'failed' | 'deleted' | 'gone';

export interface VideoProgress {
  stage: Stage;
  /** Percent within the current stage (from the media worker's heartbeats). */
  stagePercent: number;
  /** Overall 0–100. */
  percent: number;
}

export const uploadCompletedSignal = defineSignal('uploadCompleted');
export const cancelUploadSignal = defineSignal<[{ reason?: string }]>('cancelUpload');
export const deleteVideoSignal = defineSignal('deleteVideo');
/** Sent by the media activities as they heartbeat; `stage` is the stage they work in. */
export const videoProgressSignal = defineSignal<[{ stage: string; percent: number }]>(VIDEO_PROGRESS_SIGNAL);
export const videoProgressQuery = defineQuery<VideoProgress>('progress');

/** The operator's view of video-<id> (Query tab, `temporal workflow query --name state`). */
export interface VideoWorkflowState extends VideoProgress {
  videoId: string;
  coachId: string;
  mode: VideoWorkflowInput['mode'];
  /** The same value as the DomainStatus search attribute (STARTING until the first is set). */
  status: string;
  uploaded: boolean;
  cancelReason: string | null;
  deleteRequested: boolean;
}

export const videoStateQuery = defineQuery<VideoWorkflowState>('state');
