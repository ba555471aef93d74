// Over 400 lines on purpose: the whole route x role x relationship table lives in one place, so a
// new route that is not classified fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/domain/billing/plans';
import { call, startTestContext, uniqueEmail, type TestContext } from '../support/harness';
import { createCoach, slotAfter, type TestCoach } from '../support/bookings';
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
  'GET /api/coaches/{slug}/services',
  'GET /api/availability/slots',
  // No token, but a Stripe signature: unsigned requests get 400 (test/api/bookings.test.ts).
  'POST /api/webhooks/stripe',
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
  // Issue 9 #2: your organisations and the invitations addressed to you.
  'GET /api/me/orgs',
  // Bookings (issue 4): the caller's own services, availability and bookings.
  'POST /api/coaches/me/services',
  'GET /api/coaches/me/services',
  'GET /api/availability/windows',
  'PUT /api/availability/windows',
  'POST /api/availability/windows',
  'GET /api/availability/overrides',
  'PUT /api/availability/overrides/{date}',
  'DELETE /api/availability/overrides/{date}',
  'GET /api/availability/blackouts',
  'POST /api/availability/blackouts',
  'POST /api/bookings',
  'GET /api/bookings',
  // Video (issue 5): the caller's own sessions/clips, or what was shared with the caller.
  'POST /api/coaches/plus/sessions',
  'GET /api/coaches/plus/sessions',
  'GET /api/coaches/plus/clips',
  // Issue 9 #10: what of the caller's own media names a player (scoped to the calling coach's
  // sessions, videos and clips; any player id answers only about the caller's content).
  'GET /api/coaches/plus/players/{playerId}/shares',
  'GET /api/me/videos',
  'GET /api/me/clips',
]);

interface World {
  booking: { coach: TestCoach; id: string; serviceId: string; windowId: string; blackoutId: string };
  coach: TestUser;
  player: TestUser;
  orgOwner: TestUser;
  orgId: string;
  /** A pending invitation of the org (to an address with no account). */
  orgInvitationId: string;
  productId: string;
  video: { sessionId: string; videoId: string; clipId: string; annotationId: string };
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
  'PATCH /api/coaches/me/services/{id}': {
    method: 'PATCH',
    path: (w) => `/api/coaches/me/services/${w.booking.serviceId}`,
    body: () => ({ title: 'mine now' }),
    allowed: [],
  },
  'DELETE /api/coaches/me/services/{id}': {
    method: 'DELETE',
    path: (w) => `/api/coaches/me/services/${w.booking.serviceId}`,
    allowed: [],
  },
  'DELETE /api/availability/windows/{id}': {
    method: 'DELETE',
    path: (w) => `/api/availability/windows/${w.booking.windowId}`,
    allowed: [],
  },
  'DELETE /api/availability/blackouts/{id}': {
    method: 'DELETE',
    path: (w) => `/api/availability/blackouts/${w.booking.blackoutId}`,
    allowed: [],
  },
  'GET /api/bookings/{id}': {
    method: 'GET',
    path: (w) => `/api/bookings/${w.booking.id}`,
    allowed: ['superuser'],
  },
  'POST /api/bookings/{id}/cancel': {
    method: 'POST',
    path: (w) => `/api/bookings/${w.booking.id}/cancel`,
    body: () => ({ reason: 'not mine' }),
    allowed: ['superuser'],
  },
  'POST /api/bookings/{id}/reschedule': {
    method: 'POST',
    path: (w) => `/api/bookings/${w.booking.id}/reschedule`,
    body: () => ({ start: new Date(Date.now() + 86_400_000).toISOString() }),
    allowed: ['superuser'],
  },
  'POST /api/bookings/{id}/no-show': {
    method: 'POST',
    path: (w) => `/api/bookings/${w.booking.id}/no-show`,
    allowed: [],
  },
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
  'GET /api/orgs/{id}/invitations': {
    method: 'GET',
    path: (w) => `/api/orgs/${w.orgId}/invitations`,
    allowed: ['superuser'],
  },
  'DELETE /api/orgs/{id}/invitations/{invitationId}': {
    method: 'DELETE',
    path: (w) => `/api/orgs/${w.orgId}/invitations/${w.orgInvitationId}`,
    allowed: ['superuser'],
  },
  // Only the invitee may accept; only a member may leave.
  'POST /api/me/orgs/{orgId}/accept': {
    method: 'POST',
    path: (w) => `/api/me/orgs/${w.orgId}/accept`,
    allowed: [],
  },
  'DELETE /api/me/orgs/{orgId}': {
    method: 'DELETE',
    path: (w) => `/api/me/orgs/${w.orgId}`,
    allowed: [],
  },
  'PUT /api/admin/users/{id}/role': {
    method: 'PUT',
    path: (w) => `/api/admin/users/${w.player.id}/role`,
    body: () => ({ role: 'player_pro' }),
    allowed: ['superuser'],
  },
  ...videoRoutes(),
};

/** The video routes (issue 5): a coach's session, its video, a clip and an annotation; operators only. */
function videoRoutes(): Record<string, ForeignCase> {
  const s = '/api/coaches/plus/sessions/{id}';
  const v = `${s}/videos/{videoId}`;
  const cases: [string, unknown?][] = [
    [`GET ${s}`],
    [`PATCH ${s}`, { title: 'mine now' }],
    [`DELETE ${s}`],
    [`POST ${s}/videos/upload`, { filename: 'a.mp4', content_type: 'video/mp4', size_bytes: 1000 }],
    [`GET ${s}/videos`],
    [`GET ${v}`],
    [`GET ${v}/upload`],
    [`DELETE ${v}/upload`],
    [`POST ${v}/upload/complete`, { parts: [{ part_number: 1, etag: 'abc' }] }],
    [`DELETE ${v}`],
    [`POST ${v}/retry`],
    [`PUT ${v}/shares`, { player_ids: [] }],
    [`POST ${v}/annotations`, { kind: 'note', at_seconds: 1, text: 'mine now' }],
    [`PATCH ${v}/annotations/{annotationId}`, { text: 'mine now' }],
    [`DELETE ${v}/annotations/{annotationId}`],
    [`POST ${v}/clips`, { title: 'mine', start_seconds: 0, end_seconds: 1 }],
    ['GET /api/videos/{videoId}'],
    ['GET /api/videos/{videoId}/annotations'],
    ['GET /api/clips/{clipId}'],
    ['PUT /api/coaches/plus/clips/{clipId}/shares', { player_ids: [] }],
    ['DELETE /api/coaches/plus/clips/{clipId}'],
  ];
  return Object.fromEntries(
    cases.map(([route, body]) => {
      const [method, template] = route.split(' ') as [string, string];
      return [
        route,
        {
          method,
          path: (w: World) =>
            template
              .replace('{id}', w.video.sessionId)
              .replace('{videoId}', w.video.videoId)
              .replace('{clipId}', w.video.clipId)
              .replace('{annotationId}', w.video.annotationId),
          body: body === undefined ? undefined : () => body,
          allowed: ['superuser'] as Role[],
        },
      ];
    }),
  );
}

let ctx: TestContext;
let world: World;
let routes: string[];

beforeAll(async () => {
  ctx = await startTestContext({ workers: true });
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
  await call(app, 'POST', `/api/me/orgs/${org.body.id}/accept`, { token: player.token });
  const pending = await call(app, 'POST', `/api/orgs/${org.body.id}/members`, {
    token: orgOwner.token,
    body: { email: uniqueEmail('org-invitee'), role: 'coach' },
  });
  const orgInvitationId = pending.headers.get('location')!.split('/').pop()!;
  const product = await call(app, 'POST', '/api/coaches/me/products', {
    token: coach.token,
    body: { title: 'Plan', priceMinor: 1000, currency: 'USD' },
  });
  const strangers = Object.fromEntries(
    await Promise.all(ROLES.map(async (r) => [r, await createUser(app, deps, r, `stranger-${r}`)] as const)),
  ) as Record<Role, TestUser>;
  // A video session with one video (mid-upload), a clip and an annotation; rows made directly.
  const session = await deps.db.videoSession.create({
    data: { coachId: coach.id, title: 'Nets', playerIds: [player.id] },
  });
  const videoRow = await deps.db.video.create({
    data: {
      sessionId: session.id,
      coachId: coach.id,
      filename: 'nets.mp4',
      contentType: 'video/mp4',
      declaredBytes: 1000n,
      sourceKey: 'videos/none/source.mp4',
      partSize: 8 * 1024 * 1024,
      partCount: 1,
      uploadExpiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  const clip = await deps.db.clip.create({
    data: {
      videoId: videoRow.id,
      sessionId: session.id,
      coachId: coach.id,
      title: 'Drive',
      momentType: 'highlight',
      startSeconds: 0,
      endSeconds: 1,
      playerIds: [player.id],
    },
  });
  const annotation = await deps.db.videoAnnotation.create({
    data: { videoId: videoRow.id, authorId: coach.id, kind: 'note', atSeconds: 1, text: 'Head still' },
  });
  const video = { sessionId: session.id, videoId: videoRow.id, clipId: clip.id, annotationId: annotation.id };

  // A booking between another coach and the player, with that coach's service, window and blackout.
  const bookingCoach = await createCoach(app, deps);
  const windows = await call(app, 'GET', '/api/availability/windows', { token: bookingCoach.user.token });
  const blackout = await call(app, 'POST', '/api/availability/blackouts', {
    token: bookingCoach.user.token,
    body: {
      start: new Date(Date.now() + 40 * 86_400_000).toISOString(),
      end: new Date(Date.now() + 41 * 86_400_000).toISOString(),
      reason: 'Holiday',
    },
  });
  const slot = await slotAfter(app, bookingCoach.service.id, 60 * 60_000);
  const booked = await call(app, 'POST', '/api/bookings', {
    token: player.token,
    body: { serviceId: bookingCoach.service.id, start: slot.start },
  });
  if (booked.status !== 201) throw new Error(`booking: ${booked.status} ${JSON.stringify(booked.body)}`);
  const booking = {
    coach: bookingCoach,
    id: booked.body.booking.id as string,
    serviceId: bookingCoach.service.id,
    windowId: windows.body.windows[0].id as string,
    blackoutId: blackout.body.id as string,
  };

  world = {
    booking,
    coach,
    player,
    orgOwner,
    orgId: org.body.id,
    orgInvitationId,
    productId: product.body.id,
    video,
    strangers,
  };
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
    expect(
      (await call(ctx.app, 'GET', `/api/bookings/${world.booking.id}`, { token: superuser })).status,
    ).toBe(200);
    expect(
      (await call(ctx.app, 'GET', `/api/bookings/${world.booking.id}`, { token: world.player.token })).status,
    ).toBe(200);
    expect(
      (
        await call(ctx.app, 'GET', `/api/bookings/${world.booking.id}`, {
          token: world.booking.coach.user.token,
        })
      ).status,
    ).toBe(200);
  });
});

async function snapshot() {
  const db = ctx.deps.db;
  return {
    product: await db.product.findUnique({ where: { id: world.productId } }),
    roster: await db.coachPlayer.findMany({ where: { coachId: world.coach.id } }),
    members: await db.orgMember.findMany({ where: { orgId: world.orgId }, orderBy: { userId: 'asc' } }),
    orgInvitations: await db.orgInvitation.findMany({
      where: { orgId: world.orgId },
      orderBy: { id: 'asc' },
    }),
    playerRole: (await db.user.findUniqueOrThrow({ where: { id: world.player.id } })).role,
    booking: await db.booking.findUnique({ where: { id: world.booking.id } }),
    service: await db.bookingService.findUnique({ where: { id: world.booking.serviceId } }),
    blackouts: await db.availabilityBlackout.count({ where: { coachId: world.booking.coach.user.id } }),
    videoSession: await db.videoSession.findUnique({ where: { id: world.video.sessionId } }),
    video: await db.video.findUnique({ where: { id: world.video.videoId } }),
    clip: await db.clip.findUnique({ where: { id: world.video.clipId } }),
    annotations: await db.videoAnnotation.findMany({ where: { videoId: world.video.videoId } }),
  };
}
