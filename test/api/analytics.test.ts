import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { ensureSchedule } from '../../workers/schedules';
import {
  analyticsRollupWorkflowType,
  type AnalyticsRollupWorkflow,
} from '../../workflows/analytics/definitions';
import {
  createCoach,
  paymentIntentEvent,
  postStripeEvent,
  slotAfter,
  terminateOpenBookingWorkflows,
  waitUntil,
} from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser } from '../support/users';

// Analytics on the real stack: ingest through the API into Postgres, server events recorded by the
// purchase and booking workflows, the daily rollup run as the schedule runs it (a workflow on this
// run's queue), the report and its SVG.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext({ workers: true });
});
afterAll(async () => {
  if (ctx) await terminateOpenBookingWorkflows(ctx.deps);
  await ctx?.close();
});

const today = () => new Date().toISOString().slice(0, 10);
const views = (coach: string, n: number, tag: string = randomUUID()) =>
  Array.from({ length: n }, (_, i) => ({
    key: `${tag}-view-${i}`,
    type: 'page_view',
    coach,
    path: `/${coach}`,
  }));

const rollup = () =>
  ctx.deps.temporal.workflow.execute<AnalyticsRollupWorkflow>(analyticsRollupWorkflowType, {
    taskQueue: ctx.deps.cfg.TEMPORAL_TASK_QUEUE,
    workflowId: `analytics-rollup-test-${randomUUID()}`,
  });

const eventCount = () => ctx.deps.db.analyticsEvent.count();

describe('POST /api/analytics/events', () => {
  it('the same batch twice counts once; 101 events, a server-only type or an unknown coach → 400 and nothing stored', async () => {
    const coach = await createCoach(ctx.app, ctx.deps);
    const batch = { events: views(coach.slug, 3) };
    const first = await call(ctx.app, 'POST', '/api/analytics/events', { body: batch });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toEqual({ accepted: 3, duplicates: 0 });
    const second = await call(ctx.app, 'POST', '/api/analytics/events', { body: batch });
    expect(second.body).toEqual({ accepted: 0, duplicates: 3 });
    expect(await ctx.deps.db.analyticsEvent.count({ where: { coachId: coach.user.id } })).toBe(3);

    const before = await eventCount();
    const tooMany = await call(ctx.app, 'POST', '/api/analytics/events', {
      body: { events: views(coach.slug, 101) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details[0]).toMatchObject({ field: 'events' });
    const revenue = await call(ctx.app, 'POST', '/api/analytics/events', {
      body: { events: [{ key: randomUUID(), type: 'purchase', coach: coach.slug }] },
    });
    expect(revenue.status).toBe(400);
    expect(revenue.body.error.details[0].field).toBe('events.0.type');
    const stranger = await call(ctx.app, 'POST', '/api/analytics/events', {
      body: {
        events: [...views(coach.slug, 2), { key: randomUUID(), type: 'page_view', coach: 'nobody-here' }],
      },
    });
    expect(stranger.status).toBe(400);
    expect(stranger.body.error.details).toEqual([
      { field: 'events.2.coach', reason: 'no coach has this slug or id' },
    ]);
    const future = await call(ctx.app, 'POST', '/api/analytics/events', {
      body: { events: [{ ...views(coach.slug, 1)[0], occurredAt: '2099-01-01T00:00:00Z' }] },
    });
    expect(future.status).toBe(400);
    const repeated = await call(ctx.app, 'POST', '/api/analytics/events', {
      body: { events: [views(coach.slug, 1, 'same')[0], views(coach.slug, 1, 'same')[0]] },
    });
    expect(repeated.status).toBe(400);
    const nul = await call(ctx.app, 'POST', '/api/analytics/events', {
      raw: JSON.stringify({ events: [{ key: 'abc\u0000defgh', type: 'page_view', coach: coach.slug }] }),
    });
    expect(nul.status).toBe(400);
    const badToken = await call(ctx.app, 'POST', '/api/analytics/events', { body: batch, token: 'nope' });
    expect(badToken.status).toBe(401);
    expect(await eventCount()).toBe(before);
  });

  it('batches without an account are rate limited per client address', async () => {
    const coach = await createCoach(ctx.app, ctx.deps);
    const app = createApp({ ...ctx.deps, cfg: { ...ctx.deps.cfg, TRUST_PROXY: true } });
    const headers = { 'x-forwarded-for': `198.51.100.${Math.floor(Math.random() * 250)}` };
    const statuses: number[] = [];
    for (let i = 0; i < 121; i++) {
      const res = await call(app, 'POST', '/api/analytics/events', {
        body: { events: views(coach.slug, 1) },
        headers,
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 120).every((s) => s === 200)).toBe(true);
    expect(statuses[120]).toBe(429);
    // Signed in, the same address is not limited.
    const user = await createUser(ctx.app, ctx.deps);
    const signedIn = await call(app, 'POST', '/api/analytics/events', {
      body: { events: views(coach.slug, 1) },
      headers,
      token: user.token,
    });
    expect(signedIn.status).toBe(200);
  });
});

describe('GET /api/coaches/me/analytics', () => {
  it('matches a hand-computed funnel: client views and clicks, server checkouts, purchases, bookings and revenue; the SVG draws the same numbers', async () => {
    const coach = await createCoach(ctx.app, ctx.deps, { service: { priceMinor: 0, currency: 'USD' } });
    await call(ctx.app, 'PUT', '/api/coaches/me/profile', {
      token: coach.user.token,
      body: {
        slug: coach.slug,
        displayName: 'Funnel',
        timeZone: 'Europe/London',
        bookingEnabled: true,
        productsEnabled: true,
      },
    });
    const other = await createCoach(ctx.app, ctx.deps);
    const product = await call(ctx.app, 'POST', '/api/coaches/me/products', {
      token: coach.user.token,
      body: { title: 'Plan', priceMinor: 2500, currency: 'USD' },
    });

    // 10 views and 4 CTA clicks of this coach's page (and noise on another coach's).
    const tag = randomUUID();
    const clicks = Array.from({ length: 4 }, (_, i) => ({
      key: `${tag}-cta-${i}`,
      type: 'cta_click',
      coach: coach.user.id,
    }));
    expect(
      (
        await call(ctx.app, 'POST', '/api/analytics/events', {
          body: { events: [...views(coach.slug, 10), ...clicks] },
        })
      ).status,
    ).toBe(200);
    expect(
      (await call(ctx.app, 'POST', '/api/analytics/events', { body: { events: views(other.slug, 7) } }))
        .status,
    ).toBe(200);

    // 3 checkouts, 2 paid; 1 free booking.
    const purchases = [];
    for (let i = 0; i < 3; i++) {
      const buyer = await createUser(ctx.app, ctx.deps, 'free', 'buyer');
      const res = await call(ctx.app, 'POST', `/api/checkout/products/${product.body.id}`, {
        token: buyer.token,
      });
      expect(res.status).toBe(201);
      purchases.push(res.body.purchase);
    }
    for (const p of purchases.slice(0, 2)) {
      const event = paymentIntentEvent('payment_intent.succeeded', {
        id: p.id,
        paymentIntentId: p.payment.paymentIntentId,
        amountMinor: 2500,
        currency: 'USD',
      });
      event.data.object.metadata = { kind: 'purchase', purchaseId: p.id } as never;
      expect((await postStripeEvent(ctx.app, ctx.deps, event)).status).toBe(200);
    }
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const slot = await slotAfter(ctx.app, coach.service.id, 60 * 60_000);
    const booking = await call(ctx.app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: coach.service.id, start: slot.start },
    });
    expect(booking.status).toBe(201);
    await waitUntil(
      'server events',
      () =>
        ctx.deps.db.analyticsEvent.groupBy({ by: ['type'], where: { coachId: coach.user.id }, _count: true }),
      (rows) =>
        rows.find((r) => r.type === 'purchase')?._count === 2 &&
        rows.find((r) => r.type === 'checkout_started')?._count === 3 &&
        rows.find((r) => r.type === 'booking_created')?._count === 1,
    );

    await rollup();
    const res = await call(ctx.app, 'GET', `/api/coaches/me/analytics?from=${today()}&to=${today()}`, {
      token: coach.user.token,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.totals).toEqual({
      views: 10,
      ctaClicks: 4,
      checkouts: 3,
      purchases: 2,
      bookings: 1,
      revenue: { USD: 5000 },
    });
    expect(res.body.funnel).toEqual({
      views: 10,
      checkouts: 3,
      purchases: 2,
      bookings: 1,
      rates: { viewToCheckout: 0.3, checkoutToPurchase: 0.6667, viewToPurchase: 0.2, viewToBooking: 0.1 },
    });
    expect(res.body.series).toEqual([{ period: today(), ...res.body.totals }]);

    // A refresh with nothing new changes nothing; the other coach sees only their own views.
    await rollup();
    const again = await call(ctx.app, 'GET', `/api/coaches/me/analytics?from=${today()}&to=${today()}`, {
      token: coach.user.token,
    });
    expect(again.body.totals).toEqual(res.body.totals);
    const theirs = await call(ctx.app, 'GET', '/api/coaches/me/analytics?granularity=week', {
      token: other.user.token,
    });
    expect(theirs.body.totals.views).toBe(7);
    expect(theirs.body.totals.purchases).toBe(0);

    const svg = await call(
      ctx.app,
      'GET',
      `/api/coaches/me/analytics/funnel.svg?from=${today()}&to=${today()}`,
      {
        token: coach.user.token,
      },
    );
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const bars = Object.fromEntries(
      [...String(svg.body).matchAll(/data-stage="(\w+)" data-value="(\d+)"[^>]*height="(\d+)"/g)].map((m) => [
        m[1],
        { value: Number(m[2]), height: Number(m[3]) },
      ]),
    );
    for (const stage of ['views', 'checkouts', 'purchases', 'bookings'] as const)
      expect(bars[stage]!.value, stage).toBe(res.body.funnel[stage]);
    expect(bars.views!.height).toBe(180);
    expect(bars.checkouts!.height).toBe(Math.round(180 * 0.3));
    const revenueBars = [...String(svg.body).matchAll(/data-period="([\d-]+)" data-value="(\d+)"/g)].map(
      (m) => ({
        period: m[1],
        value: Number(m[2]),
      }),
    );
    expect(revenueBars).toEqual(
      res.body.series.map((p: { period: string; revenue: Record<string, number> }) => ({
        period: p.period,
        value: p.revenue.USD ?? 0,
      })),
    );
  });

  it('the rollup runs on a Temporal Schedule, created idempotently, every 5 minutes', async () => {
    const scheduleId = `analytics-rollup-test-${randomUUID()}`;
    const opts = { taskQueue: ctx.deps.cfg.TEMPORAL_TASK_QUEUE, scheduleId };
    await ensureSchedule(ctx.deps.temporal, 'analyticsRollup', opts);
    await ensureSchedule(ctx.deps.temporal, 'analyticsRollup', opts);
    const handle = ctx.deps.temporal.schedule.getHandle(scheduleId);
    try {
      const d = await handle.describe();
      expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: analyticsRollupWorkflowType });
      expect(d.spec.intervals?.[0]?.every).toBe(5 * 60_000);
      await handle.trigger();
      await waitUntil(
        'a scheduled rollup run',
        async () => (await handle.describe()).info.recentActions.length,
        (n) => n >= 1,
      );
    } finally {
      await handle.delete();
    }
  });

  it('refuses a bad range or granularity, and needs a token', async () => {
    const coach = await createCoach(ctx.app, ctx.deps);
    const t = { token: coach.user.token };
    expect(
      (await call(ctx.app, 'GET', '/api/coaches/me/analytics?from=2026-02-01&to=2026-01-01', t)).status,
    ).toBe(400);
    expect(
      (await call(ctx.app, 'GET', '/api/coaches/me/analytics?from=2020-01-01&to=2026-01-01', t)).status,
    ).toBe(400);
    expect((await call(ctx.app, 'GET', '/api/coaches/me/analytics?granularity=hour', t)).status).toBe(400);
    expect((await call(ctx.app, 'GET', '/api/coaches/me/analytics?from=2026-13-01', t)).status).toBe(400);
    expect((await call(ctx.app, 'GET', '/api/coaches/me/analytics')).status).toBe(401);
    const month = await call(
      ctx.app,
      'GET',
      '/api/coaches/me/analytics?from=2026-01-15&to=2026-03-02&granularity=month',
      t,
    );
    expect(month.body.series.map((p: { period: string }) => p.period)).toEqual([
      '2026-01-01',
      '2026-02-01',
      '2026-03-01',
    ]);
  });
});
