import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestContext, uniqueEmail, type TestContext } from '../support/harness';
import { allDayEveryDay, waitUntil } from '../support/bookings';
import { createPaidCourse, openActiveSession } from '../support/paid-sessions';
import { createUser, type TestUser } from '../support/users';
import {
  hostileValue,
  operationsOf,
  requestArbitrary,
  toJson,
  type Caller,
  type FuzzRequest,
  type OpenApiDoc,
  type OperationRef,
} from '../support/openapi-arbitraries';

// Issue 14 #4: every operation in /openapi.json gets generated requests (test/support/openapi-arbitraries.ts)
// from a caller of a fitting role, so handlers past authentication and validation are reached. Goal:
// no 500, no unhandled rejection, every 4xx in the error shape { error: { code, message } }.
//
//   FUZZ_RUNS=300 npx vitest run test/api/fuzz-openapi.test.ts   (default 40 requests per operation)
//   FUZZ_SEED=<n> replays a run (the seed is printed).
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const CONCURRENCY = 4;
/** FUZZ_DEBUG=1 prints, per operation, the first schema-following request that was refused. */
const DEBUG = Boolean(process.env.FUZZ_DEBUG);
/** A request still open after this long is a finding too (a handler waiting on nothing). */
const REQUEST_TIMEOUT_MS = 45_000;

let ctx: TestContext;
let doc: OpenApiDoc;

interface World {
  coach: TestUser;
  slug: string;
  player: TestUser;
  superuser: TestUser;
  orgOwner: TestUser;
  victim: TestUser;
  /** Callers for POST /api/auth/logout, which ends the caller's own login session. */
  leavers: TestUser[];
  ids: Record<string, string[]>;
}
let world: World;

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

const FUZZ_ADDRESS = '198.51.100.77';

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  // Workers on: requests that start workflows answer at once instead of waiting out their deadlines.
  // TRUST_PROXY + FUZZ_ADDRESS on each generated request: the fuzzer's login and sign-up attempts count
  // against an address of its own, as an attacker's would, not against the one in-process requests of
  // every other test file share (their per-address login limit ran out mid-run otherwise).
  ctx = await startTestContext({ workers: true, env: { TRUST_PROXY: 'true' } });
  const { app, deps } = ctx;
  doc = (await call(app, 'GET', '/openapi.json')).body as OpenApiDoc;

  // The coach owns a published paid course (rows from the paid-session fixture), a public profile
  // with windows and a service, a product, a video session with a video, clip and annotation.
  const course = await createPaidCourse(app, deps);
  const coach = course.coach;
  await deps.db.user.update({ where: { id: coach.id }, data: { role: 'coach_pro_plus' } });
  coach.role = 'coach_pro_plus';
  const slug = `fuzz-${Date.now().toString(36)}`;
  const must = async (res: Promise<{ status: number; body: any }>, status: number, what: string) => {
    const r = await res;
    if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  await must(
    call(app, 'PUT', '/api/coaches/me/profile', {
      token: coach.token,
      body: {
        slug,
        displayName: 'Fuzz Coach',
        timeZone: 'Europe/London',
        bookingEnabled: true,
        productsEnabled: true,
      },
    }),
    200,
    'profile',
  );
  const windows = await must(
    call(app, 'PUT', '/api/availability/windows', {
      token: coach.token,
      body: { windows: allDayEveryDay() },
    }),
    200,
    'windows',
  );
  const service = await must(
    call(app, 'POST', '/api/coaches/me/services', {
      token: coach.token,
      body: { title: 'Nets', durationMin: 5, slotIntervalMin: 5, priceMinor: 4500, currency: 'USD' },
    }),
    201,
    'service',
  );
  const blackout = await must(
    call(app, 'POST', '/api/availability/blackouts', {
      token: coach.token,
      body: {
        start: new Date(Date.now() + 40 * 86_400_000).toISOString(),
        end: new Date(Date.now() + 41 * 86_400_000).toISOString(),
        reason: 'Holiday',
      },
    }),
    201,
    'blackout',
  );
  const product = await must(
    call(app, 'POST', '/api/coaches/me/products', {
      token: coach.token,
      body: { title: 'Plan', priceMinor: 1000, currency: 'USD' },
    }),
    201,
    'product',
  );

  const player = await createUser(app, deps, 'player_pro', 'fuzz-player');
  await call(app, 'POST', '/api/coaches/me/players', { token: coach.token, body: { email: player.email } });
  await call(app, 'POST', `/api/me/coaches/${coach.id}/accept`, { token: player.token });
  const superuser = await createUser(app, deps, 'superuser', 'fuzz-super');
  const victim = await createUser(app, deps, 'free', 'fuzz-victim');
  const orgOwner = await createUser(app, deps, 'org_pro', 'fuzz-org');
  const org = await must(
    call(app, 'POST', '/api/orgs', { token: orgOwner.token, body: { name: 'Fuzzers' } }),
    201,
    'org',
  );
  await call(app, 'POST', `/api/orgs/${org.id}/members`, {
    token: orgOwner.token,
    body: { email: player.email, role: 'player' },
  });
  const invitation = await call(app, 'POST', `/api/orgs/${org.id}/members`, {
    token: orgOwner.token,
    body: { email: uniqueEmail('fuzz-invitee'), role: 'coach' },
  });
  const leavers = await Promise.all([1, 2, 3].map((i) => createUser(app, deps, 'free', `fuzz-leaver${i}`)));

  const session = await deps.db.videoSession.create({
    data: { coachId: coach.id, title: 'Nets', playerIds: [player.id] },
  });
  const video = await deps.db.video.create({
    data: {
      sessionId: session.id,
      coachId: coach.id,
      filename: 'nets.mp4',
      contentType: 'video/mp4',
      declaredBytes: 1000n,
      sourceKey: `videos/${session.id}/source.mp4`,
      partSize: 8 * 1024 * 1024,
      partCount: 1,
      uploadExpiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  const clip = await deps.db.clip.create({
    data: {
      videoId: video.id,
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
    data: { videoId: video.id, authorId: coach.id, kind: 'note', atSeconds: 1, text: 'Head still' },
  });

  const slots = await must(call(app, 'GET', `/api/availability/slots?serviceId=${service.id}`), 200, 'slots');
  const slot = slots.slots.find((s: { start: string }) => Date.parse(s.start) > Date.now() + 3_600_000);
  const booked = await must(
    call(app, 'POST', '/api/bookings', {
      token: player.token,
      body: { serviceId: service.id, start: slot.start },
    }),
    201,
    'booking',
  );
  const paid = await openActiveSession(app, deps, player, course, 1000);
  const checkout = await call(app, 'POST', `/api/checkout/products/${product.id}`, { token: player.token });
  if (![200, 201].includes(checkout.status))
    throw new Error(`checkout: ${checkout.status} ${JSON.stringify(checkout.body)}`);
  const dbCourse = await deps.db.course.findUniqueOrThrow({
    where: { id: course.courseId },
    include: { lectures: true },
  });
  // The course's footage is a ready video (in its own session): annotations, clips and lectures need one.
  const readyVideo = await deps.db.video.findUniqueOrThrow({ where: { id: dbCourse.lectures[0]!.videoId! } });

  world = {
    coach,
    slug,
    player,
    superuser,
    orgOwner,
    victim,
    leavers,
    ids: {
      course: [course.courseId],
      courseSlug: [dbCourse.slug],
      lecture: course.lectures.map((l) => l.id),
      position: ['1', '2', '0', '3'],
      service: [service.id],
      window: windows.windows.map((w: { id: string }) => w.id).slice(0, 2),
      blackout: [blackout.id],
      product: [product.id],
      org: [org.id],
      invitation: invitation.headers.get('location')?.split('/').slice(-1) ?? [],
      videoSession: [session.id, readyVideo.sessionId],
      video: [video.id, readyVideo.id],
      clip: [clip.id],
      annotation: [annotation.id],
      booking: [booked.booking.id],
      paidSession: [paid.id],
      purchase: [checkout.body.purchase.id],
      date: ['2026-12-24', '2027-02-29', '0000-01-01', '9999-12-31'],
    },
  };
}, 300_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  console.log(
    `fuzz total: ${totalSent} generated requests in this file (FUZZ_RUNS=${RUNS}, FUZZ_SEED=${SEED})`,
  );
  await ctx?.close();
});

/** Ids of real resources for a parameter, so handlers past the lookup are reached. */
function known(path: string, param: string): readonly string[] {
  const { ids, coach, player, victim, slug } = world;
  switch (param) {
    case 'playerId':
    case 'userId':
    case 'player_id':
      return [player.id, coach.id];
    case 'coachId':
      return [coach.id];
    case 'slug':
      return path.startsWith('/api/courses') ? ids.courseSlug! : [slug];
    case 'coachSlug':
      return [slug];
    case 'orgId':
      return ids.org!;
    case 'invitationId':
      return ids.invitation!;
    case 'videoId':
    case 'video_id':
      // Not the ready video for clips: its renditions are rows only, so a clip run would retry ffmpeg
      // on missing objects for the rest of the file.
      return path.endsWith('/clips') ? ids.video!.slice(0, 1) : ids.video!;
    case 'annotationId':
      return ids.annotation!;
    case 'clipId':
      return ids.clip!;
    case 'lectureId':
      return ids.lecture!;
    case 'position':
      return ids.position!;
    case 'date':
      return ids.date!;
    case 'serviceId':
      return ids.service!;
    case 'timeZone':
      return ['Europe/London', 'Pacific/Kiritimati', 'America/St_Johns', 'Asia/Kathmandu', 'Etc/GMT+12'];
    case 'as':
      return ['coach', 'athlete', 'player'];
    // Body fields (the same lookup: test/support/openapi-arbitraries.ts hintFor).
    case 'email':
      if (path === '/api/auth/login') return [victim.email];
      return path.startsWith('/api/coaches/me/players') || path.startsWith('/api/orgs/')
        ? [player.email, victim.email]
        : [];
    case 'password':
      return path === '/api/auth/login' ? ['correct horse battery'] : [];
    case 'refreshToken':
      return [victim.refreshToken];
    case 'player_ids':
    case 'playerIds':
    case 'student_id':
      return [player.id];
    case 'course_id':
      return ids.course!;
    case 'productIds':
      return ids.product!;
    case 'lectureIds':
      return ids.lecture!;
    case 'coach':
      return [slug, coach.id];
    case 'plan':
      return ['player_pro_plus', 'coach_pro', 'coach_pro_plus', 'org_pro'];
    case 'id': {
      const byPrefix: [string, string][] = [
        ['/api/coaches/me/products', 'product'],
        ['/api/checkout/products', 'product'],
        ['/api/coaches/me/courses', 'course'],
        ['/api/courses', 'course'],
        ['/api/coaches/plus/sessions', 'videoSession'],
        ['/api/coaches/me/services', 'service'],
        ['/api/availability/windows', 'window'],
        ['/api/availability/blackouts', 'blackout'],
        ['/api/bookings', 'booking'],
        ['/api/sessions', 'paidSession'],
        ['/api/purchases', 'purchase'],
        ['/api/orgs', 'org'],
      ];
      if (path.startsWith('/api/admin/users')) return [victim.id];
      const hit = byPrefix.find(([prefix]) => path.startsWith(`${prefix}/`));
      return hit ? ids[hit[1]]! : [];
    }
    default:
      return [];
  }
}

/** The role whose requests get past authorization on this route (others are tried too, less often). */
function fittingCaller(path: string): keyof typeof ROLE_USERS | 'anonymous' {
  if (path.startsWith('/api/admin')) return 'superuser';
  if (path.startsWith('/api/orgs')) return 'orgOwner';
  if (path.startsWith('/api/auth') || path.startsWith('/api/webhooks') || !path.startsWith('/api/'))
    return 'anonymous';
  if (path.startsWith('/api/coaches/') || path.startsWith('/api/availability')) return 'coach';
  return 'player';
}
const ROLE_USERS = {
  coach: () => world.coach,
  player: () => world.player,
  superuser: () => world.superuser,
  orgOwner: () => world.orgOwner,
};

function callersFor(ref: OperationRef): fc.Arbitrary<Caller> {
  const bearer = (u: TestUser) => `Bearer ${u.token}`;
  if (ref.key === 'POST /api/auth/logout')
    return fc.constantFrom(...world.leavers.map((u) => ({ name: 'leaver', authorization: bearer(u) })));
  const fitting = fittingCaller(ref.path);
  const users: Caller[] = Object.entries(ROLE_USERS).map(([name, u]) => ({
    name,
    authorization: bearer(u()),
  }));
  const others: Caller[] = [
    ...users.filter((c) => c.name !== fitting),
    { name: 'anonymous' },
    { name: 'garbage-token', authorization: 'Bearer not.a.jwt' },
    { name: 'basic-auth', authorization: 'Basic dXNlcjpwYXNz' },
    { name: 'forged-jwt', authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' },
    // The fitting user's token with its signature altered, and one far too long to be a token.
    {
      name: 'tampered-jwt',
      authorization: bearer(ROLE_USERS[fitting === 'anonymous' ? 'player' : fitting]()).replace(/.$/, (c) =>
        c === 'A' ? 'B' : 'A',
      ),
    },
    { name: 'huge-token', authorization: `Bearer ${'a'.repeat(16_000)}` },
  ];
  const first = users.find((c) => c.name === fitting) ?? { name: 'anonymous' };
  return fc.oneof({ weight: others.length * 2, arbitrary: fc.constant(first) }, fc.constantFrom(...others));
}

interface Finding {
  op: string;
  request: FuzzRequest;
  status: number;
  problem: string;
  body: string;
}

/** Every request this file's fuzzing sends (printed at the end). */
let totalSent = 0;

async function send(req: FuzzRequest): Promise<{ status: number; text: string; contentType: string }> {
  totalSent++;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms`)), REQUEST_TIMEOUT_MS);
  });
  try {
    const res = await Promise.race([
      ctx.app.request(req.url, {
        method: req.method,
        headers: { ...req.headers, 'x-forwarded-for': FUZZ_ADDRESS },
        body: req.body,
      }),
      timeout,
    ]);
    const text = await res.text();
    return { status: res.status, text, contentType: res.headers.get('content-type') ?? '' };
  } finally {
    clearTimeout(timer);
  }
}

/** What is wrong with an answer, or undefined. */
function problemWith(status: number, text: string): string | undefined {
  if (status === 500) return '500';
  if (status > 500 && status !== 503) return `unexpected ${status}`;
  if (status < 400) return undefined;
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return 'error body is not JSON';
  }
  if (typeof body?.error?.code !== 'string' || typeof body?.error?.message !== 'string')
    return 'error body is not { error: { code, message } }';
  return undefined;
}

function summarise(req: FuzzRequest) {
  const clip = (s: string | undefined) =>
    s && s.length > 300 ? `${s.slice(0, 300)}…(${s.length} chars)` : s;
  return {
    method: req.method,
    url: clip(req.url),
    kind: req.kind,
    headers: req.headers,
    body: clip(req.body),
  };
}

describe('findings of the fuzzer, kept fixed', () => {
  // Found by the fuzzer: a year-0 date reached Postgres (which has no year 0) and came back as a 500.
  it('a date filter in year 0 (or one that is year 0 in UTC) is a 400 naming the field; year 9999 is fine', async () => {
    const { coach, player } = world;
    const cases: [string, string, TestUser, string][] = [
      [
        '/api/bookings?as=coach&from=0000-01-01T00:00:00Z',
        'query.from',
        player,
        '/api/bookings?to=9999-12-31T23:59:59Z',
      ],
      [
        '/api/bookings?to=0001-01-01T00:00:00%2B14:00',
        'query.to',
        player,
        '/api/bookings?from=0001-01-01T00:00:00Z',
      ],
      [
        '/api/coaches/plus/clips?from=0000-01-01',
        'query.from',
        coach,
        '/api/coaches/plus/clips?to=9999-12-31',
      ],
      [
        '/api/coaches/plus/sessions?to=0000-12-31',
        'query.to',
        coach,
        '/api/coaches/plus/sessions?from=0001-01-01',
      ],
      ['/api/me/clips?from=0000-01-01', 'query.from', player, '/api/me/clips?to=9999-12-31'],
      [
        '/api/coaches/me/earnings?from=0000-06-01T00:00:00Z',
        'query.from',
        coach,
        '/api/coaches/me/earnings?to=9999-12-31T00:00:00Z',
      ],
      [
        '/api/coaches/me/analytics?from=0000-01-01&to=0000-01-02',
        'query.from',
        coach,
        '/api/coaches/me/analytics?from=9999-12-30&to=9999-12-31',
      ],
    ];
    for (const [bad, field, user, fine] of cases) {
      const res = await call(ctx.app, 'GET', bad, { token: user.token });
      expect(res.status, bad).toBe(400);
      expect(res.body.error.details, bad).toContainEqual({
        field,
        reason: expect.stringContaining('0001-01-01'),
      });
      expect((await call(ctx.app, 'GET', fine, { token: user.token })).status, fine).toBeLessThan(500);
    }
    const blackout = await call(ctx.app, 'POST', '/api/availability/blackouts', {
      token: coach.token,
      body: { start: '0001-01-01T00:00:00+14:00', end: '2026-12-01T00:00:00Z' },
    });
    expect(blackout.status).toBe(400);
    expect(blackout.body.error.details).toContainEqual({
      field: 'start',
      reason: expect.stringContaining('0001-01-01'),
    });
  });
});

describe('findings of the fuzzer: signed Stripe events that are not well-formed', () => {
  const post = (event: Record<string, unknown>, raw?: string) => {
    const payload = raw ?? JSON.stringify(event);
    const signature = ctx.deps.stripe.webhooks.generateTestHeaderString({
      payload,
      secret: ctx.deps.cfg.STRIPE_WEBHOOK_SECRET,
    });
    return call(ctx.app, 'POST', '/api/webhooks/stripe', {
      raw: payload,
      headers: { 'stripe-signature': signature },
    });
  };
  const envelope = () => ({
    id: `evt_${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`,
    object: 'event',
    type: 'payment_intent.succeeded',
    livemode: false,
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: 'pi_123', object: 'payment_intent' } },
  });

  // A signed event without livemode (or id, type, created, data.object) failed on insert: a 500.
  it('an event without its envelope fields is a 400 naming them, and nothing is stored', async () => {
    const { livemode: _l, created: _c, ...rest } = envelope();
    const res = await post({ ...rest, data: { object: null } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_event');
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'created',
      'data.object',
      'livemode',
    ]);
    expect(await ctx.deps.db.stripeWebhookEvent.count({ where: { id: rest.id } })).toBe(0);
    expect((await post(envelope())).status).toBe(200);
  });

  // customer.subscription.* with a numeric object id reached a Prisma filter on a string column: a 500.
  it('a subscription event whose object id is not a string is acknowledged and ignored', async () => {
    const e = {
      ...envelope(),
      type: 'customer.subscription.updated',
      data: { object: { id: 1, object: 'subscription' } },
    };
    const res = await post(e);
    expect(res.status).toBe(200);
    const stored = await ctx.deps.db.stripeWebhookEvent.findUniqueOrThrow({ where: { id: e.id } });
    expect(stored.routedTo).toBeNull();
  });

  // JSON may escape half a surrogate pair; the jsonb column refused it (a 500). Now every JSON body
  // with one is a 400 naming the field, like a NUL (src/api/middleware/nul-guard.ts).
  it('an unpaired surrogate escape in any JSON body is a 400 naming the field', async () => {
    const e = envelope();
    const raw = JSON.stringify({ ...e, data: { object: { id: 'pi_123', description: 'x' } } }).replace(
      '"description":"x"',
      '"description":"a\\ud800b"',
    );
    const hook = await post(e, raw);
    expect(hook.status).toBe(400);
    expect(hook.body.error.details).toContainEqual({
      field: 'data.object.description',
      reason: expect.stringContaining('surrogate'),
    });
    expect(await ctx.deps.db.stripeWebhookEvent.count({ where: { id: e.id } })).toBe(0);

    const profile = await call(ctx.app, 'PUT', '/api/coaches/me/profile', {
      token: world.coach.token,
      raw: `{"slug":"${world.slug}","displayName":"Fuzz Coach","timeZone":"Europe/London","bio":"\\udc00"}`,
    });
    expect(profile.status).toBe(400);
    expect(profile.body.error.details).toContainEqual({
      field: 'bio',
      reason: expect.stringContaining('surrogate'),
    });
    // A pair spelled as escapes is one character, and fine.
    const paired = await call(ctx.app, 'PUT', '/api/coaches/me/profile', {
      token: world.coach.token,
      raw: `{"slug":"${world.slug}","displayName":"Fuzz Coach","timeZone":"Europe/London","bio":"\\ud83c\\udfcf"}`,
    });
    expect(paired.status).toBe(200);
    expect(paired.body.bio).toBe('🏏');
  });
});

describe('findings of the fuzzer: cancelling an upload no run is waiting for', () => {
  // Found by the fuzzer: a pending video whose video-<id> run had closed (or never started after a
  // crash) made DELETE …/upload signal a missing workflow, a 500. Signal-with-start now has a run take
  // the cancellation: the row ends failed as cancelled.
  it('answers 2xx and a run marks the upload cancelled', async () => {
    const { coach } = world;
    const session = await ctx.deps.db.videoSession.create({ data: { coachId: coach.id, title: 'Orphan' } });
    const video = await ctx.deps.db.video.create({
      data: {
        sessionId: session.id,
        coachId: coach.id,
        filename: 'orphan.mp4',
        contentType: 'video/mp4',
        declaredBytes: 1000n,
        sourceKey: `videos/${session.id}/orphan.mp4`,
        partSize: 8 * 1024 * 1024,
        partCount: 1,
        uploadExpiresAt: new Date(Date.now() + 86_400_000),
      },
    });
    const res = await call(
      ctx.app,
      'DELETE',
      `/api/coaches/plus/sessions/${session.id}/videos/${video.id}/upload`,
      {
        token: coach.token,
      },
    );
    expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    const row = await waitUntil(
      'the cancelled upload to fail',
      () => ctx.deps.db.video.findUniqueOrThrow({ where: { id: video.id } }),
      (v) => v.status === 'failed',
    );
    expect(row.failureKind).toBe('upload_cancelled');
  });
});

describe('fuzzing every operation of the OpenAPI document (issue 14 #4)', () => {
  it('answers a method a path does not declare with a 4xx in the error shape', async () => {
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      const concrete = path.replace(/\{[^}]+\}/g, (m) => known(path, m.slice(1, -1))[0] ?? 'x');
      for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
        if (method.toLowerCase() in ops) continue;
        const res = await send({
          method,
          url: concrete,
          headers: { authorization: `Bearer ${world.coach.token}`, 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : '{}',
          kind: 'undeclared-method',
        });
        expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
        expect(problemWith(res.status, res.text), `${method} ${path}`).toBeUndefined();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('answers the same schema-following write sent five times at once without a 500', async () => {
    // Races between identical requests (double clicks, client retries) meet unique constraints and
    // conditional updates: each must still end in a 2xx or a 4xx in the error shape.
    const findings: string[] = [];
    let bursts = 0;
    const writes = operationsOf(doc).filter(
      (r) => r.method !== 'GET' && r.method !== 'DELETE' && r.key !== 'POST /api/auth/logout',
    );
    for (const ref of writes) {
      const fitting = fittingCaller(ref.path);
      const samples = fc.sample(requestArbitrary(doc, ref, callersFor(ref), known), {
        numRuns: 60,
        seed: SEED,
      });
      const req =
        samples.find((r) => r.kind === `${fitting}/valid`) ?? samples.find((r) => r.kind.endsWith('/valid'));
      if (!req) continue;
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => send(req).catch((e) => ({ status: 0, text: String(e) }))),
      );
      bursts++;
      for (const a of answers) {
        const problem = a.status === 0 ? a.text : problemWith(a.status, a.text);
        if (problem)
          findings.push(
            `${ref.key} → ${a.status} ${problem}: ${JSON.stringify(summarise(req))} ${a.text.slice(0, 300)}`,
          );
      }
    }
    console.log(`bursts: ${bursts} writes × 5 concurrent requests; findings: ${findings.length}`);
    expect(findings).toEqual([]);
    expect(bursts).toBeGreaterThan(writes.length / 2);
  });

  it('answers signed Stripe events with odd payloads without a 500 (past the signature check)', async () => {
    // Unsigned bodies stop at the signature; these are signed with the endpoint's secret, so every
    // router reads them: known types, metadata naming real and unknown rows, odd amounts and shapes.
    const { ids, player, coach } = world;
    const maybe = <T>(arb: fc.Arbitrary<T>, weight = 3) => fc.oneof({ weight, arbitrary: arb }, hostileValue);
    const object = fc.record(
      {
        id: maybe(fc.constantFrom('pi_123', 'sub_123', 'in_123', 'acct_123', 'ch_123', 'cs_123', 'cus_123')),
        object: maybe(fc.constantFrom('payment_intent', 'subscription', 'invoice', 'account', 'charge')),
        amount: maybe(fc.integer({ min: 0, max: 100_000 })),
        amount_received: maybe(fc.integer({ min: 0, max: 100_000 })),
        amount_capturable: maybe(fc.integer({ min: 0, max: 100_000 })),
        amount_refunded: maybe(fc.integer({ min: 0, max: 100_000 })),
        amount_paid: maybe(fc.integer({ min: 0, max: 100_000 })),
        currency: maybe(fc.constantFrom('usd', 'gbp', 'eur', 'USD')),
        status: maybe(fc.constantFrom('succeeded', 'canceled', 'active', 'past_due', 'incomplete', 'paid')),
        customer: maybe(fc.constantFrom('cus_123', 'cus_unknown')),
        subscription: maybe(fc.constantFrom('sub_123', 'sub_unknown')),
        payment_intent: maybe(fc.constantFrom('pi_123', 'pi_unknown')),
        charges_enabled: maybe(fc.boolean()),
        payouts_enabled: maybe(fc.boolean()),
        current_period_end: maybe(fc.integer({ min: 0, max: 2 ** 31 })),
        cancel_at_period_end: maybe(fc.boolean()),
        items: maybe(
          fc.record({
            data: fc.array(
              fc.record({ price: fc.record({ id: fc.string(), lookup_key: maybe(fc.string()) }) }),
              {
                maxLength: 2,
              },
            ),
          }),
        ),
        metadata: maybe(
          fc.record(
            {
              kind: maybe(fc.constantFrom('booking', 'purchase', 'paid_session', 'subscription', 'payout')),
              bookingId: maybe(fc.constantFrom(...ids.booking!, ...ids.paidSession!)),
              purchaseId: maybe(fc.uuid()),
              paidSessionId: maybe(fc.constantFrom(...ids.paidSession!)),
              userId: maybe(fc.constantFrom(player.id, coach.id)),
              coachId: maybe(fc.constantFrom(coach.id)),
            },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    );
    const event = fc.record(
      {
        id: maybe(
          fc.uuid().map((u) => `evt_${u.replaceAll('-', '')}`),
          12,
        ),
        object: fc.constant('event'),
        livemode: maybe(fc.constant(false), 12),
        type: maybe(
          fc.constantFrom(
            'payment_intent.succeeded',
            'payment_intent.payment_failed',
            'payment_intent.canceled',
            'payment_intent.amount_capturable_updated',
            'account.updated',
            'customer.subscription.created',
            'customer.subscription.updated',
            'customer.subscription.deleted',
            'customer.deleted',
            'invoice.paid',
            'invoice.payment_failed',
            'charge.refunded',
            'charge.dispute.created',
            'charge.dispute.closed',
            'checkout.session.completed',
            'something.unknown',
          ),
        ),
        created: maybe(fc.integer({ min: 0, max: 2 ** 31 }), 12),
        account: maybe(fc.constantFrom('acct_123')),
        data: fc.oneof({ weight: 12, arbitrary: fc.record({ object }) }, hostileValue),
      },
      { requiredKeys: ['object', 'id', 'livemode', 'created', 'data'] },
    );
    const findings: string[] = [];
    const statuses = new Map<number, number>();
    for (const e of fc.sample(event, { numRuns: RUNS * 4, seed: SEED })) {
      const payload = toJson(e);
      const signature = ctx.deps.stripe.webhooks.generateTestHeaderString({
        payload,
        secret: ctx.deps.cfg.STRIPE_WEBHOOK_SECRET,
      });
      const res = await send({
        method: 'POST',
        url: '/api/webhooks/stripe',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature },
        body: payload,
        kind: 'signed-event',
      }).catch((err) => ({ status: 0, text: String(err) }));
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const problem = res.status === 0 ? res.text : problemWith(res.status, res.text);
      if (problem)
        findings.push(`${res.status} ${problem}: ${payload.slice(0, 400)} → ${res.text.slice(0, 300)}`);
    }
    console.log(
      `signed webhook events: ${RUNS * 4}; statuses: ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });

  it(`answers every generated request without a 500 and with the error shape (${RUNS} per operation)`, async () => {
    const ops = operationsOf(doc);
    // Deletions and logging out run last, so the resources and sessions the others use stay put.
    const phase = (r: OperationRef) =>
      r.key === 'POST /api/auth/logout' ? 2 : r.method === 'DELETE' ? 1 : 0;
    const histogram = new Map<number, number>();
    const perOp = new Map<string, Map<number, number>>();
    const findings: Finding[] = [];
    const debugged = new Set<string>();
    let sent = 0;
    const started = Date.now();

    for (const p of [0, 1, 2]) {
      // Deletions one at a time, deepest path first (an annotation before its video, before its session).
      const queue = ops
        .filter((r) => phase(r) === p)
        .sort((a, b) => (p === 1 ? b.path.split('/').length - a.path.split('/').length : 0));
      const worker = async () => {
        for (let ref = queue.shift(); ref; ref = queue.shift()) {
          const arb = requestArbitrary(doc, ref, callersFor(ref), known);
          // One seed per operation (derived from the run's), so FUZZ_SEED replays exactly.
          const seed = (SEED + [...ref.key].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) | 0, 0)) | 0;
          for (const req of fc.sample(arb, { numRuns: RUNS, seed })) {
            let status = 0;
            let text = '';
            try {
              ({ status, text } = await send(req));
            } catch (err) {
              text = String(err);
            }
            sent++;
            histogram.set(status, (histogram.get(status) ?? 0) + 1);
            const mine = perOp.get(ref.key) ?? new Map<number, number>();
            mine.set(status, (mine.get(status) ?? 0) + 1);
            perOp.set(ref.key, mine);
            if (DEBUG && req.kind.endsWith('/valid') && status >= 400 && !debugged.has(ref.key)) {
              debugged.add(ref.key);
              console.log(
                `DEBUG ${ref.key} ${status} ${JSON.stringify(summarise(req))}\n  ${text.slice(0, 400)}`,
              );
            }
            const problem = status === 0 ? text : problemWith(status, text);
            if (problem)
              findings.push({ op: ref.key, request: req, status, problem, body: text.slice(0, 500) });
          }
        }
      };
      await Promise.all(Array.from({ length: p === 0 ? CONCURRENCY : 1 }, worker));
    }

    const statuses = [...histogram].sort(([a], [b]) => a - b);
    const reached = [...perOp].filter(([, m]) =>
      [...m.keys()].some((s) => s < 400 || s === 409 || s === 404),
    );
    console.log(
      [
        `fuzz: ${sent} requests to ${ops.length} operations in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
          `(FUZZ_RUNS=${RUNS}, FUZZ_SEED=${SEED})`,
        `status histogram: ${statuses.map(([s, n]) => `${s}: ${n}`).join(', ')}`,
        `operations answering past validation (2xx/404/409 seen): ${reached.length}/${ops.length}`,
        `500s: ${histogram.get(500) ?? 0}, unhandled rejections: ${unhandled.length}, findings: ${findings.length}`,
      ].join('\n'),
    );
    const never2xx = [...perOp].filter(([, m]) => ![...m.keys()].some((s) => s >= 200 && s < 300));
    console.log(
      `operations with no 2xx this run (${never2xx.length}):\n` +
        never2xx.map(([k, m]) => `  ${k}  ${[...m].map(([s, n]) => `${s}×${n}`).join(' ')}`).join('\n'),
    );
    for (const f of findings.slice(0, 20))
      console.log(
        `FINDING ${f.op} → ${f.status} ${f.problem}\n  ${JSON.stringify(summarise(f.request))}\n  ${f.body}`,
      );

    expect(sent).toBe(ops.length * RUNS);
    expect(findings.map((f) => `${f.op} → ${f.status} ${f.problem} (${f.request.kind})`)).toEqual([]);
    expect(unhandled.map(String)).toEqual([]);
    // The generators reach real handlers, not only the validators: most operations see a 2xx.
    const succeeded = [...perOp].filter(([, m]) => [...m.keys()].some((s) => s >= 200 && s < 300));
    expect(succeeded.length).toBeGreaterThan(ops.length / 2);
  }, 600_000);
});
