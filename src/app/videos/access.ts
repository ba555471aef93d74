import { decide, enforce, type Action, type Actor, type ResourceFacts } from '../../domain/identity/access';
import { conflict, invalid, notFound } from '../../domain/shared/errors';
import type { Clip, Video, VideoSession } from '../../generated/prisma/client';
import type { Db } from '../../infra/prisma';
import { clipFacts, notOnRoster, videoFacts, videoSessionFacts } from '../../data/videos';

// Loading video sessions, videos and clips together with the access decision on them. Anything
// deleted (or inside a deleted session) is gone for every caller.

export async function loadVideoSession(
  db: Db,
  actor: Actor,
  id: string,
  action: Action,
): Promise<VideoSession> {
  const session = await db.videoSession.findFirst({ where: { id, deletedAt: null } });
  enforce(actor, action, session ? await videoSessionFacts(db, actor, session) : undefined, 'Video session');
  return session!;
}

export type VideoWithSession = Video & { session: VideoSession };

/** A video of a session, as its URL names it. */
export interface VideoIds {
  sessionId: string;
  videoId: string;
}

/** A video, with or without the session it is reached through. */
export type VideoRef = Pick<VideoIds, 'videoId'> & Partial<VideoIds>;

/** A live video; with `sessionId`, only when it belongs to that session (as its URL claims). */
export async function loadVideo(
  db: Db,
  actor: Actor,
  { videoId, sessionId }: VideoRef,
  action: Action,
): Promise<VideoWithSession> {
  const video = await db.video.findFirst({
    where: {
      id: videoId,
      deletedAt: null,
      session: { deletedAt: null },
      ...(sessionId ? { sessionId } : {}),
    },
    include: { session: true },
  });
  enforce(actor, action, video ? await videoFacts(db, actor, video) : undefined, 'Video');
  return video!;
}

/**
 * Write access to something whose deletion may already be under way: a live row as usual; a row
 * marked deleted only for whoever may delete it (anyone else gets 404), so repeating a deletion
 * finishes it.
 */
function enforceDeletion(
  actor: Actor,
  row: { deletedAt: Date | null } | null,
  facts: ResourceFacts | undefined,
  what: string,
): void {
  if (row?.deletedAt && facts && decide(actor, 'write', facts) !== 'allow') throw notFound(what);
  enforce(actor, 'write', facts, what);
}

/** A session to delete, including one whose deletion is under way. */
export async function loadVideoSessionForDeletion(db: Db, actor: Actor, id: string): Promise<VideoSession> {
  const session = await db.videoSession.findUnique({ where: { id } });
  const facts = session ? await videoSessionFacts(db, actor, session) : undefined;
  enforceDeletion(actor, session, facts, 'Video session');
  return session!;
}

/** A video of the session to delete, including one whose deletion (or its session's) is under way. */
export async function loadVideoForDeletion(
  db: Db,
  actor: Actor,
  { videoId, sessionId }: VideoIds,
): Promise<VideoWithSession> {
  const video = await db.video.findFirst({ where: { id: videoId, sessionId }, include: { session: true } });
  const facts = video ? await videoFacts(db, actor, video) : undefined;
  const deletedAt = video ? (video.deletedAt ?? video.session.deletedAt) : null;
  enforceDeletion(actor, video && { deletedAt }, facts, 'Video');
  return video!;
}

/** A video that finished processing, which annotations and clips need (its duration is known). */
export function requireReady<V extends Video>(video: V, message: string): V & { durationSeconds: number } {
  if (video.status !== 'ready' || video.durationSeconds === null) throw conflict(message, 'video_not_ready');
  return video as V & { durationSeconds: number };
}

export async function loadClip(db: Db, actor: Actor, clipId: string, action: Action): Promise<Clip> {
  const clip = await db.clip.findFirst({
    where: { id: clipId, video: { deletedAt: null, session: { deletedAt: null } } },
  });
  enforce(actor, action, clip ? await clipFacts(db, actor, clip) : undefined, 'Clip');
  return clip!;
}

/** The distinct player ids, all of them active players on the coach's roster (400 naming the rest). */
export async function rosterPlayers(
  db: Db,
  coachId: string,
  playerIds: readonly string[],
  field = 'player_ids',
): Promise<string[]> {
  const distinct = [...new Set(playerIds)];
  const unknown = await notOnRoster(db, coachId, distinct);
  if (unknown.length > 0) {
    const reason = `not active players on the coach's roster: ${unknown.join(', ')}`;
    throw invalid(`Not active players on the coach's roster: ${unknown.join(', ')}`, [{ field, reason }]);
  }
  return distinct;
}
