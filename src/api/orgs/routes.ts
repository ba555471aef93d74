import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { ORG_SEAT_TIER_NAMES, ORG_SEAT_TIERS } from '../../domain/billing/plans';
import type { Deps } from '../../infra/deps';
import { normaliseEmail } from '../../app/identity/accounts';
import { organisationFacts } from '../../data/access';
import { enforce } from '../middleware/authorize';
import { conflict, notFound } from '../errors';
import { requireAuth, requireRole, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, json, secured } from '../openapi';

const OrgRole = z.enum(['admin', 'coach', 'analyst', 'player']);
const Member = z
  .object({ userId: z.uuid(), name: z.string(), email: z.string(), role: OrgRole, joinedAt: z.string() })
  .openapi('OrgMember');
const OrgSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    ownerId: z.uuid(),
    seatTier: z.enum(ORG_SEAT_TIER_NAMES),
    seats: z.object({
      coach: z.object({ used: z.number().int(), limit: z.number().int() }),
      analyst: z.object({ used: z.number().int(), limit: z.number().int() }),
    }),
    members: z.array(Member),
  })
  .openapi('Organisation');

async function loadOrg(deps: Deps, id: string) {
  const org = await deps.db.organisation.findUniqueOrThrow({
    where: { id },
    include: { members: { include: { user: true }, orderBy: { createdAt: 'asc' } } },
  });
  const tier = ORG_SEAT_TIERS[org.seatTier];
  const count = (role: string) => org.members.filter((m) => m.role === role).length;
  return {
    id: org.id,
    name: org.name,
    ownerId: org.ownerId,
    seatTier: org.seatTier,
    seats: {
      coach: { used: count('coach'), limit: tier.coachSeats },
      analyst: { used: count('analyst'), limit: tier.analystSeats },
    },
    members: org.members.map((m) => ({
      userId: m.userId,
      name: m.user.name,
      email: m.user.email,
      role: m.role,
      joinedAt: m.createdAt.toISOString(),
    })),
  };
}

export function orgRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const auth = requireAuth(deps);
  const OrgParam = z.object({ id: z.uuid() });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/orgs',
      tags: ['organisations'],
      summary: 'Create an organisation (Org Pro); you become its admin',
      ...secured,
      middleware: [auth, requireRole('org_pro', 'superuser')],
      request: {
        body: body(
          z
            .object({
              name: z.string().trim().min(1).max(200),
              seatTier: z.enum(ORG_SEAT_TIER_NAMES).default('starter'),
            })
            .strict(),
        ),
      },
      responses: { 201: json(OrgSchema, 'Created'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const me = c.get('user');
      const input = c.req.valid('json');
      const org = await deps.db.organisation.create({
        data: {
          name: input.name,
          seatTier: input.seatTier,
          ownerId: me.id,
          members: { create: { userId: me.id, role: 'admin' } },
        },
      });
      return c.json(await loadOrg(deps, org.id), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/orgs/{id}',
      tags: ['organisations'],
      summary: 'An organisation you belong to, with its members and seat usage',
      ...secured,
      middleware: [auth],
      request: { params: OrgParam },
      responses: { 200: json(OrgSchema, 'The organisation'), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      enforce(c.get('user'), 'read', await organisationFacts(deps.db, c.get('user'), id), 'Organisation');
      return c.json(await loadOrg(deps, id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/orgs/{id}/members',
      tags: ['organisations'],
      summary: 'Add a member by account email; coach and analyst seats are limited by the seat tier',
      ...secured,
      middleware: [auth],
      request: {
        params: OrgParam,
        body: body(z.object({ email: z.email().max(254), role: OrgRole }).strict()),
      },
      responses: { 201: json(OrgSchema, 'Added'), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { email, role } = c.req.valid('json');
      enforce(c.get('user'), 'write', await organisationFacts(deps.db, c.get('user'), id), 'Organisation');
      const user = await deps.db.user.findUnique({ where: { email: normaliseEmail(email) } });
      if (!user) throw notFound('Account');
      // The org row is locked for the seat check and insert: two admins cannot both take the last seat.
      await deps.db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT id FROM organisations WHERE id = ${id}::uuid FOR UPDATE`;
        const org = await tx.organisation.findUniqueOrThrow({ where: { id } });
        if (await tx.orgMember.findUnique({ where: { orgId_userId: { orgId: id, userId: user.id } } })) {
          throw conflict('This account is already a member', 'already_member');
        }
        const limit =
          role === 'coach'
            ? ORG_SEAT_TIERS[org.seatTier].coachSeats
            : role === 'analyst'
              ? ORG_SEAT_TIERS[org.seatTier].analystSeats
              : null;
        if (limit !== null && (await tx.orgMember.count({ where: { orgId: id, role } })) >= limit) {
          throw conflict(
            `All ${limit} ${role} seats of the ${org.seatTier} tier are taken; upgrade the tier or free a seat`,
            'seat_limit_reached',
          );
        }
        await tx.orgMember.create({ data: { orgId: id, userId: user.id, role } });
      });
      return c.json(await loadOrg(deps, id), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/orgs/{id}/members/{userId}',
      tags: ['organisations'],
      summary: 'Remove a member (the owner stays)',
      ...secured,
      middleware: [auth],
      request: { params: z.object({ id: z.uuid(), userId: z.uuid() }) },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, userId } = c.req.valid('param');
      const facts = await organisationFacts(deps.db, c.get('user'), id);
      enforce(c.get('user'), 'write', facts, 'Organisation');
      if (facts!.ownerId === userId)
        throw conflict('The owner cannot be removed from their organisation', 'owner_cannot_leave');
      const removed = await deps.db.orgMember.deleteMany({ where: { orgId: id, userId } });
      if (removed.count === 0) throw notFound('Member');
      return c.body(null, 204);
    },
  );

  return app;
}
