import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { DefaultActivities } from '../../activities';
import {
  failureKindOf,
  humanDuration,
  NON_RETRYABLE_TYPES,
  overallPercent,
  processingErrorReason,
  type FailureKind,
  type Stage,
} from '../../src/domain/videos/status';
import { setSummary } from '../shared/memo';
import { profiles } from '../shared/profiles';
import { activities } from '../shared/proxies';
import { CoachIdAttr, DomainStatusAttr, VideoIdAttr } from '../shared/search-attributes';
import {
  cancelUploadSignal,
  deleteVideoSignal,
  uploadCompletedSignal,
  videoProgressQuery,
  videoStateQuery,
  videoProgressSignal,
  type VideoOutcome,
  type VideoProgress,
  type VideoWorkflowInput,
  type VideoWorkflowState,
} from './definitions';

// video-<id>: one workflow owns a video from the start of its upload to its deletion. It waits for
// the upload (aborting it after the timeout), validates, transcodes on the media queue, analyses,
// marks it ready and emails the coach; any failure ends in `failed` with a reason the coach can act
// on and the partial outputs removed. A retry or a deletion of a finished video starts a new run
// with the same id.

const nonRetryableErrorTypes = Object.keys(NON_RETRYABLE_TYPES);

/** Postgres + S3 steps (validation, state changes, deletion). */
const steps = activities(profiles.videoStep(nonRetryableErrorTypes));
const analysis = activities(profiles.analysis);
const notices = activities(profiles.noticeEmail);

function failureOf(err: unknown, stage: Stage): { kind: FailureKind; reason: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const kind = failureKindOf(cause.type);
    return {
      kind,
      reason: kind === 'processing_error' ? processingErrorReason(stage, cause.message) : cause.message,
    };
  }
  if (cause instanceof TimeoutFailure)
    return {
      kind: 'processing_error',
      reason: processingErrorReason(stage, `timed out (${cause.timeoutType})`),
    };
  return {
    kind: 'processing_error',
    reason: processingErrorReason(stage, (cause as Error)?.message ?? String(cause)),
  };
}

class Video {
  /** ffmpeg and ffprobe on the media queue, whose name comes with the input. */
  private readonly transcoding;
  private readonly probing;
  private readonly cleanup;
  private stage: Stage;
  private stagePercent = 0;
  private uploaded = false;
  private cancelReason: string | undefined;
  private deleteRequested: boolean;
  /** The processing, cancelled by a deletion. */
  private readonly work = new CancellationScope();
  private current = 'STARTING';

  constructor(private readonly input: VideoWorkflowInput) {
    const media = profiles.media(input.mediaTaskQueue, nonRetryableErrorTypes);
    this.transcoding = activities(media.transcode);
    this.probing = activities(media.probe);
    this.cleanup = activities(media.cleanup);
    this.stage = input.mode === 'upload' ? 'awaiting_upload' : 'queued';
    this.deleteRequested = input.mode === 'delete';
  }

  // ── Handlers ──

  uploadCompleted(): void {
    this.uploaded = true;
  }

  cancelUpload(args: { reason?: string } | undefined): void {
    this.cancelReason ??= args?.reason ?? 'The upload was cancelled.';
  }

  requestDeletion(): void {
    this.deleteRequested = true;
    this.work.cancel();
  }

  /** A media worker's heartbeat: counts only for the stage the workflow is in. */
  reportProgress({ stage: from, percent }: { stage: string; percent: number }): void {
    if (from === this.stage) this.stagePercent = Math.max(this.stagePercent, Math.min(100, percent));
  }

  progress(): VideoProgress {
    return {
      stage: this.stage,
      stagePercent: this.stagePercent,
      percent: overallPercent(this.stage, this.stagePercent),
    };
  }

  state(): VideoWorkflowState {
    return {
      videoId: this.input.videoId,
      coachId: this.input.coachId,
      mode: this.input.mode,
      status: this.current,
      stage: this.stage,
      stagePercent: this.stagePercent,
      percent: overallPercent(this.stage, this.stagePercent),
      uploaded: this.uploaded,
      cancelReason: this.cancelReason ?? null,
      deleteRequested: this.deleteRequested,
    };
  }

  // ── Lifecycle ──

  async run(): Promise<VideoOutcome> {
    const { input } = this;
    const { videoId } = input;
    setSummary(
      input.mode === 'upload'
        ? `Video ${videoId} of coach ${input.coachId}: waiting for the upload, then validate, transcode, analyse`
        : input.mode === 'retry'
          ? `Video ${videoId} of coach ${input.coachId}: re-running its processing after a failure`
          : `Video ${videoId} of coach ${input.coachId}: deleting its objects and records`,
      { videoId, coachId: input.coachId, mode: input.mode },
    );
    if (this.deleteRequested) return this.deleteEverything();

    if (input.mode === 'upload') {
      this.status('AWAITING_UPLOAD');
      await condition(
        () => this.uploaded || this.cancelReason !== undefined || this.deleteRequested,
        input.uploadTimeoutMs,
      );
      if (this.deleteRequested) return this.deleteEverything();
      if (!this.uploaded) {
        const kind: FailureKind = this.cancelReason !== undefined ? 'upload_cancelled' : 'upload_abandoned';
        const reason =
          this.cancelReason ??
          `The upload did not finish within ${humanDuration(input.uploadTimeoutMs)}, so it was stopped and its storage released. Start a new upload to try again.`;
        const result = await steps.expireVideoUpload({ videoId, kind, reason });
        if (result === 'gone') return 'gone';
        if (result === 'failed') {
          this.stage = 'failed';
          this.status('FAILED');
          if (this.deleteRequested) return this.deleteEverything();
          return 'failed';
        }
        // The upload completed while we were timing it out: carry on.
      }
    }

    this.stage = 'queued';
    this.status('PROCESSING');
    let run: Awaited<ReturnType<DefaultActivities['startVideoRun']>> = null;
    try {
      await this.work.run(async () => {
        run = await steps.startVideoRun({ videoId });
        if (!run) return;
        await this.process(run.sourceKey);
      });
    } catch (err) {
      if (this.deleteRequested) return this.deleteEverything();
      const { kind, reason } = failureOf(err, this.stage);
      await CancellationScope.nonCancellable(async () => {
        this.stage = 'failed';
        const notice = await steps.failVideo({ videoId, kind, reason });
        this.status('FAILED');
        if (notice) {
          const attempt = (run as { run: number } | null)?.run ?? 0;
          await notices.sendEmail({
            reference: `video-${videoId}-run-${attempt}`,
            template: notice.template,
            to: notice.to,
            data: notice.data,
          });
        }
        await this.cleanup.removeVideoTempFiles({ videoId }).catch(() => undefined);
      });
      if (this.deleteRequested) return this.deleteEverything();
      return 'failed';
    }
    if (this.deleteRequested) return this.deleteEverything();
    if (!run) return 'gone';

    const notice = await steps.finishVideo({ videoId });
    this.stage = 'ready';
    this.stagePercent = 100;
    this.status('READY');
    if (notice)
      await notices.sendEmail({
        reference: `video-${videoId}`,
        template: notice.template,
        to: notice.to,
        data: notice.data,
      });
    if (this.deleteRequested) return this.deleteEverything();
    return 'ready';
  }

  /** Validate, probe, transcode, analyse: each activity records its stage in Postgres as it starts. */
  private async process(sourceKey: string): Promise<void> {
    const { videoId } = this.input;
    this.enter('validating');
    const inspected = await steps.inspectVideoUpload({ videoId });

    this.enter('probing');
    const probed = await this.probing.probeVideoSource({ videoId, sourceKey });

    this.enter('transcoding');
    const transcoded = await this.transcoding.transcodeVideo({
      videoId,
      sourceKey,
      sourceBytes: inspected.sizeBytes,
      durationSeconds: probed.facts.durationSeconds,
      renditions: probed.renditions,
      posterAt: probed.posterAt,
    });

    // A failed analysis never blocks the video: it is ready to watch either way.
    this.enter('analysing');
    try {
      const smallest =
        transcoded.renditions.find((r) => Math.min(r.width, r.height) <= 360) ??
        transcoded.renditions.at(-1)!;
      const signals = await this.transcoding.extractVideoSignals({
        videoId,
        rendition: smallest,
        durationSeconds: probed.facts.durationSeconds,
        hasAudio: probed.hasAudio,
      });
      await analysis.writeVideoAnalysis({
        videoId,
        candidates: signals.candidates,
        summary: signals.summary,
      });
    } catch (err) {
      if (isCancellation(err)) throw err;
      await steps.markAnalysisFailed({ videoId, reason: failureOf(err, 'analysing').reason });
    }

    this.enter('finishing');
  }

  /** The query's copy of the stage (the activity records it in Postgres). */
  private enter(next: Stage): void {
    this.stage = next;
    this.stagePercent = 0;
  }

  private status(value: string): void {
    this.current = value;
    upsertSearchAttributes([
      { key: VideoIdAttr, value: this.input.videoId },
      { key: CoachIdAttr, value: this.input.coachId },
      { key: DomainStatusAttr, value: value },
    ]);
  }

  private deleteEverything(): Promise<VideoOutcome> {
    return CancellationScope.nonCancellable(async () => {
      this.stage = 'deleting';
      this.status('DELETING');
      await steps.deleteVideoData({ videoId: this.input.videoId });
      this.status('DELETED');
      await this.cleanup.removeVideoTempFiles({ videoId: this.input.videoId }).catch(() => undefined);
      return 'deleted' as const;
    });
  }
}

export async function videoWorkflow(input: VideoWorkflowInput): Promise<VideoOutcome> {
  const video = new Video(input);
  setHandler(uploadCompletedSignal, () => video.uploadCompleted());
  setHandler(cancelUploadSignal, (args) => video.cancelUpload(args));
  setHandler(deleteVideoSignal, () => video.requestDeletion());
  setHandler(videoProgressSignal, (report) => video.reportProgress(report));
  setHandler(videoProgressQuery, () => video.progress());
  setHandler(videoStateQuery, () => video.state());
  return video.run();
}
