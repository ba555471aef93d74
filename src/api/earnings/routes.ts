import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { earningsOf } from '../../app/earnings/earnings';
import type { Deps } from '../../infra/deps';
import { requireAuth, type AuthedVars } from '../middleware/auth';
import { errorResponses, json, secured } from '../openapi';
import { EarningsQuery, EarningsSchema } from './schemas';
import { earningsView } from './views';

// A coach's earnings from the ledger (docs/adr/0013-ledger.md). Open to any signed-in user, not only
// current coaching plans: a coach who has downgraded is still owed what they earned.

export function earningsRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const auth = requireAuth(deps);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/earnings',
      operationId: 'getCoachEarnings',
      tags: ['coaches'],
      summary:
        'Your earnings: balances (pending, available, paid out) as of the period end, the period totals and its ledger movements, newest first',
      ...secured,
      middleware: [auth],
      request: { query: EarningsQuery },
      responses: { 200: json(EarningsSchema, 'Earnings'), ...errorResponses(400, 401) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const earnings = await earningsOf(deps, c.get('user').id, {
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        limit: q.limit,
        offset: q.offset,
      });
      return c.json(earningsView(earnings), 200);
    },
  );

  return app;
}
