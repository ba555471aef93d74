import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestContext, uniqueEmail, type TestContext } from '../support/harness';
import { createUser, type TestUser } from '../support/users';

// Issue 9 #12: a NUL character in any text field used to reach Postgres and come back as a 500.
let ctx: TestContext;
let coach: TestUser;

beforeAll(async () => {
  ctx = await startTestContext();
  coach = await createUser(ctx.app, ctx.deps, 'coach_pro_plus');
});
afterAll(async () => ctx?.close());

describe('NUL characters (issue 9 #12)', () => {
  it('register with a NUL in the name is a 400 naming the field, and creates nothing', async () => {
    const email = uniqueEmail('nul');
    const res = await call(ctx.app, 'POST', '/api/auth/register', {
      body: { email, password: 'a-long-enough-password', name: 'x\u0000y' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ field: 'name', reason: expect.stringContaining('NUL') }]);
    expect(await ctx.deps.db.user.count({ where: { email } })).toBe(0);
  });

  it('names nested fields and query parameters', async () => {
    const profile = await call(ctx.app, 'PUT', '/api/coaches/me/profile', {
      token: coach.token,
      body: { displayName: 'Coach', slug: `c-${Date.now()}`, timeZone: 'Europe/London', bio: 'a\u0000' },
    });
    expect(profile.status).toBe(400);
    expect(profile.body.error.details).toContainEqual({
      field: 'bio',
      reason: expect.stringContaining('NUL'),
    });

    const slots = await call(
      ctx.app,
      'GET',
      `/api/availability/slots?serviceId=${randomUUID()}&timeZone=Europe%2FLondon%00`,
    );
    expect(slots.status).toBe(400);
    expect(slots.body.error.details).toContainEqual({
      field: 'query.timeZone',
      reason: expect.stringContaining('NUL'),
    });
  });

  it('no route answers 500 to NUL characters in every common field', async () => {
    const spec = (await call(ctx.app, 'GET', '/openapi.json')).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const nul = 'a\u0000b';
    const body = {
      email: `x${nul}@example.test`,
      name: nul,
      title: nul,
      description: nul,
      notes: nul,
      reason: nul,
      slug: nul,
      bio: nul,
      displayName: nul,
      timeZone: nul,
      text: nul,
      tags: [nul],
    };
    let checked = 0;
    for (const [path, ops] of Object.entries(spec.paths)) {
      if (path === '/api/auth/logout') continue;
      const concrete = path.replace(/\{[^}]+\}/g, randomUUID());
      for (const method of Object.keys(ops)) {
        if (method === 'get' || method === 'delete') continue;
        const res = await call(ctx.app, method.toUpperCase(), concrete, { token: coach.token, body });
        expect(res.status, `${method} ${path}`).toBeLessThan(500);
        expect(res.body?.error?.code, `${method} ${path}`).toBeTypeOf('string');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
