import { defineQuery, defineSignal } from '@temporalio/workflow';
import { NON_RETRYABLE_TYPES } from '../../src/domain/videos/status';

// The contract of clip-<id>: how the API starts a clip's cut and asks for its deletion.

/** The registered workflow type; start it with `client.workflow.start<ClipWorkflow>(clipWorkflowType, …)`. */
export const clipWorkflowType = 'clipWorkflow';
export type ClipWorkflow = (input: ClipWorkflowInput) => Promise<ClipOutcome>;

export interface ClipWorkflowInput {
  clipId: string;
  videoId: string;
  coachId: string;
  mode: 'create' | 'delete';
  /** The media task queue (from config) the trim runs on. */
  mediaTaskQueue: string;
}

export type ClipOutcome = 'ready' | 'failed' | 'deleted' | 'gone';

export const deleteClipSignal = defineSignal('deleteClip');

/** What the operator's Query tab (and `temporal workflow query --name state`) shows for clip-<id>. */
export interface ClipWorkflowState {
  clipId: string;
  videoId: string;
  /** The same value as the DomainStatus search attribute: PROCESSING, READY, FAILED, GONE, DELETED. */
  status: string;
  deleteRequested: boolean;
}

export const clipStateQuery = defineQuery<ClipWorkflowState>('state');

/** The clip's own failure type; the video's (InvalidMedia, PlanRequired…) are in NON_RETRYABLE_TYPES. */
export const ClipFailure = {
  /** The source video was deleted or is no longer ready. */
  VideoNotReady: 'VideoNotReady',
} as const;

/** Every failure type of the clip's activities that retrying cannot fix. */
export const clipNonRetryableTypes: string[] = [
  ...Object.keys(NON_RETRYABLE_TYPES),
  ClipFailure.VideoNotReady,
];
