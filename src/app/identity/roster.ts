import { enforce, type Actor } from '../../domain/identity/access';
import { normaliseEmail } from '../../domain/identity/email';
import { conflict, invalid, notFound } from '../../domain/shared/errors';
import { playerFacts } from '../../data/access';
import type { Db } from '../../infra/prisma';

// A coach's roster: the coach invites an athlete by account email, the athlete accepts, either side
// can end it. Rows come back with the person on the other side (the player for the coach, the
// coach for the player).

export async function invitePlayer(db: Db, coachId: string, email: string) {
  const player = await db.user.findUnique({ where: { email: normaliseEmail(email) } });
  if (!player) throw notFound('Athlete account');
  if (player.id === coachId)
    throw invalid('You cannot add yourself to your own roster', [
      { field: 'email', reason: 'is your own account' },
    ]);
  const existing = await db.coachPlayer.findUnique({
    where: { coachId_playerId: { coachId, playerId: player.id } },
  });
  if (existing)
    throw conflict(`This athlete is already on your roster (${existing.status})`, 'already_on_roster');
  const row = await db.coachPlayer.create({ data: { coachId, playerId: player.id } });
  return { ...row, person: player };
}

export async function rosterOf(db: Db, coachId: string) {
  const rows = await db.coachPlayer.findMany({
    where: { coachId },
    include: { player: true },
    orderBy: { invitedAt: 'asc' },
  });
  return rows.map((r) => ({ ...r, person: r.player }));
}

export async function removePlayer(db: Db, coachId: string, playerId: string): Promise<void> {
  const removed = await db.coachPlayer.deleteMany({ where: { coachId, playerId } });
  if (removed.count === 0) throw notFound('Roster entry');
}

export async function coachesOf(db: Db, playerId: string) {
  const rows = await db.coachPlayer.findMany({
    where: { playerId },
    include: { coach: true },
    orderBy: { invitedAt: 'asc' },
  });
  return rows.map((r) => ({ ...r, person: r.coach }));
}

/** Accepting twice is fine (the entry is already active); an unknown invitation is not found. */
export async function acceptInvitation(db: Db, playerId: string, coachId: string) {
  const updated = await db.coachPlayer.updateMany({
    where: { coachId, playerId, status: 'invited' },
    data: { status: 'active', acceptedAt: new Date() },
  });
  const row = await db.coachPlayer.findUnique({
    where: { coachId_playerId: { coachId, playerId } },
    include: { coach: true },
  });
  if (!row || (updated.count === 0 && row.status !== 'active')) throw notFound('Invitation');
  return { ...row, person: row.coach };
}

/** Leaving a coach, or declining their invitation. */
export async function leaveCoach(db: Db, playerId: string, coachId: string): Promise<void> {
  const removed = await db.coachPlayer.deleteMany({ where: { coachId, playerId } });
  if (removed.count === 0) throw notFound('Coach');
}

/** An athlete's account, for the athlete, their active coaches and their org admins. */
export async function playerAccount(db: Db, actor: Actor, playerId: string) {
  enforce(actor, 'read', await playerFacts(db, actor, playerId), 'Player');
  return db.user.findUniqueOrThrow({ where: { id: playerId } });
}
