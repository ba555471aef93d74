import type { Actor } from '../../domain/identity/access';
import { invalidFields } from '../../domain/shared/errors';
import { checkClipRange } from '../../domain/videos/trim';
import type { Clip } from '../../generated/prisma/client';
import type { Deps } from '../../infra/deps';
import { coachesOfPlayer } from '../../data/videos';
import { loadClip, loadVideo, requireReady, rosterPlayers, type VideoIds } from './access';
import { readPage } from '../../data/pages';
import type { Page, PageRequest } from '../../domain/shared/pages';
import { createdWithin, inLibrary, newestFirst, type DayRange, type LibraryFilter } from './lists';
import { clipPlayback, type ClipPlayback } from './playback';
import { requestClipDeletion, startClipWorkflow } from './workflows';

// Clips cut from ready videos: the row is written here, the clip-<id> workflow cuts it (stream copy
// or re-encode), takes its size from the quota and marks it ready. The coach's library filters by
// player, video and day; players see the ready clips shared with them.

type ClipDeps = Pick<Deps, 'db' | 's3' | 'cfg' | 'temporal'>;

export interface ClipRequest {
  title: string;
  startSeconds: number;
  endSeconds: number;
  momentType: Clip['momentType'];
  playerIds: readonly string[];
}

/** Records the clip (pending) and starts its workflow; without a workflow no row stays. */
export async function createClip(
  deps: ClipDeps,
  actor: Actor,
  ids: VideoIds,
  input: ClipRequest,
): Promise<Clip> {
  const { db } = deps;
  const loaded = await loadVideo(db, actor, ids, 'write');
  const video = requireReady(loaded, 'Clips can be cut once the video is ready');
  const problems = checkClipRange(input, video.durationSeconds);
  if (problems.length > 0) throw invalidFields(problems, 'invalid_request', 'Invalid clip');
  const playerIds = await rosterPlayers(db, video.coachId, input.playerIds);
  const clip = await db.clip.create({
    data: {
      videoId: video.id,
      sessionId: video.sessionId,
      coachId: video.coachId,
      title: input.title,
      momentType: input.momentType,
      startSeconds: input.startSeconds,
      endSeconds: Math.min(input.endSeconds, video.durationSeconds),
      playerIds,
    },
  });
  try {
    await startClipWorkflow(deps, clip);
  } catch (err) {
    await db.clip.delete({ where: { id: clip.id } });
    throw err;
  }
  return clip;
}

const liveVideo = { video: { deletedAt: null, session: { deletedAt: null } } };

export interface ClipFilter extends LibraryFilter {
  videoId?: string;
}

/** The coach's clip library, newest first. */
export function listCoachClips(
  { db }: Pick<Deps, 'db'>,
  coachId: string,
  filter: ClipFilter,
): Promise<Page<Clip>> {
  const where = {
    ...inLibrary(coachId, filter),
    ...liveVideo,
    ...(filter.videoId ? { videoId: filter.videoId } : {}),
  };
  return readPage(
    (page) => db.clip.findMany({ where, orderBy: newestFirst, ...page }),
    () => db.clip.count({ where }),
    filter,
  );
}

/** Ready clips shared with the player by coaches whose roster they are on, newest first. */
export async function listSharedClips(
  { db }: Pick<Deps, 'db'>,
  playerId: string,
  filter: PageRequest & DayRange,
): Promise<Page<Clip>> {
  const where = {
    coachId: { in: await coachesOfPlayer(db, playerId) },
    status: 'ready' as const,
    playerIds: { has: playerId },
    ...liveVideo,
    ...createdWithin(filter),
  };
  return readPage(
    (page) => db.clip.findMany({ where, orderBy: { createdAt: 'desc' }, ...page }),
    () => db.clip.count({ where }),
    filter,
  );
}

export async function getClip(
  deps: Pick<Deps, 'db' | 's3' | 'cfg'>,
  actor: Actor,
  clipId: string,
): Promise<{ clip: Clip; playback: ClipPlayback | null }> {
  const clip = await loadClip(deps.db, actor, clipId, 'read');
  return { clip, playback: await clipPlayback(deps, clip) };
}

/** Replaces the players the clip is shared with. */
export async function shareClip(
  { db }: Pick<Deps, 'db'>,
  actor: Actor,
  clipId: string,
  playerIds: readonly string[],
): Promise<Clip> {
  const clip = await loadClip(db, actor, clipId, 'write');
  const shared = await rosterPlayers(db, clip.coachId, playerIds);
  return db.clip.update({ where: { id: clip.id }, data: { playerIds: shared } });
}

/** The clip-<id> workflow removes the object and gives its storage back. */
export async function deleteClip(deps: ClipDeps, actor: Actor, clipId: string): Promise<void> {
  const clip = await loadClip(deps.db, actor, clipId, 'write');
  await requestClipDeletion(deps, clip);
}
