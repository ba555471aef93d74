import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import * as orgs from '../../app/identity/orgs';
import type { Deps } from '../../infra/deps';
import { requireAuth, requireRole, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, IdParam, json, secured } from '../openapi';
import { AddMemberBody, CreateOrgBody, MemberParam, OrgSchema } from './schemas';
import { organisationView } from './views';

export function orgRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const auth = requireAuth(deps);
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/orgs',
      operationId: 'createOrg',
      tags: ['organisations'],
      summary: 'Create an organisation (Org Pro); you become its admin',
      ...secured,
      middleware: [auth, requireRole('org_pro', 'superuser')],
      request: { body: body(CreateOrgBody) },
      responses: { 201: json(OrgSchema, 'Created'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const org = await orgs.createOrganisation(db, c.get('user').id, c.req.valid('json'));
      return c.json(organisationView(org), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/orgs/{id}',
      operationId: 'getOrg',
      tags: ['organisations'],
      summary: 'An organisation you belong to, with its members and seat usage',
      ...secured,
      middleware: [auth],
      request: { params: IdParam },
      responses: { 200: json(OrgSchema, 'The organisation'), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const org = await orgs.organisation(db, c.get('user'), c.req.valid('param').id);
      return c.json(organisationView(org), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/orgs/{id}/members',
      operationId: 'inviteOrgMember',
      tags: ['organisations'],
      summary: 'Add a member by account email; coach and analyst seats are limited by the seat tier',
      ...secured,
      middleware: [auth],
      request: { params: IdParam, body: body(AddMemberBody) },
      responses: { 201: json(OrgSchema, 'Added'), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const org = await orgs.addMember(db, c.get('user'), c.req.valid('param').id, c.req.valid('json'));
      return c.json(organisationView(org), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/orgs/{id}/members/{userId}',
      operationId: 'removeOrgMember',
      tags: ['organisations'],
      summary: 'Remove a member (the owner stays)',
      ...secured,
      middleware: [auth],
      request: { params: MemberParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404, 409) },
    }),
    async (c) => {
      const { id, userId } = c.req.valid('param');
      await orgs.removeMember(db, c.get('user'), id, userId);
      return c.body(null, 204);
    },
  );

  return app;
}
