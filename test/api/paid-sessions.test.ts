import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import type { Config } from '../../src/infra/config';
import { workflowIds } from '../../workflows/shared/ids';
import { postStripeEvent, recordStripeRequests, waitUntil } from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { messagesTo, readMessage, waitForMessages } from '../support/mailbox';
import {
  capturableEvent,
  createPaidCourse,
  openActiveSession,
  type PaidCourse,
} from '../support/paid-sessions';
import { createUser, type TestUser } from '../support/users';

// Paid sessions over HTTP on the real stack: Postgres (the heartbeat statement), the Temporal server
// with this run's workers (paid-session-<id>), stripe-mock behind the Stripe SDK, Mailpit.

let ctx: TestContext;
let course: PaidCourse; // 60 minor units a minute: one a second
beforeAll(async () => {
  ctx = await startTestContext({ workers: true });
  course = await createPaidCourse(ctx.app, ctx.deps, { pricePerMinute: 60 });
});
afterAll(async () => {
  if (ctx) {
    const query = `WorkflowType = 'paidSessionWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${ctx.deps.cfg.TEMPORAL_TASK_QUEUE}'`;
    for await (const wf of ctx.deps.temporal.workflow.list({ query }))
      await ctx.deps.temporal.workflow
        .getHandle(wf.workflowId)
        .terminate('test file finished')
        .catch(() => {});
  }
  await ctx?.close();
});

const appWith = (cfg: Partial<Config>) => createApp({ ...ctx.deps, cfg: { ...ctx.deps.cfg, ...cfg } });
const row = (id: string) => ctx.deps.db.paidSession.findUniqueOrThrow({ where: { id } });
/**
 * Test setup only: moves the start back so reported durations up to `seconds` are plausible. The last
 * heartbeat stays where it is: moved back past the idle timeout, the workflow could read it before
 * the first heartbeat and end the session as idle, which is what it should do with such a row.
 */
const backdateStart = (id: string, seconds: number) =>
  ctx.deps.db
    .$executeRaw`UPDATE paid_sessions SET started_at = started_at - make_interval(secs => ${seconds}::int) WHERE id = ${id}::uuid`;
const beat = (app: ReturnType<typeof createApp>, who: TestUser, id: string, body: Record<string, unknown>) =>
  call(app, 'PATCH', `/api/sessions/${id}/metrics`, { token: who.token, body });
const hb = (seq: number, duration: number, lecture: number, position = duration) => ({
  seq,
  duration_seconds: duration,
  completion_pct: Math.min(100, duration / 6),
  current_lecture: lecture,
  position_seconds: position,
});

async function ledgerOf(sessionId: string) {
  const txs = await ctx.deps.db.ledgerTransaction.findMany({
    where: { reference: `paid-session:${sessionId}` },
    include: { entries: true },
  });
  return txs.map((t) => ({
    kind: t.kind,
    amount: Number(t.amountMinor),
    sum: t.entries.reduce((a, e) => a + Number(e.amountMinor), 0),
    entries: Object.fromEntries(t.entries.map((e) => [e.account, Number(e.amountMinor)])),
  }));
}

describe('create → start → heartbeats → complete', () => {
  it('captures exactly the cost once, releases the rest, balances the ledger, credits the coach, emails a receipt with minutes per lecture', async () => {
    const student = await createUser(ctx.app, ctx.deps, 'free', 'student');
    const stripe = recordStripeRequests(ctx.deps);
    const s = await openActiveSession(ctx.app, ctx.deps, student, course, 1000);
    expect(s).toMatchObject({ status: 'active', locked_amount: 1000, currency: 'gbp', price_per_minute: 60 });
    await backdateStart(s.id, 600);

    // Out of order and repeated: the totals are the same as in order.
    const answers = [];
    for (const body of [
      hb(1, 30, 1),
      hb(3, 90, 2, 30),
      hb(2, 60, 1),
      hb(2, 60, 1),
      hb(4, 125, 2, 65),
      hb(3, 90, 2, 30),
    ])
      answers.push(await beat(ctx.app, student, s.id, body));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(answers.map((a) => a.body.duplicate)).toEqual([false, false, false, true, false, true]);
    const last = answers[4]!.body;
    expect(last).toMatchObject({
      duration_seconds: 125,
      running_cost: 125,
      locked_amount: 1000,
      remaining: 875,
      funds_used_up: false,
      content_progress: {
        '1': { position_seconds: 60, last_duration_seconds: 60 },
        '2': { position_seconds: 65, last_duration_seconds: 125 },
      },
    });
    // A duplicate answers the totals and changes nothing.
    expect(answers[5]!.body.duration_seconds).toBe(125);
    expect((await row(s.id)).heartbeatCount).toBe(4);

    const done = await call(ctx.app, 'POST', `/api/sessions/${s.id}/complete`, { token: student.token });
    expect(done.status).toBe(200);
    expect(done.body.session).toMatchObject({
      status: 'completed',
      end_reason: 'completed',
      billed_seconds: 125,
      captured_amount: 125,
      released_amount: 875,
    });

    // Exactly one capture of 125 and one PaymentIntent, by idempotency key.
    const keys = (k: string) => stripe.seen.filter((r) => r.idempotencyKey === `paid-session-${s.id}-${k}`);
    expect(keys('payment-intent')).toHaveLength(1);
    expect(keys('capture').map((r) => r.path)).toEqual([
      `/v1/payment_intents/${s.payment.payment_intent_id}/capture`,
    ]);
    expect(keys('cancel')).toEqual([]);
    stripe.stop();

    // Ledger: authorisation, capture (coach 113 + platform fee 12 at 10 %), release of 875, each balanced.
    const ledger = await waitUntil(
      'ledger',
      () => ledgerOf(s.id),
      (l) => l.length === 3,
    );
    for (const t of ledger) expect(t.sum).toBe(0);
    const byKind = Object.fromEntries(ledger.map((t) => [t.kind, t]));
    expect(byKind.authorisation!.amount).toBe(1000);
    expect(byKind.capture!.amount).toBe(125);
    expect(byKind.capture!.entries[`coach_payable:${course.coach.id}`]).toBe(-113);
    expect(byKind.capture!.entries.platform_fee).toBe(-12);
    expect(byKind.release!.amount).toBe(875);

    // Receipt (minutes per lecture) and the coach's notice.
    const [receipt] = await waitForMessages(student.email, { count: 1 });
    const text = (await readMessage(receipt!.ID)).Text;
    expect(text).toContain('Lecture 1, Grip: 1 min');
    expect(text).toContain('Lecture 2, Stance: 1 min 5 s');
    expect(text).toContain('£1.25');
    const [notice] = await waitForMessages(course.coach.email, { count: 1 });
    expect(notice!.Subject).toContain('£1.13');

    // Visible to its student and its coach (in their lists), to nobody else.
    const stranger = await createUser(ctx.app, ctx.deps, 'free', 'stranger');
    expect(
      (await call(ctx.app, 'GET', `/api/sessions/${s.id}/status`, { token: course.coach.token })).status,
    ).toBe(200);
    expect(
      (await call(ctx.app, 'GET', `/api/sessions/${s.id}/status`, { token: stranger.token })).status,
    ).toBe(404);
    const mine = await call(ctx.app, 'GET', '/api/me/sessions', { token: student.token });
    expect(mine.body.items.map((x: { id: string }) => x.id)).toEqual([s.id]);
    const coachList = await call(ctx.app, 'GET', '/api/coaches/me/sessions?status=completed', {
      token: course.coach.token,
    });
    expect(coachList.body.items.map((x: { id: string }) => x.id)).toContain(s.id);
    expect((await call(ctx.app, 'GET', '/api/me/sessions', { token: stranger.token })).body).toEqual({
      items: [],
      total: 0,
    });
    // After the end no heartbeat counts.
    expect((await beat(ctx.app, student, s.id, hb(9, 130, 2))).status).toBe(409);
  });

  it('concurrent, shuffled and repeated heartbeats of one session merge to the same totals (row lock + seq dedupe)', async () => {
    const student = await createUser(ctx.app, ctx.deps, 'free', 'student');
    const s = await openActiveSession(ctx.app, ctx.deps, student, course, 5000);
    await backdateStart(s.id, 600);
    const beats = Array.from({ length: 30 }, (_, i) => hb(i + 1, (i + 1) * 5, i < 15 ? 1 : 2));
    const sent = [...beats, ...beats.slice(0, 10), ...beats.slice(20)].sort(() => Math.random() - 0.5);
    const answers = await Promise.all(sent.map((b) => beat(ctx.app, student, s.id, b)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => !a.body.duplicate)).toHaveLength(30);
    expect(await row(s.id)).toMatchObject({ durationSeconds: 150, heartbeatCount: 30 });
    expect(await ctx.deps.db.paidSessionHeartbeat.count({ where: { sessionId: s.id } })).toBe(30);
    await call(ctx.app, 'POST', `/api/sessions/${s.id}/complete`, { token: student.token });
  });

  it('a refund Stripe reports after the end posts one refund to the ledger (redelivery and replays change nothing)', async () => {
    const student = await createUser(ctx.app, ctx.deps, 'free', 'student');
    const s = await openActiveSession(ctx.app, ctx.deps, student, course, 1000);
    await backdateStart(s.id, 600);
    await beat(ctx.app, student, s.id, hb(1, 300, 1));
    const done = await call(ctx.app, 'POST', `/api/sessions/${s.id}/complete`, { token: student.token });
    expect(done.body.session.captured_amount).toBe(300);
    await waitUntil(
      'workflow closed',
      async () =>
        (await ctx.deps.temporal.workflow.getHandle(workflowIds.paidSession(s.id)).describe()).status.name,
      (n) => n === 'COMPLETED',
    );
    const refunded = (id: string, total: number, currency = 'gbp') => ({
      id,
      object: 'event',
      api_version: '2025-01-27.acacia',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 'charge.refunded',
      data: {
        object: {
          id: `ch_${s.id.slice(0, 8)}`,
          object: 'charge',
          payment_intent: s.payment.payment_intent_id,
          amount: 300,
          amount_refunded: total,
          currency,
          refunds: { object: 'list', data: [{ id: `re_${id}` }] },
        },
      },
    });
    const first = refunded(`evt_r1_${s.id.slice(0, 8)}`, 100);
    expect((await postStripeEvent(ctx.app, ctx.deps, first)).body.outcome).toBe('routed');
    expect((await postStripeEvent(ctx.app, ctx.deps, first)).body.outcome).toBe('duplicate');
    await waitUntil(
      'refund recorded',
      () => row(s.id),
      (r) => r.refundedMinor === 100,
    );
    // A second partial refund (the total so far is 250) posts the 150 that is new.
    await postStripeEvent(ctx.app, ctx.deps, refunded(`evt_r2_${s.id.slice(0, 8)}`, 250));
    await waitUntil(
      'second refund recorded',
      () => row(s.id),
      (r) => r.refundedMinor === 250,
    );
    const refunds = (await ledgerOf(s.id)).filter((t) => t.kind === 'refund');
    expect(refunds.map((t) => t.amount).sort()).toEqual([100, 150]);
    for (const t of refunds) expect(t.sum).toBe(0);
    // The coach gives back 90 % of each refund, the platform its fee (rounded down, as on the capture).
    expect(refunds.find((t) => t.amount === 100)!.entries[`coach_payable:${course.coach.id}`]).toBe(90);
  });

  it('zero minutes: the PaymentIntent is cancelled, nothing captured, status cancelled', async () => {
    const student = await createUser(ctx.app, ctx.deps, 'free', 'student');
    const stripe = recordStripeRequests(ctx.deps);
    const s = await openActiveSession(ctx.app, ctx.deps, student, course, 500);
    const done = await call(ctx.app, 'POST', `/api/sessions/${s.id}/complete`, { token: student.token });
    stripe.stop();
    expect(done.body.session).toMatchObject({
      status: 'cancelled',
      captured_amount: 0,
      released_amount: 500,
    });
    const keys = (k: string) => stripe.seen.filter((r) => r.idempotencyKey === `paid-session-${s.id}-${k}`);
    expect(keys('cancel').map((r) => r.path)).toEqual([
      `/v1/payment_intents/${s.payment.payment_intent_id}/cancel`,
    ]);
    expect(keys('capture')).toEqual([]);
    const ledger = await waitUntil(
      'ledger',
      () => ledgerOf(s.id),
      (l) => l.length === 2,
    );
    expect(ledger.map((t) => t.kind).sort()).toEqual(['authorisation', 'release']);
  });

  it('funds used up: the heartbeat that reaches the lock ends the session, which captures the whole lock', async () => {
    const student = await createUser(ctx.app, ctx.deps, 'free', 'student');
    const s = await openActiveSession(ctx.app, ctx.deps, student, course, 60);
    await backdateStart(s.id, 120);
    expect((await beat(ctx.app, student, s.id, hb(1, 30, 1))).body.funds_used_up).toBe(false);
    const over = await beat(ctx.app, student, s.id, hb(2, 75, 1));
    expect(over.body).toMatchObject({ running_cost: 60, remaining: 0, funds_used_up: true });
    const settled = await waitUntil(
      'settled',
      () => row(s.id),
      (r) => r.settledAt !== null,
    );
    expect(settled).toMatchObject({
      status: 'completed',
      endReason: 'funds_used_up',
      capturedMinor: 60,
      releasedMinor: 0,
    });
  });

  it('idle timeout: no heartbeat for the configured time settles by itself', async () => {
    const app = appWith({ PAID_SESSION_IDLE_TIMEOUT: 2_000 });
    const student = await createUser(app, ctx.deps, 'free', 'student');
    const s = await openActiveSession(app, ctx.deps, student, course, 500);
    await backdateStart(s.id, 60);
    expect((await beat(app, student, s.id, hb(1, 20, 1))).status).toBe(200);
    const settled = await waitUntil(
      'settled by idleness',
      () => row(s.id),
      (r) => r.settledAt !== null,
      30_000,
    );
    // 20 s reported; the server observed at most the gap cap (10 s) since the backdated start.
    expect(settled).toMatchObject({
      status: 'completed',
      endReason: 'idle',
      capturedMinor: 20,
      releasedMinor: 480,
    });
  });
});

describe('a create whose process died between commit and workflow start', () => {
  it('the next look at the session starts its workflow, which creates the PaymentIntent', async () => {
    const student = await createUser(ctx.app, ctx.deps, 'free', 'student');
    // What the create commits before it starts the workflow (test setup: the crash is simulated).
    const orphan = await ctx.deps.db.paidSession.create({
      data: {
        studentId: student.id,
        coachId: course.coach.id,
        courseId: course.courseId,
        lockedMinor: 500,
        currency: 'gbp',
        pricePerMinuteMinor: course.pricePerMinute,
        lecturePositions: [1, 2],
        createdAt: new Date(Date.now() - 120_000),
      },
    });
    const seen = await call(ctx.app, 'GET', `/api/sessions/${orphan.id}/status`, { token: student.token });
    expect(seen.status).toBe(200);
    expect(seen.body.session.payment.payment_intent_id).toMatch(/^pi_/);
    expect(seen.body.session.payment.client_secret).toBeTruthy();
    await ctx.deps.temporal.workflow.getHandle(workflowIds.paidSession(orphan.id)).terminate('test over');
  });
});

describe('lecture playback', () => {
  it('only the student of an active session gets presigned URLs, by lecture position or through the course', async () => {
    const student = await createUser(ctx.app, ctx.deps, 'free', 'student');
    const stranger = await createUser(ctx.app, ctx.deps, 'free', 'stranger');
    const lecture2 = course.lectures[1]!;
    const viaCourse = (who: TestUser) =>
      call(ctx.app, 'GET', `/api/courses/${course.courseId}/lectures/${lecture2.id}/playback`, {
        token: who.token,
      });
    expect((await viaCourse(student)).status).toBe(403); // no session yet
    const s = await openActiveSession(ctx.app, ctx.deps, student, course, 500);
    const play = await call(ctx.app, 'GET', `/api/sessions/${s.id}/lectures/2/playback`, {
      token: student.token,
    });
    expect(play.status).toBe(200);
    expect(play.body).toMatchObject({ startSeconds: 300, endSeconds: 600 });
    expect(play.body.url).toMatch(/X-Amz-Signature=/);
    expect((await viaCourse(student)).status).toBe(200);
    expect(
      (await call(ctx.app, 'GET', `/api/sessions/${s.id}/lectures/2/playback`, { token: stranger.token }))
        .status,
    ).toBe(404);
    const missing = await call(ctx.app, 'GET', `/api/sessions/${s.id}/lectures/7/playback`, {
      token: student.token,
    });
    expect([missing.status, JSON.stringify(missing.body.error)]).toEqual([
      404,
      expect.stringContaining('position'),
    ]);
    expect(
      (await call(ctx.app, 'GET', `/api/sessions/${s.id}/lectures/0/playback`, { token: student.token }))
        .status,
    ).toBe(400);
    await call(ctx.app, 'POST', `/api/sessions/${s.id}/complete`, { token: student.token });
    expect(
      (await call(ctx.app, 'GET', `/api/sessions/${s.id}/lectures/2/playback`, { token: student.token }))
        .status,
    ).toBe(409);
    expect((await viaCourse(student)).status).toBe(403);
  });
});

describe('bad input: 4xx naming the field, nothing changes', () => {
  it('create', async () => {
    const student = await createUser(ctx.app, ctx.deps, 'free', 'student');
    const other = await createUser(ctx.app, ctx.deps, 'free', 'other');
    const before = await ctx.deps.db.paidSession.count();
    const create = (body: unknown) =>
      call(ctx.app, 'POST', '/api/sessions/create', { token: student.token, body });
    const cases: [unknown, number, string][] = [
      [{ course_id: course.courseId, locked_amount: 1e20 }, 400, 'locked_amount'],
      [{ course_id: course.courseId, locked_amount: -5 }, 400, 'locked_amount'],
      [{ course_id: course.courseId, locked_amount: 10.5 }, 400, 'locked_amount'],
      [{ course_id: course.courseId, locked_amount: '500' }, 400, 'locked_amount'],
      [{ course_id: 'not-a-uuid', locked_amount: 500 }, 400, 'course_id'],
      [{ course_id: course.courseId, locked_amount: 500, student_id: other.id }, 403, 'student_id'],
      [{ course_id: course.courseId, locked_amount: 500, extra: 1 }, 400, 'extra'],
      [{ course_id: course.courseId, locked_amount: 59 }, 400, 'locked_amount'],
    ];
    for (const [body, status, field] of cases) {
      const r = await create(body);
      expect([JSON.stringify(body), r.status]).toEqual([JSON.stringify(body), status]);
      expect(JSON.stringify(r.body.error)).toContain(field);
    }
    const nul = await call(ctx.app, 'POST', '/api/sessions/create', {
      token: student.token,
      raw: `{"course_id":"${course.courseId}","locked_amount":500,"student_id":"a\\u0000b"}`,
    });
    expect(nul.status).toBe(400);
    expect(
      (await create({ course_id: '00000000-0000-4000-8000-000000000000', locked_amount: 500 })).status,
    ).toBe(404);
    // The coach's own course, and a course that is not per-minute, are refused.
    const own = await call(ctx.app, 'POST', '/api/sessions/create', {
      token: course.coach.token,
      body: { course_id: course.courseId, locked_amount: 500 },
    });
    expect(own.status).toBe(409);
    expect(JSON.stringify(own.body.error)).toContain('course_id');
    expect(
      (
        await call(ctx.app, 'POST', '/api/sessions/create', {
          body: { course_id: course.courseId, locked_amount: 500 },
        })
      ).status,
    ).toBe(401);
    expect(await ctx.deps.db.paidSession.count()).toBe(before);
  });

  it('start, metrics, complete, status', async () => {
    const student = await createUser(ctx.app, ctx.deps, 'free', 'student');
    const other = await createUser(ctx.app, ctx.deps, 'free', 'other');
    const created = await call(ctx.app, 'POST', '/api/sessions/create', {
      token: student.token,
      body: { course_id: course.courseId, locked_amount: 500 },
    });
    const s = created.body.session;
    // Not started: heartbeats refused; a start before the card authorised is refused.
    expect((await beat(ctx.app, student, s.id, hb(1, 1, 1))).status).toBe(409);
    const early = await call(ctx.app, 'POST', `/api/sessions/${s.id}/start`, { token: student.token });
    expect([early.status, early.body.error.code]).toEqual([409, 'not_authorised']);
    expect((await call(ctx.app, 'POST', `/api/sessions/${s.id}/start`, { token: other.token })).status).toBe(
      404,
    );

    await postStripeEvent(
      ctx.app,
      ctx.deps,
      capturableEvent({
        id: s.id,
        paymentIntentId: s.payment.payment_intent_id,
        amount: 500,
        currency: 'gbp',
      }),
    );
    await waitUntil(
      'authorised',
      () => row(s.id),
      (r) => r.authorisedAt !== null,
    );
    expect(
      (await call(ctx.app, 'POST', `/api/sessions/${s.id}/start`, { token: student.token })).status,
    ).toBe(200);
    expect(
      (await call(ctx.app, 'POST', `/api/sessions/${s.id}/start`, { token: student.token })).status,
    ).toBe(409);

    const cases: [Record<string, unknown>, number, string][] = [
      [{ ...hb(1, 1, 1), completion_pct: 101 }, 400, 'completion_pct'],
      [{ ...hb(1, 1, 1), completion_pct: -1 }, 400, 'completion_pct'],
      [hb(1, 1000, 1), 400, 'duration_seconds'], // started seconds ago
      [hb(1, 1e15, 1), 400, 'duration_seconds'],
      [hb(1, 1, 9), 400, 'current_lecture'],
      [{ ...hb(1, 1, 1), seq: -1 }, 400, 'seq'],
      [{ ...hb(1, 1, 1), seq: 'x' }, 400, 'seq'],
      [{ ...hb(1, 1, 1), position_seconds: -3 }, 400, 'position_seconds'],
      [{ ...hb(1, 1, 1), extra: true }, 400, 'extra'],
    ];
    for (const [body, status, field] of cases) {
      const r = await beat(ctx.app, student, s.id, body);
      expect([field, r.status]).toEqual([field, status]);
      expect(JSON.stringify(r.body.error)).toContain(field);
    }
    expect((await beat(ctx.app, other, s.id, hb(1, 1, 1))).status).toBe(404);
    expect((await beat(ctx.app, { ...student, token: 'not.a.token' }, s.id, hb(1, 1, 1))).status).toBe(401);
    // A logged-out token is refused at once (the statement checks the login session).
    const second = await call(ctx.app, 'POST', '/api/auth/login', {
      body: { email: student.email, password: 'correct horse battery' },
    });
    expect(second.status).toBe(200);
    await call(ctx.app, 'POST', '/api/auth/logout', { token: second.body.token });
    expect((await beat(ctx.app, { ...student, token: second.body.token }, s.id, hb(1, 1, 1))).status).toBe(
      401,
    );
    const unchanged = await row(s.id);
    expect(unchanged).toMatchObject({
      durationSeconds: 0,
      heartbeatCount: 0,
      completionPct: 0,
      contentProgress: {},
    });
    expect(await ctx.deps.db.paidSessionHeartbeat.count({ where: { sessionId: s.id } })).toBe(0);

    expect(
      (await call(ctx.app, 'POST', `/api/sessions/${s.id}/complete`, { token: other.token })).status,
    ).toBe(404);
    expect(
      (await call(ctx.app, 'POST', `/api/sessions/${s.id}/complete`, { token: course.coach.token })).status,
    ).toBe(404);
    expect((await call(ctx.app, 'GET', '/api/sessions/nope/status', { token: student.token })).status).toBe(
      400,
    );
    expect((await call(ctx.app, 'GET', '/api/me/sessions?limit=1000', { token: student.token })).status).toBe(
      400,
    );
    expect((await row(s.id)).status).toBe('active');
    await ctx.deps.temporal.workflow.getHandle(workflowIds.paidSession(s.id)).terminate('test over');
  });

  it('a webhook in the wrong currency does not authorise the lock', async () => {
    const student = await createUser(ctx.app, ctx.deps, 'free', 'student');
    const created = await call(ctx.app, 'POST', '/api/sessions/create', {
      token: student.token,
      body: { course_id: course.courseId, locked_amount: 500 },
    });
    const s = created.body.session;
    const hook = await postStripeEvent(
      ctx.app,
      ctx.deps,
      capturableEvent({
        id: s.id,
        paymentIntentId: s.payment.payment_intent_id,
        amount: 500,
        currency: 'usd',
      }),
    );
    expect(hook.body).toMatchObject({ outcome: 'routed' });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await row(s.id)).authorisedAt).toBeNull();
    expect((await messagesTo(student.email)).length).toBe(0);
    await ctx.deps.temporal.workflow.getHandle(workflowIds.paidSession(s.id)).terminate('test over');
  });
});
