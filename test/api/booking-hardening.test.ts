import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ServiceError } from '@temporalio/client';
import { createApp } from '../../src/api/app';
import type { Deps } from '../../src/infra/deps';
import {
  bookingRow,
  createCoach,
  payBooking,
  recordStripeRequests,
  slotsFor,
  terminateOpenBookingWorkflows,
  waitForStatus,
  waitUntil,
} from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser, type TestUser } from '../support/users';

// Issue 9 items 3, 5 and 9 on the real stack (Postgres, Temporal with this run's workers,
// stripe-mock, Mailpit): what an athlete sees over HTTP, and what the rows say.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext({ workers: true });
});
afterAll(async () => {
  if (ctx) await terminateOpenBookingWorkflows(ctx.deps);
  await ctx?.close();
});

/** The first open slot of the service starting at least `leadMs` from now. */
async function slotFrom(serviceId: string, leadMs: number): Promise<string> {
  const from = Date.now() + leadMs;
  const slots = await slotsFor(ctx.app, serviceId, {
    from: new Date(from).toISOString(),
    to: new Date(from + HOUR).toISOString(),
  });
  const slot = slots.find((s) => Date.parse(s.start) >= from);
  if (!slot) throw new Error(`no open slot ${leadMs} ms ahead`);
  return slot.start;
}

async function book(athlete: TestUser, serviceId: string, start: string) {
  return call(ctx.app, 'POST', '/api/bookings', { token: athlete.token, body: { serviceId, start } });
}

const pay = (booking: Parameters<typeof payBooking>[2]) => payBooking(ctx.app, ctx.deps, booking);

describe('cancellation after a reschedule (issue 9 #3)', () => {
  // Booked 3 h ahead and paid; moved 8 days out; cancelled. The refund is what cancelling would
  // have paid when the booking was moved out of its window, not what the new time alone would pay.
  it.each([
    { kind: 'flexible', percent: 50, back: 'half' },
    { kind: 'moderate', percent: 0, back: 'nothing' },
    { kind: 'strict', percent: 0, back: 'nothing' },
  ] as const)(
    'issue 9 #3: $kind — booked 3 h ahead, moved 8 days out, cancelled: $back back',
    async ({ kind, percent }) => {
      const coach = await createCoach(ctx.app, ctx.deps, {
        service: { priceMinor: 4500, currency: 'USD', cancellationPolicy: { kind } },
      });
      const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
      const created = await book(athlete, coach.service.id, await slotFrom(coach.service.id, 3 * HOUR));
      expect(created.status).toBe(201);
      const booking = created.body.booking;
      await pay(booking);
      await waitForStatus(ctx.deps, booking.id, 'CONFIRMED');

      const later = await slotFrom(coach.service.id, 8 * DAY);
      const moved = await call(ctx.app, 'POST', `/api/bookings/${booking.id}/reschedule`, {
        token: athlete.token,
        body: { start: later },
      });
      expect(moved.status).toBe(200);
      expect(moved.body.booking).toMatchObject({ start: later, rescheduleCount: 1 });

      const cancelled = await call(ctx.app, 'POST', `/api/bookings/${booking.id}/cancel`, {
        token: athlete.token,
        body: { reason: 'plans changed' },
      });
      expect(cancelled.status).toBe(200);
      const due = (4500 * percent) / 100;
      expect(cancelled.body.refund).toMatchObject({ amountMinor: due, percent });
      expect(cancelled.body.refund.rule).toMatch(/moved/i);
      expect(cancelled.body.booking).toMatchObject({ status: 'CANCELLED', refund: { dueMinor: due } });
      const row = await waitUntil(
        'the refund to settle',
        () => bookingRow(ctx.deps, booking.id),
        (b) => b.refundedMinor === due && (due === 0 || b.refundId !== null),
      );
      expect(row).toMatchObject({ status: 'CANCELLED', refundDueMinor: due, amountPaidMinor: 4500 });
    },
  );
});

describe('failing reschedules (issue 9 #5)', () => {
  it('issue 9 #5: a booking that receives 2,000 failing reschedules stays cancellable', async () => {
    const coach = await createCoach(ctx.app, ctx.deps, { service: { priceMinor: 0 } });
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const start = await slotFrom(coach.service.id, 2 * HOUR);
    const created = await book(athlete, coach.service.id, start);
    expect(created.status).toBe(201);
    const id = created.body.booking.id;
    await waitForStatus(ctx.deps, id, 'CONFIRMED');

    // One minute off the 5-minute grid: never bookable. Temporal counts 2,000 accepted updates per
    // run; before the fix each of these was accepted and then failed, and the 2,000th closed the run
    // to every further update (cancel answered 500).
    const offGrid = new Date(Date.parse(start) + 60_000).toISOString();
    const statuses = new Map<number, number>();
    const codes = new Set<string>();
    let sent = 0;
    const worker = async () => {
      while (sent < 2000) {
        sent++;
        const res = await call(ctx.app, 'POST', `/api/bookings/${id}/reschedule`, {
          token: athlete.token,
          body: { start: offGrid },
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        codes.add(res.body?.error?.code);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(Object.fromEntries(statuses)).toEqual({ 409: 2000 });
    expect([...codes]).toEqual(['slot_unavailable']);

    const cancelled = await call(ctx.app, 'POST', `/api/bookings/${id}/cancel`, {
      token: athlete.token,
      body: { reason: 'done trying' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.booking.status).toBe('CANCELLED');
    expect((await bookingRow(ctx.deps, id)).status).toBe('CANCELLED');
  }, 600_000);

  it('issue 9 #5: Temporal failures the API meets answer a clear 4xx/503, never 500', async () => {
    const coach = await createCoach(ctx.app, ctx.deps, { service: { priceMinor: 0 } });
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const created = await book(athlete, coach.service.id, await slotFrom(coach.service.id, 2 * HOUR));
    expect(created.status).toBe(201);
    const id = created.body.booking.id;
    await waitForStatus(ctx.deps, id, 'CONFIRMED');

    /** The same API, with a Temporal client whose update calls fail as the server would. */
    const failingWith = (code: number, details: string) => {
      const grpc = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
      const temporal = new Proxy(ctx.deps.temporal, {
        get(target, prop, receiver) {
          if (prop !== 'workflow') return Reflect.get(target, prop, receiver);
          return new Proxy(target.workflow, {
            get(wf, p, r) {
              if (p !== 'getHandle') return Reflect.get(wf, p, r);
              return (...args: Parameters<typeof wf.getHandle>) => {
                const handle = wf.getHandle(...args);
                return new Proxy(handle, {
                  get(h, q, s) {
                    if (q === 'executeUpdate' || q === 'startUpdate')
                      return async () => {
                        throw new ServiceError('Failed to update Workflow', { cause: grpc });
                      };
                    return Reflect.get(h, q, s);
                  },
                });
              };
            },
          });
        },
      });
      return createApp({ ...ctx.deps, temporal } as Deps);
    };

    const cases = [
      // The per-run update cap (continue-as-new pending), an overloaded or unreachable server.
      {
        code: 9,
        details:
          'The limit on the total number of distinct updates in this workflow has been reached (2000).',
        status: 503,
      },
      {
        code: 8,
        details: 'limit on number of concurrent in-flight updates has been reached (10)',
        status: 429,
      },
      { code: 14, details: 'connection refused', status: 503 },
      { code: 4, details: 'context deadline exceeded', status: 503 },
    ];
    for (const c of cases) {
      const app = failingWith(c.code, c.details);
      for (const [path, body] of [
        ['cancel', { reason: 'x' }],
        ['reschedule', { start: await slotFrom(coach.service.id, 3 * HOUR) }],
      ] as const) {
        const res = await call(app, 'POST', `/api/bookings/${id}/${path}`, { token: athlete.token, body });
        expect({ path, code: c.code, status: res.status }).toEqual({ path, code: c.code, status: c.status });
        expect(res.body.error.code).toMatch(/^(temporarily_unavailable|rate_limited)$/);
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    expect((await bookingRow(ctx.deps, id)).status).toBe('CONFIRMED');
  });
});

describe('calendar squatting (issue 9 #9)', () => {
  it('issue 9 #9: an athlete holds at most 2 unpaid slots of one coach; the next answers 429 with Retry-After', async () => {
    const coach = await createCoach(ctx.app, ctx.deps, { service: { priceMinor: 4500 } });
    const other = await createCoach(ctx.app, ctx.deps, { service: { priceMinor: 4500 } });
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const rival = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const starts = (await slotsFor(ctx.app, coach.service.id))
      .map((s) => s.start)
      .filter((s) => Date.parse(s) > Date.now() + HOUR)
      .slice(0, 4);

    const stripe = recordStripeRequests(ctx.deps);
    try {
      const first = await book(athlete, coach.service.id, starts[0]!);
      const second = await book(athlete, coach.service.id, starts[1]!);
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(first.body.booking.status).toBe('PENDING');

      const third = await book(athlete, coach.service.id, starts[2]!);
      expect(third.status).toBe(429);
      expect(third.body.error).toMatchObject({ code: 'too_many_holds' });
      expect(third.body.error.message).toMatch(/2 unpaid/);
      const retryAfter = Number(third.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(ctx.deps.cfg.BOOKING_HOLD_TIMEOUT / 1000);
      expect(
        await ctx.deps.db.booking.count({ where: { athleteId: athlete.id, coachId: coach.user.id } }),
      ).toBe(2);
      // Only the two holds made PaymentIntents.
      await waitUntil(
        'two PaymentIntents',
        async () => stripe.seen.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents'),
        (seen) => seen.length >= 2,
      );
      expect(stripe.seen.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents')).toHaveLength(
        2,
      );
    } finally {
      stripe.stop();
    }

    // The cap is per athlete and per coach: someone else, or another coach, is unaffected.
    expect((await book(rival, coach.service.id, starts[2]!)).status).toBe(201);
    const elsewhere = await book(athlete, other.service.id, await slotFrom(other.service.id, HOUR));
    expect(elsewhere.status).toBe(201);

    // Paying for a hold (or letting it go) frees a place.
    const held = (
      await ctx.deps.db.booking.findMany({
        where: { athleteId: athlete.id, coachId: coach.user.id },
        orderBy: { startsAt: 'asc' },
      })
    )[0]!;
    await pay({
      id: held.id,
      payment: { paymentIntentId: held.paymentIntentId! },
      price: { amountMinor: held.priceMinor, currency: held.currency },
    });
    await waitForStatus(ctx.deps, held.id, 'CONFIRMED');
    expect((await book(athlete, coach.service.id, starts[3]!)).status).toBe(201);
  });

  it('issue 9 #9: booking creation is rate limited per athlete: 429 with Retry-After', async () => {
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const coach = await createCoach(ctx.app, ctx.deps, { service: { priceMinor: 0 } });
    // Every attempt counts, whatever its outcome: 20 an hour.
    for (let i = 0; i < 20; i++) {
      const res = await book(athlete, randomUUID(), new Date(Date.now() + DAY).toISOString());
      expect(res.status).toBe(404);
    }
    const limited = await book(athlete, coach.service.id, await slotFrom(coach.service.id, HOUR));
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'rate_limited' });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await ctx.deps.db.booking.count({ where: { athleteId: athlete.id } })).toBe(0);

    // Another athlete is not affected.
    const other = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    expect((await book(other, coach.service.id, await slotFrom(coach.service.id, HOUR))).status).toBe(201);
  });
});
