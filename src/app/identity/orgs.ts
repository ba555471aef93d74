import type { OrgSeatTier } from '../../domain/subscriptions/plans';
import { enforce, type Actor } from '../../domain/identity/access';
import { normaliseEmail } from '../../domain/identity/email';
import { seatLimit, type OrgRole } from '../../domain/identity/orgs';
import { conflict, notFound } from '../../domain/shared/errors';
import { organisationFacts } from '../../data/access';
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/prisma';
import type { Account } from './roster';

type Tx = Prisma.TransactionClient;

// Organisations (Org Pro): the creator owns and administers it. Admins invite people by email for a
// role; the invitee accepts (becoming a member) or declines, and a member can leave (issue 9 #2,
// docs/adr/0007). An invitation for a coach or analyst role holds its seat of the seat tier until it
// is accepted, declined or withdrawn. Like roster invitations, org invitations exist whether or not
// the address has an account and show only the address until accepted.

export type OrganisationWithMembers = Awaited<ReturnType<typeof loadOrganisation>>;

/** One of the caller's organisations, or an invitation to one. */
export interface Membership {
  orgId: string;
  name: string;
  role: OrgRole;
  status: 'invited' | 'active';
  invitedAt: Date | null;
  joinedAt: Date | null;
}

function loadOrganisation(db: Db, id: string) {
  return db.organisation.findUniqueOrThrow({
    where: { id },
    include: {
      members: { include: { user: true }, orderBy: { createdAt: 'asc' } },
      invitations: { select: { role: true } },
    },
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

/** Seats of `role` held in the org: members, plus pending invitations unless `membersOnly`. */
async function seatsHeld(tx: Tx, orgId: string, role: OrgRole, membersOnly = false): Promise<number> {
  const members = await tx.orgMember.count({ where: { orgId, role } });
  return membersOnly ? members : members + (await tx.orgInvitation.count({ where: { orgId, role } }));
}

function seatsTaken(limit: number, tier: OrgSeatTier, role: OrgRole) {
  return conflict(
    `All ${limit} ${role} seats of the ${tier} tier are taken; upgrade the tier or free a seat`,
    'seat_limit_reached',
  );
}

/**
 * Locks the org row (null when there is none): seat checks and the insert that takes the seat happen
 * under it, so two admins cannot both take the last seat.
 */
async function lockOrganisation(tx: Tx, orgId: string) {
  await tx.$queryRaw`SELECT id FROM organisations WHERE id = ${orgId}::uuid FOR UPDATE`;
  return tx.organisation.findUnique({ where: { id: orgId } });
}

/** Invites an address for a role; answers the organisation and the new invitation's id. */
export async function inviteMember(
  db: Db,
  actor: Actor,
  orgId: string,
  input: { email: string; role: OrgRole },
): Promise<{ org: OrganisationWithMembers; invitationId: string }> {
  const { role } = input;
  const email = normaliseEmail(input.email);
  enforce(actor, 'write', await organisationFacts(db, actor, orgId), 'Organisation');
  const invitation = await db.$transaction(async (tx) => {
    const org = (await lockOrganisation(tx, orgId))!;
    if (await tx.orgMember.count({ where: { orgId, user: { email } } })) {
      throw conflict('This account is already a member', 'already_member');
    }
    if (await tx.orgInvitation.count({ where: { orgId, email } })) {
      throw conflict('This address has already been invited', 'already_invited');
    }
    const limit = seatLimit(org.seatTier, role);
    if (limit !== null && (await seatsHeld(tx, orgId, role)) >= limit) {
      throw seatsTaken(limit, org.seatTier, role);
    }
    return tx.orgInvitation.create({ data: { orgId, email, role } });
  });
  return { org: await loadOrganisation(db, orgId), invitationId: invitation.id };
}

/** Pending invitations, for the org's admins. */
export async function invitations(db: Db, actor: Actor, orgId: string) {
  enforce(actor, 'write', await organisationFacts(db, actor, orgId), 'Organisation');
  return db.orgInvitation.findMany({ where: { orgId }, orderBy: { invitedAt: 'asc' } });
}

export async function withdrawInvitation(
  db: Db,
  actor: Actor,
  orgId: string,
  invitationId: string,
): Promise<void> {
  enforce(actor, 'write', await organisationFacts(db, actor, orgId), 'Organisation');
  const withdrawn = await db.orgInvitation.deleteMany({ where: { id: invitationId, orgId } });
  if (withdrawn.count === 0) throw notFound('Invitation');
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

/** The caller's organisations and the invitations waiting for them, oldest first. */
export async function membershipsOf(db: Db, account: Account): Promise<Membership[]> {
  const [members, invites] = await Promise.all([
    db.orgMember.findMany({ where: { userId: account.id }, include: { org: true } }),
    db.orgInvitation.findMany({ where: { email: account.email }, include: { org: true } }),
  ]);
  return [
    ...members.map((m) => activeMembership(m.org, m)),
    ...invites.map((i): Membership => ({
      orgId: i.orgId,
      name: i.org.name,
      role: i.role,
      status: 'invited',
      invitedAt: i.invitedAt,
      joinedAt: null,
    })),
  ].sort((a, b) => (a.joinedAt ?? a.invitedAt!).getTime() - (b.joinedAt ?? b.invitedAt!).getTime());
}

const activeMembership = (
  org: { id: string; name: string },
  m: { role: OrgRole; createdAt: Date },
): Membership => ({
  orgId: org.id,
  name: org.name,
  role: m.role,
  status: 'active',
  invitedAt: null,
  joinedAt: m.createdAt,
});

/**
 * Accepts an invitation to the organisation. Accepting twice is fine; without an invitation it is not
 * found. The seat is checked again (the tier may have shrunk since the invitation).
 */
export async function acceptMembership(db: Db, account: Account, orgId: string): Promise<Membership> {
  return db.$transaction(async (tx) => {
    const org = await lockOrganisation(tx, orgId);
    if (!org) throw notFound('Invitation');
    const invitation = await tx.orgInvitation.findUnique({
      where: { orgId_email: { orgId, email: account.email } },
    });
    if (!invitation) {
      const member = await tx.orgMember.findUnique({
        where: { orgId_userId: { orgId, userId: account.id } },
      });
      if (!member) throw notFound('Invitation');
      return activeMembership(org, member);
    }
    const limit = seatLimit(org.seatTier, invitation.role);
    if (limit !== null && (await seatsHeld(tx, orgId, invitation.role, true)) >= limit) {
      throw seatsTaken(limit, org.seatTier, invitation.role);
    }
    await tx.orgInvitation.delete({ where: { id: invitation.id } });
    const member = await tx.orgMember.create({
      data: { orgId, userId: account.id, role: invitation.role },
    });
    return activeMembership(org, member);
  });
}

/** Leaving an organisation, or declining its invitation. The owner cannot leave their own. */
export async function leaveOrganisation(db: Db, account: Account, orgId: string): Promise<void> {
  const org = await db.organisation.findUnique({ where: { id: orgId }, select: { ownerId: true } });
  if (org?.ownerId === account.id)
    throw conflict('The owner cannot leave their organisation', 'owner_cannot_leave');
  const [left, declined] = await Promise.all([
    db.orgMember.deleteMany({ where: { orgId, userId: account.id } }),
    db.orgInvitation.deleteMany({ where: { orgId, email: account.email } }),
  ]);
  if (left.count + declined.count === 0) throw notFound('Organisation');
}
