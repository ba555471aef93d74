import { lazyChild } from '../../infra/logger';
import { isUuid } from '../../domain/shared/ids';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import {
  completePaidSession,
  createPaidSession,
  heartbeat,
  listMyPaidSessions,
  paidSessionStatus,
  sessionLecturePlayback,
  startPaidSession,
} from '../../app/paid-sessions/sessions';
import type { Deps } from '../../infra/deps';
import { verifyAccessToken } from '../../infra/tokens';
import { unauthenticated } from '../../domain/shared/errors';
import { requireAuth, type AuthedVars } from '../middleware/auth';
import type { RequestVars } from '../middleware/request-context';
import { z } from '@hono/zod-openapi';
import { LecturePlaybackSchema } from '../courses/schemas';
import { playbackView } from '../courses/views';
import { body, errorResponses, IdParam, json, pageOf, secured } from '../openapi';
import {
  CreatePaidSessionBody,
  ListPaidSessionsQuery,
  MetricsAnswer,
  MetricsBody,
  OnePaidSession,
  PaidSessionSchema,
} from './schemas';
import { paidSessionView } from './views';

// Pay-per-minute viewing (seed 002's paths, kept exactly). src/app/paid-sessions does the work.

type HeartbeatVars = RequestVars & { caller: { id: string; authSessionId: string } };

/**
 * The heartbeat's authentication: the access token's signature and expiry here, its login session
 * (not revoked, not expired, this user's) inside the heartbeat statement itself, so the hot path
 * makes one round trip to Postgres instead of two (docs/adr/0012). The same checks as requireAuth.
 */
function heartbeatAuth(deps: Pick<Deps, 'cfg'>) {
  return createMiddleware<{ Variables: HeartbeatVars }>(async (c, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (!match) throw unauthenticated('Missing bearer token (Authorization: Bearer <token>)');
    const claims = await verifyAccessToken(deps.cfg, match[1]!);
    if (!claims || !isUuid(claims.sub) || !isUuid(claims.sid))
      throw unauthenticated('Invalid or expired token');
    c.set('caller', { id: claims.sub, authSessionId: claims.sid });
    c.set('log', lazyChild(c.get('log'), { userId: claims.sub }));
    c.set('quietAccessLog', true);
    await next();
  });
}

export function paidSessionRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars & HeartbeatVars }>();
  const auth = requireAuth(deps);
  const tags = ['paid sessions'];

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/sessions/create',
      operationId: 'createPaidSession',
      tags,
      summary:
        'Lock funds for pay-per-minute viewing of a course: a manual-capture PaymentIntent for locked_amount (status locked)',
      ...secured,
      middleware: [auth],
      request: { body: body(CreatePaidSessionBody) },
      responses: {
        201: json(OnePaidSession, 'Locked; confirm the PaymentIntent with payment.client_secret'),
        ...errorResponses(400, 401, 403, 404, 409, 503),
      },
    }),
    async (c) => {
      const user = c.get('user');
      const b = c.req.valid('json');
      const s = await createPaidSession(deps, user, {
        courseId: b.course_id,
        lockedAmount: b.locked_amount,
        studentId: b.student_id,
      });
      return c.json({ session: paidSessionView(s, user) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/sessions/{id}/start',
      operationId: 'startPaidSession',
      tags,
      summary: 'Start watching (the student, once the card has authorised the lock): status active',
      ...secured,
      middleware: [auth],
      request: { params: IdParam },
      responses: { 200: json(OnePaidSession, 'Active'), ...errorResponses(401, 404, 409, 429, 503) },
    }),
    async (c) => {
      const user = c.get('user');
      const s = await startPaidSession(deps, user, c.req.valid('param').id);
      return c.json({ session: paidSessionView(s, user) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/sessions/{id}/metrics',
      operationId: 'reportPaidSessionMetrics',
      tags,
      summary:
        'Heartbeat (every 5 s while playing): idempotent by seq, monotonic; answers the running cost and progress',
      ...secured,
      middleware: [heartbeatAuth(deps)],
      request: { params: IdParam, body: body(MetricsBody) },
      responses: {
        200: json(MetricsAnswer, 'Recorded (or already recorded)'),
        ...errorResponses(400, 401, 404, 409, 503),
      },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      const b = c.req.valid('json');
      const r = await heartbeat(deps, c.get('caller'), id, {
        seq: b.seq,
        durationSeconds: b.duration_seconds,
        completionPct: b.completion_pct,
        currentLecture: b.current_lecture,
        positionSeconds: b.position_seconds,
      });
      return c.json(
        {
          session_id: id,
          seq: b.seq,
          duplicate: r.duplicate,
          duration_seconds: r.durationSeconds,
          billed_seconds: r.billedSeconds,
          running_cost: r.costMinor,
          locked_amount: r.lockedMinor,
          remaining: r.lockedMinor - r.costMinor,
          currency: r.currency,
          completion_pct: r.completionPct,
          content_progress: r.contentProgress,
          funds_used_up: r.fundsUsedUp,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/sessions/{id}/complete',
      operationId: 'completePaidSession',
      tags,
      summary:
        'End and settle: capture exactly the cost (the rest of the hold is released), or cancel the PaymentIntent when nothing is owed',
      ...secured,
      middleware: [auth],
      request: { params: IdParam },
      responses: {
        200: json(OnePaidSession, 'Settled (or settling)'),
        ...errorResponses(401, 404, 409, 429, 503),
      },
    }),
    async (c) => {
      const user = c.get('user');
      const s = await completePaidSession(deps, user, c.req.valid('param').id);
      return c.json({ session: paidSessionView(s, user) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/sessions/{id}/status',
      operationId: 'getPaidSession',
      tags,
      summary: 'One paid session (its student or its coach)',
      ...secured,
      middleware: [auth],
      request: { params: IdParam },
      responses: { 200: json(OnePaidSession, 'The session'), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const user = c.get('user');
      const s = await paidSessionStatus(deps, user, c.req.valid('param').id);
      return c.json({ session: paidSessionView(s, user) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/sessions/{id}/lectures/{position}/playback',
      operationId: 'getPaidSessionLecturePlayback',
      tags,
      summary:
        'Short-lived playback URLs of a lecture (by its position) for the student of an active session',
      ...secured,
      middleware: [auth],
      request: {
        params: IdParam.extend({ position: z.coerce.number().int().min(1).max(100_000) }),
      },
      responses: {
        200: json(LecturePlaybackSchema, 'Playback'),
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const { id, position } = c.req.valid('param');
      return c.json(playbackView(await sessionLecturePlayback(deps, c.get('user'), id, position)), 200);
    },
  );

  for (const [path, as, operationId, summary] of [
    ['/api/me/sessions', 'student', 'listMyPaidSessions', 'Your paid sessions as the student, newest first'],
    [
      '/api/coaches/me/sessions',
      'coach',
      'listCoachPaidSessions',
      'Paid sessions of your courses, newest first',
    ],
  ] as const) {
    app.openapi(
      createRoute({
        method: 'get',
        path,
        operationId,
        tags,
        summary,
        ...secured,
        middleware: [auth],
        request: { query: ListPaidSessionsQuery },
        responses: { 200: json(pageOf(PaidSessionSchema), 'Paid sessions'), ...errorResponses(400, 401) },
      }),
      async (c) => {
        const user = c.get('user');
        const { items, total } = await listMyPaidSessions(deps, user, as, c.req.valid('query'));
        return c.json({ items: items.map((s) => paidSessionView(s, user)), total }, 200);
      },
    );
  }

  return app;
}
