import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import * as accounts from '../../app/identity/accounts';
import { entitlementsOf } from '../../app/identity/entitlements';
import type { Deps } from '../../infra/deps';
import { requireAuth, type AuthedVars } from '../middleware/auth';
import { clientInfo } from '../middleware/client-info';
import { body, errorResponses, json, secured } from '../openapi';
import {
  AuthSessionSchema,
  EntitlementsSchema,
  LoginBody,
  RefreshBody,
  RegisterBody,
  TokensSchema,
  UserSchema,
} from './schemas';
import { authSessionView, userView } from './views';

export function authRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const auth = requireAuth(deps);
  const { db, cfg } = deps;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/auth/register',
      operationId: 'registerAccount',
      security: [],
      tags: ['auth'],
      summary: 'Create an account (free plan) and log in',
      request: { body: body(RegisterBody) },
      responses: { 201: json(AuthSessionSchema, 'Account created'), ...errorResponses(400, 409) },
    }),
    async (c) => {
      const client = clientInfo(c, cfg);
      const { user, tokens } = await accounts.register(db, cfg, c.req.valid('json'), client);
      return c.json(authSessionView(user, tokens), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/auth/login',
      operationId: 'logIn',
      security: [],
      tags: ['auth'],
      summary: 'Exchange email and password for an access token and a refresh token',
      request: { body: body(LoginBody) },
      responses: { 200: json(AuthSessionSchema, 'Logged in'), ...errorResponses(400, 401, 429) },
    }),
    async (c) => {
      const client = clientInfo(c, cfg);
      const { user, tokens } = await accounts.login(db, cfg, c.req.valid('json'), client);
      return c.json(authSessionView(user, tokens), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/auth/refresh',
      operationId: 'refreshSession',
      security: [],
      tags: ['auth'],
      summary: 'Rotate the refresh token and get a new access token',
      request: { body: body(RefreshBody) },
      responses: { 200: json(TokensSchema, 'New tokens'), ...errorResponses(400, 401) },
    }),
    async (c) => c.json(await accounts.refresh(db, cfg, c.req.valid('json').refreshToken), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/auth/logout',
      operationId: 'logOut',
      tags: ['auth'],
      summary: 'End this session: the access and refresh tokens stop working at once',
      ...secured,
      middleware: [auth] as const,
      responses: { 204: { description: 'Logged out' }, ...errorResponses(401) },
    }),
    async (c) => {
      await accounts.logout(db, c.get('user').authSessionId);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/me',
      operationId: 'getCurrentUser',
      tags: ['auth'],
      summary: 'The current user',
      ...secured,
      middleware: [auth] as const,
      responses: { 200: json(UserSchema, 'You'), ...errorResponses(401) },
    }),
    async (c) => c.json(userView(await accounts.currentUser(db, c.get('user').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/me/entitlements',
      operationId: 'getEntitlements',
      tags: ['auth'],
      summary: 'Effective features, limits and current usage of your plan (drives upgrade prompts)',
      ...secured,
      middleware: [auth] as const,
      responses: { 200: json(EntitlementsSchema, 'Your entitlements'), ...errorResponses(401) },
    }),
    async (c) => c.json(await entitlementsOf(db, c.get('user')), 200),
  );

  return app;
}
