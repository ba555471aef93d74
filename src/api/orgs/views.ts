import type { z } from '@hono/zod-openapi';
import { seatUsage } from '../../domain/identity/orgs';
import type { OrganisationWithMembers } from '../../app/identity/orgs';
import type { OrgSchema } from './schemas';

export const organisationView = (org: OrganisationWithMembers): z.infer<typeof OrgSchema> => ({
  id: org.id,
  name: org.name,
  ownerId: org.ownerId,
  seatTier: org.seatTier,
  seats: seatUsage(
    org.seatTier,
    org.members.map((m) => m.role),
  ),
  members: org.members.map((m) => ({
    userId: m.userId,
    name: m.user.name,
    email: m.user.email,
    role: m.role,
    joinedAt: m.createdAt.toISOString(),
  })),
});
