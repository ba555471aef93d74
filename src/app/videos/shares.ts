import type { Clip, Video, VideoSession } from '../../generated/prisma/client';
import type { Deps } from '../../infra/deps';
import { isOnRoster } from '../../data/access';

// What a coach has shared with one player: every live session, video and clip of the coach's that
// names them. They are in effect only while the player is on the coach's roster (the rule is in
// src/data/videos.ts, with the access facts); after a removal this is what the coach reviews and
// can unshare before ever inviting the player again.

/** At most this many of each kind, newest first: a review list, not an export. */
export const SHARES_LISTED = 500;

export interface PlayerShares {
  playerId: string;
  onRoster: boolean;
  sessions: Pick<VideoSession, 'id' | 'title'>[];
  /** Videos shared with the player directly (beyond their sessions' own players). */
  videos: Pick<Video, 'id' | 'sessionId' | 'filename'>[];
  clips: Pick<Clip, 'id' | 'videoId' | 'title'>[];
}

export async function sharesNaming(
  { db }: Pick<Deps, 'db'>,
  coachId: string,
  playerId: string,
): Promise<PlayerShares> {
  const newest = { orderBy: [{ createdAt: 'desc' as const }, { id: 'desc' as const }], take: SHARES_LISTED };
  const [onRoster, sessions, videos, clips] = await Promise.all([
    isOnRoster(db, coachId, playerId),
    db.videoSession.findMany({
      where: { coachId, deletedAt: null, playerIds: { has: playerId } },
      select: { id: true, title: true },
      ...newest,
    }),
    db.video.findMany({
      where: { coachId, deletedAt: null, session: { deletedAt: null }, sharedPlayerIds: { has: playerId } },
      select: { id: true, sessionId: true, filename: true },
      ...newest,
    }),
    db.clip.findMany({
      where: {
        coachId,
        playerIds: { has: playerId },
        video: { deletedAt: null, session: { deletedAt: null } },
      },
      select: { id: true, videoId: true, title: true },
      ...newest,
    }),
  ]);
  return { playerId, onRoster, sessions, videos, clips };
}
