import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/activity';
import type { Container } from '../../src/domain/videos/sniff';
import { sniffContainer, walkTopLevelBoxes } from '../../src/domain/videos/sniff';
import { failurePolicy, type FailureKind, type NonRetryableType } from '../../src/domain/videos/status';
import { formatBytes, MAX_VIDEO_BYTES } from '../../src/domain/videos/upload';
import { formatDuration } from '../../src/domain/videos/ladder';
import { hasFeature, planFor } from '../../src/domain/subscriptions/plans';
import type { VideoFailedData } from '../../src/emails/videos/failed';
import type { VideoReadyData } from '../../src/emails/videos/ready';
import { Prisma } from '../../src/generated/prisma/client';
import type { Deps } from '../../src/infra/deps';
import { abortMultipartUploads } from '../../src/infra/multipart-upload';
import { deletePrefix, objectSize, readRange } from '../../src/infra/object-files';
import { videoKeys } from '../../src/infra/video-objects';
import {
  reconcileVideoReservation,
  releaseClipReservation,
  releaseVideoReservation,
  releaseVideoReservationIn,
  syncSessionStatus,
  videoLink,
  type StoredRendition,
} from '../../src/data/videos';

// Video records and their objects: the quick Postgres + S3 steps of the video pipeline, on the
// default task queue. Each is idempotent: a retry after a crash finds the work done or finishes it.

const HEAD_BYTES = 64 * 1024;

export interface VideoRun {
  videoId: string;
  sessionId: string;
  coachId: string;
  sourceKey: string;
  run: number;
}

export interface Inspected {
  sizeBytes: number;
  container: Container;
}

export type VideoNotice =
  | { template: 'video_ready'; to: string; data: VideoReadyData }
  | { template: 'video_failed'; to: string; data: VideoFailedData };

const failure = (type: NonRetryableType, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

export function videoPostgresActivities(deps: Pick<Deps, 'cfg' | 'db' | 's3'>) {
  const { db, s3 } = deps;
  const bucket = deps.cfg.S3_BUCKET;

  /** Every multipart upload of the source, recorded or not: no parts may outlive the video's upload. */
  const abortUploads = (v: { sourceKey: string; uploadId: string | null }) =>
    abortMultipartUploads(s3, bucket, v.sourceKey, v.uploadId);

  async function coachOf(videoId: string) {
    return db.video.findUnique({
      where: { id: videoId },
      include: {
        session: { include: { coach: { select: { id: true, email: true, name: true, role: true } } } },
      },
    });
  }

  return {
    /** Upload complete (or a retry): the run starts; uploaded → processing. */
    async startVideoRun(input: { videoId: string }): Promise<VideoRun | null> {
      const moved = await db.video.updateMany({
        where: { id: input.videoId, status: 'uploaded', deletedAt: null },
        data: {
          status: 'processing',
          stage: 'validating',
          runs: { increment: 1 },
          failureKind: null,
          failureReason: null,
          failedAt: null,
        },
      });
      const v = await db.video.findUnique({ where: { id: input.videoId } });
      if (!v || v.deletedAt || v.status !== 'processing') return null;
      if (moved.count > 0) await syncSessionStatus(db, v.sessionId);
      return {
        videoId: v.id,
        sessionId: v.sessionId,
        coachId: v.coachId,
        sourceKey: v.sourceKey,
        run: v.runs,
      };
    },

    /**
     * The upload checked before any ffmpeg runs: the plan still allows uploads, the real size is
     * within 2 GB and the storage quota (the reservation follows the real size), the first bytes are
     * an MP4/MOV header and the file's top-level boxes are complete.
     */
    async inspectVideoUpload(input: { videoId: string }): Promise<Inspected> {
      const v = await coachOf(input.videoId);
      if (!v) throw failure('InvalidMedia', 'The video no longer exists.');
      const coach = v.session.coach;
      if (!hasFeature(coach.role, 'video_upload_enabled')) {
        throw failure(
          'PlanRequired',
          `Your plan (${planFor(coach.role).name}) does not include video uploads any more. Your upload is kept: upgrade to Coach Pro Plus, then retry this video.`,
        );
      }
      const size = await objectSize(s3, bucket, v.sourceKey);
      if (size === undefined)
        throw failure('InvalidMedia', 'The uploaded file is missing from storage. Upload the video again.');
      if (size === 0) throw failure('InvalidMedia', 'The uploaded file is empty. Upload the video again.');
      if (size > MAX_VIDEO_BYTES) {
        throw failure(
          'TooLarge',
          `The file is ${formatBytes(size)}; the limit is ${formatBytes(MAX_VIDEO_BYTES)} (2 GB) per video. Trim or compress it and upload it again.`,
        );
      }
      const head = await readRange(s3, bucket, v.sourceKey, 0, Math.min(HEAD_BYTES, size));
      const sniff = sniffContainer(head);
      if (!sniff.ok) throw failure('InvalidMedia', sniff.reason);
      const walk = await walkTopLevelBoxes(
        (offset, length) =>
          offset + length <= head.length
            ? Promise.resolve(head.subarray(offset, offset + length))
            : readRange(s3, bucket, v.sourceKey, offset, length),
        size,
      );
      if (!walk.ok) throw failure('InvalidMedia', walk.reason);
      const reconciled = await reconcileVideoReservation(db, v.id, coach.role, size);
      if (!reconciled.ok) {
        const limit = reconciled.limitBytes;
        const left = limit === null ? 0 : Math.max(0, limit - reconciled.usedBytes);
        throw failure(
          'OverQuota',
          `This video is ${formatBytes(size)}, ${formatBytes(reconciled.neededBytes)} more than you said when the upload started, and only ${formatBytes(left)} of your ${limit === null ? '' : `${formatBytes(limit)} `}storage is left. Delete old videos or upgrade, then upload it again.`,
        );
      }
      await db.video.update({
        where: { id: v.id },
        data: { sizeBytes: BigInt(size), container: sniff.container },
      });
      return { sizeBytes: size, container: sniff.container };
    },

    /** Analysis could not be produced even from signals; the video is still ready to watch. */
    async markAnalysisFailed(input: { videoId: string; reason: string }): Promise<void> {
      await db.video.updateMany({
        where: { id: input.videoId },
        data: { analysisStatus: 'failed', analysisReason: input.reason },
      });
    },

    /**
     * The upload did not complete in time (or was cancelled): pending → failed, the multipart upload
     * aborted, any object removed, the reservation released. Returns 'uploaded' instead when the
     * upload completed meanwhile (the complete call won the race), so the workflow carries on.
     */
    async expireVideoUpload(input: {
      videoId: string;
      kind: FailureKind;
      reason: string;
    }): Promise<'failed' | 'uploaded' | 'gone'> {
      // Failed and storage given back in one transaction: whoever sees `failed` sees the quota freed.
      const moved = await db.$transaction(async (tx) => {
        const m = await tx.video.updateMany({
          where: { id: input.videoId, status: 'pending' },
          data: {
            status: 'failed',
            stage: 'failed',
            failureKind: input.kind,
            failureReason: input.reason,
            failedAt: new Date(),
          },
        });
        if (m.count === 1) await releaseVideoReservationIn(tx, input.videoId);
        return m;
      });
      const v = await db.video.findUnique({ where: { id: input.videoId } });
      if (!v) return 'gone';
      if (moved.count === 0 && !(v.status === 'failed' && v.failureKind === input.kind)) return 'uploaded';
      await abortUploads(v);
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: v.sourceKey }));
      await releaseVideoReservation(db, v.id);
      await syncSessionStatus(db, v.sessionId);
      return 'failed';
    },

    /**
     * Any step failed for good: failed with the kind and reason; partial outputs deleted; for
     * failures a retry cannot fix, the upload too and its storage given back. Returns the email.
     */
    async failVideo(input: {
      videoId: string;
      kind: FailureKind;
      reason: string;
    }): Promise<VideoNotice | null> {
      const v = await coachOf(input.videoId);
      if (!v || v.deletedAt) return null;
      const policy = failurePolicy(input.kind);
      // The status and the storage release are one transaction, so `failed` never shows with the quota
      // still held; objects are deleted after (idempotent, so a retried activity finishes the job).
      await db.$transaction(async (tx) => {
        await tx.video.update({
          where: { id: v.id },
          data: {
            status: 'failed',
            stage: 'failed',
            failureKind: input.kind,
            failureReason: input.reason,
            failedAt: new Date(),
            renditions: [],
            posterKey: null,
            analysisKey: null,
            analysis: Prisma.DbNull,
            analysisStatus: 'pending',
            analysisReason: null,
          },
        });
        if (policy.discardUpload) await releaseVideoReservationIn(tx, v.id);
      });
      await deletePrefix(
        s3,
        bucket,
        videoKeys.prefix(v.id),
        (key) => !policy.discardUpload && key === v.sourceKey,
      );
      if (policy.discardUpload) await abortUploads(v);
      await syncSessionStatus(db, v.sessionId);
      return {
        template: 'video_failed',
        to: v.session.coach.email,
        data: {
          coachName: v.session.coach.name,
          sessionTitle: v.session.title,
          filename: v.filename,
          reason: input.reason,
          retryable: policy.retryable,
          link: videoLink(deps.cfg.PUBLIC_BASE_URL, v.sessionId, v.id),
        },
      };
    },

    /** processing → ready; returns the "analysis ready" email. */
    async finishVideo(input: { videoId: string }): Promise<VideoNotice | null> {
      await db.video.updateMany({
        where: { id: input.videoId, status: 'processing' },
        data: { status: 'ready', stage: 'ready', readyAt: new Date() },
      });
      const v = await coachOf(input.videoId);
      if (!v || v.deletedAt || v.status !== 'ready') return null;
      await syncSessionStatus(db, v.sessionId);
      const renditions = (v.renditions as unknown as StoredRendition[]).map((r) => r.label);
      const report = v.analysis as { source?: string; key_moments?: unknown[] } | null;
      const moments = report?.key_moments?.length ?? 0;
      const analysisLine =
        v.analysisStatus === 'done'
          ? `${report?.source === 'ai' ? 'AI analysis' : 'Analysis from video signals'}: ${moments} key moment${moments === 1 ? '' : 's'} flagged`
          : `Analysis ${v.analysisStatus}: ${v.analysisReason ?? 'not available'}`;
      return {
        template: 'video_ready',
        to: v.session.coach.email,
        data: {
          coachName: v.session.coach.name,
          sessionTitle: v.session.title,
          filename: v.filename,
          duration: formatDuration(v.durationSeconds ?? 0),
          renditions,
          analysisLine,
          link: videoLink(deps.cfg.PUBLIC_BASE_URL, v.sessionId, v.id),
        },
      };
    },

    /**
     * Deletes a video for good: every object under its prefix (source, renditions, poster, analysis,
     * clips), the storage it and its clips held, then its rows; a deleted session goes with its last video.
     */
    async deleteVideoData(input: { videoId: string }): Promise<void> {
      const v = await db.video.findUnique({
        where: { id: input.videoId },
        include: { clips: { select: { id: true } } },
      });
      if (!v) return;
      await abortUploads(v);
      await deletePrefix(s3, bucket, videoKeys.prefix(v.id));
      for (const c of v.clips) await releaseClipReservation(db, c.id);
      await releaseVideoReservation(db, v.id);
      await db.video.deleteMany({ where: { id: v.id } });
      const removed =
        await db.$executeRaw`DELETE FROM video_sessions s WHERE s.id = ${v.sessionId}::uuid AND s.deleted_at IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM videos x WHERE x.session_id = s.id)`;
      if (removed === 0) await syncSessionStatus(db, v.sessionId);
    },
  };
}
