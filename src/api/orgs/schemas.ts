import { z } from '@hono/zod-openapi';
import { ORG_SEAT_TIER_NAMES } from '../../domain/subscriptions/plans';
import { ORG_ROLES } from '../../domain/identity/orgs';

const OrgRole = z.enum(ORG_ROLES);

export const CreateOrgBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    seatTier: z.enum(ORG_SEAT_TIER_NAMES).default('starter'),
  })
  .strict();
export const AddMemberBody = z.object({ email: z.email().max(254), role: OrgRole }).strict();
export const MemberParam = z.object({ id: z.uuid(), userId: z.uuid() });
export const InvitationParam = z.object({ id: z.uuid(), invitationId: z.uuid() });
export const OrgIdParam = z.object({ orgId: z.uuid() });

const MemberSchema = z
  .object({ userId: z.uuid(), name: z.string(), email: z.string(), role: OrgRole, joinedAt: z.string() })
  .openapi('OrgMember');

/** A pending invitation as the org's admins see it: the address they typed, never whose it is. */
export const OrgInvitationSchema = z
  .object({ id: z.uuid(), orgId: z.uuid(), email: z.string(), role: OrgRole, invitedAt: z.string() })
  .openapi('OrgInvitation');

/** One of your organisations, or an invitation to one. */
export const OrgMembershipSchema = z
  .object({
    orgId: z.uuid(),
    name: z.string(),
    role: OrgRole,
    status: z.enum(['invited', 'active']),
    invitedAt: z.string().nullable(),
    joinedAt: z.string().nullable(),
  })
  .openapi('OrgMembership');

export const OrgSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    ownerId: z.uuid(),
    seatTier: z.enum(ORG_SEAT_TIER_NAMES),
    seats: z.object({
      coach: z.object({ used: z.number().int(), limit: z.number().int() }),
      analyst: z.object({ used: z.number().int(), limit: z.number().int() }),
    }),
    members: z.array(MemberSchema),
  })
  .openapi('Organisation');
