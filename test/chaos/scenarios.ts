import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCoach, payBooking, paymentIntentEvent, postStripeEvent, slotsFor } from '../support/bookings';
import { call } from '../support/harness';
import { capturableEvent, createPaidCourse } from '../support/paid-sessions';
import { payInvoice, roleOf } from '../support/subscriptions';
import { generateClip, tempDir } from '../support/media';
import {
  connectCoach,
  giveEarnings,
  payoutSchedule,
  setPayoutsEnabled,
  type PayoutCoach,
} from '../support/payouts';
import { createUser, type TestUser } from '../support/users';
import { coachWithPlayers, createSession, putParts, type StartedUpload } from '../support/video';
import { emailsExactlyOnce, exactlyStripe, workflowState, type Violations } from './invariants';
import type { ChaosWorld, FaultKind } from './world';

// One scenario per lifecycle: set up (no faults), drive the lifecycle while faults are injected,
// wait for every business object's end state, then check the lifecycle's own invariants (the
// global ones run after each scenario in chaos.test.ts). `size` scales the work: 1 in the reduced
// set inside `npm test`, more in `npm run test:chaos`.

export interface ScenarioRun {
  /** Drives the lifecycle; faults are being injected meanwhile. */
  drive(): Promise<void>;
  /** Resolves once every object is in its end state, or throws naming the one that is not. */
  settle(timeoutMs: number): Promise<void>;
  /** The lifecycle's invariants once everything has settled (faults stopped, all healed). */
  check(): Promise<Violations>;
}

export interface Scenario {
  name: string;
  faults: readonly FaultKind[];
  /** Minimum faults to inject while the lifecycle runs, per unit of size. */
  faultsPerSize: number;
  setup(world: ChaosWorld, size: number): Promise<ScenarioRun>;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

/** Flows start a few seconds apart, so the faults land at different points of each. */
const stagger = (i: number) => sleep(i * 3000);

const ok = (res: { status: number; body: unknown }, what: string, ...statuses: number[]) => {
  if (!statuses.includes(res.status)) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as any;
};

// ── booking ─────────────────────────────────────────────────────────────────────────────────────

const BOOKING_FAULTS: FaultKind[] = [
  'worker-kill',
  'temporal-restart',
  'pg-terminate',
  'stripe-refuse',
  'stripe-hang',
  'smtp-refuse',
  'smtp-hang',
];

/**
 * Paid bookings, three fates in turn: kept (paid → CONFIRMED, reminders sent), cancelled by the
 * coach after payment (full refund), never paid (hold timeout → EXPIRED, intent cancelled).
 */
export const bookingScenario: Scenario = {
  name: 'booking',
  faults: BOOKING_FAULTS,
  faultsPerSize: 8,
  async setup(world, size) {
    const { ctx } = world;
    const coach = await createCoach(ctx.app, ctx.deps, { service: { priceMinor: 4500, currency: 'GBP' } });
    const athletes: TestUser[] = [];
    for (let i = 0; i < 3 * size; i++) athletes.push(await createUser(ctx.app, ctx.deps, 'free', 'athlete'));
    const fates = athletes.map((_, i) => (['kept', 'cancelled', 'expired'] as const)[i % 3]!);
    const bookings: { id: string; fate: (typeof fates)[number]; priceMinor: number; pi: string }[] = [];
    return {
      async drive() {
        const slots = (
          await slotsFor(ctx.app, coach.service.id, { to: new Date(Date.now() + 86_400_000).toISOString() })
        ).filter((s) => Date.parse(s.start) > Date.now() + 120_000);
        await Promise.all(
          athletes.map(async (athlete, i) => {
            await stagger(i);
            const created = ok(
              await world.api('POST', '/api/bookings', {
                token: athlete.token,
                body: { serviceId: coach.service.id, start: slots[i]!.start },
              }),
              'create booking',
              201,
            ).booking;
            // A late answer says the payment is still being prepared: the client asks until it can pay.
            const booking = await until(
              `booking ${created.id} payment intent`,
              async () => {
                const got = await world.api('GET', `/api/bookings/${created.id}`, { token: athlete.token });
                return got.body?.booking?.payment?.paymentIntentId ? got.body.booking : undefined;
              },
              180_000,
            );
            bookings.push({
              id: created.id,
              fate: fates[i]!,
              priceMinor: created.price.amountMinor,
              pi: booking.payment.paymentIntentId,
            });
            if (fates[i] === 'expired') return;
            await world.gate.shared(() => payBooking(ctx.app, ctx.deps, booking));
            if (fates[i] === 'cancelled') {
              await until(
                `booking ${created.id} confirmed`,
                async () =>
                  (await ctx.deps.db.booking.findUnique({ where: { id: created.id } }))?.status ===
                  'CONFIRMED'
                    ? true
                    : undefined,
                180_000,
              );
              ok(
                await world.api('POST', `/api/bookings/${created.id}/cancel`, {
                  token: coach.user.token,
                  body: { reason: 'chaos' },
                }),
                'cancel booking',
                200,
              );
            }
          }),
        );
      },
      async settle(timeoutMs) {
        for (const b of bookings) {
          const want = { kept: 'CONFIRMED', cancelled: 'CANCELLED', expired: 'EXPIRED' }[b.fate];
          await until(
            `booking ${b.id} ${want} and settled`,
            async () => {
              const row = await ctx.deps.db.booking.findUnique({ where: { id: b.id } });
              if (row?.status !== want) return undefined;
              if (b.fate === 'cancelled' && row.refundedMinor !== b.priceMinor) return undefined;
              if (b.fate === 'kept') {
                const sent = await ctx.deps.db.emailDelivery.count({
                  where: { reference: { startsWith: `booking-${b.id}` }, sentAt: { not: null } },
                });
                if (sent < 4) return undefined; // confirmation, notification and both reminders
              } else {
                const d = await world.gate.shared(() =>
                  ctx.deps.temporal.workflow.getHandle(`booking-${b.id}`).describe(),
                );
                if (d.status.name !== 'COMPLETED') return undefined;
              }
              return true;
            },
            timeoutMs,
          );
        }
      },
      async check() {
        const out: Violations = [];
        for (const b of bookings) {
          const row = await ctx.deps.db.booking.findUniqueOrThrow({ where: { id: b.id } });
          const label = `booking ${b.id} (${b.fate})`;
          out.push(
            ...exactlyStripe(
              world,
              `${label} intent`,
              /^\/v1\/payment_intents$/,
              `booking-${b.id}-payment-intent`,
              b.id,
              1,
            ),
            ...exactlyStripe(
              world,
              `${label} intent cancelled`,
              new RegExp(`^/v1/payment_intents/${b.pi}/cancel$`),
              `booking-${b.id}-cancel-payment-intent`,
              b.id,
              b.fate === 'expired' ? 1 : 0,
            ),
            ...exactlyStripe(
              world,
              `${label} refund`,
              /^\/v1\/refunds$/,
              `booking-${b.id}-refund`,
              b.id,
              b.fate === 'cancelled' ? 1 : 0,
            ),
          );
          if (b.fate === 'kept') {
            out.push(
              ...(await workflowState(world, `booking-${b.id}`, {
                status: 'RUNNING',
                domainStatus: 'CONFIRMED',
              })),
            );
            if (row.amountPaidMinor !== b.priceMinor) out.push(`${label}: paid ${row.amountPaidMinor}`);
          } else {
            out.push(
              ...(await workflowState(world, `booking-${b.id}`, {
                status: 'COMPLETED',
                domainStatus: row.status,
              })),
            );
          }
          if (b.fate === 'cancelled' && row.refundedMinor !== b.priceMinor)
            out.push(`${label}: refunded ${row.refundedMinor} of ${b.priceMinor}`);
        }
        out.push(...(await emailsExactlyOnce(world, [coach.user.email, ...athletes.map((a) => a.email)])));
        return out;
      },
    };
  },
};

// ── video and clip ──────────────────────────────────────────────────────────────────────────────

const MEDIA_FAULTS: FaultKind[] = [
  'worker-kill',
  'media-worker-kill',
  'temporal-restart',
  'pg-terminate',
  's3-refuse',
  's3-hang',
  'smtp-refuse',
  'smtp-hang',
];

let sample: Promise<string> | undefined;
/** Removes the generated sample's folder (after the run). */
export async function removeSampleVideo(): Promise<void> {
  if (sample) await rm(dirname(await sample), { recursive: true, force: true });
  sample = undefined;
}
/** One short generated video, made once per run. */
const sampleVideo = () =>
  (sample ??= (async () =>
    generateClip(join(await tempDir('coachflow-chaos-media-'), 'nets.mp4'), { seconds: 3 }))());

/** Uploads the sample straight to S3 (the API's presigned URLs) and completes it through the API. */
async function uploadVideo(world: ChaosWorld, coach: TestUser, sessionId: string): Promise<string> {
  const bytes = await readFile(await sampleVideo());
  const started = ok(
    await world.api('POST', `/api/coaches/plus/sessions/${sessionId}/videos/upload`, {
      token: coach.token,
      body: { filename: 'nets.mp4', content_type: 'video/mp4', size_bytes: bytes.length },
    }),
    'upload start',
    201,
  ) as StartedUpload;
  const etags = await putParts(bytes, started.upload.part_size, started.upload.parts);
  ok(
    await world.api(
      'POST',
      `/api/coaches/plus/sessions/${sessionId}/videos/${started.video.id}/upload/complete`,
      { token: coach.token, body: { parts: etags } },
    ),
    'upload complete',
    200,
  );
  return started.video.id;
}

const videoRow = (world: ChaosWorld, id: string) => world.ctx.deps.db.video.findUnique({ where: { id } });

export const videoScenario: Scenario = {
  name: 'video',
  faults: MEDIA_FAULTS,
  faultsPerSize: 8,
  async setup(world, size) {
    const { ctx } = world;
    const { coach } = await coachWithPlayers(ctx.app, ctx.deps, 1);
    const session = await createSession(ctx.app, coach.token);
    await sampleVideo();
    const videos: string[] = [];
    return {
      async drive() {
        for (let i = 0; i < 2 * size; i++) videos.push(await uploadVideo(world, coach, session.id));
      },
      async settle(timeoutMs) {
        for (const id of videos)
          await until(
            `video ${id} ready`,
            async () => {
              const v = await videoRow(world, id);
              if (v?.status === 'failed') return true; // reported by check()
              if (v?.status !== 'ready' || !['done', 'skipped', 'failed'].includes(v.analysisStatus))
                return undefined;
              const d = await world.gate.shared(() =>
                ctx.deps.temporal.workflow.getHandle(`video-${id}`).describe(),
              );
              return d.status.name === 'RUNNING' ? undefined : true;
            },
            timeoutMs,
          );
      },
      async check() {
        const out: Violations = [];
        for (const id of videos) {
          const v = await videoRow(world, id);
          if (v?.status !== 'ready') out.push(`video ${id} is ${v?.status} (${v?.failureReason ?? ''})`);
          if (v && v.runs !== 1) out.push(`video ${id} ran its pipeline ${v.runs} times`);
          out.push(...(await workflowState(world, `video-${id}`, { status: 'COMPLETED' })));
        }
        out.push(...(await emailsExactlyOnce(world, [coach.email])));
        return out;
      },
    };
  },
};

export const clipScenario: Scenario = {
  name: 'clip',
  faults: MEDIA_FAULTS,
  faultsPerSize: 8,
  async setup(world, size) {
    const { ctx } = world;
    const { coach, players } = await coachWithPlayers(ctx.app, ctx.deps, 1);
    const session = await createSession(ctx.app, coach.token, { player_ids: [players[0]!.id] });
    const videoId = await uploadVideo(world, coach, session.id);
    await until(
      `clip source video ${videoId} ready`,
      async () => ((await videoRow(world, videoId))?.status === 'ready' ? true : undefined),
      300_000,
    );
    const clips: string[] = [];
    return {
      async drive() {
        for (let i = 0; i < 3 * size; i++) {
          const res = ok(
            await world.api('POST', `/api/coaches/plus/sessions/${session.id}/videos/${videoId}/clips`, {
              token: coach.token,
              body: {
                title: `Drive ${i}`,
                moment_type: 'highlight',
                start_seconds: (i % 2) * 0.5,
                end_seconds: 1.5 + (i % 2) * 0.5,
                player_ids: [players[0]!.id],
              },
            }),
            'create clip',
            201,
            202,
          );
          clips.push((res.clip ?? res).id);
        }
      },
      async settle(timeoutMs) {
        for (const id of clips)
          await until(
            `clip ${id} ready`,
            async () => {
              const c = await ctx.deps.db.clip.findUnique({ where: { id } });
              if (c?.status !== 'ready' && c?.status !== 'failed') return undefined;
              const d = await world.gate.shared(() =>
                ctx.deps.temporal.workflow.getHandle(`clip-${id}`).describe(),
              );
              return d.status.name === 'RUNNING' ? undefined : true;
            },
            timeoutMs,
          );
      },
      async check() {
        const out: Violations = [];
        for (const id of clips) {
          const c = await ctx.deps.db.clip.findUnique({ where: { id } });
          if (c?.status !== 'ready') out.push(`clip ${id} is ${c?.status} (${c?.failureReason ?? ''})`);
          if (c && Number(c.reservedBytes) !== Number(c.sizeBytes ?? -1))
            out.push(`clip ${id} holds ${c.reservedBytes} bytes of quota for ${c.sizeBytes} stored`);
          out.push(...(await workflowState(world, `clip-${id}`, { status: 'COMPLETED' })));
        }
        out.push(...(await emailsExactlyOnce(world, [coach.email, players[0]!.email])));
        return out;
      },
    };
  },
};

// ── payout ──────────────────────────────────────────────────────────────────────────────────────

export const payoutScenario: Scenario = {
  name: 'payout',
  faults: BOOKING_FAULTS,
  faultsPerSize: 8,
  async setup(world, size) {
    const { ctx } = world;
    const coaches: PayoutCoach[] = [];
    for (let i = 0; i < 2 * size; i++) {
      const coach = await connectCoach(ctx.app, ctx.deps);
      await world.gate.shared(() => setPayoutsEnabled(ctx.app, ctx.deps, coach, true));
      await giveEarnings(ctx.deps, coach.user.id, 10_000 + i * 100);
      await giveEarnings(ctx.deps, coach.user.id, 2_000, 'usd');
      coaches.push(coach);
    }
    return {
      async drive() {
        for (const coach of coaches) {
          await world.gate.shared(() => payoutSchedule(ctx.deps, coach.user.id).trigger());
          await sleep(500);
        }
      },
      async settle(timeoutMs) {
        for (const coach of coaches)
          await until(
            `payouts of ${coach.user.id} paid`,
            async () => {
              const rows = await ctx.deps.db.payout.findMany({ where: { coachId: coach.user.id } });
              return rows.length === 2 && rows.every((r) => r.status === 'paid') ? true : undefined;
            },
            timeoutMs,
          );
      },
      async check() {
        const out: Violations = [];
        for (const [i, coach] of coaches.entries()) {
          const rows = await ctx.deps.db.payout.findMany({ where: { coachId: coach.user.id } });
          const amounts = rows.map((r) => `${r.currency} ${r.amountMinor} ${r.status}`).sort();
          const want = [`gbp ${(10_000 + i * 100) * 0.9} paid`, `usd 1800 paid`];
          if (JSON.stringify(amounts) !== JSON.stringify(want))
            out.push(`coach ${coach.user.id} payouts ${amounts.join(', ')}; expected ${want.join(', ')}`);
          for (const r of rows)
            out.push(
              ...exactlyStripe(
                world,
                `payout ${r.id}`,
                /^\/v1\/transfers$/,
                `payout-${r.id}-transfer`,
                r.id,
                1,
              ),
            );
          const transfers = world.stripe.calls.filter(
            (c) => c.method === 'POST' && c.path === '/v1/transfers' && !c.replayed && c.status < 400,
          );
          const mine = transfers.filter((c) => rows.some((r) => c.idempotencyKey?.includes(r.id)));
          if (mine.length !== rows.length) out.push(`coach ${coach.user.id}: ${mine.length} transfers`);
        }
        out.push(
          ...(await emailsExactlyOnce(
            world,
            coaches.map((c) => c.user.email),
          )),
        );
        return out;
      },
    };
  },
};

export const STABLE_SCENARIOS = [bookingScenario, videoScenario, clipScenario, payoutScenario];
// ── paid session ────────────────────────────────────────────────────────────────────────────────

/**
 * Pay-per-minute sessions: the card authorised (webhook), heartbeats metered, then completed:
 * the workflow captures the cost once and releases the rest. One in three ends with no minutes
 * watched: the intent is cancelled, nothing captured.
 */
export const paidSessionScenario: Scenario = {
  name: 'paid session',
  faults: BOOKING_FAULTS,
  faultsPerSize: 8,
  async setup(world, size) {
    const { ctx } = world;
    const course = await createPaidCourse(ctx.app, ctx.deps);
    // The fixture writes its course video as rows only (no media): not the storage check's business.
    for (const l of await ctx.deps.db.lecture.findMany({ where: { courseId: course.courseId } }))
      world.syntheticVideos.add(l.videoId);
    const students: TestUser[] = [];
    for (let i = 0; i < 3 * size; i++)
      students.push(await createUser(ctx.app, ctx.deps, 'free', `student${i}`));
    const sessions: { id: string; watched: number }[] = [];
    return {
      async drive() {
        await Promise.all(
          students.map(async (student, i) => {
            await stagger(i);
            const opened = ok(
              await world.api('POST', '/api/sessions/create', {
                token: student.token,
                body: { course_id: course.courseId, locked_amount: 1000 },
              }),
              'create paid session',
              201,
            ).session;
            const created = await until(
              `paid session ${opened.id} payment intent`,
              async () => {
                const got = await world.api('GET', `/api/sessions/${opened.id}/status`, {
                  token: student.token,
                });
                return got.body?.session?.payment?.payment_intent_id ? got.body.session : undefined;
              },
              180_000,
            );
            const watched = i % 3 === 2 ? 0 : 60 + 30 * i;
            sessions.push({ id: created.id, watched });
            ok(
              await world.gate.shared(() =>
                postStripeEvent(
                  ctx.app,
                  ctx.deps,
                  capturableEvent({
                    id: created.id,
                    paymentIntentId: created.payment.payment_intent_id,
                    amount: 1000,
                    currency: created.currency,
                  }),
                ),
              ),
              'authorisation webhook',
              200,
            );
            // The workflow applies the authorisation from its signal; the start waits for it.
            await until(
              `paid session ${created.id} started`,
              async () => {
                const r = await world.api('POST', `/api/sessions/${created.id}/start`, {
                  token: student.token,
                });
                return r.status === 200 ? true : undefined;
              },
              180_000,
            );
            if (watched > 0) {
              await ctx.deps.db.$executeRaw`UPDATE paid_sessions
                SET started_at = started_at - make_interval(secs => 600)
                WHERE id = ${created.id}::uuid`;
              for (let seq = 1; seq <= 2; seq++)
                ok(
                  await world.api('PATCH', `/api/sessions/${created.id}/metrics`, {
                    token: student.token,
                    body: {
                      seq,
                      duration_seconds: (watched * seq) / 2,
                      completion_pct: 10 * seq,
                      current_lecture: 1,
                      position_seconds: (watched * seq) / 2,
                    },
                  }),
                  'heartbeat',
                  200,
                );
            }
            ok(
              await world.api('POST', `/api/sessions/${created.id}/complete`, { token: student.token }),
              'complete',
              200,
            );
          }),
        );
      },
      async settle(timeoutMs) {
        for (const s of sessions)
          await until(
            `paid session ${s.id} settled`,
            async () => {
              const row = await ctx.deps.db.paidSession.findUnique({ where: { id: s.id } });
              if (row?.status !== 'completed' && row?.status !== 'cancelled') return undefined;
              const d = await world.gate.shared(() =>
                ctx.deps.temporal.workflow.getHandle(`paid-session-${s.id}`).describe(),
              );
              return d.status.name === 'RUNNING' ? undefined : true;
            },
            timeoutMs,
          );
      },
      async check() {
        const out: Violations = [];
        for (const s of sessions) {
          const row = await ctx.deps.db.paidSession.findUniqueOrThrow({ where: { id: s.id } });
          const cost = Math.ceil((s.watched * course.pricePerMinute) / 60);
          const label = `paid session ${s.id}`;
          const want = s.watched > 0 ? 'completed' : 'cancelled';
          if (row.status !== want) out.push(`${label} is ${row.status}, expected ${want}`);
          if ((row.capturedMinor ?? 0) !== cost)
            out.push(`${label} captured ${row.capturedMinor}, cost ${cost}`);
          out.push(
            ...exactlyStripe(
              world,
              `${label} intent`,
              /^\/v1\/payment_intents$/,
              `paid-session-${s.id}-payment-intent`,
              s.id,
              1,
            ),
            ...exactlyStripe(
              world,
              `${label} capture`,
              /\/capture$/,
              `paid-session-${s.id}-capture`,
              s.id,
              s.watched > 0 ? 1 : 0,
            ),
            ...(await workflowState(world, `paid-session-${s.id}`, { status: 'COMPLETED' })),
          );
        }
        out.push(...(await emailsExactlyOnce(world, [course.coach.email, ...students.map((s) => s.email)])));
        return out;
      },
    };
  },
};

// ── subscription ────────────────────────────────────────────────────────────────────────────────

/** Subscribe (first invoice paid by webhook), then upgrade: one Stripe create and one update each. */
export const subscriptionScenario: Scenario = {
  name: 'subscription',
  faults: BOOKING_FAULTS,
  faultsPerSize: 8,
  async setup(world, size) {
    const { ctx } = world;
    const users: TestUser[] = [];
    for (let i = 0; i < 2 * size; i++)
      users.push(await createUser(ctx.app, ctx.deps, 'free', `subscriber${i}`));
    return {
      async drive() {
        await Promise.all(
          users.map(async (user, i) => {
            await stagger(i);
            ok(
              await world.api('POST', '/api/subscriptions', {
                token: user.token,
                body: { plan: 'coach_pro' },
              }),
              'subscribe',
              201,
            );
            const row = await ctx.deps.db.subscription.findUniqueOrThrow({ where: { userId: user.id } });
            await world.gate.shared(() => payInvoice(ctx.app, ctx.deps, user, row.stripeSubscriptionId!));
            await until(
              `${user.id} coach_pro`,
              async () => ((await roleOf(ctx.deps, user.id)) === 'coach_pro' ? true : undefined),
              180_000,
            );
            ok(
              await world.api('POST', '/api/subscriptions/change', {
                token: user.token,
                body: { plan: 'coach_pro_plus' },
              }),
              'upgrade',
              200,
            );
          }),
        );
      },
      async settle(timeoutMs) {
        for (const user of users)
          await until(
            `${user.id} coach_pro_plus`,
            async () => ((await roleOf(ctx.deps, user.id)) === 'coach_pro_plus' ? true : undefined),
            timeoutMs,
          );
      },
      async check() {
        const out: Violations = [];
        for (const user of users) {
          const label = `subscription of ${user.id}`;
          out.push(
            ...exactlyStripe(
              world,
              `${label} create`,
              /^\/v1\/subscriptions$/,
              `subscription-${user.id}-create-1`,
              user.id,
              1,
            ),
            ...exactlyStripe(
              world,
              `${label} change`,
              /^\/v1\/subscriptions\/[^/]+$/,
              `subscription-${user.id}-op-1`,
              user.id,
              1,
            ),
            ...(await workflowState(world, `subscription-${user.id}`, { status: 'RUNNING' })),
          );
          const changes = await ctx.deps.db.roleChange.findMany({
            where: { userId: user.id, applied: true },
          });
          const path = changes.map((c) => `${c.fromRole}→${c.toRole}`);
          if (JSON.stringify(path) !== JSON.stringify(['free→coach_pro', 'coach_pro→coach_pro_plus']))
            out.push(`${label}: role changes ${path.join(', ')}`);
        }
        out.push(
          ...(await emailsExactlyOnce(
            world,
            users.map((u) => u.email),
          )),
        );
        return out;
      },
    };
  },
};

// ── purchase ────────────────────────────────────────────────────────────────────────────────────

/**
 * Packages of two credits: checkout, payment by webhook → PAID with credits; every other buyer books
 * with a credit and then the coach refunds the purchase (the unused credit revoked, one refund).
 */
export const purchaseScenario: Scenario = {
  name: 'purchase',
  faults: BOOKING_FAULTS,
  faultsPerSize: 8,
  async setup(world, size) {
    const { ctx } = world;
    const coach = await createCoach(ctx.app, ctx.deps, { service: { priceMinor: 4000, currency: 'USD' } });
    ok(
      await call(ctx.app, 'PUT', '/api/coaches/me/profile', {
        token: coach.user.token,
        body: {
          slug: coach.slug,
          displayName: 'Shop coach',
          timeZone: 'Europe/London',
          bookingEnabled: true,
          productsEnabled: true,
        },
      }),
      'open shop',
      200,
    );
    const pkg = ok(
      await call(ctx.app, 'POST', '/api/coaches/me/products', {
        token: coach.user.token,
        body: {
          title: 'Two net sessions',
          priceMinor: 8000,
          currency: 'USD',
          type: 'PACKAGE',
          credits: { serviceId: coach.service.id, count: 2, expiryDays: 90 },
        },
      }),
      'package',
      201,
    );
    const buyers: TestUser[] = [];
    for (let i = 0; i < 2 * size; i++) buyers.push(await createUser(ctx.app, ctx.deps, 'free', `buyer${i}`));
    const purchases: { id: string; refunded: boolean }[] = [];
    return {
      async drive() {
        const slots = (
          await slotsFor(ctx.app, coach.service.id, { to: new Date(Date.now() + 86_400_000).toISOString() })
        ).filter((s) => Date.parse(s.start) > Date.now() + 3 * 3_600_000);
        await Promise.all(
          buyers.map(async (buyer, i) => {
            await stagger(i);
            const started = ok(
              await world.api('POST', `/api/checkout/packages/${pkg.id}`, { token: buyer.token }),
              'checkout',
              201,
            ).purchase;
            const purchase = await until(
              `purchase ${started.id} payment intent`,
              async () => {
                const got = await world.api('GET', `/api/purchases/${started.id}`, { token: buyer.token });
                return got.body?.purchase?.payment?.paymentIntentId ? got.body.purchase : undefined;
              },
              180_000,
            );
            const refunded = i % 2 === 1;
            purchases.push({ id: purchase.id, refunded });
            const event = paymentIntentEvent('payment_intent.succeeded', {
              id: purchase.id,
              paymentIntentId: purchase.payment.paymentIntentId,
              amountMinor: 8000,
              currency: 'USD',
            });
            event.data.object.metadata = { kind: 'purchase', purchaseId: purchase.id } as never;
            ok(
              await world.gate.shared(() => postStripeEvent(ctx.app, ctx.deps, event)),
              'payment webhook',
              200,
            );
            await until(
              `purchase ${purchase.id} paid`,
              async () =>
                (await ctx.deps.db.purchase.findUnique({ where: { id: purchase.id } }))?.status === 'PAID'
                  ? true
                  : undefined,
              180_000,
            );
            if (!refunded) return;
            ok(
              await world.api('POST', '/api/bookings', {
                token: buyer.token,
                body: { serviceId: coach.service.id, start: slots[i]!.start, useCredit: true },
              }),
              'book with a credit',
              201,
            );
            ok(
              await world.api('POST', `/api/purchases/${purchase.id}/refund`, {
                token: coach.user.token,
                body: {},
              }),
              'refund',
              200,
            );
          }),
        );
      },
      async settle(timeoutMs) {
        for (const p of purchases)
          await until(
            `purchase ${p.id} settled`,
            async () => {
              const row = await ctx.deps.db.purchase.findUnique({ where: { id: p.id } });
              if (row?.status !== (p.refunded ? 'REFUNDED' : 'PAID')) return undefined;
              const ledger = await ctx.deps.db.ledgerTransaction.count({
                where: { reference: `purchase:${p.id}` },
              });
              return ledger === (p.refunded ? 2 : 1) ? true : undefined;
            },
            timeoutMs,
          );
      },
      async check() {
        const out: Violations = [];
        for (const p of purchases) {
          const label = `purchase ${p.id}`;
          const grants = await ctx.deps.db.creditGrant.findMany({ where: { purchaseId: p.id } });
          const left = grants.map((g) => `${g.total}/${g.remaining}/${g.revokedCount}`).join(',');
          const want = p.refunded ? '2/0/1' : '2/2/0';
          if (left !== want) out.push(`${label} credits total/remaining/revoked ${left}, expected ${want}`);
          out.push(
            ...exactlyStripe(
              world,
              `${label} intent`,
              /^\/v1\/payment_intents$/,
              `purchase-${p.id}-payment-intent`,
              p.id,
              1,
            ),
            ...exactlyStripe(
              world,
              `${label} refund`,
              /^\/v1\/refunds$/,
              `purchase-${p.id}-refund`,
              p.id,
              p.refunded ? 1 : 0,
            ),
          );
        }
        out.push(...(await emailsExactlyOnce(world, [coach.user.email, ...buyers.map((b) => b.email)])));
        return out;
      },
    };
  },
};

export const ALL_SCENARIOS: Scenario[] = [
  ...STABLE_SCENARIOS,
  paidSessionScenario,
  subscriptionScenario,
  purchaseScenario,
];
/** Inside `npm test`: one lifecycle, few faults, bounded time. */
export const REDUCED_SCENARIOS: Scenario[] = [bookingScenario];
