import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { setSummary } from '../shared/memo';
import { profiles } from '../shared/profiles';
import { activities } from '../shared/proxies';
import { CoachIdAttr, DomainStatusAttr, VideoIdAttr } from '../shared/search-attributes';
import {
  clipNonRetryableTypes as nonRetryableErrorTypes,
  clipStateQuery,
  deleteClipSignal,
  type ClipOutcome,
  type ClipWorkflowInput,
  type ClipWorkflowState,
} from './definitions';

// clip-<id>: trims a clip out of a ready video on the media queue (stream copy when the start is a
// keyframe, re-encode otherwise), stores it under the clip's keys and marks it ready; a deletion
// (running or later, as a new run) removes its objects and gives its storage back.

/** The clip's Postgres + S3 steps around its cut. */
const steps = activities(profiles.clipStep(nonRetryableErrorTypes));

class Clip {
  /** ffmpeg on the media queue, whose name comes with the input. */
  private readonly ffmpeg;
  private deleteRequested: boolean;
  /** The trim and its bookkeeping, cancelled by a deletion. */
  private readonly work = new CancellationScope();
  private current = 'STARTING';

  constructor(private readonly input: ClipWorkflowInput) {
    this.ffmpeg = activities(profiles.media(input.mediaTaskQueue, nonRetryableErrorTypes).trim);
    this.deleteRequested = input.mode === 'delete';
  }

  requestDeletion(): void {
    this.deleteRequested = true;
    this.work.cancel();
  }

  state(): ClipWorkflowState {
    return {
      clipId: this.input.clipId,
      videoId: this.input.videoId,
      status: this.current,
      deleteRequested: this.deleteRequested,
    };
  }

  async run(): Promise<ClipOutcome> {
    const { input } = this;
    setSummary(
      input.mode === 'delete'
        ? `Clip ${input.clipId} of video ${input.videoId} (coach ${input.coachId}): deleting its objects`
        : `Clip ${input.clipId} of video ${input.videoId} (coach ${input.coachId}): trimming it on the media queue`,
      { clipId: input.clipId, videoId: input.videoId, coachId: input.coachId, mode: input.mode },
    );
    if (this.deleteRequested) return this.remove();
    this.status('PROCESSING');
    let outcome = 'gone' as 'ready' | 'over_quota' | 'gone';
    try {
      await this.work.run(async () => {
        const run = await steps.startClipRun({ clipId: input.clipId });
        if (!run) return;
        const result = await this.ffmpeg.trimClip({
          clipId: run.clipId,
          videoId: run.videoId,
          rendition: run.rendition,
          range: run.range,
          fps: run.fps,
          durationSeconds: run.durationSeconds,
        });
        outcome = await steps.finishClip({ clipId: input.clipId, videoId: input.videoId, result });
      });
    } catch (err) {
      if (this.deleteRequested) return this.remove();
      const cause = err instanceof ActivityFailure ? err.cause : err;
      const reason =
        cause instanceof ApplicationFailure && cause.nonRetryable
          ? cause.message
          : `Something went wrong on our side while cutting the clip (${(cause as Error)?.message ?? 'unknown error'}). Create it again, and contact support if it keeps failing.`;
      await CancellationScope.nonCancellable(() =>
        steps.failClip({ clipId: input.clipId, videoId: input.videoId, reason }),
      );
      this.status('FAILED');
      return 'failed';
    }
    if (this.deleteRequested) return this.remove();
    this.status(outcome === 'ready' ? 'READY' : outcome === 'over_quota' ? 'FAILED' : 'GONE');
    return outcome === 'over_quota' ? 'failed' : outcome;
  }

  private status(value: string): void {
    this.current = value;
    upsertSearchAttributes([
      { key: VideoIdAttr, value: this.input.videoId },
      { key: CoachIdAttr, value: this.input.coachId },
      { key: DomainStatusAttr, value: value },
    ]);
  }

  private remove() {
    return CancellationScope.nonCancellable(async () => {
      await steps.deleteClipData({ clipId: this.input.clipId, videoId: this.input.videoId });
      this.status('DELETED');
      return 'deleted' as const;
    });
  }
}

export async function clipWorkflow(input: ClipWorkflowInput): Promise<ClipOutcome> {
  const clip = new Clip(input);
  setHandler(deleteClipSignal, () => clip.requestDeletion());
  setHandler(clipStateQuery, () => clip.state());
  return clip.run();
}
