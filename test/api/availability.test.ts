import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoach } from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser } from '../support/users';

// Services, the coach's schedule and the public slot list, through the API against real Postgres.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext();
});
afterAll(async () => ctx?.close());

const weekdays = [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startTime: '09:00', endTime: '17:00' }));

describe('services', () => {
  it('creates with defaults, validates across fields, updates, lists publicly and archives when booked', async () => {
    const coach = await createCoach(ctx.app, ctx.deps, {
      service: { title: 'Spin bowling clinic', durationMin: 60, priceMinor: 0 },
    });
    const token = coach.user.token;
    expect(coach.service).toMatchObject({
      durationMin: 60,
      priceMinor: 0,
      currency: 'USD',
      bufferBeforeMin: 0,
      minimumNoticeMin: 0,
      horizonDays: 60,
      slotIntervalMin: 5,
      dailyLimit: null,
      cancellationPolicy: { kind: 'flexible' },
      active: true,
    });

    const bad = await call(ctx.app, 'POST', '/api/coaches/me/services', {
      token,
      body: {
        title: 'x',
        durationMin: 45,
        slotIntervalMin: 7,
        currency: 'XYZ',
        dailyLimit: 5,
        weeklyLimit: 2,
        cancellationPolicy: { kind: 'custom', tiers: [{ hoursBefore: 24, refundPercent: 150 }] },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'currency',
      'slotIntervalMin',
    ]);
    const policy = await call(ctx.app, 'POST', '/api/coaches/me/services', {
      token,
      body: {
        title: 'x',
        durationMin: 45,
        dailyLimit: 5,
        weeklyLimit: 2,
        cancellationPolicy: { kind: 'custom', tiers: [{ hoursBefore: 24, refundPercent: 150 }] },
      },
    });
    expect(policy.status).toBe(400);
    expect(policy.body.error.details).toEqual([
      { field: 'cancellationPolicy.tiers[0].refundPercent', reason: 'must be between 0 and 100' },
      { field: 'weeklyLimit', reason: 'must not be below dailyLimit' },
    ]);

    const patched = await call(ctx.app, 'PATCH', `/api/coaches/me/services/${coach.service.id}`, {
      token,
      body: { priceMinor: 3000, currency: 'GBP', bufferAfterMin: 15, cancellationPolicy: { kind: 'strict' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      priceMinor: 3000,
      currency: 'GBP',
      bufferAfterMin: 15,
      cancellationPolicy: { kind: 'strict' },
    });

    const other = await createUser(ctx.app, ctx.deps, 'coach_pro', 'coach');
    expect(
      (
        await call(ctx.app, 'PATCH', `/api/coaches/me/services/${coach.service.id}`, {
          token: other.token,
          body: { title: 'Mine now' },
        })
      ).status,
    ).toBe(404);
    const athlete = await createUser(ctx.app, ctx.deps);
    expect(
      (
        await call(ctx.app, 'POST', '/api/coaches/me/services', {
          token: athlete.token,
          body: { title: 'x', durationMin: 30 },
        })
      ).status,
    ).toBe(403);

    const listed = await call(ctx.app, 'GET', `/api/coaches/${coach.slug}/services`);
    expect(listed.body.items.map((s: { id: string }) => s.id)).toEqual([coach.service.id]);

    // Booked once, so removal archives it.
    await ctx.deps.db.booking.create({
      data: {
        coachId: coach.user.id,
        athleteId: athlete.id,
        serviceId: coach.service.id,
        status: 'CANCELLED',
        startsAt: new Date('2031-01-06T10:00:00Z'),
        endsAt: new Date('2031-01-06T11:00:00Z'),
        blockedStart: new Date('2031-01-06T10:00:00Z'),
        blockedEnd: new Date('2031-01-06T11:00:00Z'),
        bufferBeforeMin: 0,
        bufferAfterMin: 0,
        priceMinor: 0,
        currency: 'USD',
      },
    });
    expect(
      (await call(ctx.app, 'DELETE', `/api/coaches/me/services/${coach.service.id}`, { token })).status,
    ).toBe(204);
    expect(
      (await ctx.deps.db.bookingService.findUniqueOrThrow({ where: { id: coach.service.id } })).active,
    ).toBe(false);
    expect((await call(ctx.app, 'GET', `/api/coaches/${coach.slug}/services`)).body.items).toEqual([]);
    const unused = await call(ctx.app, 'POST', '/api/coaches/me/services', {
      token,
      body: { title: 'Trial', durationMin: 30 },
    });
    expect(
      (await call(ctx.app, 'DELETE', `/api/coaches/me/services/${unused.body.id}`, { token })).status,
    ).toBe(204);
    expect(await ctx.deps.db.bookingService.count({ where: { id: unused.body.id } })).toBe(0);
  });
});

describe('schedule', () => {
  it('weekly windows need a profile, are validated (overlaps, end before start) and replaced atomically', async () => {
    const coach = await createUser(ctx.app, ctx.deps, 'coach_pro', 'coach');
    const noProfile = await call(ctx.app, 'PUT', '/api/availability/windows', {
      token: coach.token,
      body: { windows: weekdays },
    });
    expect(noProfile.status).toBe(409);
    expect(noProfile.body.error.code).toBe('profile_required');

    const c = await createCoach(ctx.app, ctx.deps, { windows: weekdays });
    const token = c.user.token;
    const bad = await call(ctx.app, 'PUT', '/api/availability/windows', {
      token,
      body: {
        windows: [
          { dayOfWeek: 1, startTime: '09:00', endTime: '12:00' },
          { dayOfWeek: 1, startTime: '11:00', endTime: '13:00' },
          { dayOfWeek: 2, startTime: '17:00', endTime: '09:00' },
          { dayOfWeek: 7, startTime: '09:00', endTime: '10:00' },
          { dayOfWeek: 3, startTime: '9am', endTime: '10:00' },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([
      { field: 'windows.3.dayOfWeek', reason: 'Too big: expected number to be <=6' },
      { field: 'windows.4.startTime', reason: 'must be HH:MM' },
    ]);
    const semantic = await call(ctx.app, 'PUT', '/api/availability/windows', {
      token,
      body: {
        windows: [
          { dayOfWeek: 1, startTime: '09:00', endTime: '12:00' },
          { dayOfWeek: 1, startTime: '11:00', endTime: '13:00' },
          { dayOfWeek: 2, startTime: '17:00', endTime: '09:00' },
        ],
      },
    });
    expect(semantic.status).toBe(400);
    expect(semantic.body.error.details).toEqual([
      { field: 'windows.2.endTime', reason: 'must be after startTime' },
      { field: 'windows.1', reason: 'overlaps windows[0]' },
    ]);
    // Nothing was replaced.
    expect((await call(ctx.app, 'GET', '/api/availability/windows', { token })).body.windows).toHaveLength(5);

    const added = await call(ctx.app, 'POST', '/api/availability/windows', {
      token,
      body: { dayOfWeek: 6, startTime: '08:00', endTime: '12:00' },
    });
    expect(added.status).toBe(201);
    expect(added.body.timeZone).toBe('Europe/London');
    expect(added.body.windows.at(-1)).toMatchObject({ dayOfWeek: 6, startTime: '08:00', endTime: '12:00' });
    const clash = await call(ctx.app, 'POST', '/api/availability/windows', {
      token,
      body: { dayOfWeek: 6, startTime: '11:00', endTime: '13:00' },
    });
    expect(clash.status).toBe(400);
    expect(clash.body.error.details).toEqual([
      { field: 'startTime', reason: 'overlaps your existing window 08:00–12:00 on that day' },
    ]);
    const id = added.body.windows.at(-1).id;
    expect((await call(ctx.app, 'DELETE', `/api/availability/windows/${id}`, { token })).status).toBe(204);
    expect((await call(ctx.app, 'DELETE', `/api/availability/windows/${id}`, { token })).status).toBe(404);
  });

  it('overrides and blackouts shape the public slots; viewers get their own local times, across DST', async () => {
    // London, Monday to Friday 09:00–17:00, one-hour sessions on the hour.
    const c = await createCoach(ctx.app, ctx.deps, {
      windows: weekdays,
      service: { durationMin: 60, slotIntervalMin: 60, horizonDays: 365, priceMinor: 0 },
    });
    const token = c.user.token;
    const slots = async (from: string, to: string, timeZone?: string) => {
      const qs = new URLSearchParams({
        serviceId: c.service.id,
        coachSlug: c.slug,
        from,
        to,
        ...(timeZone ? { timeZone } : {}),
      });
      const res = await call(ctx.app, 'GET', `/api/availability/slots?${qs}`);
      expect(res.status).toBe(200);
      return res.body;
    };
    // Pick next year's UK spring-forward week so the dates are always in the future: the last
    // Sunday of March. Monday before it (winter, UTC+0) and the Monday after (BST, UTC+1).
    const year = new Date().getUTCFullYear() + 1;
    const lastSunday = new Date(Date.UTC(year, 2, 31));
    lastSunday.setUTCDate(31 - lastSunday.getUTCDay());
    const day = (offset: number) =>
      new Date(lastSunday.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    const winterMonday = day(-6);
    const summerMonday = day(1);

    const winter = await slots(`${winterMonday}T00:00:00Z`, `${winterMonday}T23:59:59Z`, 'America/New_York');
    expect(winter.slots).toHaveLength(8);
    expect(winter.slots[0]).toMatchObject({ start: `${winterMonday}T09:00:00.000Z` });
    expect(winter.slots[0].local.start).toMatch(/T05:00:00-04:00$/); // New York is already on summer time
    const summer = await slots(`${summerMonday}T00:00:00Z`, `${summerMonday}T23:59:59Z`);
    expect(summer.slots[0].start).toBe(`${summerMonday}T08:00:00.000Z`); // still 09:00 in London
    expect(summer.slots.at(-1).start).toBe(`${summerMonday}T15:00:00.000Z`);
    expect(summer.slots[0].local).toBeUndefined();

    // An override: that Monday only 13:00–15:00; a blackout removes 14:00–15:00.
    expect(
      (
        await call(ctx.app, 'PUT', `/api/availability/overrides/${summerMonday}`, {
          token,
          body: { windows: [{ startTime: '13:00', endTime: '15:00' }] },
        })
      ).status,
    ).toBe(200);
    const blackout = await call(ctx.app, 'POST', '/api/availability/blackouts', {
      token,
      body: { start: `${summerMonday}T13:00:00Z`, end: `${summerMonday}T14:00:00Z`, reason: 'Physio' },
    });
    expect(blackout.status).toBe(201);
    expect(
      (await slots(`${summerMonday}T00:00:00Z`, `${summerMonday}T23:59:59Z`)).slots.map(
        (s: { start: string }) => s.start,
      ),
    ).toEqual([`${summerMonday}T12:00:00.000Z`]);
    // A day off; then back to the weekly hours.
    await call(ctx.app, 'PUT', `/api/availability/overrides/${summerMonday}`, {
      token,
      body: { windows: [] },
    });
    expect((await slots(`${summerMonday}T00:00:00Z`, `${summerMonday}T23:59:59Z`)).slots).toEqual([]);
    const overrides = await call(ctx.app, 'GET', '/api/availability/overrides', { token });
    expect(overrides.body.items).toContainEqual({ date: summerMonday, windows: [] });
    expect(
      (await call(ctx.app, 'DELETE', `/api/availability/overrides/${summerMonday}`, { token })).status,
    ).toBe(204);
    expect(
      (await call(ctx.app, 'DELETE', `/api/availability/blackouts/${blackout.body.id}`, { token })).status,
    ).toBe(204);
    expect((await slots(`${summerMonday}T00:00:00Z`, `${summerMonday}T23:59:59Z`)).slots).toHaveLength(8);

    const badOverride = await call(ctx.app, 'PUT', '/api/availability/overrides/2027-02-30', {
      token,
      body: { windows: [] },
    });
    expect(badOverride.status).toBe(400);
    const inverted = await call(ctx.app, 'PUT', `/api/availability/overrides/${summerMonday}`, {
      token,
      body: { windows: [{ startTime: '15:00', endTime: '13:00' }] },
    });
    expect(inverted.status).toBe(400);
    expect(inverted.body.error.details).toEqual([
      { field: 'windows.0.endTime', reason: 'must be after startTime' },
    ]);

    // Another coach's slug with this service id finds nothing; a range over 62 days is refused.
    const other = await createCoach(ctx.app, ctx.deps);
    expect(
      (
        await call(
          ctx.app,
          'GET',
          `/api/availability/slots?serviceId=${c.service.id}&coachSlug=${other.slug}`,
        )
      ).status,
    ).toBe(404);
    const long = await call(
      ctx.app,
      'GET',
      `/api/availability/slots?serviceId=${c.service.id}&from=${winterMonday}T00:00:00Z&to=${day(80)}T00:00:00Z`,
    );
    expect(long.status).toBe(400);
    expect(long.body.error.details).toEqual([{ field: 'to', reason: 'must be within 62 days of from' }]);
  });

  it('the public page shows Book only while an open slot exists', async () => {
    const c = await createCoach(ctx.app, ctx.deps);
    expect((await call(ctx.app, 'GET', `/api/coaches/${c.slug}`)).body.cta.book).toBe(true);
    // Every day blacked out for the service's whole horizon: nothing to book.
    await call(ctx.app, 'POST', '/api/availability/blackouts', {
      token: c.user.token,
      body: {
        start: new Date(Date.now() - 60_000).toISOString(),
        end: new Date(Date.now() + 61 * 86_400_000).toISOString(),
      },
    });
    expect((await call(ctx.app, 'GET', `/api/coaches/${c.slug}`)).body.cta.book).toBe(false);

    const empty = await createCoach(ctx.app, ctx.deps, { windows: [] });
    expect((await call(ctx.app, 'GET', `/api/coaches/${empty.slug}`)).body.cta.book).toBe(false);
    // A downgraded coach stops showing Book.
    const downgraded = await createCoach(ctx.app, ctx.deps);
    await ctx.deps.db.user.update({ where: { id: downgraded.user.id }, data: { role: 'free' } });
    expect((await call(ctx.app, 'GET', `/api/coaches/${downgraded.slug}`)).body.cta.book).toBe(false);
  });
});
