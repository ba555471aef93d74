import type { OrgSeatTier } from '../../domain/billing/plans';
import { enforce, type Actor } from '../../domain/identity/access';
import { normaliseEmail } from '../../domain/identity/email';
import { seatLimit, type OrgRole } from '../../domain/identity/orgs';
import { conflict, notFound } from '../../domain/shared/errors';
import { organisationFacts } from '../../data/access';
import type { Db } from '../../infra/prisma';

// Organisations (Org Pro): the creator owns and administers it; admins add and remove members,
// within the coach and analyst seats of the seat tier.

export type OrganisationWithMembers = Awaited<ReturnType<typeof loadOrganisation>>;

function loadOrganisation(db: Db, id: string) {
  return db.organisation.findUniqueOrThrow({
    where: { id },
    include: { members: { include: { user: true }, orderBy: { createdAt: 'asc' } } },
  });
}

export async function createOrganisation(
  db: Db,
  ownerId: string,
  input: { name: string; seatTier: OrgSeatTier },
): Promise<OrganisationWithMembers> {
  const org = await db.organisation.create({
    data: {
      name: input.name,
      seatTier: input.seatTier,
      ownerId,
      members: { create: { userId: ownerId, role: 'admin' } },
    },
  });
  return loadOrganisation(db, org.id);
}

export async function organisation(db: Db, actor: Actor, id: string): Promise<OrganisationWithMembers> {
  enforce(actor, 'read', await organisationFacts(db, actor, id), 'Organisation');
  return loadOrganisation(db, id);
}

export async function addMember(
  db: Db,
  actor: Actor,
  orgId: string,
  input: { email: string; role: OrgRole },
): Promise<OrganisationWithMembers> {
  const { role } = input;
  enforce(actor, 'write', await organisationFacts(db, actor, orgId), 'Organisation');
  const user = await db.user.findUnique({ where: { email: normaliseEmail(input.email) } });
  if (!user) throw notFound('Account');
  // The org row is locked for the seat check and insert: two admins cannot both take the last seat.
  await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM organisations WHERE id = ${orgId}::uuid FOR UPDATE`;
    const org = await tx.organisation.findUniqueOrThrow({ where: { id: orgId } });
    if (await tx.orgMember.findUnique({ where: { orgId_userId: { orgId, userId: user.id } } })) {
      throw conflict('This account is already a member', 'already_member');
    }
    const limit = seatLimit(org.seatTier, role);
    if (limit !== null && (await tx.orgMember.count({ where: { orgId, role } })) >= limit) {
      throw conflict(
        `All ${limit} ${role} seats of the ${org.seatTier} tier are taken; upgrade the tier or free a seat`,
        'seat_limit_reached',
      );
    }
    await tx.orgMember.create({ data: { orgId, userId: user.id, role } });
  });
  return loadOrganisation(db, orgId);
}

/** The owner stays: they cannot be removed from their own organisation. */
export async function removeMember(db: Db, actor: Actor, orgId: string, userId: string): Promise<void> {
  const facts = await organisationFacts(db, actor, orgId);
  enforce(actor, 'write', facts, 'Organisation');
  if (facts!.ownerId === userId)
    throw conflict('The owner cannot be removed from their organisation', 'owner_cannot_leave');
  const removed = await db.orgMember.deleteMany({ where: { orgId, userId } });
  if (removed.count === 0) throw notFound('Member');
}
