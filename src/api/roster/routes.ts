import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Deps } from '../../infra/deps';
import { normaliseEmail } from '../../app/identity/accounts';
import { playerFacts } from '../../data/access';
import { enforce } from '../middleware/authorize';
import { badRequest, conflict, notFound } from '../errors';
import { requireAuth, requireFeature, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, json, listOf, RoleSchema, secured } from '../openapi';

const RosterEntry = z
  .object({
    coachId: z.uuid(),
    playerId: z.uuid(),
    status: z.enum(['invited', 'active']),
    invitedAt: z.string(),
    acceptedAt: z.string().nullable(),
    person: z.object({ id: z.uuid(), name: z.string(), email: z.string() }),
  })
  .openapi('RosterEntry');

type Row = {
  coachId: string;
  playerId: string;
  status: 'invited' | 'active';
  invitedAt: Date;
  acceptedAt: Date | null;
};
const entry = (r: Row, person: { id: string; name: string; email: string }) => ({
  coachId: r.coachId,
  playerId: r.playerId,
  status: r.status,
  invitedAt: r.invitedAt.toISOString(),
  acceptedAt: r.acceptedAt?.toISOString() ?? null,
  person: { id: person.id, name: person.name, email: person.email },
});

const PlayerSchema = z
  .object({ id: z.uuid(), name: z.string(), email: z.string(), role: RoleSchema })
  .openapi('Player');

export function rosterRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const auth = requireAuth(deps);
  const coach = [auth, requireFeature('player_assignment')];
  const CoachIdParam = z.object({ coachId: z.uuid() });
  const PlayerIdParam = z.object({ playerId: z.uuid() });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/me/players',
      tags: ['roster'],
      summary: 'Invite an athlete (by the email of their account) to your roster',
      ...secured,
      middleware: coach,
      request: { body: body(z.object({ email: z.email().max(254) }).strict()) },
      responses: { 201: json(RosterEntry, 'Invited'), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const me = c.get('user');
      const player = await deps.db.user.findUnique({
        where: { email: normaliseEmail(c.req.valid('json').email) },
      });
      if (!player) throw notFound('Athlete account');
      if (player.id === me.id)
        throw badRequest('You cannot add yourself to your own roster', [
          { field: 'email', reason: 'is your own account' },
        ]);
      const existing = await deps.db.coachPlayer.findUnique({
        where: { coachId_playerId: { coachId: me.id, playerId: player.id } },
      });
      if (existing)
        throw conflict(`This athlete is already on your roster (${existing.status})`, 'already_on_roster');
      const row = await deps.db.coachPlayer.create({ data: { coachId: me.id, playerId: player.id } });
      return c.json(entry(row, player), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/players',
      tags: ['roster'],
      summary: 'Your roster (invited and active athletes)',
      ...secured,
      middleware: coach,
      responses: {
        200: json(listOf(RosterEntry), 'Roster'),
        ...errorResponses(401, 403),
      },
    }),
    async (c) => {
      const rows = await deps.db.coachPlayer.findMany({
        where: { coachId: c.get('user').id },
        include: { player: true },
        orderBy: { invitedAt: 'asc' },
      });
      return c.json({ items: rows.map((r) => entry(r, r.player)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/me/players/{playerId}',
      tags: ['roster'],
      summary: 'Remove an athlete from your roster',
      ...secured,
      middleware: coach,
      request: { params: PlayerIdParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const removed = await deps.db.coachPlayer.deleteMany({
        where: { coachId: c.get('user').id, playerId: c.req.valid('param').playerId },
      });
      if (removed.count === 0) throw notFound('Roster entry');
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/me/coaches',
      tags: ['roster'],
      summary: 'Your coaches, and invitations waiting for you',
      ...secured,
      middleware: [auth],
      responses: { 200: json(listOf(RosterEntry), 'Coaches'), ...errorResponses(401) },
    }),
    async (c) => {
      const rows = await deps.db.coachPlayer.findMany({
        where: { playerId: c.get('user').id },
        include: { coach: true },
        orderBy: { invitedAt: 'asc' },
      });
      return c.json({ items: rows.map((r) => entry(r, r.coach)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/me/coaches/{coachId}/accept',
      tags: ['roster'],
      summary: 'Accept a coach’s invitation',
      ...secured,
      middleware: [auth],
      request: { params: CoachIdParam },
      responses: { 200: json(RosterEntry, 'Accepted'), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const { coachId } = c.req.valid('param');
      const playerId = c.get('user').id;
      const updated = await deps.db.coachPlayer.updateMany({
        where: { coachId, playerId, status: 'invited' },
        data: { status: 'active', acceptedAt: new Date() },
      });
      const row = await deps.db.coachPlayer.findUnique({
        where: { coachId_playerId: { coachId, playerId } },
        include: { coach: true },
      });
      if (!row || (updated.count === 0 && row.status !== 'active')) throw notFound('Invitation');
      return c.json(entry(row, row.coach), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/me/coaches/{coachId}',
      tags: ['roster'],
      summary: 'Leave a coach (or decline the invitation)',
      ...secured,
      middleware: [auth],
      request: { params: CoachIdParam },
      responses: { 204: { description: 'Left' }, ...errorResponses(401, 404) },
    }),
    async (c) => {
      const removed = await deps.db.coachPlayer.deleteMany({
        where: { coachId: c.req.valid('param').coachId, playerId: c.get('user').id },
      });
      if (removed.count === 0) throw notFound('Coach');
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/players/{playerId}',
      tags: ['roster'],
      summary: 'An athlete’s account, for the athlete, their active coaches and their org admins',
      ...secured,
      middleware: [auth],
      request: { params: PlayerIdParam },
      responses: { 200: json(PlayerSchema, 'The athlete'), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const { playerId } = c.req.valid('param');
      enforce(c.get('user'), 'read', await playerFacts(deps.db, c.get('user'), playerId), 'Player');
      const p = await deps.db.user.findUniqueOrThrow({ where: { id: playerId } });
      return c.json({ id: p.id, name: p.name, email: p.email, role: p.role }, 200);
    },
  );

  return app;
}
