import { enforce, type Actor } from '../../domain/identity/access';
import { normaliseEmail } from '../../domain/identity/email';
import { conflict, invalid, notFound } from '../../domain/shared/errors';
import { playerFacts } from '../../data/access';
import { isUniqueViolation } from '../../data/postgres-errors';
import type { Db } from '../../infra/prisma';

// A coach's roster: the coach invites an email address, whoever holds the account with that address
// accepts or declines, and either side can end it. The invitation exists whether or not the address
// has an account and shows only what the coach typed, so inviting reveals nothing about who is
// registered (issue 9 #14); the athlete's name and id appear once they accept.
//
// Rows come back with the person on the other side (the player for the coach, the coach for the
// player). For an invitation the coach sees, `playerId` and `person.id` are the invitation's id (the
// id DELETE /api/coaches/me/players/{playerId} withdraws it by) and `person.name` is the address.

interface Person {
  id: string;
  name: string;
  email: string;
}

export interface RosterEntry {
  coachId: string;
  playerId: string;
  status: 'invited' | 'active';
  invitedAt: Date;
  acceptedAt: Date | null;
  person: Person;
}

/** The signed-in side of a roster call: the account and the address invitations are sent to. */
export interface Account {
  id: string;
  email: string;
}

const personOf = (u: Person): Person => ({ id: u.id, name: u.name, email: u.email });

const invitationForCoach = (i: {
  id: string;
  coachId: string;
  email: string;
  invitedAt: Date;
}): RosterEntry => ({
  coachId: i.coachId,
  playerId: i.id,
  status: 'invited',
  invitedAt: i.invitedAt,
  acceptedAt: null,
  person: { id: i.id, name: i.email, email: i.email },
});

const byInvitedAt = (a: RosterEntry, b: RosterEntry) => a.invitedAt.getTime() - b.invitedAt.getTime();

export async function invitePlayer(db: Db, coach: Account, rawEmail: string): Promise<RosterEntry> {
  const email = normaliseEmail(rawEmail);
  if (email === coach.email)
    throw invalid('You cannot add yourself to your own roster', [
      { field: 'email', reason: 'is your own account' },
    ]);
  const onRoster = await db.coachPlayer.count({ where: { coachId: coach.id, player: { email } } });
  if (onRoster > 0) throw conflict('This athlete is already on your roster (active)', 'already_on_roster');
  try {
    return invitationForCoach(await db.rosterInvitation.create({ data: { coachId: coach.id, email } }));
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict('This athlete is already on your roster (invited)', 'already_on_roster');
    throw err;
  }
}

export async function rosterOf(db: Db, coachId: string): Promise<RosterEntry[]> {
  const [rows, invitations] = await Promise.all([
    db.coachPlayer.findMany({ where: { coachId }, include: { player: true } }),
    db.rosterInvitation.findMany({ where: { coachId } }),
  ]);
  return [
    ...rows.map((r) => ({ ...r, person: personOf(r.player) })),
    ...invitations.map(invitationForCoach),
  ].sort(byInvitedAt);
}

/** Removes an athlete (by player id) or withdraws an invitation (by the id the roster shows for it). */
export async function removePlayer(db: Db, coachId: string, playerId: string): Promise<void> {
  const removed = await db.coachPlayer.deleteMany({ where: { coachId, playerId } });
  if (removed.count > 0) return;
  const withdrawn = await db.rosterInvitation.deleteMany({ where: { coachId, id: playerId } });
  if (withdrawn.count === 0) throw notFound('Roster entry');
}

export async function coachesOf(db: Db, player: Account): Promise<RosterEntry[]> {
  const [rows, invitations] = await Promise.all([
    db.coachPlayer.findMany({ where: { playerId: player.id }, include: { coach: true } }),
    db.rosterInvitation.findMany({ where: { email: player.email }, include: { coach: true } }),
  ]);
  return [
    ...rows.map((r) => ({ ...r, person: personOf(r.coach) })),
    ...invitations.map((i) => ({
      coachId: i.coachId,
      playerId: player.id,
      status: 'invited' as const,
      invitedAt: i.invitedAt,
      acceptedAt: null,
      person: personOf(i.coach),
    })),
  ].sort(byInvitedAt);
}

/** Accepting twice is fine (the entry is already active); an unknown invitation is not found. */
export async function acceptInvitation(db: Db, player: Account, coachId: string): Promise<RosterEntry> {
  const row = await db.$transaction(async (tx) => {
    // Deleting the invitation first makes a concurrent accept wait here, then find the row made.
    const invitation = await tx.rosterInvitation.findUnique({
      where: { coachId_email: { coachId, email: player.email } },
    });
    const taken = invitation
      ? await tx.rosterInvitation.deleteMany({ where: { id: invitation.id } })
      : { count: 0 };
    if (invitation && taken.count === 1) {
      return tx.coachPlayer.upsert({
        where: { coachId_playerId: { coachId, playerId: player.id } },
        create: {
          coachId,
          playerId: player.id,
          status: 'active',
          invitedAt: invitation.invitedAt,
          acceptedAt: new Date(),
        },
        update: {},
        include: { coach: true },
      });
    }
    return tx.coachPlayer.findUnique({
      where: { coachId_playerId: { coachId, playerId: player.id } },
      include: { coach: true },
    });
  });
  if (!row) throw notFound('Invitation');
  return { ...row, person: personOf(row.coach) };
}

/** Leaving a coach, or declining their invitation. */
export async function leaveCoach(db: Db, player: Account, coachId: string): Promise<void> {
  const [left, declined] = await Promise.all([
    db.coachPlayer.deleteMany({ where: { coachId, playerId: player.id } }),
    db.rosterInvitation.deleteMany({ where: { coachId, email: player.email } }),
  ]);
  if (left.count + declined.count === 0) throw notFound('Coach');
}

/** An athlete's account, for the athlete, their active coaches and admins of organisations they joined. */
export async function playerAccount(db: Db, actor: Actor, playerId: string) {
  enforce(actor, 'read', await playerFacts(db, actor, playerId), 'Player');
  return db.user.findUniqueOrThrow({ where: { id: playerId } });
}
