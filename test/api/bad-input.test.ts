import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser, type TestUser } from '../support/users';

// Whatever garbage arrives, every route answers a 4xx in the one error shape: never a 500.
let ctx: TestContext;
let routes: { method: string; path: string }[];
let superuser: TestUser;
let coach: TestUser;

beforeAll(async () => {
  ctx = await startTestContext();
  const spec = (await call(ctx.app, 'GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  routes = Object.entries(spec.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })))
    // Logout takes no body and would end the sessions the sweep uses.
    .filter((r) => r.path !== '/api/auth/logout');
  superuser = await createUser(ctx.app, ctx.deps, 'superuser');
  coach = await createUser(ctx.app, ctx.deps, 'coach_pro_plus');
});
afterAll(async () => ctx?.close());

const GARBAGE: { name: string; raw: string }[] = [
  { name: 'invalid JSON', raw: '{"a": ' },
  { name: 'JSON null', raw: 'null' },
  { name: 'JSON array', raw: '[1,2,3]' },
  {
    name: 'wrong types',
    raw: JSON.stringify({
      email: 1,
      password: false,
      name: [],
      slug: {},
      title: null,
      priceMinor: 'ten',
      role: 'god',
      start: 'yesterday',
    }),
  },
  {
    name: 'huge strings',
    raw: JSON.stringify({
      email: `${'a'.repeat(5000)}@x.io`,
      name: 'n'.repeat(20000),
      title: 't'.repeat(20000),
      slug: 's'.repeat(500),
    }),
  },
  {
    name: 'prototype pollution',
    raw: '{"__proto__": {"admin": true}, "constructor": {"prototype": {"x": 1}}}',
  },
];

const PATH_GARBAGE = ['not-a-uuid', '%00', "1' OR '1'='1", 'x'.repeat(300)];

describe('malformed input never causes a 500', () => {
  it.each(GARBAGE.map((g) => [g.name, g] as const))('%s on every route', async (_name, g) => {
    const failures: string[] = [];
    for (const token of [superuser.token, coach.token]) {
      for (const r of routes.filter((x) => !['GET', 'DELETE'].includes(x.method))) {
        const path = r.path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
        const res = await call(ctx.app, r.method, path, { token, raw: g.raw });
        if (res.status >= 500 || typeof res.body?.error?.code !== 'string')
          failures.push(`${r.method} ${r.path} → ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('garbage path parameters answer 400 or 404', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.path.includes('{'))) {
      for (const bad of PATH_GARBAGE) {
        const path = r.path.replace(/\{[^}]+\}/g, encodeURIComponent(bad));
        const res = await call(ctx.app, r.method, path, {
          token: superuser.token,
          body: ['GET', 'DELETE'].includes(r.method) ? undefined : {},
        });
        if (![400, 404].includes(res.status))
          failures.push(`${r.method} ${path.slice(0, 80)} → ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('garbage query strings on GET routes answer 4xx or 200, never 500', async () => {
    const failures: string[] = [];
    for (const r of routes.filter((x) => x.method === 'GET')) {
      const path = `${r.path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000')}?limit=-5&offset=abc&from=tomorrow&to[]=1&timeZone=Nowhere/City`;
      const res = await call(ctx.app, 'GET', path, { token: superuser.token });
      if (res.status >= 500) failures.push(`${r.path} → ${res.status}`);
    }
    expect(failures).toEqual([]);
  });
});
