import type { z } from '@hono/zod-openapi';
import { seatUsage } from '../../domain/identity/orgs';
import type { Membership, OrganisationWithMembers } from '../../app/identity/orgs';
import type { OrgInvitation } from '../../generated/prisma/client';
import type { OrgInvitationSchema, OrgMembershipSchema, OrgSchema } from './schemas';

export const organisationView = (org: OrganisationWithMembers): z.infer<typeof OrgSchema> => ({
  id: org.id,
  name: org.name,
  ownerId: org.ownerId,
  seatTier: org.seatTier,
  // Pending invitations hold their seats.
  seats: seatUsage(
    org.seatTier,
    [...org.members, ...org.invitations].map((m) => m.role),
  ),
  members: org.members.map((m) => ({
    userId: m.userId,
    name: m.user.name,
    email: m.user.email,
    role: m.role,
    joinedAt: m.createdAt.toISOString(),
  })),
});

export const orgInvitationView = (i: OrgInvitation): z.infer<typeof OrgInvitationSchema> => ({
  id: i.id,
  orgId: i.orgId,
  email: i.email,
  role: i.role,
  invitedAt: i.invitedAt.toISOString(),
});

export const membershipView = (m: Membership): z.infer<typeof OrgMembershipSchema> => ({
  orgId: m.orgId,
  name: m.name,
  role: m.role,
  status: m.status,
  invitedAt: m.invitedAt?.toISOString() ?? null,
  joinedAt: m.joinedAt?.toISOString() ?? null,
});
