import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { DefaultActivities, MediaActivities } from '../../activities';
import { setSummary } from '../shared/memo';
import { profiles } from '../shared/profiles';
import { CoachIdAttr, DomainStatusAttr, VideoIdAttr } from '../shared/search-attributes';
import {
  clipNonRetryableTypes as nonRetryableErrorTypes,
  clipStateQuery,
  deleteClipSignal,
  type ClipOutcome,
  type ClipWorkflowInput,
} from './definitions';

// clip-<id>: trims a clip out of a ready video on the media queue (stream copy when the start is a
// keyframe, re-encode otherwise), stores it under the clip's keys and marks it ready; a deletion
// (running or later, as a new run) removes its objects and gives its storage back.

const { startClipRun, finishClip, failClip, deleteClipData } = proxyActivities<DefaultActivities>(
  profiles.clipStep(nonRetryableErrorTypes),
);

export async function clipWorkflow(input: ClipWorkflowInput): Promise<ClipOutcome> {
  const { trimClip } = proxyActivities<MediaActivities>(
    profiles.media(input.mediaTaskQueue, nonRetryableErrorTypes).trim,
  );
  let deleteRequested = input.mode === 'delete';
  const work = new CancellationScope();
  setHandler(deleteClipSignal, () => {
    deleteRequested = true;
    work.cancel();
  });
  let current = 'STARTING';
  setHandler(clipStateQuery, () => ({
    clipId: input.clipId,
    videoId: input.videoId,
    status: current,
    deleteRequested,
  }));
  setSummary(
    input.mode === 'delete'
      ? `Clip ${input.clipId} of video ${input.videoId} (coach ${input.coachId}): deleting its objects`
      : `Clip ${input.clipId} of video ${input.videoId} (coach ${input.coachId}): trimming it on the media queue`,
    { clipId: input.clipId, videoId: input.videoId, coachId: input.coachId, mode: input.mode },
  );
  const status = (value: string) => {
    current = value;
    upsertSearchAttributes([
      { key: VideoIdAttr, value: input.videoId },
      { key: CoachIdAttr, value: input.coachId },
      { key: DomainStatusAttr, value: value },
    ]);
  };
  const remove = () =>
    CancellationScope.nonCancellable(async () => {
      await deleteClipData({ clipId: input.clipId, videoId: input.videoId });
      status('DELETED');
      return 'deleted' as const;
    });

  if (deleteRequested) return remove();
  status('PROCESSING');
  let outcome = 'gone' as 'ready' | 'over_quota' | 'gone';
  try {
    await work.run(async () => {
      const run = await startClipRun({ clipId: input.clipId });
      if (!run) return;
      const result = await trimClip({
        clipId: run.clipId,
        videoId: run.videoId,
        rendition: run.rendition,
        range: run.range,
        fps: run.fps,
        durationSeconds: run.durationSeconds,
      });
      outcome = await finishClip({ clipId: input.clipId, videoId: input.videoId, result });
    });
  } catch (err) {
    if (deleteRequested) return remove();
    const cause = err instanceof ActivityFailure ? err.cause : err;
    const reason =
      cause instanceof ApplicationFailure && cause.nonRetryable
        ? cause.message
        : `Something went wrong on our side while cutting the clip (${(cause as Error)?.message ?? 'unknown error'}). Create it again, and contact support if it keeps failing.`;
    await CancellationScope.nonCancellable(() =>
      failClip({ clipId: input.clipId, videoId: input.videoId, reason }),
    );
    status('FAILED');
    return 'failed';
  }
  if (deleteRequested) return remove();
  status(outcome === 'ready' ? 'READY' : outcome === 'over_quota' ? 'FAILED' : 'GONE');
  return outcome === 'over_quota' ? 'failed' : outcome;
}
