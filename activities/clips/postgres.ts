import { ApplicationFailure } from '@temporalio/activity';
import { hasFeature, planFor } from '../../src/domain/subscriptions/plans';
import type { NonRetryableType } from '../../src/domain/videos/status';
import { formatBytes } from '../../src/domain/videos/upload';
import type { Deps } from '../../src/infra/deps';
import { deletePrefix } from '../../src/infra/object-files';
import { videoKeys } from '../../src/infra/video-objects';
import { releaseClipReservation, reserveClipStorage, type StoredRendition } from '../../src/data/videos';
import { ClipFailure } from '../../workflows/clips/definitions';
import type { TrimResult } from './media';

// Clip records and their objects: the quick Postgres + S3 steps around a clip's cut (media/clip.ts),
// on the default task queue. Each is idempotent: a retry after a crash finds the work done or finishes it.

export interface ClipRun {
  clipId: string;
  videoId: string;
  coachId: string;
  rendition: StoredRendition;
  fps: number;
  durationSeconds: number;
  range: { startSeconds: number; endSeconds: number };
}

const failure = (type: NonRetryableType | typeof ClipFailure.VideoNotReady, message: string) =>
  ApplicationFailure.create({ type, message, nonRetryable: true });

export function clipPostgresActivities(deps: Pick<Deps, 'cfg' | 'db' | 's3'>) {
  const { db, s3 } = deps;
  const bucket = deps.cfg.S3_BUCKET;

  return {
    async startClipRun(input: { clipId: string }): Promise<ClipRun | null> {
      const clip = await db.clip.findUnique({
        where: { id: input.clipId },
        include: { video: { include: { session: { select: { coach: { select: { role: true } } } } } } },
      });
      if (!clip || clip.status === 'ready') return null;
      const video = clip.video;
      const renditions = video.renditions as unknown as StoredRendition[];
      if (video.status !== 'ready' || video.deletedAt || renditions.length === 0) {
        throw failure(ClipFailure.VideoNotReady, 'The video this clip comes from is no longer available.');
      }
      const role = video.session.coach.role;
      if (!hasFeature(role, 'clip_creation_enabled')) {
        throw failure(
          'PlanRequired',
          `Your plan (${planFor(role).name}) does not include clip creation any more; upgrade to Coach Pro Plus to cut clips.`,
        );
      }
      await db.clip.update({ where: { id: clip.id }, data: { status: 'processing', failureReason: null } });
      const media = video.media as { video?: { fps?: number } } | null;
      return {
        clipId: clip.id,
        videoId: video.id,
        coachId: clip.coachId,
        rendition: renditions[0]!,
        fps: media?.video?.fps ?? 30,
        durationSeconds: video.durationSeconds ?? 0,
        range: { startSeconds: clip.startSeconds, endSeconds: clip.endSeconds },
      };
    },

    /** Takes the clip's size from the quota (once) and marks it ready; over quota → failed, objects removed. */
    async finishClip(input: {
      clipId: string;
      videoId: string;
      result: TrimResult;
    }): Promise<'ready' | 'over_quota' | 'gone'> {
      const clip = await db.clip.findUnique({
        where: { id: input.clipId },
        include: { video: { include: { session: { include: { coach: { select: { role: true } } } } } } },
      });
      if (!clip) {
        // Deleted (with its video) while being cut: what this run uploaded must not outlive it.
        await deletePrefix(s3, bucket, videoKeys.clipPrefix(input.videoId, input.clipId));
        return 'gone';
      }
      const r = input.result;
      const fits = await reserveClipStorage(db, clip.id, clip.video.session.coach.role, r.bytes);
      if (!fits) {
        await deletePrefix(s3, bucket, videoKeys.clipPrefix(clip.videoId, clip.id));
        await db.clip.update({
          where: { id: clip.id },
          data: {
            status: 'failed',
            failureReason: `Your storage quota is full: this ${formatBytes(r.bytes)} clip does not fit. Delete old videos or clips, or upgrade, then create it again.`,
          },
        });
        return 'over_quota';
      }
      await db.clip.update({
        where: { id: clip.id },
        data: {
          status: 'ready',
          readyAt: new Date(),
          trimMode: r.mode,
          startSeconds: r.startSeconds,
          endSeconds: r.endSeconds,
          key: r.key,
          posterKey: r.posterKey,
          sizeBytes: BigInt(r.bytes),
          durationSeconds: r.durationSeconds,
          width: r.width,
          height: r.height,
        },
      });
      return 'ready';
    },

    async failClip(input: { clipId: string; videoId: string; reason: string }): Promise<void> {
      await deletePrefix(s3, bucket, videoKeys.clipPrefix(input.videoId, input.clipId));
      const clip = await db.clip.findUnique({ where: { id: input.clipId } });
      if (!clip) return;
      await releaseClipReservation(db, clip.id);
      await db.clip.update({
        where: { id: clip.id },
        data: { status: 'failed', failureReason: input.reason, key: null, posterKey: null },
      });
    },

    async deleteClipData(input: { clipId: string; videoId: string }): Promise<void> {
      await deletePrefix(s3, bucket, videoKeys.clipPrefix(input.videoId, input.clipId));
      const clip = await db.clip.findUnique({ where: { id: input.clipId } });
      if (!clip) return;
      await releaseClipReservation(db, clip.id);
      await db.clip.deleteMany({ where: { id: clip.id } });
    },
  };
}
