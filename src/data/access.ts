import type { Role } from '../domain/subscriptions/plans';
import type { Actor, ResourceFacts } from '../domain/identity/access';
import { planInEffect, SEAT_PAYING_ROLES, SEATED_ROLES } from '../domain/identity/orgs';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/prisma';

// Loads the facts src/domain/identity/access.ts (who may see what) and src/domain/identity/orgs.ts
// (which plan a seat gives) decide on. One query per question, indexed.

/** Memberships whose seat is live: a seated role in an organisation whose owner still pays for it. */
export const LIVE_SEATS = {
  role: { in: [...SEATED_ROLES] },
  org: { owner: { role: { in: [...SEAT_PAYING_ROLES] } } },
} satisfies Prisma.OrgMemberWhereInput;

/**
 * The plan a user's requests run under: their own, or a live org seat's (Coach Pro / Analyst Pro).
 * Anything that gates on another user's plan (a coach's bookings, their public page) should ask this
 * rather than read users.role.
 */
export async function planInEffectOf(db: Db, user: { id: string; role: Role }): Promise<Role> {
  const seats = await db.orgMember.findMany({
    where: { userId: user.id, ...LIVE_SEATS },
    select: { role: true },
  });
  return planInEffect(
    user.role,
    seats.map((s) => s.role),
  );
}

/** Whether the player is on the coach's active roster now (what names a player counts only then). */
export async function isOnRoster(db: Db, coachId: string, playerId: string): Promise<boolean> {
  const row = await db.coachPlayer.findUnique({
    where: { coachId_playerId: { coachId, playerId } },
    select: { status: true },
  });
  return row?.status === 'active';
}

/**
 * The actor administers an organisation that `userId` belongs to. org_members holds only people who
 * accepted (pending invitations are org_invitations rows), so an invitation alone is no tie.
 */
async function isOrgAdminOver(db: Db, actorId: string, userId: string): Promise<boolean> {
  const count = await db.orgMember.count({
    where: { userId, org: { members: { some: { userId: actorId, role: 'admin' } } } },
  });
  return count > 0;
}

export async function playerFacts(
  db: Db,
  actor: Actor,
  playerId: string,
): Promise<ResourceFacts | undefined> {
  const exists = await db.user.count({ where: { id: playerId } });
  if (!exists) return undefined;
  const [actorIsCoach, actorIsOrgAdmin] =
    actor.id === playerId
      ? [false, false]
      : await Promise.all([isOnRoster(db, actor.id, playerId), isOrgAdminOver(db, actor.id, playerId)]);
  return { kind: 'player', ownerId: playerId, actorIsCoach, actorIsOrgAdmin };
}

export async function organisationFacts(
  db: Db,
  actor: Actor,
  orgId: string,
): Promise<ResourceFacts | undefined> {
  const org = await db.organisation.findUnique({
    where: { id: orgId },
    select: { ownerId: true, members: { where: { userId: actor.id }, select: { role: true } } },
  });
  if (!org) return undefined;
  const membership = org.members[0];
  return {
    kind: 'organisation',
    ownerId: org.ownerId,
    actorIsOrgMember: Boolean(membership),
    actorIsOrgAdmin: membership?.role === 'admin',
  };
}

/**
 * Facts for something a coach owns. Organisations reach none of it (docs/adr/0007): membership does
 * not share a member's content with the org, so no org tie is looked up. (The database and actor
 * parameters stay so the video loaders' calls need not change.)
 */
export async function coachOwnedFacts(
  _db: Db,
  _actor: Actor,
  kind: ResourceFacts['kind'],
  coachId: string,
  participantIds: readonly string[] = [],
): Promise<ResourceFacts> {
  return { kind, ownerId: coachId, participantIds };
}
