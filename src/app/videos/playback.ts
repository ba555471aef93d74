import type { Actor } from '../../domain/identity/access';
import type { Stage } from '../../domain/videos/status';
import type { Clip, Video } from '../../generated/prisma/client';
import type { Deps } from '../../infra/deps';
import { presignGet, presignedUntil } from '../../infra/object-files';
import { videoKeys } from '../../infra/video-objects';
import { coachesOfPlayer, type StoredRendition } from '../../data/videos';
import { loadVideo, loadVideoSession, rosterPlayers } from './access';
import { pageOf, type Page, type PageRequest } from './lists';
import { videoProgress } from './workflows';

// Watching videos: lists, a video's state with live progress, short-lived playback URLs, and who
// besides the session's players may watch. Objects stay private; every URL is presigned and expires.

export type { StoredRendition };

type PlaybackDeps = Pick<Deps, 'db' | 's3' | 'cfg' | 'temporal'>;

export interface VideoPlayback {
  expiresAt: Date;
  renditions: { label: string; width: number; height: number; url: string }[];
  posterUrl: string | null;
  analysisUrl: string | null;
  frames: { atSeconds: number; url: string }[];
}

export interface VideoDetail {
  video: Video;
  /** Live from the workflow while it works; otherwise the view derives it from the stored stage. */
  progress?: { stage: Stage; percent: number };
  /** Null until the video is ready. */
  playback: VideoPlayback | null;
}

async function videoPlayback({ s3, cfg }: Pick<Deps, 's3' | 'cfg'>, video: Video) {
  if (video.status !== 'ready') return null;
  const ttl = cfg.S3_PRESIGN_TTL;
  const presign = (key: string, contentType: string, downloadName?: string) =>
    presignGet(s3, cfg.S3_BUCKET, key, ttl, { contentType, downloadName });
  const base = video.filename.replace(/\.[^.]+$/, '');
  const renditions = await Promise.all(
    (video.renditions as unknown as StoredRendition[]).map(async (r) => ({
      label: r.label,
      width: r.width,
      height: r.height,
      url: await presign(r.key, 'video/mp4', `${base}-${r.label}.mp4`),
    })),
  );
  const report = video.analysis as { key_moments?: { at_seconds: number; frame: string | null }[] } | null;
  const frames = await Promise.all(
    (report?.key_moments ?? [])
      .filter((m) => m.frame)
      .map(async (m) => ({
        atSeconds: m.at_seconds,
        url: await presign(videoKeys.analysisFile(video.id, m.frame!), 'image/jpeg'),
      })),
  );
  return {
    expiresAt: presignedUntil(ttl),
    renditions,
    posterUrl: video.posterKey ? await presign(video.posterKey, 'image/jpeg') : null,
    analysisUrl: video.analysisKey ? await presign(video.analysisKey, 'application/json') : null,
    frames,
  } satisfies VideoPlayback;
}

/** The video with live progress while the pipeline runs and playback URLs once it is ready. */
export async function describeVideo(deps: PlaybackDeps, video: Video): Promise<VideoDetail> {
  const working = video.status === 'uploaded' || video.status === 'processing';
  return {
    video,
    progress: working ? await videoProgress(deps, video.id, video.stage as Stage) : undefined,
    playback: await videoPlayback(deps, video),
  };
}

/** A video for anyone allowed to watch it; with `sessionId`, only as part of that session. */
export async function getVideo(
  deps: PlaybackDeps,
  actor: Actor,
  ids: { videoId: string; sessionId?: string },
): Promise<VideoDetail> {
  return describeVideo(deps, await loadVideo(deps.db, actor, ids.videoId, 'read', ids.sessionId));
}

/** The session's live videos, newest first. */
export async function listSessionVideos(
  { db }: Pick<Deps, 'db'>,
  actor: Actor,
  sessionId: string,
): Promise<Video[]> {
  const session = await loadVideoSession(db, actor, sessionId, 'read');
  return db.video.findMany({
    where: { sessionId: session.id, deletedAt: null },
    orderBy: { createdAt: 'desc' },
  });
}

/** Ready videos the player may watch: as a player of the session or shared directly, while on the coach's roster. */
export async function listSharedVideos(
  { db }: Pick<Deps, 'db'>,
  playerId: string,
  page: PageRequest,
): Promise<Page<Video>> {
  const where = {
    coachId: { in: await coachesOfPlayer(db, playerId) },
    status: 'ready' as const,
    deletedAt: null,
    session: { deletedAt: null },
    OR: [{ sharedPlayerIds: { has: playerId } }, { session: { playerIds: { has: playerId } } }],
  };
  return pageOf(
    (p) => db.video.findMany({ where, orderBy: { createdAt: 'desc' }, ...p }),
    () => db.video.count({ where }),
    page,
  );
}

/** Replaces the players the video is shared with beyond the session's own. */
export async function shareVideo(
  { db }: Pick<Deps, 'db'>,
  actor: Actor,
  ids: { sessionId: string; videoId: string },
  playerIds: readonly string[],
): Promise<Video> {
  const video = await loadVideo(db, actor, ids.videoId, 'write', ids.sessionId);
  const shared = await rosterPlayers(db, video.coachId, playerIds);
  return db.video.update({ where: { id: video.id }, data: { sharedPlayerIds: shared } });
}

export interface ClipPlayback {
  expiresAt: Date;
  url: string;
  posterUrl: string | null;
}

/** Playback URLs for a ready clip; null before. */
export async function clipPlayback(
  { s3, cfg }: Pick<Deps, 's3' | 'cfg'>,
  clip: Pick<Clip, 'status' | 'key' | 'posterKey' | 'title'>,
): Promise<ClipPlayback | null> {
  if (clip.status !== 'ready' || !clip.key) return null;
  const ttl = cfg.S3_PRESIGN_TTL;
  return {
    expiresAt: presignedUntil(ttl),
    url: await presignGet(s3, cfg.S3_BUCKET, clip.key, ttl, {
      contentType: 'video/mp4',
      downloadName: `${clip.title.slice(0, 80)}.mp4`,
    }),
    posterUrl: clip.posterKey
      ? await presignGet(s3, cfg.S3_BUCKET, clip.posterKey, ttl, { contentType: 'image/jpeg' })
      : null,
  };
}
