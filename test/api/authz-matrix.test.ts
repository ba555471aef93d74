import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/domain/plans';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser, type TestUser } from '../support/users';

// Every route in the OpenAPI document must be classified here. A new route that is not fails
// `every route is classified`, so whoever adds it must say who may call it.
//
// - PUBLIC: no token needed.
// - SELF: acts only on the caller's own data (scoped by the token), so there is no one else's
//   resource to reach; still needs a token.
// - FOREIGN: takes someone else's resource id; every role that has no tie to it must be denied.

const PUBLIC = new Set([
  'GET /health',
  'GET /ready',
  'GET /api/coaches/{slug}',
  'POST /api/auth/register',
  'POST /api/auth/login',
  'POST /api/auth/refresh',
]);

const SELF = new Set([
  'POST /api/auth/logout',
  'GET /api/me',
  'GET /api/me/entitlements',
  'PUT /api/coaches/me/profile',
  'GET /api/coaches/me/profile',
  'POST /api/coaches/me/products',
  'GET /api/coaches/me/products',
  'POST /api/coaches/me/players',
  'GET /api/coaches/me/players',
  'GET /api/me/coaches',
  'POST /api/orgs',
]);

interface World {
  coach: TestUser;
  player: TestUser;
  orgOwner: TestUser;
  orgId: string;
  productId: string;
  strangers: Record<Role, TestUser>;
}

interface ForeignCase {
  method: string;
  path: (w: World) => string;
  body?: (w: World) => unknown;
  /** Roles (with no tie to the resource) that are nevertheless allowed: only operators. */
  allowed: Role[];
}

const FOREIGN: Record<string, ForeignCase> = {
  'GET /api/players/{playerId}': {
    method: 'GET',
    path: (w) => `/api/players/${w.player.id}`,
    allowed: ['superuser'],
  },
  'PATCH /api/coaches/me/products/{id}': {
    method: 'PATCH',
    path: (w) => `/api/coaches/me/products/${w.productId}`,
    body: () => ({ title: 'mine now' }),
    allowed: [],
  },
  'DELETE /api/coaches/me/products/{id}': {
    method: 'DELETE',
    path: (w) => `/api/coaches/me/products/${w.productId}`,
    allowed: [],
  },
  'DELETE /api/coaches/me/players/{playerId}': {
    method: 'DELETE',
    path: (w) => `/api/coaches/me/players/${w.player.id}`,
    allowed: [],
  },
  'POST /api/me/coaches/{coachId}/accept': {
    method: 'POST',
    path: (w) => `/api/me/coaches/${w.coach.id}/accept`,
    allowed: [],
  },
  'DELETE /api/me/coaches/{coachId}': {
    method: 'DELETE',
    path: (w) => `/api/me/coaches/${w.coach.id}`,
    allowed: [],
  },
  'GET /api/orgs/{id}': { method: 'GET', path: (w) => `/api/orgs/${w.orgId}`, allowed: ['superuser'] },
  'POST /api/orgs/{id}/members': {
    method: 'POST',
    path: (w) => `/api/orgs/${w.orgId}/members`,
    body: (w) => ({ email: w.strangers.free.email, role: 'player' }),
    allowed: ['superuser'],
  },
  'DELETE /api/orgs/{id}/members/{userId}': {
    method: 'DELETE',
    path: (w) => `/api/orgs/${w.orgId}/members/${w.player.id}`,
    allowed: ['superuser'],
  },
  'PUT /api/admin/users/{id}/role': {
    method: 'PUT',
    path: (w) => `/api/admin/users/${w.player.id}/role`,
    body: () => ({ role: 'player_pro' }),
    allowed: ['superuser'],
  },
};

let ctx: TestContext;
let world: World;
let routes: string[];

beforeAll(async () => {
  ctx = await startTestContext();
  const { app, deps } = ctx;
  const spec = (await call(app, 'GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, unknown>>;
  };
  routes = Object.entries(spec.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
  );

  const coach = await createUser(app, deps, 'coach_pro_plus', 'owner-coach');
  const player = await createUser(app, deps, 'player_pro', 'owner-player');
  const orgOwner = await createUser(app, deps, 'org_pro', 'owner-org');
  await call(app, 'POST', '/api/coaches/me/players', { token: coach.token, body: { email: player.email } });
  await call(app, 'POST', `/api/me/coaches/${coach.id}/accept`, { token: player.token });
  const org = await call(app, 'POST', '/api/orgs', {
    token: orgOwner.token,
    body: { name: 'Owners United' },
  });
  await call(app, 'POST', `/api/orgs/${org.body.id}/members`, {
    token: orgOwner.token,
    body: { email: player.email, role: 'player' },
  });
  const product = await call(app, 'POST', '/api/coaches/me/products', {
    token: coach.token,
    body: { title: 'Plan', priceMinor: 1000, currency: 'USD' },
  });
  const strangers = Object.fromEntries(
    await Promise.all(ROLES.map(async (r) => [r, await createUser(app, deps, r, `stranger-${r}`)] as const)),
  ) as Record<Role, TestUser>;
  world = { coach, player, orgOwner, orgId: org.body.id, productId: product.body.id, strangers };
});
afterAll(async () => ctx?.close());

const fill = (route: string) =>
  route
    .split(' ')[1]!
    .replace('{slug}', 'some-coach')
    .replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');

describe('authorization matrix', () => {
  it('every route is classified as public, self-only or foreign', () => {
    const unclassified = routes.filter((r) => !PUBLIC.has(r) && !SELF.has(r) && !FOREIGN[r]);
    expect(unclassified).toEqual([]);
    expect(routes.length).toBeGreaterThan(15);
  });

  it('every non-public route answers 401 without a token', async () => {
    for (const route of routes.filter((r) => !PUBLIC.has(r))) {
      const res = await call(ctx.app, route.split(' ')[0]!, fill(route), {
        body: route.startsWith('GET') || route.startsWith('DELETE') ? undefined : {},
      });
      expect(res.status, route).toBe(401);
      expect(res.body.error.code, route).toBe('unauthorized');
    }
  });

  it('every role without a tie to someone else’s resource is denied, and nothing changes', async () => {
    const before = await snapshot();
    const failures: string[] = [];
    for (const [route, c] of Object.entries(FOREIGN)) {
      for (const role of ROLES) {
        if (c.allowed.includes(role)) continue;
        const res = await call(ctx.app, c.method, c.path(world), {
          token: world.strangers[role].token,
          body: c.body?.(world),
        });
        if (![403, 404].includes(res.status)) failures.push(`${role} ${route} → ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('the operators listed as allowed do get through', async () => {
    const superuser = world.strangers.superuser.token;
    expect((await call(ctx.app, 'GET', `/api/players/${world.player.id}`, { token: superuser })).status).toBe(
      200,
    );
    expect((await call(ctx.app, 'GET', `/api/orgs/${world.orgId}`, { token: superuser })).status).toBe(200);
  });
});

async function snapshot() {
  const db = ctx.deps.db;
  return {
    product: await db.product.findUnique({ where: { id: world.productId } }),
    roster: await db.coachPlayer.findMany({ where: { coachId: world.coach.id } }),
    members: await db.orgMember.findMany({ where: { orgId: world.orgId }, orderBy: { userId: 'asc' } }),
    playerRole: (await db.user.findUniqueOrThrow({ where: { id: world.player.id } })).role,
  };
}
