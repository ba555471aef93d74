import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { effectiveLimits, planFor, PLAN_CURRENCY } from '../../domain/billing/plans';
import type { Deps } from '../../infra/deps';
import * as accounts from '../../app/identity/accounts';
import { currentUsage, usagePeriod } from '../../data/usage';
import { clientInfo } from '../middleware/client-info';
import { DomainError } from '../errors';
import { requireAuth, type AuthedVars } from '../middleware/auth';
import { body, EntitlementsSchema, errorResponses, json, secured, UserSchema, userView } from '../openapi';

// Trimmed before checking, so a pasted address with stray spaces still registers.
const Email = z.string().trim().pipe(z.email().max(254));
const Password = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(200, 'must be at most 200 characters');

const TokensSchema = z
  .object({
    token: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int(),
  })
  .openapi('Tokens');
const SessionSchema = TokensSchema.extend({ user: UserSchema }).openapi('Session');

const KIND = {
  email_taken: 'conflict',
  invalid_credentials: 'unauthenticated',
  rate_limited: 'rate_limited',
  invalid_refresh_token: 'unauthenticated',
} as const;

function toApiError(err: unknown): never {
  if (err instanceof accounts.AccountError) {
    throw new DomainError(
      KIND[err.kind],
      err.kind,
      err.message,
      undefined,
      err.retryAfterSeconds || undefined,
    );
  }
  throw err;
}

export function authRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const auth = requireAuth(deps);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/auth/register',
      tags: ['auth'],
      summary: 'Create an account (free plan) and log in',
      request: {
        body: body(
          z.object({ email: Email, password: Password, name: z.string().trim().min(1).max(100) }).strict(),
        ),
      },
      responses: { 201: json(SessionSchema, 'Account created'), ...errorResponses(400, 409) },
    }),
    async (c) => {
      const { user, tokens } = await accounts
        .register(deps.db, deps.cfg, c.req.valid('json'), clientInfo(c, deps.cfg.TRUST_PROXY))
        .catch(toApiError);
      return c.json({ ...tokens, user: userView(user) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/auth/login',
      tags: ['auth'],
      summary: 'Exchange email and password for an access token and a refresh token',
      request: { body: body(z.object({ email: Email, password: z.string().min(1).max(200) }).strict()) },
      responses: { 200: json(SessionSchema, 'Logged in'), ...errorResponses(400, 401, 429) },
    }),
    async (c) => {
      const { user, tokens } = await accounts
        .login(deps.db, deps.cfg, c.req.valid('json'), clientInfo(c, deps.cfg.TRUST_PROXY))
        .catch(toApiError);
      return c.json({ ...tokens, user: userView(user) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/auth/refresh',
      tags: ['auth'],
      summary: 'Rotate the refresh token and get a new access token',
      request: { body: body(z.object({ refreshToken: z.string().min(1).max(200) }).strict()) },
      responses: { 200: json(TokensSchema, 'New tokens'), ...errorResponses(400, 401) },
    }),
    async (c) =>
      c.json(
        await accounts.refresh(deps.db, deps.cfg, c.req.valid('json').refreshToken).catch(toApiError),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/auth/logout',
      tags: ['auth'],
      summary: 'End this session: the access and refresh tokens stop working at once',
      ...secured,
      middleware: [auth] as const,
      responses: { 204: { description: 'Logged out' }, ...errorResponses(401) },
    }),
    async (c) => {
      await accounts.logout(deps.db, c.get('user').sessionId);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/me',
      tags: ['auth'],
      summary: 'The current user',
      ...secured,
      middleware: [auth] as const,
      responses: { 200: json(UserSchema, 'You'), ...errorResponses(401) },
    }),
    async (c) => {
      const user = await deps.db.user.findUniqueOrThrow({ where: { id: c.get('user').id } });
      return c.json(userView(user), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/me/entitlements',
      tags: ['auth'],
      summary: 'Effective features, limits and current usage of your plan (drives upgrade prompts)',
      ...secured,
      middleware: [auth] as const,
      responses: { 200: json(EntitlementsSchema, 'Your entitlements'), ...errorResponses(401) },
    }),
    async (c) => {
      const { id, role } = c.get('user');
      const plan = planFor(role);
      const orgTier =
        role === 'org_pro'
          ? (await deps.db.organisation.findFirst({ where: { ownerId: id }, select: { seatTier: true } }))
              ?.seatTier
          : undefined;
      const limits = effectiveLimits(role, orgTier);
      const [aiUsed, storageUsed] = await Promise.all([
        currentUsage(deps.db, id, 'ai_reports'),
        currentUsage(deps.db, id, 'storage_bytes'),
      ]);
      return c.json(
        {
          role,
          plan: { name: plan.name, priceMonthlyMinor: plan.priceMonthlyMinor, currency: PLAN_CURRENCY },
          features: plan.features,
          limits,
          usage: {
            ai_reports: {
              used: aiUsed,
              limit: limits.ai_reports_per_month,
              period: usagePeriod('ai_reports'),
            },
            storage_bytes: {
              used: storageUsed,
              limit: limits.storage_quota_bytes,
              period: usagePeriod('storage_bytes'),
            },
          },
        },
        200,
      );
    },
  );

  return app;
}
