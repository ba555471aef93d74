import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoach, slotsFor, terminateOpenBookingWorkflows } from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser } from '../support/users';

// Issue 9 #13: a price Stripe cannot charge (below its per-currency minimum) is refused where the
// coach sets it, naming priceMinor, instead of a booking that answers 201 and then expires.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext();
});
afterAll(async () => {
  if (ctx) await terminateOpenBookingWorkflows(ctx.deps);
  await ctx?.close();
});

const priceProblem = (body: { error: { details?: { field: string; reason: string }[] } }) =>
  body.error.details?.find((d) => d.field === 'priceMinor');

describe('prices Stripe can charge (issue 9 #13)', () => {
  it('issue 9 #13: services — 49 USD and 29 GBP are refused naming priceMinor; 50 USD and free are created', async () => {
    const coach = await createCoach(ctx.app, ctx.deps, { service: { priceMinor: 0 } });
    const token = coach.user.token;
    const create = (priceMinor: number, currency: string) =>
      call(ctx.app, 'POST', '/api/coaches/me/services', {
        token,
        body: { title: `Lesson ${priceMinor} ${currency}`, durationMin: 30, priceMinor, currency },
      });

    const cents = await create(49, 'USD');
    expect(cents.status).toBe(400);
    expect(cents.body.error.code).toBe('invalid_request');
    expect(cents.body.error.message).toMatch(/priceMinor/);
    expect(priceProblem(cents.body)?.reason).toMatch(/\$0\.50/);

    const pence = await create(29, 'GBP');
    expect(pence.status).toBe(400);
    expect(priceProblem(pence.body)?.reason).toMatch(/£0\.30/);

    expect((await create(50, 'USD')).status).toBe(201);
    expect((await create(30, 'GBP')).status).toBe(201);
    const free = await create(0, 'USD');
    expect(free.status).toBe(201);
    expect(free.body.priceMinor).toBe(0);

    // An update is judged on the merged result: a price alone, or a currency alone.
    const gbp = (await create(40, 'GBP')).body;
    const toUsd = await call(ctx.app, 'PATCH', `/api/coaches/me/services/${gbp.id}`, {
      token,
      body: { currency: 'USD' },
    });
    expect(toUsd.status).toBe(400);
    expect(priceProblem(toUsd.body)?.reason).toMatch(/\$0\.50/);
    const toCents = await call(ctx.app, 'PATCH', `/api/coaches/me/services/${free.body.id}`, {
      token,
      body: { priceMinor: 10 },
    });
    expect(toCents.status).toBe(400);
    expect(priceProblem(toCents.body)).toBeDefined();
    const both = await call(ctx.app, 'PATCH', `/api/coaches/me/services/${gbp.id}`, {
      token,
      body: { priceMinor: 75, currency: 'USD' },
    });
    expect(both.status).toBe(200);
    expect(both.body).toMatchObject({ priceMinor: 75, currency: 'USD' });
    const unchanged = await ctx.deps.db.bookingService.findUniqueOrThrow({ where: { id: free.body.id } });
    expect(unchanged.priceMinor).toBe(0);
  });

  it('issue 9 #13: products — the same minimum on create and on update', async () => {
    const coach = await createUser(ctx.app, ctx.deps, 'coach_pro', 'coach');
    const token = coach.token;
    const create = (priceMinor: number, currency: string) =>
      call(ctx.app, 'POST', '/api/coaches/me/products', {
        token,
        body: { title: 'Drill pack', priceMinor, currency },
      });
    const cents = await create(49, 'USD');
    expect(cents.status).toBe(400);
    expect(priceProblem(cents.body)?.reason).toMatch(/\$0\.50/);
    expect((await create(29, 'GBP')).status).toBe(400);
    const unknown = await create(5000, 'XYZ');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([
      { field: 'currency', reason: 'is not a supported currency' },
    ]);

    const ok = await create(50, 'USD');
    expect(ok.status).toBe(201);
    expect((await create(0, 'USD')).status).toBe(201);
    const patch = (body: Record<string, unknown>) =>
      call(ctx.app, 'PATCH', `/api/coaches/me/products/${ok.body.id}`, { token, body });
    const lower = await patch({ priceMinor: 49 });
    expect(lower.status).toBe(400);
    expect(priceProblem(lower.body)).toBeDefined();
    expect((await patch({ currency: 'AED' })).status).toBe(400); // 50 fils is below AED 2.00
    expect((await patch({ currency: 'EUR' })).status).toBe(200);
  });

  it('issue 9 #13: an existing service whose price cannot be charged is not booked (409, not 201 and an expiry)', async () => {
    const coach = await createCoach(ctx.app, ctx.deps, { service: { priceMinor: 4500 } });
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    // A row from before the rule (written directly: the API no longer accepts it).
    await ctx.deps.db.bookingService.update({ where: { id: coach.service.id }, data: { priceMinor: 49 } });
    const [slot] = await slotsFor(ctx.app, coach.service.id);
    const res = await call(ctx.app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: coach.service.id, start: slot!.start },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('service_not_chargeable');
    expect(await ctx.deps.db.booking.count({ where: { serviceId: coach.service.id } })).toBe(0);
  });
});
