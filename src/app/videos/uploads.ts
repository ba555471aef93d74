import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../domain/identity/access';
import {
  conflict,
  DomainError,
  invalid,
  invalidFields,
  notFound,
  tooLarge,
  unavailable,
} from '../../domain/shared/errors';
import { failurePolicy, notRetryableMessage, type FailureKind } from '../../domain/videos/status';
import {
  checkCompletedParts,
  checkDeclaredFile,
  declaredContainer,
  formatBytes,
  MAX_VIDEO_BYTES,
  missingParts,
  partRange,
  planParts,
  summariseNumbers,
  type CompletedPart,
  type VideoContentType,
} from '../../domain/videos/upload';
import type { Video, VideoSession } from '../../generated/prisma/client';
import type { Deps } from '../../infra/deps';
import {
  abortMultipartUploads,
  completeMultipartUpload,
  createMultipartUpload,
  listUploadedParts,
  presignUploadParts,
  type UploadedPart,
} from '../../infra/multipart-upload';
import { presignedUntil } from '../../infra/object-files';
import { videoKeys } from '../../infra/video-objects';
import { planInEffectOf } from '../../data/access';
import { currentUsage } from '../../data/usage';
import {
  releaseStorage,
  releaseVideoReservation,
  reserveStorage,
  storageLimit,
  syncSessionStatus,
} from '../../data/videos';
import { loadVideo, loadVideoSession, type VideoIds } from './access';
import { describeVideo, type VideoDetail } from './playback';
import {
  signalCancelUpload,
  signalUploadCompleted,
  startRetryWorkflow,
  startUploadWorkflow,
} from './workflows';

// The multipart-upload protocol. The client PUTs the bytes straight to S3 through presigned part URLs;
// the API reserves the storage, records the video, hands it to its video-<id> workflow (which aborts
// the upload and gives the storage back if it is never completed), and completes the upload when the
// client has every part's ETag. Also: cancelling, and running a failed video through again.

type UploadDeps = Pick<Deps, 'db' | 's3' | 'cfg' | 'temporal'>;

export interface DeclaredFile {
  filename: string;
  contentType: string;
  sizeBytes: number;
}

/** What a client needs to upload the missing parts. */
export interface UploadState {
  partSize: number;
  partCount: number;
  /** The workflow aborts the upload then. */
  expiresAt: Date;
  urlsExpireAt: Date;
  uploaded: UploadedPart[];
  parts: { partNumber: number; size: number; url: string }[];
}

type UploadRow = Pick<Video, 'sourceKey' | 'partSize' | 'partCount' | 'declaredBytes' | 'uploadExpiresAt'>;

async function uploadState(
  { s3, cfg }: Pick<Deps, 's3' | 'cfg'>,
  video: UploadRow & { uploadId: string },
  uploaded: UploadedPart[],
): Promise<UploadState> {
  const plan = { partSize: video.partSize, partCount: video.partCount };
  const total = Number(video.declaredBytes);
  const missing = missingParts(
    plan.partCount,
    uploaded.map((p) => p.partNumber),
  ).map((partNumber) => {
    const range = partRange(plan, total, partNumber);
    return { partNumber, size: range.end - range.start };
  });
  // Each URL takes exactly its part's size, so the upload can never hold more than was reserved.
  const urls = await presignUploadParts(
    s3,
    cfg.S3_BUCKET,
    { key: video.sourceKey, uploadId: video.uploadId },
    missing,
    cfg.S3_PRESIGN_TTL,
  );
  return {
    ...plan,
    expiresAt: video.uploadExpiresAt,
    urlsExpireAt: presignedUntil(cfg.S3_PRESIGN_TTL),
    uploaded,
    parts: missing.map((part, i) => ({ ...part, url: urls[i]!.url })),
  };
}

/** Takes the file's size from the owner's storage quota, or 413 saying what is used and what is left. */
async function reserveQuota({ db }: Pick<Deps, 'db'>, coachId: string, bytes: number): Promise<void> {
  const owner = await db.user.findUniqueOrThrow({ where: { id: coachId }, select: { role: true } });
  const plan = await planInEffectOf(db, { id: coachId, role: owner.role }); // an org seat may raise it
  if (await reserveStorage(db, coachId, plan, bytes)) return;
  const limit = storageLimit(plan) ?? 0;
  const used = await currentUsage(db, coachId, 'storage_bytes');
  throw tooLarge(
    `This ${formatBytes(bytes)} video does not fit in your storage: ${formatBytes(used)} of ${formatBytes(limit)} is used (${formatBytes(Math.max(0, limit - used))} left). Delete old videos or upgrade your plan.`,
    'storage_quota_exceeded',
    [{ field: 'size_bytes', reason: 'over the storage quota' }],
  );
}

const notInProgress = (video: Pick<Video, 'status'>) =>
  conflict(`This upload is no longer in progress (the video is ${video.status})`, 'upload_not_in_progress');
const stopped = () => conflict('This upload was stopped; start a new upload', 'upload_not_in_progress');
const ended = (video: Pick<Video, 'failureReason'>) =>
  conflict(`This upload has ended: ${video.failureReason ?? 'it failed'}`, 'upload_not_in_progress');

/**
 * Inserts the pending video and starts its workflow; on failure neither the row nor the reservation
 * stays. The insert holds the session row (FOR SHARE) and checks it is live, so a session deletion,
 * which locks it FOR UPDATE, either sees this video and deletes it with the session, or removed the
 * session first and this answers 404.
 */
async function recordVideo(deps: UploadDeps, session: VideoSession, file: DeclaredFile): Promise<Video> {
  const { db, cfg } = deps;
  const id = randomUUID();
  const plan = planParts(file.sizeBytes);
  let video: Video;
  try {
    video = await db.$transaction(async (tx) => {
      const [live] = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM video_sessions WHERE id = ${session.id}::uuid AND deleted_at IS NULL FOR SHARE`;
      if (!live) throw notFound('Video session');
      return tx.video.create({
        data: {
          id,
          sessionId: session.id,
          coachId: session.coachId,
          filename: file.filename,
          contentType: file.contentType.toLowerCase() as VideoContentType,
          declaredBytes: BigInt(file.sizeBytes),
          reservedBytes: BigInt(file.sizeBytes),
          sourceKey: videoKeys.source(id, declaredContainer(file.filename)),
          partSize: plan.partSize,
          partCount: plan.partCount,
          uploadExpiresAt: new Date(Date.now() + cfg.VIDEO_UPLOAD_TIMEOUT),
        },
      });
    });
  } catch (err) {
    await releaseStorage(db, session.coachId, file.sizeBytes);
    throw err;
  }
  try {
    // The workflow owns the upload from here: whatever happens next, it aborts and releases on timeout.
    await startUploadWorkflow(deps, id, session.coachId);
    return video;
  } catch (err) {
    // Released through the row (once): a session deletion may be giving the same reservation back.
    await releaseVideoReservation(db, id);
    await db.video.deleteMany({ where: { id } });
    // Only the deletion of the session can have started video-<id> already.
    if (err instanceof DomainError && err.code === 'already_started') throw notFound('Video session');
    throw err;
  }
}

/** Starts a direct-to-S3 upload into the session: the video (pending) and URLs for every part. */
export async function startUpload(
  deps: UploadDeps,
  actor: Actor,
  sessionId: string,
  file: DeclaredFile,
): Promise<{ video: Video; upload: UploadState }> {
  const { db, s3, cfg } = deps;
  const session = await loadVideoSession(db, actor, sessionId, 'write');
  const problems = checkDeclaredFile(file);
  if (problems.length > 0) throw invalidFields(problems, 'invalid_request', 'Invalid upload');
  if (file.sizeBytes > MAX_VIDEO_BYTES) {
    throw tooLarge(
      `This file is ${formatBytes(file.sizeBytes)}; videos can be at most ${formatBytes(MAX_VIDEO_BYTES)} (2 GB). Trim or compress it first.`,
      'file_too_large',
      [{ field: 'size_bytes', reason: `must be at most ${MAX_VIDEO_BYTES}` }],
    );
  }
  await reserveQuota(deps, session.coachId, file.sizeBytes);
  const pending = await recordVideo(deps, session, file);
  let uploadId: string;
  try {
    uploadId = await createMultipartUpload(s3, cfg.S3_BUCKET, pending.sourceKey, pending.contentType);
  } catch (err) {
    // The workflow deletes the row and gives the storage back.
    await signalCancelUpload(
      deps,
      pending.id,
      pending.coachId,
      'The upload could not be started because storage was unavailable. Try again.',
    );
    throw unavailable(
      `Video storage is unavailable right now; try again in a minute (${(err as Error).message})`,
      'storage_unavailable',
    );
  }
  const stored = await db.video.updateMany({
    where: { id: pending.id, status: 'pending', deletedAt: null },
    data: { uploadId },
  });
  if (stored.count === 0) {
    // Stopped (timed out, cancelled or deleted) while S3 opened the upload: nothing may stay in S3.
    await abortMultipartUploads(s3, cfg.S3_BUCKET, pending.sourceKey, uploadId);
    throw stopped();
  }
  const video = { ...pending, uploadId };
  await syncSessionStatus(db, session.id);
  return { video, upload: await uploadState(deps, video, []) };
}

/** Resuming: the parts S3 already has and fresh URLs for the missing ones. */
export async function resumeUpload(deps: UploadDeps, actor: Actor, ids: VideoIds): Promise<UploadState> {
  const video = await loadVideo(deps.db, actor, ids, 'write');
  const uploadId = video.uploadId;
  if (video.status !== 'pending' || !uploadId) throw notInProgress(video);
  const uploaded = await listUploadedParts(deps.s3, deps.cfg.S3_BUCKET, { key: video.sourceKey, uploadId });
  if (!uploaded) throw stopped();
  return uploadState(deps, { ...video, uploadId }, uploaded);
}

/** Completes the upload from every part's ETag and hands the video to processing. Safe to repeat. */
export async function completeUpload(
  deps: UploadDeps,
  actor: Actor,
  ids: VideoIds,
  parts: readonly CompletedPart[],
): Promise<VideoDetail> {
  const { db, s3, cfg } = deps;
  const video = await loadVideo(db, actor, ids, 'write');
  if (video.status === 'uploaded' || video.status === 'processing' || video.status === 'ready')
    return describeVideo(deps, video);
  if (video.status === 'failed') throw ended(video);
  const checked = checkCompletedParts(parts, video.partCount);
  if (!checked.ok)
    throw invalidFields(checked.problems, 'invalid_request', 'The part list cannot complete this upload');
  const result = await completeMultipartUpload(
    s3,
    cfg.S3_BUCKET,
    { key: video.sourceKey, uploadId: video.uploadId! },
    checked.parts,
  );
  if (result.outcome === 'stopped') throw stopped();
  if (result.outcome === 'refused') {
    throw invalid(`Storage refused the part list (${result.code}): ${result.message}`, [
      {
        field: 'parts',
        reason: `must list the ETag S3 returned for each of parts ${summariseNumbers(checked.parts.map((p) => p.partNumber))}; every part but the last must be at least 5 MiB`,
      },
    ]);
  }
  const moved = await db.video.updateMany({
    where: { id: video.id, status: 'pending' },
    data: { status: 'uploaded', stage: 'queued', uploadedAt: new Date(), uploadId: null },
  });
  const now = await db.video.findUniqueOrThrow({ where: { id: video.id } });
  // The workflow may have timed the upload out while S3 was completing it.
  if (moved.count === 0 && now.status === 'failed') throw ended(now);
  await syncSessionStatus(db, video.sessionId);
  await signalUploadCompleted(deps, video.id, video.coachId);
  return describeVideo(deps, now);
}

/** Cancels an upload in progress; the workflow discards the parts and gives the storage back. */
export async function cancelUpload(deps: UploadDeps, actor: Actor, ids: VideoIds): Promise<void> {
  const video = await loadVideo(deps.db, actor, ids, 'write');
  if (video.status !== 'pending') throw notInProgress(video);
  await signalCancelUpload(deps, video.id, video.coachId, 'The upload was cancelled; nothing was kept.');
}

/**
 * How long a retry waits for the failed run to close. The row says failed as soon as the run records
 * it; the run then still sends its email and clears its temp files (a few hundred ms) and holds the
 * video-<id> id until it closes.
 */
const CLOSING_RUN_WAIT_MS = 5_000;
const CLOSING_RUN_POLL_MS = 200;

/** Starts the retry run, waiting a little for the previous run to close; then still-running is a 409. */
async function startRetryWhenClosed(deps: UploadDeps, video: Pick<Video, 'id' | 'coachId'>): Promise<void> {
  const deadline = Date.now() + CLOSING_RUN_WAIT_MS;
  for (;;) {
    try {
      return await startRetryWorkflow(deps, video.id, video.coachId);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || Date.now() >= deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, CLOSING_RUN_POLL_MS));
    }
  }
}

/**
 * Runs a failed video through the pipeline again from its kept upload. The row moves back to
 * uploaded first (so two retries cannot both start); if the workflow cannot start, the failure is
 * put back as it was.
 */
export async function retryVideo(deps: UploadDeps, actor: Actor, ids: VideoIds): Promise<Video> {
  const { db } = deps;
  const video = await loadVideo(db, actor, ids, 'write');
  if (video.status !== 'failed')
    throw conflict(`Only a failed video can be retried (this one is ${video.status})`, 'not_failed');
  const kind = video.failureKind as FailureKind;
  if (!failurePolicy(kind)?.retryable) throw conflict(notRetryableMessage(kind), 'not_retryable');
  const moved = await db.video.updateMany({
    where: { id: video.id, status: 'failed' },
    data: { status: 'uploaded', stage: 'queued', failureKind: null, failureReason: null, failedAt: null },
  });
  if (moved.count === 0) throw conflict('This video is already being retried', 'already_retrying');
  try {
    await startRetryWhenClosed(deps, video);
  } catch (err) {
    await db.video.updateMany({
      where: { id: video.id, status: 'uploaded' },
      data: {
        status: 'failed',
        stage: 'failed',
        failureKind: video.failureKind,
        failureReason: video.failureReason,
        failedAt: video.failedAt,
      },
    });
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw conflict('The last run is still finishing; retry in a few seconds', 'still_running');
    throw err;
  }
  await syncSessionStatus(db, video.sessionId);
  return db.video.findUniqueOrThrow({ where: { id: video.id } });
}
