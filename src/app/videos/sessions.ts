import type { Actor } from '../../domain/identity/access';
import type { VideoSession } from '../../generated/prisma/client';
import type { Deps } from '../../infra/deps';
import { syncSessionStatus } from '../../data/videos';
import {
  loadVideoForDeletion,
  loadVideoSession,
  loadVideoSessionForDeletion,
  rosterPlayers,
  type VideoIds,
} from './access';
import { readPage } from '../../data/pages';
import type { Page } from '../../domain/shared/pages';
import { inLibrary, newestFirst, type LibraryFilter } from './lists';
import { requestVideoDeletion } from './workflows';

// Video sessions (a coach's recording of a practice or match, with the players it is about) and
// deleting what is in them. Deletion hides at once; the video-<id> workflows remove the objects and
// give the storage back. A deletion Temporal could not take is a 503, and the same request again
// finishes it.

type SessionDeps = Pick<Deps, 'db' | 'temporal' | 'cfg'>;

export interface VideoSessionInput {
  title: string;
  notes?: string | null;
  playerIds: readonly string[];
}

export async function createVideoSession(
  { db }: Pick<Deps, 'db'>,
  coachId: string,
  input: VideoSessionInput,
): Promise<VideoSession> {
  const playerIds = await rosterPlayers(db, coachId, input.playerIds);
  return db.videoSession.create({
    data: { coachId, title: input.title, notes: input.notes ?? null, playerIds },
  });
}

/** The coach's sessions, newest first. */
export function listVideoSessions(
  { db }: Pick<Deps, 'db'>,
  coachId: string,
  filter: LibraryFilter,
): Promise<Page<VideoSession>> {
  const where = { ...inLibrary(coachId, filter), deletedAt: null };
  return readPage(
    (page) => db.videoSession.findMany({ where, orderBy: newestFirst, ...page }),
    () => db.videoSession.count({ where }),
    filter,
  );
}

export function getVideoSession({ db }: Pick<Deps, 'db'>, actor: Actor, id: string): Promise<VideoSession> {
  return loadVideoSession(db, actor, id, 'read');
}

export async function updateVideoSession(
  { db }: Pick<Deps, 'db'>,
  actor: Actor,
  id: string,
  patch: Partial<VideoSessionInput>,
): Promise<VideoSession> {
  const session = await loadVideoSession(db, actor, id, 'write');
  const playerIds = patch.playerIds ? await rosterPlayers(db, session.coachId, patch.playerIds) : undefined;
  return db.videoSession.update({
    where: { id: session.id },
    data: { title: patch.title, notes: patch.notes, playerIds },
  });
}

/**
 * `deleted` when the session held no videos (gone now); `deleting` when its videos' objects are
 * being removed (the session and its videos are hidden already). The session row is locked while
 * this decides, so an upload starting at the same moment either lands first (and is deleted with
 * the session) or finds the session gone. Repeating the request (after a 503) re-sends every video's
 * deletion.
 */
export async function deleteVideoSession(
  deps: SessionDeps,
  actor: Actor,
  id: string,
): Promise<'deleted' | 'deleting'> {
  const { db } = deps;
  const session = await loadVideoSessionForDeletion(db, actor, id);
  const outcome = await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM video_sessions WHERE id = ${session.id}::uuid FOR UPDATE`;
    if ((await tx.video.count({ where: { sessionId: session.id } })) === 0) {
      await tx.videoSession.deleteMany({ where: { id: session.id } });
      return 'deleted' as const;
    }
    const now = new Date();
    await tx.videoSession.updateMany({
      where: { id: session.id, deletedAt: null },
      data: { deletedAt: now },
    });
    await tx.video.updateMany({
      where: { sessionId: session.id, deletedAt: null },
      data: { deletedAt: now },
    });
    return 'deleting' as const;
  });
  if (outcome === 'deleted') return outcome;
  const videos = await db.video.findMany({
    where: { sessionId: session.id },
    select: { id: true, coachId: true },
  });
  for (const v of videos) await requestVideoDeletion(deps, v.id, v.coachId);
  return 'deleting';
}

/**
 * Deletes one video with its renditions, analysis and clips. Marked deleted (hidden) first, then
 * handed to its workflow; repeating the request while the row is still there re-sends it.
 */
export async function deleteVideo(deps: SessionDeps, actor: Actor, ids: VideoIds): Promise<void> {
  const { db } = deps;
  const video = await loadVideoForDeletion(db, actor, ids);
  await db.video.updateMany({ where: { id: video.id, deletedAt: null }, data: { deletedAt: new Date() } });
  await syncSessionStatus(db, video.sessionId);
  await requestVideoDeletion(deps, video.id, video.coachId);
}
