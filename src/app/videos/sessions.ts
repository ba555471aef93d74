import type { Actor } from '../../domain/identity/access';
import type { VideoSession } from '../../generated/prisma/client';
import type { Deps } from '../../infra/deps';
import { syncSessionStatus } from '../../data/videos';
import { loadVideo, loadVideoSession, rosterPlayers } from './access';
import { createdWithin, pageOf, type DayRange, type Page, type PageRequest } from './lists';
import { requestVideoDeletion } from './workflows';

// Video sessions (a coach's recording of a practice or match, with the players it is about) and
// deleting what is in them. Deletion hides at once; the video-<id> workflows remove the objects and
// give the storage back.

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

export interface VideoSessionFilter extends PageRequest, DayRange {
  playerId?: string;
}

/** The coach's sessions, newest first. */
export function listVideoSessions(
  { db }: Pick<Deps, 'db'>,
  coachId: string,
  filter: VideoSessionFilter,
): Promise<Page<VideoSession>> {
  const where = {
    coachId,
    deletedAt: null,
    ...(filter.playerId ? { playerIds: { has: filter.playerId } } : {}),
    ...createdWithin(filter),
  };
  return pageOf(
    (page) => db.videoSession.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], ...page }),
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
 * being removed (the session and its videos are hidden already).
 */
export async function deleteVideoSession(
  deps: SessionDeps,
  actor: Actor,
  id: string,
): Promise<'deleted' | 'deleting'> {
  const { db } = deps;
  const session = await loadVideoSession(db, actor, id, 'write');
  const videos = await db.video.findMany({
    where: { sessionId: session.id },
    select: { id: true, coachId: true },
  });
  if (videos.length === 0) {
    await db.videoSession.delete({ where: { id: session.id } });
    return 'deleted';
  }
  const now = new Date();
  await db.$transaction([
    db.videoSession.update({ where: { id: session.id }, data: { deletedAt: now } }),
    db.video.updateMany({ where: { sessionId: session.id, deletedAt: null }, data: { deletedAt: now } }),
  ]);
  for (const v of videos) await requestVideoDeletion(deps, v.id, v.coachId);
  return 'deleting';
}

/** Deletes one video with its renditions, analysis and clips. */
export async function deleteVideo(
  deps: SessionDeps,
  actor: Actor,
  ids: { sessionId: string; videoId: string },
): Promise<void> {
  const { db } = deps;
  const video = await loadVideo(db, actor, ids.videoId, 'write', ids.sessionId);
  await db.video.update({ where: { id: video.id }, data: { deletedAt: new Date() } });
  await syncSessionStatus(db, video.sessionId);
  await requestVideoDeletion(deps, video.id, video.coachId);
}
