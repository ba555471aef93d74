import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { DefaultActivities, MediaActivities } from '../../activities';
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
import { CoachIdAttr, DomainStatusAttr, VideoIdAttr } from '../shared/search-attributes';
import {
  cancelUploadSignal,
  deleteVideoSignal,
  uploadCompletedSignal,
  videoProgressQuery,
  videoStateQuery,
  videoProgressSignal,
  type VideoOutcome,
  type VideoWorkflowInput,
} from './definitions';

// video-<id>: one workflow owns a video from the start of its upload to its deletion. It waits for
// the upload (aborting it after the timeout), validates, transcodes on the media queue, analyses,
// marks it ready and emails the coach; any failure ends in `failed` with a reason the coach can act
// on and the partial outputs removed. A retry or a deletion of a finished video starts a new run
// with the same id.

const nonRetryableErrorTypes = Object.keys(NON_RETRYABLE_TYPES);

const {
  startVideoRun,
  inspectVideoUpload,
  markAnalysisFailed,
  expireVideoUpload,
  failVideo,
  finishVideo,
  deleteVideoData,
} = proxyActivities<DefaultActivities>(profiles.videoStep(nonRetryableErrorTypes));
const { writeVideoAnalysis } = proxyActivities<DefaultActivities>(profiles.analysis);
const { sendEmail } = proxyActivities<DefaultActivities>(profiles.noticeEmail);

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

export async function videoWorkflow(input: VideoWorkflowInput): Promise<VideoOutcome> {
  const { videoId } = input;
  const media = profiles.media(input.mediaTaskQueue, nonRetryableErrorTypes);
  const { transcodeVideo, extractVideoSignals } = proxyActivities<MediaActivities>(media.transcode);
  const { probeVideoSource } = proxyActivities<MediaActivities>(media.probe);
  const { removeVideoTempFiles } = proxyActivities<MediaActivities>(media.cleanup);

  let stage: Stage = input.mode === 'upload' ? 'awaiting_upload' : 'queued';
  let stagePercent = 0;
  let uploaded = false;
  let cancelReason: string | undefined;
  let deleteRequested = input.mode === 'delete';
  const work = new CancellationScope();

  setHandler(uploadCompletedSignal, () => {
    uploaded = true;
  });
  setHandler(cancelUploadSignal, (args) => {
    cancelReason ??= args?.reason ?? 'The upload was cancelled.';
  });
  setHandler(deleteVideoSignal, () => {
    deleteRequested = true;
    work.cancel();
  });
  setHandler(videoProgressSignal, ({ stage: from, percent }) => {
    if (from === stage) stagePercent = Math.max(stagePercent, Math.min(100, percent));
  });
  setHandler(videoProgressQuery, () => ({
    stage,
    stagePercent,
    percent: overallPercent(stage, stagePercent),
  }));

  let current = 'STARTING';
  setHandler(videoStateQuery, () => ({
    videoId,
    coachId: input.coachId,
    mode: input.mode,
    status: current,
    stage,
    stagePercent,
    percent: overallPercent(stage, stagePercent),
    uploaded,
    cancelReason: cancelReason ?? null,
    deleteRequested,
  }));

  const status = (value: string) => {
    current = value;
    upsertSearchAttributes([
      { key: VideoIdAttr, value: videoId },
      { key: CoachIdAttr, value: input.coachId },
      { key: DomainStatusAttr, value: value },
    ]);
  };

  // Each activity records its stage in Postgres as it starts (no extra round trip); this is the query's copy.
  function enter(next: Stage): void {
    stage = next;
    stagePercent = 0;
  }

  async function deleteEverything(): Promise<VideoOutcome> {
    return CancellationScope.nonCancellable(async () => {
      stage = 'deleting';
      status('DELETING');
      await deleteVideoData({ videoId });
      status('DELETED');
      await removeVideoTempFiles({ videoId }).catch(() => undefined);
      return 'deleted' as const;
    });
  }

  setSummary(
    input.mode === 'upload'
      ? `Video ${videoId} of coach ${input.coachId}: waiting for the upload, then validate, transcode, analyse`
      : input.mode === 'retry'
        ? `Video ${videoId} of coach ${input.coachId}: re-running its processing after a failure`
        : `Video ${videoId} of coach ${input.coachId}: deleting its objects and records`,
    { videoId, coachId: input.coachId, mode: input.mode },
  );
  if (deleteRequested) return deleteEverything();

  if (input.mode === 'upload') {
    status('AWAITING_UPLOAD');
    await condition(() => uploaded || cancelReason !== undefined || deleteRequested, input.uploadTimeoutMs);
    if (deleteRequested) return deleteEverything();
    if (!uploaded) {
      const kind: FailureKind = cancelReason !== undefined ? 'upload_cancelled' : 'upload_abandoned';
      const reason =
        cancelReason ??
        `The upload did not finish within ${humanDuration(input.uploadTimeoutMs)}, so it was stopped and its storage released. Start a new upload to try again.`;
      const result = await expireVideoUpload({ videoId, kind, reason });
      if (result === 'gone') return 'gone';
      if (result === 'failed') {
        stage = 'failed';
        status('FAILED');
        if (deleteRequested) return deleteEverything();
        return 'failed';
      }
      // The upload completed while we were timing it out: carry on.
    }
  }

  stage = 'queued';
  status('PROCESSING');
  let run: Awaited<ReturnType<DefaultActivities['startVideoRun']>> = null;
  try {
    await work.run(async () => {
      run = await startVideoRun({ videoId });
      if (!run) return;
      enter('validating');
      const inspected = await inspectVideoUpload({ videoId });

      enter('probing');
      const probed = await probeVideoSource({ videoId, sourceKey: run.sourceKey });

      enter('transcoding');
      const transcoded = await transcodeVideo({
        videoId,
        sourceKey: run.sourceKey,
        sourceBytes: inspected.sizeBytes,
        durationSeconds: probed.facts.durationSeconds,
        renditions: probed.renditions,
        posterAt: probed.posterAt,
      });

      // A failed analysis never blocks the video: it is ready to watch either way.
      enter('analysing');
      try {
        const smallest =
          transcoded.renditions.find((r) => Math.min(r.width, r.height) <= 360) ??
          transcoded.renditions.at(-1)!;
        const signals = await extractVideoSignals({
          videoId,
          rendition: smallest,
          durationSeconds: probed.facts.durationSeconds,
          hasAudio: probed.hasAudio,
        });
        await writeVideoAnalysis({
          videoId,
          candidates: signals.candidates,
          summary: signals.summary,
        });
      } catch (err) {
        if (isCancellation(err)) throw err;
        await markAnalysisFailed({ videoId, reason: failureOf(err, 'analysing').reason });
      }

      enter('finishing');
    });
  } catch (err) {
    if (deleteRequested) return deleteEverything();
    const failedAt = stage;
    const { kind, reason } = failureOf(err, failedAt);
    await CancellationScope.nonCancellable(async () => {
      stage = 'failed';
      const notice = await failVideo({ videoId, kind, reason });
      status('FAILED');
      if (notice) {
        const attempt = (run as { run: number } | null)?.run ?? 0;
        await sendEmail({
          reference: `video-${videoId}-run-${attempt}`,
          template: notice.template,
          to: notice.to,
          data: notice.data,
        });
      }
      await removeVideoTempFiles({ videoId }).catch(() => undefined);
    });
    if (deleteRequested) return deleteEverything();
    return 'failed';
  }
  if (deleteRequested) return deleteEverything();
  if (!run) return 'gone';

  const notice = await finishVideo({ videoId });
  stage = 'ready';
  stagePercent = 100;
  status('READY');
  if (notice)
    await sendEmail({
      reference: `video-${videoId}`,
      template: notice.template,
      to: notice.to,
      data: notice.data,
    });
  if (deleteRequested) return deleteEverything();
  return 'ready';
}
