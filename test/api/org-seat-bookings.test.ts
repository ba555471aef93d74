import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createCoach, slotAfter } from '../support/bookings';
import { createUser } from '../support/users';

// Issue 9 #2 follow-through: an org seat gives its holder a plan (a coach seat = Coach Pro). Anything
// that reads *another* user's plan — the booking of a coach's service — must see the seat too, not
// only the coach's own stored role.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext({ workers: true });
});
afterAll(async () => ctx?.close());

describe('a coach whose bookings come from an org seat', () => {
  it('takes bookings while seated, and not once the seat is gone', async () => {
    const coach = await createCoach(ctx.app, ctx.deps);
    const slot = await slotAfter(ctx.app, coach.service.id, 2 * 3_600_000);
    // The coach's own plan lapses to free; an org gives them a coach seat, which they accept.
    await ctx.deps.db.user.update({ where: { id: coach.user.id }, data: { role: 'free' } });
    const owner = await createUser(ctx.app, ctx.deps, 'org_pro', 'seat-owner');
    const org = await call(ctx.app, 'POST', '/api/orgs', { token: owner.token, body: { name: 'Seat CC' } });
    expect(org.status).toBe(201);
    const invited = await call(ctx.app, 'POST', `/api/orgs/${org.body.id}/members`, {
      token: owner.token,
      body: { email: coach.user.email, role: 'coach' },
    });
    expect(invited.status).toBe(201);
    expect(
      (await call(ctx.app, 'POST', `/api/me/orgs/${org.body.id}/accept`, { token: coach.user.token })).status,
    ).toBe(200);

    const athlete = await createUser(ctx.app, ctx.deps, 'player_pro', 'seat-athlete');
    const booked = await call(ctx.app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: coach.service.id, start: slot.start },
    });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);

    // The coach leaves the org: the seat's plan goes with it.
    expect(
      (await call(ctx.app, 'DELETE', `/api/me/orgs/${org.body.id}`, { token: coach.user.token })).status,
    ).toBeLessThan(300);
    const later = await slotAfter(ctx.app, coach.service.id, 6 * 3_600_000).catch(() => undefined);
    const refused = await call(ctx.app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: coach.service.id, start: later?.start ?? slot.end },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('bookings_closed');
  });
});
