import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  analyticsRollupWorkflowType,
  type AnalyticsRollupWorkflow,
} from '../../workflows/analytics/definitions';
import { paymentIntentEvent, postStripeEvent, waitUntil } from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { readMessage, waitForMessages } from '../support/mailbox';
import { createPaidCourse, openActiveSession, type PaidCourse } from '../support/paid-sessions';
import { createUser, type TestUser } from '../support/users';

// Course access sold in a package, on the real stack (Postgres, Temporal with this run's workers,
// stripe-mock, Mailpit): the paid purchase grants the course (any access type, pay-per-minute
// included), playback opens without a paid session, and a refund withdraws it again.

let ctx: TestContext;
let course: PaidCourse;
let other: PaidCourse;
beforeAll(async () => {
  ctx = await startTestContext({ workers: true });
  [course, other] = await Promise.all([
    createPaidCourse(ctx.app, ctx.deps),
    createPaidCourse(ctx.app, ctx.deps),
  ]);
  const res = await call(ctx.app, 'PUT', '/api/coaches/me/profile', {
    token: course.coach.token,
    body: {
      slug: `course-shop-${course.courseId.slice(0, 8)}`,
      displayName: 'Course coach',
      timeZone: 'Europe/London',
      bookingEnabled: false,
      productsEnabled: true,
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
});
afterAll(async () => {
  if (ctx) {
    for await (const wf of ctx.deps.temporal.workflow.list({
      query: `WorkflowType IN ('purchaseWorkflow', 'paidSessionWorkflow') AND ExecutionStatus = 'Running' AND TaskQueue = '${ctx.deps.cfg.TEMPORAL_TASK_QUEUE}'`,
    }))
      await ctx.deps.temporal.workflow
        .getHandle(wf.workflowId)
        .terminate('test file finished')
        .catch(() => {});
  }
  await ctx?.close();
});

const playback = (user: TestUser, lectureId = course.lectures[0]!.id) =>
  call(ctx.app, 'GET', `/api/courses/${course.courseId}/lectures/${lectureId}/playback`, {
    token: user.token,
  });

const createProduct = (body: Record<string, unknown>) =>
  call(ctx.app, 'POST', '/api/coaches/me/products', {
    token: course.coach.token,
    body: { title: 'Course package', priceMinor: 2500, currency: 'USD', ...body },
  });

describe('a package that includes a course', () => {
  it('grants the course once paid (playback without a paid session), and a refund withdraws it', async () => {
    const created = await createProduct({ type: 'PACKAGE', courseId: course.courseId });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const pkg = created.body as { id: string };
    expect(created.body).toMatchObject({ type: 'PACKAGE', courseId: course.courseId, credits: null });

    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'buyer');
    // Before buying: a pay-per-minute course plays only inside a paid session.
    const before = await playback(athlete);
    expect(before.status).toBe(403);
    expect(before.body.error.code).toBe('paid_session_required');

    const started = await call(ctx.app, 'POST', `/api/checkout/packages/${pkg.id}`, { token: athlete.token });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const purchase = started.body.purchase as {
      id: string;
      payment: { paymentIntentId: string };
      price: { amountMinor: number; currency: string };
    };
    // Not paid yet: nothing granted.
    expect(await ctx.deps.db.courseGrant.count({ where: { purchaseId: purchase.id } })).toBe(0);
    expect((await playback(athlete)).status).toBe(403);

    const event = paymentIntentEvent('payment_intent.succeeded', {
      id: purchase.id,
      paymentIntentId: purchase.payment.paymentIntentId,
      amountMinor: purchase.price.amountMinor,
      currency: purchase.price.currency,
    });
    event.data.object.metadata = { kind: 'purchase', purchaseId: purchase.id } as never;
    expect((await postStripeEvent(ctx.app, ctx.deps, event)).status).toBe(200);
    await waitUntil(
      'purchase paid',
      () => ctx.deps.db.purchase.findUniqueOrThrow({ where: { id: purchase.id } }),
      (p) => p.status === 'PAID',
    );
    const grants = await ctx.deps.db.courseGrant.findMany({ where: { purchaseId: purchase.id } });
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ userId: athlete.id, courseId: course.courseId, revokedAt: null });

    // Bought: both lectures play with no paid session and no enrolment.
    for (const lecture of course.lectures) {
      const res = await playback(athlete, lecture.id);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.url).toMatch(/^https?:\/\//);
    }
    expect(await ctx.deps.db.paidSession.count({ where: { studentId: athlete.id } })).toBe(0);
    // Another user is still refused: the grant is the buyer's alone.
    const stranger = await createUser(ctx.app, ctx.deps, 'free', 'stranger');
    expect((await playback(stranger)).status).toBe(403);

    const [confirmation] = await waitForMessages(athlete.email, { subject: /Your purchase: Course package/ });
    expect((await readMessage(confirmation!.ID)).Text).toContain('Course: Batting fundamentals');

    // The coach refunds (no credits: the whole price by default); access goes with it.
    const refunded = await call(ctx.app, 'POST', `/api/purchases/${purchase.id}/refund`, {
      token: course.coach.token,
      body: {},
    });
    expect(refunded.status, JSON.stringify(refunded.body)).toBe(200);
    expect(refunded.body.refund).toEqual({
      refundedMinor: 2500,
      revokedCredits: 0,
      keptCredits: 0,
      note: '2500 USD refunded; the purchase had no session credits; access to the course “Batting fundamentals” withdrawn',
      revokedCourses: ['Batting fundamentals'],
    });
    const after = await playback(athlete);
    expect(after.status).toBe(403);
    expect(after.body.error.code).toBe('paid_session_required');
    // History kept: the grant is revoked, not deleted.
    const revoked = await ctx.deps.db.courseGrant.findMany({ where: { purchaseId: purchase.id } });
    expect(revoked).toHaveLength(1);
    expect(revoked[0]!.revokedAt).not.toBeNull();

    const [refundMail] = await waitForMessages(athlete.email, { subject: /Refunded: Course package/ });
    expect((await readMessage(refundMail!.ID)).Text).toContain(
      'Your access to the course Batting fundamentals has ended.',
    );
  });
});

describe('a refund Stripe reports (charge.refunded)', () => {
  it('withdraws the course bought with the purchase; a redelivery changes nothing', async () => {
    const created = await createProduct({ title: 'Course only', type: 'PACKAGE', courseId: course.courseId });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'buyer');
    const started = await call(ctx.app, 'POST', `/api/checkout/products/${created.body.id}`, {
      token: athlete.token,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const purchase = started.body.purchase;
    const paid = paymentIntentEvent('payment_intent.succeeded', {
      id: purchase.id,
      paymentIntentId: purchase.payment.paymentIntentId,
      amountMinor: 2500,
      currency: 'USD',
    });
    paid.data.object.metadata = { kind: 'purchase', purchaseId: purchase.id } as never;
    expect((await postStripeEvent(ctx.app, ctx.deps, paid)).status).toBe(200);
    await waitUntil(
      'course granted',
      () => playback(athlete),
      (r) => r.status === 200,
    );

    const refund = {
      id: `evt_${randomUUID().replaceAll('-', '')}`,
      object: 'event',
      api_version: '2025-01-27.acacia',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 'charge.refunded',
      data: {
        object: {
          id: `ch_${randomUUID().replaceAll('-', '')}`,
          object: 'charge',
          amount: 2500,
          amount_refunded: 2500,
          currency: 'usd',
          payment_intent: purchase.payment.paymentIntentId,
          refunded: true,
          refunds: { object: 'list', data: [{ id: `re_${randomUUID().replaceAll('-', '')}` }] },
        },
      },
    };
    expect((await postStripeEvent(ctx.app, ctx.deps, refund)).status).toBe(200);
    const done = await waitUntil(
      'refunded',
      () => ctx.deps.db.purchase.findUniqueOrThrow({ where: { id: purchase.id } }),
      (p) => p.status === 'REFUNDED',
    );
    expect(done.refundNote).toContain('access to the course “Batting fundamentals” withdrawn');
    expect((await playback(athlete)).status).toBe(403);
    expect((await postStripeEvent(ctx.app, ctx.deps, refund)).status).toBe(200);
    const grants = await ctx.deps.db.courseGrant.findMany({ where: { purchaseId: purchase.id } });
    expect(grants).toHaveLength(1);
    expect(grants[0]!.revokedAt).not.toBeNull();
    const [mail] = await waitForMessages(athlete.email, { subject: /Refunded: Course only/ });
    expect((await readMessage(mail!.ID)).Text).toContain(
      'Your access to the course Batting fundamentals has ended.',
    );
  });
});

describe('course contents refused: 4xx naming the field, nothing written', () => {
  it("another coach's course, an unknown course, a course on a plain product", async () => {
    const before = await ctx.deps.db.product.count({ where: { coachId: course.coach.id } });

    const theirs = await createProduct({ type: 'PACKAGE', courseId: other.courseId });
    expect(theirs.status).toBe(400);
    expect(theirs.body.error.details).toEqual([
      { field: 'courseId', reason: `${other.courseId} is not one of your courses` },
    ]);

    const unknown = await createProduct({
      type: 'PACKAGE',
      courseId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].field).toBe('courseId');

    const plain = await createProduct({ type: 'PRODUCT', courseId: course.courseId });
    expect(plain.status).toBe(400);
    expect(plain.body.error.details).toEqual([
      { field: 'courseId', reason: 'only a PACKAGE includes a course' },
    ]);

    const empty = await createProduct({ type: 'PACKAGE' });
    expect(empty.status).toBe(201);
    // Pointing an existing package at someone else's course changes nothing either.
    const patched = await call(ctx.app, 'PATCH', `/api/coaches/me/products/${empty.body.id}`, {
      token: course.coach.token,
      body: { courseId: other.courseId },
    });
    expect(patched.status).toBe(400);
    expect(patched.body.error.details[0].field).toBe('courseId');
    const row = await ctx.deps.db.product.findUniqueOrThrow({ where: { id: empty.body.id } });
    expect(row.courseId).toBeNull();
    expect(await ctx.deps.db.product.count({ where: { coachId: course.coach.id } })).toBe(before + 1);
    // …and an empty package still cannot be bought.
    const buyer = await createUser(ctx.app, ctx.deps, 'free', 'buyer');
    const tried = await call(ctx.app, 'POST', `/api/checkout/products/${empty.body.id}`, {
      token: buyer.token,
    });
    expect(tried.status).toBe(409);
    expect(tried.body.error.details[0].field).toBe('id');

    // A package whose course is not published is not sold: the buyer would get nothing to watch.
    const draft = await ctx.deps.db.course.create({
      data: {
        coachId: course.coach.id,
        slug: `draft-${randomUUID().slice(0, 8)}`,
        title: 'Draft course',
        accessType: 'free',
        currency: 'usd',
      },
    });
    const draftPkg = await createProduct({ title: 'Draft package', type: 'PACKAGE', courseId: draft.id });
    expect(draftPkg.status, JSON.stringify(draftPkg.body)).toBe(201);
    const purchasesBefore = await ctx.deps.db.purchase.count({ where: { buyerId: buyer.id } });
    const notYet = await call(ctx.app, 'POST', `/api/checkout/products/${draftPkg.body.id}`, {
      token: buyer.token,
    });
    expect(notYet.status).toBe(409);
    expect(notYet.body.error.details).toEqual([{ field: 'id', reason: 'its course is not published' }]);
    expect(await ctx.deps.db.purchase.count({ where: { buyerId: buyer.id } })).toBe(purchasesBefore);
  });
});

describe('paid-session revenue in the coach analytics', () => {
  it("a captured paid session counts once as revenue in the coach's analytics", async () => {
    const student = await createUser(ctx.app, ctx.deps, 'free', 'student');
    // other's course: 60 minor units a minute; a 60 lock is used up by the second heartbeat.
    const s = await openActiveSession(ctx.app, ctx.deps, student, other, 60);
    await ctx.deps.db.$executeRaw`UPDATE paid_sessions SET started_at = started_at - interval '120 seconds',
      last_heartbeat_at = started_at - interval '120 seconds' WHERE id = ${s.id}::uuid`;
    const beat = (seq: number, duration: number) =>
      call(ctx.app, 'PATCH', `/api/sessions/${s.id}/metrics`, {
        token: student.token,
        body: {
          seq,
          duration_seconds: duration,
          completion_pct: 10,
          current_lecture: 1,
          position_seconds: duration,
        },
      });
    expect((await beat(1, 30)).status).toBe(200);
    expect((await beat(2, 75)).body.funds_used_up).toBe(true);
    await waitUntil(
      'settled',
      () => ctx.deps.db.paidSession.findUniqueOrThrow({ where: { id: s.id } }),
      (r) => r.settledAt !== null,
    );
    const events = await waitUntil(
      'paid_session_revenue',
      () => ctx.deps.db.analyticsEvent.findMany({ where: { coachId: other.coach.id } }),
      (rows) => rows.some((e) => e.type === 'paid_session_revenue'),
    );
    expect(events.map((e) => [e.key, e.amountMinor, e.currency])).toEqual([
      [`paid_session_revenue:${s.id}`, 60, 'GBP'],
    ]);

    await ctx.deps.temporal.workflow.execute<AnalyticsRollupWorkflow>(analyticsRollupWorkflowType, {
      taskQueue: ctx.deps.cfg.TEMPORAL_TASK_QUEUE,
      workflowId: `analytics-rollup-test-${randomUUID()}`,
    });
    const today = new Date().toISOString().slice(0, 10);
    const res = await call(ctx.app, 'GET', `/api/coaches/me/analytics?from=${today}&to=${today}`, {
      token: other.coach.token,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.totals.revenue).toEqual({ GBP: 60 });
  });
});
