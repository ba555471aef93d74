import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { coachReport, coachReportSvg, type ReportQuery as Query } from '../../app/analytics/analytics';
import { ingest } from '../../app/analytics/analytics';
import { authenticate } from '../../app/identity/accounts';
import { unauthenticated } from '../../domain/shared/errors';
import type { Deps } from '../../infra/deps';
import { clientInfo } from '../middleware/client-info';
import { bearerToken, requireAuth, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, json, secured } from '../openapi';
import { AnalyticsReport, EventsBody, IngestResult, ReportQuery } from './schemas';

// Analytics ingest (with or without an account) and the coach's report, as JSON and as a picture.

const DAY_MS = 86_400_000;
const OPTIONAL_AUTH: Record<string, string[]>[] = [{}, { bearerAuth: [] }];
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Default range: the last 30 UTC days, today included. */
function rangeOf(q: { from?: string; to?: string; granularity: Query['granularity'] }): Query {
  const to = q.to ?? isoDay(Date.now());
  const from = q.from ?? isoDay(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS);
  return { from, to, granularity: q.granularity };
}

export function analyticsRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const auth = requireAuth(deps);
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/analytics/events',
      operationId: 'ingestAnalyticsEvents',
      tags: ['analytics'],
      summary:
        'Report up to 100 page views / CTA clicks / course views, each with an idempotency key (a repeat is accepted, counted once). Without a token: rate limited per address',
      // Optional bearer token: anonymous (public pages) or signed in.
      security: OPTIONAL_AUTH,
      request: { body: body(EventsBody) },
      responses: { 200: json(IngestResult, 'Stored'), ...errorResponses(400, 401, 429) },
    }),
    async (c) => {
      const header = c.req.header('authorization');
      let userId: string | null = null;
      if (header) {
        const token = bearerToken(header);
        if (!token) throw unauthenticated('Malformed Authorization header (Authorization: Bearer <token>)');
        userId = (await authenticate(db, deps.cfg, token)).id;
      }
      const result = await ingest(db, {
        events: c.req.valid('json').events,
        userId,
        ip: clientInfo(c, deps.cfg).ip,
      });
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/analytics',
      operationId: 'getMyAnalytics',
      tags: ['analytics'],
      summary:
        'Coach: views, CTA clicks, checkouts, purchases, bookings and revenue per period, and the funnel (UTC days; refreshed every few minutes)',
      ...secured,
      middleware: [auth],
      request: { query: ReportQuery },
      responses: { 200: json(AnalyticsReport, 'Your numbers'), ...errorResponses(400, 401) },
    }),
    async (c) => c.json(await coachReport(db, c.get('user').id, rangeOf(c.req.valid('query'))), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/analytics/funnel.svg',
      operationId: 'getMyAnalyticsSvg',
      tags: ['analytics'],
      summary:
        'Coach: the funnel and revenue per period as an SVG picture, from the same numbers as the JSON',
      ...secured,
      middleware: [auth],
      request: { query: ReportQuery },
      responses: {
        200: { description: 'SVG', content: { 'image/svg+xml': { schema: z.string() } } },
        ...errorResponses(400, 401),
      },
    }),
    async (c) => {
      const svg = await coachReportSvg(db, c.get('user').id, rangeOf(c.req.valid('query')));
      return c.body(svg, 200, { 'content-type': 'image/svg+xml; charset=utf-8' });
    },
  );

  return app;
}
