import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import * as roster from '../../app/identity/roster';
import type { Deps } from '../../infra/deps';
import { requireAuth, requireFeature, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, json, listOf, secured } from '../openapi';
import { CoachIdParam, InviteBody, PlayerIdParam, PlayerSchema, RosterEntrySchema } from './schemas';
import { playerView, rosterEntryView } from './views';

export function rosterRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const auth = requireAuth(deps);
  const coach = [auth, requireFeature('player_assignment')];
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/me/players',
      operationId: 'invitePlayer',
      tags: ['roster'],
      summary: 'Invite an athlete to your roster by email',
      description:
        'The invitation is recorded whether or not the address has an account (whoever registers it may accept), and the answer is the same either way: until the athlete accepts, the entry shows only the address, and `playerId`/`person.id` are the invitation’s id.',
      ...secured,
      middleware: coach,
      request: { body: body(InviteBody) },
      responses: { 201: json(RosterEntrySchema, 'Invited'), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const entry = await roster.invitePlayer(db, c.get('user'), c.req.valid('json').email);
      return c.json(rosterEntryView(entry), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/players',
      operationId: 'listPlayers',
      tags: ['roster'],
      summary: 'Your roster (invited and active athletes)',
      ...secured,
      middleware: coach,
      responses: { 200: json(listOf(RosterEntrySchema), 'Roster'), ...errorResponses(401, 403) },
    }),
    async (c) => {
      const entries = await roster.rosterOf(db, c.get('user').id);
      return c.json({ items: entries.map(rosterEntryView) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/me/players/{playerId}',
      operationId: 'removePlayer',
      tags: ['roster'],
      summary:
        'Remove an athlete from your roster, or withdraw an invitation (by the id the roster shows for it)',
      ...secured,
      middleware: coach,
      request: { params: PlayerIdParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      await roster.removePlayer(db, c.get('user').id, c.req.valid('param').playerId);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/me/coaches',
      operationId: 'listMyCoaches',
      tags: ['roster'],
      summary: 'Your coaches, and invitations waiting for you',
      ...secured,
      middleware: [auth],
      responses: { 200: json(listOf(RosterEntrySchema), 'Coaches'), ...errorResponses(401) },
    }),
    async (c) => {
      const entries = await roster.coachesOf(db, c.get('user'));
      return c.json({ items: entries.map(rosterEntryView) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/me/coaches/{coachId}/accept',
      operationId: 'acceptCoachInvitation',
      tags: ['roster'],
      summary: 'Accept a coach’s invitation',
      ...secured,
      middleware: [auth],
      request: { params: CoachIdParam },
      responses: { 200: json(RosterEntrySchema, 'Accepted'), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const entry = await roster.acceptInvitation(db, c.get('user'), c.req.valid('param').coachId);
      return c.json(rosterEntryView(entry), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/me/coaches/{coachId}',
      operationId: 'leaveCoach',
      tags: ['roster'],
      summary: 'Leave a coach (or decline the invitation)',
      ...secured,
      middleware: [auth],
      request: { params: CoachIdParam },
      responses: { 204: { description: 'Left' }, ...errorResponses(401, 404) },
    }),
    async (c) => {
      await roster.leaveCoach(db, c.get('user'), c.req.valid('param').coachId);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/players/{playerId}',
      operationId: 'getPlayer',
      tags: ['roster'],
      summary: 'An athlete’s account, for the athlete, their active coaches and their org admins',
      ...secured,
      middleware: [auth],
      request: { params: PlayerIdParam },
      responses: { 200: json(PlayerSchema, 'The athlete'), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const player = await roster.playerAccount(db, c.get('user'), c.req.valid('param').playerId);
      return c.json(playerView(player), 200);
    },
  );

  return app;
}
