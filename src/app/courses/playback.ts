import { lectureAccess } from '../../domain/courses/access';
import { conflict, forbidden, notFound } from '../../domain/shared/errors';
import type { Deps } from '../../infra/deps';
import { presignGet, presignedUntil } from '../../infra/object-files';
import { courseAccessFacts } from '../../data/courses';
import type { StoredRendition } from '../../data/videos';

// Lecture playback: presigned, short-lived (S3_PRESIGN_TTL) URLs of the lecture's video renditions,
// issued only to someone entitled at this moment. The paid-sessions feature hands these to an active
// session's student through the same function, after filling activePaidSession.

export interface LecturePlayback {
  /** The best rendition; play it from startSeconds to endSeconds. */
  url: string;
  expiresAt: Date;
  startSeconds: number;
  endSeconds: number;
  renditions: { label: string; width: number; height: number; url: string }[];
  posterUrl: string | null;
}

export async function lecturePlayback(
  deps: Pick<Deps, 'db' | 's3' | 'cfg'>,
  userId: string,
  courseId: string,
  lectureId: string,
): Promise<LecturePlayback> {
  const { db, s3, cfg } = deps;
  const facts = await courseAccessFacts(db, userId, courseId);
  // An unpublished course is invisible to all but its coach: no hint that it exists.
  if (!facts || (!facts.published && !facts.isOwner)) throw notFound('Course');
  const lecture = await db.lecture.findFirst({
    where: { id: lectureId, courseId },
    include: {
      video: {
        select: {
          id: true,
          status: true,
          deletedAt: true,
          renditions: true,
          posterKey: true,
          durationSeconds: true,
        },
      },
    },
  });
  if (!lecture) throw notFound('Lecture');
  const access = lectureAccess(facts);
  if (!access.allowed) throw forbidden(`No access to this lecture now (${access.reason})`, access.reason);
  const { video } = lecture;
  const renditions = video.renditions as unknown as StoredRendition[];
  if (video.status !== 'ready' || video.deletedAt || renditions.length === 0)
    throw conflict('The lecture’s video is not available', 'video_unavailable');

  const ttl = cfg.S3_PRESIGN_TTL;
  const expiresAt = presignedUntil(ttl);
  const urls = await Promise.all(
    [...renditions]
      .sort((a, b) => b.height - a.height)
      .map(async (r) => ({
        label: r.label,
        width: r.width,
        height: r.height,
        url: await presignGet(s3, cfg.S3_BUCKET, r.key, ttl, { contentType: 'video/mp4' }),
      })),
  );
  return {
    url: urls[0]!.url,
    expiresAt,
    startSeconds: lecture.startSeconds ?? 0,
    endSeconds: lecture.endSeconds ?? Math.ceil(video.durationSeconds ?? lecture.durationSeconds),
    renditions: urls,
    posterUrl: video.posterKey
      ? await presignGet(s3, cfg.S3_BUCKET, video.posterKey, ttl, { contentType: 'image/jpeg' })
      : null,
  };
}
