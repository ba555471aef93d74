import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { payoutAccountStatus, payoutHistory, startPayoutOnboarding } from '../../app/payouts/account';
import type { Deps } from '../../infra/deps';
import { requireAuth, requireFeature, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, json, pageOf, secured } from '../openapi';
import {
  ConnectAccountBody,
  ListPayoutsQuery,
  OnboardingSchema,
  PayoutAccountSchema,
  PayoutSchema,
} from './schemas';
import { payoutAccountView, payoutView } from './views';

// A coach's payouts: connect a Stripe account (onboarding link), its readiness, and payout history.
// Payouts themselves run on the coach's Temporal Schedule (workflows/payouts).

export function payoutRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const gate = [requireAuth(deps), requireFeature('paid_sessions_enabled')] as const;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/me/payouts/account',
      operationId: 'connectPayoutAccount',
      tags: ['payouts'],
      summary:
        'Connect a Stripe Express account for payouts (created once) and get a fresh onboarding link to Stripe',
      ...secured,
      middleware: [...gate],
      request: { body: { ...body(ConnectAccountBody), required: false } },
      responses: {
        200: json(OnboardingSchema, 'The account and an onboarding link'),
        ...errorResponses(400, 401, 403, 409, 503),
      },
    }),
    async (c) => {
      const user = c.get('user');
      // The body is optional: without one (no JSON content type) nothing is validated and GB applies.
      const input = c.req.valid('json') as { country?: string } | undefined;
      const onboarding = await startPayoutOnboarding(deps, user, { country: input?.country ?? 'GB' });
      return c.json(
        {
          account: payoutAccountView(onboarding),
          onboardingUrl: onboarding.onboardingUrl,
          onboardingExpiresAt: onboarding.onboardingExpiresAt.toISOString(),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/payouts/account',
      operationId: 'getPayoutAccount',
      tags: ['payouts'],
      summary: 'Your Stripe account’s payout readiness, as Stripe last reported it',
      ...secured,
      middleware: [...gate],
      responses: { 200: json(PayoutAccountSchema, 'Readiness'), ...errorResponses(401, 403) },
    }),
    async (c) => {
      const status = await payoutAccountStatus(deps, c.get('user').id);
      return c.json(payoutAccountView(status), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/payouts',
      operationId: 'listPayouts',
      tags: ['payouts'],
      summary: 'Your payouts, newest first, with status, (failed) the reason and what Stripe reversed',
      ...secured,
      middleware: [...gate],
      request: { query: ListPayoutsQuery },
      responses: { 200: json(pageOf(PayoutSchema), 'Payouts'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const page = c.req.valid('query');
      const { items, total } = await payoutHistory(deps.db, c.get('user').id, page);
      return c.json({ items: items.map(payoutView), total }, 200);
    },
  );

  return app;
}
