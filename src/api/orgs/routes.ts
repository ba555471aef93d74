import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import * as orgs from '../../app/identity/orgs';
import type { Deps } from '../../infra/deps';
import { requireAuth, requireRole, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, IdParam, json, listOf, secured } from '../openapi';
import {
  AddMemberBody,
  CreateOrgBody,
  InvitationParam,
  MemberParam,
  OrgIdParam,
  OrgInvitationSchema,
  OrgMembershipSchema,
  OrgSchema,
} from './schemas';
import { membershipView, organisationView, orgInvitationView } from './views';

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
      summary: 'Invite someone by email for a role; they become a member when they accept',
      description:
        'Nobody is added without their consent: this records an invitation, which the invitee accepts at POST /api/me/orgs/{orgId}/accept (or declines). It is recorded whether or not the address has an account and the answer is the same either way. A coach or analyst invitation holds its seat of the seat tier (a seat gives its holder Coach Pro or Analyst Pro while they are a member); admins and players take no seat. The answer is the organisation (members are the people who accepted; seats count pending invitations) and a Location header naming the invitation.',
      ...secured,
      middleware: [auth],
      request: { params: IdParam, body: body(AddMemberBody) },
      responses: {
        201: {
          ...json(OrgSchema, 'Invitation recorded'),
          headers: {
            Location: {
              description: 'The invitation: /api/orgs/{id}/invitations/{invitationId}',
              schema: { type: 'string' },
            },
          },
        },
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const orgId = c.req.valid('param').id;
      const { org, invitationId } = await orgs.inviteMember(db, c.get('user'), orgId, c.req.valid('json'));
      c.header('Location', `/api/orgs/${orgId}/invitations/${invitationId}`);
      return c.json(organisationView(org), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/orgs/{id}/invitations',
      operationId: 'listOrgInvitations',
      tags: ['organisations'],
      summary: 'Pending invitations (admins): the address and role, never whose account it is',
      ...secured,
      middleware: [auth],
      request: { params: IdParam },
      responses: {
        200: json(listOf(OrgInvitationSchema), 'Pending invitations'),
        ...errorResponses(401, 403, 404),
      },
    }),
    async (c) => {
      const items = await orgs.invitations(db, c.get('user'), c.req.valid('param').id);
      return c.json({ items: items.map(orgInvitationView) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/orgs/{id}/invitations/{invitationId}',
      operationId: 'withdrawOrgInvitation',
      tags: ['organisations'],
      summary: 'Withdraw an invitation (admins); its seat is free again',
      ...secured,
      middleware: [auth],
      request: { params: InvitationParam },
      responses: { 204: { description: 'Withdrawn' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const { id, invitationId } = c.req.valid('param');
      await orgs.withdrawInvitation(db, c.get('user'), id, invitationId);
      return c.body(null, 204);
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

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/me/orgs',
      operationId: 'listMyOrgs',
      tags: ['organisations'],
      summary: 'Your organisations, and invitations waiting for you',
      ...secured,
      middleware: [auth],
      responses: { 200: json(listOf(OrgMembershipSchema), 'Organisations'), ...errorResponses(401) },
    }),
    async (c) => {
      const items = await orgs.membershipsOf(db, c.get('user'));
      return c.json({ items: items.map(membershipView) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/me/orgs/{orgId}/accept',
      operationId: 'acceptOrgInvitation',
      tags: ['organisations'],
      summary: 'Accept an organisation’s invitation: you become a member in the role offered',
      description:
        'What joining shares: your name, email and plan with the organisation’s admins (the member list). Your videos, clips and annotations are not shared with the organisation. A coach or analyst seat gives you Coach Pro or Analyst Pro while you stay (when that is more than your own plan).',
      ...secured,
      middleware: [auth],
      request: { params: OrgIdParam },
      responses: { 200: json(OrgMembershipSchema, 'Accepted'), ...errorResponses(401, 404, 409) },
    }),
    async (c) => {
      const membership = await orgs.acceptMembership(db, c.get('user'), c.req.valid('param').orgId);
      return c.json(membershipView(membership), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/me/orgs/{orgId}',
      operationId: 'leaveOrg',
      tags: ['organisations'],
      summary: 'Leave an organisation (or decline its invitation); the owner cannot leave their own',
      ...secured,
      middleware: [auth],
      request: { params: OrgIdParam },
      responses: { 204: { description: 'Left' }, ...errorResponses(401, 404, 409) },
    }),
    async (c) => {
      await orgs.leaveOrganisation(db, c.get('user'), c.req.valid('param').orgId);
      return c.body(null, 204);
    },
  );

  return app;
}
