import type { Actor, ResourceFacts } from '../domain/identity/access';
import type { Db } from '../infra/prisma';

// Loads the facts src/domain/identity/access.ts decides on. One query per question, indexed.

async function isActiveCoachOf(db: Db, coachId: string, playerId: string): Promise<boolean> {
  const row = await db.coachPlayer.findUnique({
    where: { coachId_playerId: { coachId, playerId } },
    select: { status: true },
  });
  return row?.status === 'active';
}

/** The actor administers an organisation that `userId` belongs to. */
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
      : await Promise.all([isActiveCoachOf(db, actor.id, playerId), isOrgAdminOver(db, actor.id, playerId)]);
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

/** Facts for something a coach owns that org admins of the coach's organisations may also see. */
export async function coachOwnedFacts(
  db: Db,
  actor: Actor,
  kind: ResourceFacts['kind'],
  coachId: string,
  participantIds: readonly string[] = [],
): Promise<ResourceFacts> {
  const actorIsOrgAdmin = actor.id !== coachId && (await isOrgAdminOver(db, actor.id, coachId));
  return { kind, ownerId: coachId, participantIds, actorIsOrgAdmin };
}
