import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryConsume, currentUsage } from '../../src/data/usage';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser } from '../support/users';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext();
});
afterAll(async () => ctx?.close());

const slug = () => `coach-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
const profile = (s: string) => ({
  slug: s,
  displayName: 'Asha Rao',
  bio: 'Fast bowling coach',
  timeZone: 'Europe/London',
  productsEnabled: true,
});

describe('feature gates', () => {
  it('denies a free user the coach features with the feature named', async () => {
    const free = await createUser(ctx.app, ctx.deps);
    const res = await call(ctx.app, 'PUT', '/api/coaches/me/profile', {
      token: free.token,
      body: profile(slug()),
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({
      code: 'feature_not_in_plan',
      message: 'Insufficient feature access: bookings_enabled',
    });
    const roster = await call(ctx.app, 'GET', '/api/coaches/me/players', { token: free.token });
    expect(roster.body.error.message).toBe('Insufficient feature access: player_assignment');
  });

  it('denies the wrong role with 403 naming the roles allowed', async () => {
    const coach = await createUser(ctx.app, ctx.deps, 'coach_pro_plus');
    const res = await call(ctx.app, 'POST', '/api/orgs', {
      token: coach.token,
      body: { name: 'Not mine to make' },
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({
      code: 'role_not_allowed',
      message: 'This action needs one of the roles: org_pro, superuser',
    });
    expect(await ctx.deps.db.organisation.count({ where: { ownerId: coach.id } })).toBe(0);
  });

  it('follows a plan change on the very next request', async () => {
    const user = await createUser(ctx.app, ctx.deps);
    expect((await call(ctx.app, 'GET', '/api/coaches/me/players', { token: user.token })).status).toBe(403);
    await ctx.deps.db.user.update({ where: { id: user.id }, data: { role: 'coach_pro' } });
    expect((await call(ctx.app, 'GET', '/api/coaches/me/players', { token: user.token })).status).toBe(200);
  });

  it('reports effective features, limits and usage', async () => {
    const coach = await createUser(ctx.app, ctx.deps, 'coach_pro_plus');
    await tryConsume(ctx.deps.db, coach.id, 'ai_reports', 3, 150);
    const res = await call(ctx.app, 'GET', '/api/me/entitlements', { token: coach.token });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('coach_pro_plus');
    expect(res.body.plan).toEqual({ name: expect.any(String), priceMonthlyMinor: 1999, currency: 'USD' });
    expect(res.body.features.video_upload_enabled).toBe(true);
    expect(res.body.features.player_assignment).toBe(true);
    expect(res.body.limits.storage_quota_bytes).toBe(500_000_000_000);
    expect(res.body.usage.ai_reports).toEqual({
      used: 3,
      limit: 150,
      period: new Date().toISOString().slice(0, 7),
    });
    expect(res.body.usage.storage_bytes).toEqual({ used: 0, limit: 500_000_000_000, period: 'total' });

    const free = await createUser(ctx.app, ctx.deps);
    const freeRes = await call(ctx.app, 'GET', '/api/me/entitlements', { token: free.token });
    expect(freeRes.body.features.video_upload_enabled).toBe(false);
    expect(freeRes.body.limits.ai_reports_per_month).toBe(5);
  });
});

describe('usage limits', () => {
  it('lets exactly one of many concurrent requests take the last unit', async () => {
    const user = await createUser(ctx.app, ctx.deps);
    await tryConsume(ctx.deps.db, user.id, 'ai_reports', 4, 5);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => tryConsume(ctx.deps.db, user.id, 'ai_reports', 1, 5)),
    );
    expect(results.filter((r) => r !== undefined)).toEqual([5]);
    expect(await currentUsage(ctx.deps.db, user.id, 'ai_reports')).toBe(5);
  });

  it('never takes part of a request that does not fit', async () => {
    const user = await createUser(ctx.app, ctx.deps);
    expect(await tryConsume(ctx.deps.db, user.id, 'storage_bytes', 900, 1000)).toBe(900);
    expect(await tryConsume(ctx.deps.db, user.id, 'storage_bytes', 101, 1000)).toBeUndefined();
    expect(await currentUsage(ctx.deps.db, user.id, 'storage_bytes')).toBe(900);
  });
});

describe('coach profiles and the public page', () => {
  it('publishes a profile at a unique slug with Book/Buy flags computed from what is on sale', async () => {
    const coach = await createUser(ctx.app, ctx.deps, 'coach_pro');
    const s = slug();
    const saved = await call(ctx.app, 'PUT', '/api/coaches/me/profile', {
      token: coach.token,
      body: profile(s),
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      slug: s,
      timeZone: 'Europe/London',
      bookingEnabled: false,
      productsEnabled: true,
    });

    const empty = await call(ctx.app, 'GET', `/api/coaches/${s}`);
    expect(empty.status).toBe(200);
    expect(empty.body.cta).toEqual({ book: false, buy: false });

    const product = await call(ctx.app, 'POST', '/api/coaches/me/products', {
      token: coach.token,
      body: { title: '4-week bowling block', priceMinor: 12000, currency: 'GBP' },
    });
    expect(product.status).toBe(201);
    const page = await call(ctx.app, 'GET', `/api/coaches/${s}`);
    expect(page.body.cta.buy).toBe(true);
    expect(page.body.products).toEqual([
      {
        id: product.body.id,
        title: '4-week bowling block',
        description: '',
        priceMinor: 12000,
        currency: 'GBP',
        type: 'PRODUCT',
        productIds: [],
        credits: null,
        courseId: null,
      },
    ]);
    expect(page.body).not.toHaveProperty('stripeAccountId');

    await call(ctx.app, 'PATCH', `/api/coaches/me/products/${product.body.id}`, {
      token: coach.token,
      body: { active: false },
    });
    expect((await call(ctx.app, 'GET', `/api/coaches/${s}`)).body.cta.buy).toBe(false);
  });

  it('refuses a taken slug with 409 naming the field', async () => {
    const a = await createUser(ctx.app, ctx.deps, 'coach_pro');
    const b = await createUser(ctx.app, ctx.deps, 'coach_pro');
    const s = slug();
    await call(ctx.app, 'PUT', '/api/coaches/me/profile', { token: a.token, body: profile(s) });
    const res = await call(ctx.app, 'PUT', '/api/coaches/me/profile', { token: b.token, body: profile(s) });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'slug_taken',
      details: [{ field: 'slug', reason: 'already taken' }],
    });
  });

  it.each([
    [{ slug: 'Bad Slug!', displayName: 'x', timeZone: 'Europe/London' }, 'slug'],
    [{ slug: 'good-slug', displayName: 'x', timeZone: 'Mars/Olympus' }, 'timeZone'],
    [{ slug: 'good-slug', displayName: 'x', timeZone: 'UTC', stripeAccountId: 'acct_1' }, 'stripeAccountId'],
  ])('rejects %j naming %s, writing nothing', async (input, field) => {
    const coach = await createUser(ctx.app, ctx.deps, 'coach_pro');
    const res = await call(ctx.app, 'PUT', '/api/coaches/me/profile', { token: coach.token, body: input });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual([field]);
    expect(await ctx.deps.db.coachProfile.count({ where: { userId: coach.id } })).toBe(0);
  });

  it('rejects money that is not integer minor units', async () => {
    const coach = await createUser(ctx.app, ctx.deps, 'coach_pro');
    const res = await call(ctx.app, 'POST', '/api/coaches/me/products', {
      token: coach.token,
      body: { title: 'x', priceMinor: 19.99, currency: 'usd' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'currency',
      'priceMinor',
    ]);
  });
});

describe('rosters', () => {
  it('a coach invites, the player accepts and can then be seen by that coach only', async () => {
    const coach = await createUser(ctx.app, ctx.deps, 'coach_pro');
    const other = await createUser(ctx.app, ctx.deps, 'coach_pro');
    const player = await createUser(ctx.app, ctx.deps, 'player_pro');

    const invite = await call(ctx.app, 'POST', '/api/coaches/me/players', {
      token: coach.token,
      body: { email: player.email.toUpperCase() },
    });
    expect(invite.status).toBe(201);
    // Until the player accepts, the invitation shows only the address (issue 9 #14: no name or id).
    expect(invite.body).toMatchObject({
      coachId: coach.id,
      status: 'invited',
      person: { email: player.email },
    });
    expect(invite.body.playerId).not.toBe(player.id);
    expect(
      (
        await call(ctx.app, 'POST', '/api/coaches/me/players', {
          token: coach.token,
          body: { email: player.email },
        })
      ).status,
    ).toBe(409);

    // Invited is not yet assigned: the coach cannot see the player's account.
    expect((await call(ctx.app, 'GET', `/api/players/${player.id}`, { token: coach.token })).status).toBe(
      404,
    );
    const mine = await call(ctx.app, 'GET', '/api/me/coaches', { token: player.token });
    expect(mine.body.items).toMatchObject([{ coachId: coach.id, status: 'invited' }]);

    const accepted = await call(ctx.app, 'POST', `/api/me/coaches/${coach.id}/accept`, {
      token: player.token,
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('active');

    const seen = await call(ctx.app, 'GET', `/api/players/${player.id}`, { token: coach.token });
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual({
      id: player.id,
      name: 'Test player_pro',
      email: player.email,
      role: 'player_pro',
    });
    expect((await call(ctx.app, 'GET', `/api/players/${player.id}`, { token: other.token })).status).toBe(
      404,
    );

    expect(
      (await call(ctx.app, 'DELETE', `/api/me/coaches/${coach.id}`, { token: player.token })).status,
    ).toBe(204);
    expect((await call(ctx.app, 'GET', `/api/players/${player.id}`, { token: coach.token })).status).toBe(
      404,
    );
  });
});

describe('organisations', () => {
  it('enforces seat limits, and two admins racing for the last seat get exactly one', async () => {
    const owner = await createUser(ctx.app, ctx.deps, 'org_pro');
    const org = await call(ctx.app, 'POST', '/api/orgs', {
      token: owner.token,
      body: { name: 'Riverside CC', seatTier: 'starter' },
    });
    expect(org.status).toBe(201);
    expect(org.body.seats).toEqual({ coach: { used: 0, limit: 4 }, analyst: { used: 0, limit: 1 } });

    const analysts = await Promise.all([1, 2, 3].map(() => createUser(ctx.app, ctx.deps, 'analyst_pro')));
    const results = await Promise.all(
      analysts.map((a) =>
        call(ctx.app, 'POST', `/api/orgs/${org.body.id}/members`, {
          token: owner.token,
          body: { email: a.email, role: 'analyst' },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(201);
    expect(statuses.slice(1).every((s) => s === 409)).toBe(true);
    const refused = results.find((r) => r.status === 409)!;
    expect(refused.body.error.code).toBe('seat_limit_reached');
    // Adding is an invitation (issue 9 #2): it holds the seat, and the invitee's acceptance fills it.
    expect(await ctx.deps.db.orgInvitation.count({ where: { orgId: org.body.id, role: 'analyst' } })).toBe(1);
    const invited = analysts[results.findIndex((r) => r.status === 201)]!;
    await call(ctx.app, 'POST', `/api/me/orgs/${org.body.id}/accept`, { token: invited.token });
    expect(await ctx.deps.db.orgMember.count({ where: { orgId: org.body.id, role: 'analyst' } })).toBe(1);
  });

  it('lets an org admin see members’ accounts but not other orgs', async () => {
    const owner = await createUser(ctx.app, ctx.deps, 'org_pro');
    const member = await createUser(ctx.app, ctx.deps, 'player_pro');
    const outsider = await createUser(ctx.app, ctx.deps, 'org_pro');
    const org = await call(ctx.app, 'POST', '/api/orgs', {
      token: owner.token,
      body: { name: 'Hill Academy' },
    });
    await call(ctx.app, 'POST', `/api/orgs/${org.body.id}/members`, {
      token: owner.token,
      body: { email: member.email, role: 'player' },
    });
    // Membership takes the member's consent (issue 9 #2): until they accept, the admin sees nothing.
    expect((await call(ctx.app, 'GET', `/api/players/${member.id}`, { token: owner.token })).status).toBe(
      404,
    );
    await call(ctx.app, 'POST', `/api/me/orgs/${org.body.id}/accept`, { token: member.token });

    expect((await call(ctx.app, 'GET', `/api/players/${member.id}`, { token: owner.token })).status).toBe(
      200,
    );
    expect((await call(ctx.app, 'GET', `/api/players/${member.id}`, { token: outsider.token })).status).toBe(
      404,
    );
    const asMember = await call(ctx.app, 'GET', `/api/orgs/${org.body.id}`, { token: member.token });
    expect(asMember.status).toBe(200);
    const memberWrite = await call(ctx.app, 'POST', `/api/orgs/${org.body.id}/members`, {
      token: member.token,
      body: { email: outsider.email, role: 'player' },
    });
    expect(memberWrite.status).toBe(403);
    expect(
      (await call(ctx.app, 'DELETE', `/api/orgs/${org.body.id}/members/${owner.id}`, { token: owner.token }))
        .status,
    ).toBe(409);
  });
});
