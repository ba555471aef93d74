import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentUsage } from '../../src/data/usage';
import { listKeys } from '../../src/infra/object-files';
import { videoKeys } from '../../src/infra/video-objects';
import { workflowIds } from '../../workflows/shared/ids';
import { subscriptionStateQuery, type SubscriptionWorkflow } from '../../workflows/subscriptions/definitions';
import { call, startTestContext, type TestContext } from '../support/harness';
import { readMessage, waitForMessages } from '../support/mailbox';
import { generateClip, tempDir } from '../support/media';
import {
  nowSec,
  payInvoice,
  roleOf,
  sendStripeEvent,
  stripeEvent,
  invoiceObject,
  subscribeTo,
  subscriptionObject,
} from '../support/subscriptions';
import { createUser, type TestUser } from '../support/users';
import { createSession, startUpload, uploadFile, waitFor, waitForVideo } from '../support/video';

// Issue 12 on the real stack: Temporal, Postgres, MinIO, stripe-mock for our API calls, Mailpit, ffmpeg;
// Stripe's side arrives as signed webhook events. Durations are seconds here (grace 8 s with reminders
// 5 s and 3 s before its end; dunning emails at 0 s and 1 s, the downgrade at 2 s).

let ctx: TestContext;
let clipPath: string;
/** Every request our Stripe client sent: method, path and idempotency key. */
const stripeRequests: { method: string; path: string; key: string | null }[] = [];

beforeAll(async () => {
  ctx = await startTestContext({
    workers: true,
    env: {
      OPENAI_API_KEY: '',
      SUBSCRIPTION_GRACE_PERIOD: '8s',
      SUBSCRIPTION_GRACE_REMINDERS: '5s,3s',
      SUBSCRIPTION_DUNNING_SCHEDULE: '0s,1s,2s',
    },
  });
  ctx.deps.stripe.on('request', (r: { method: string; path: string; idempotency_key?: string }) =>
    stripeRequests.push({ method: r.method, path: r.path, key: r.idempotency_key ?? null }),
  );
  clipPath = await generateClip(join(await tempDir('subscriptions-'), 'short.mp4'), {
    seconds: 3,
    width: 320,
    height: 180,
  });
}, 300_000);
afterAll(async () => {
  if (ctx) {
    const open = ctx.deps.temporal.workflow.list({
      query: `WorkflowType = 'subscriptionWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${ctx.deps.cfg.TEMPORAL_TASK_QUEUE}'`,
    });
    for await (const w of open)
      await ctx.deps.temporal.workflow
        .getHandle(w.workflowId)
        .terminate('test over')
        .catch(() => undefined);
  }
  await ctx?.close();
});

const me = async (user: TestUser) =>
  (await call(ctx.app, 'GET', '/api/subscriptions/me', { token: user.token })).body.subscription;
const stateOf = (userId: string) =>
  ctx.deps.temporal.workflow
    .getHandle<SubscriptionWorkflow>(workflowIds.subscription(userId))
    .query(subscriptionStateQuery);
const storage = (userId: string) => currentUsage(ctx.deps.db, userId, 'storage_bytes');
const objectsOf = (videoId: string) =>
  listKeys(ctx.deps.s3, ctx.deps.cfg.S3_BUCKET, videoKeys.prefix(videoId));

async function waitForRole(userId: string, role: string, timeoutMs = 30_000) {
  return waitFor(
    async () => ((await roleOf(ctx.deps, userId)) === role ? role : undefined),
    timeoutMs,
    `role ${role}`,
  );
}

/** The projection row follows the role within the same workflow step: wait for it too. */
async function waitForMe(user: TestUser, ok: (s: any) => boolean, what: string, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const s = await me(user);
      return ok(s) ? s : undefined;
    },
    timeoutMs,
    what,
  );
}

/** A paying subscriber on `plan` (subscribed through the API, first invoice paid by webhook). */
async function subscriber(plan: string, tag = plan) {
  const user = await createUser(ctx.app, ctx.deps, 'free', tag);
  const { subscriptionId, body } = await subscribeTo(ctx.app, ctx.deps, user, plan);
  expect(body.subscription).toMatchObject({ plan, status: 'incomplete', role: 'free' });
  await payInvoice(ctx.app, ctx.deps, user, subscriptionId);
  await waitForRole(user.id, plan);
  return { user, subscriptionId };
}

/** A ready video with a ready clip, owned by `coach`. */
async function videoWithClip(coach: TestUser) {
  const sessionId = (await createSession(ctx.app, coach.token)).id;
  const { videoId } = await uploadFile(ctx.app, coach.token, sessionId, clipPath);
  expect((await waitForVideo(ctx.app, coach.token, sessionId, videoId)).status).toBe('ready');
  const clip = await call(
    ctx.app,
    'POST',
    `/api/coaches/plus/sessions/${sessionId}/videos/${videoId}/clips`,
    {
      token: coach.token,
      body: {
        title: 'Drive',
        start_seconds: 0.5,
        end_seconds: 1.5,
        moment_type: 'highlight',
        player_ids: [],
      },
    },
  );
  expect(clip.status).toBe(202);
  await waitFor(
    async () => {
      const res = await call(ctx.app, 'GET', `/api/clips/${clip.body.id}`, { token: coach.token });
      return res.body.status === 'ready' ? res.body : undefined;
    },
    60_000,
    'clip ready',
  );
  expect(await storage(coach.id)).toBeGreaterThan(0);
  expect((await objectsOf(videoId)).some((k) => k.includes('/clips/'))).toBe(true);
  return { sessionId, videoId, clipId: clip.body.id as string };
}

describe('catalogue', () => {
  it('GET /api/plans is public: every plan with features, limits, price and lookup key; Org Pro with its seat tiers', async () => {
    const res = await call(ctx.app, 'GET', '/api/plans');
    expect(res.status).toBe(200);
    const plus = res.body.items.find((p: { role: string }) => p.role === 'coach_pro_plus');
    expect(plus).toMatchObject({
      priceMonthlyMinor: 1999,
      currency: 'usd',
      lookupKey: 'coachflow_coach_pro_plus_monthly',
    });
    expect(plus.features).toContain('video_upload_enabled');
    expect(plus.limits.storage_quota_bytes).toBe(500_000_000_000);
    const org = res.body.items.find((p: { role: string }) => p.role === 'org_pro');
    expect(org.seatTiers.map((t: { priceMonthlyMinor: number }) => t.priceMonthlyMinor)).toEqual([
      3900, 7900, 14900,
    ]);
    expect(res.body.items.some((p: { role: string }) => p.role === 'superuser')).toBe(false);
  });
});

describe('bad input: 4xx naming the reason, nothing changes', () => {
  it('unknown plan, cancel / resume / change with no subscription, the same plan, resume of an ended one', async () => {
    const user = await createUser(ctx.app, ctx.deps, 'free', 'bad-input');
    const unknown = await call(ctx.app, 'POST', '/api/subscriptions', {
      token: user.token,
      body: { plan: 'gold' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_plan', details: [{ field: 'plan' }] });
    const seat = await call(ctx.app, 'POST', '/api/subscriptions', {
      token: user.token,
      body: { plan: 'org_pro', seatTier: 'platinum' },
    });
    expect(seat.status).toBe(400);
    expect(seat.body.error.details[0].field).toBe('seatTier');
    const nul = await call(ctx.app, 'POST', '/api/subscriptions', {
      token: user.token,
      body: { plan: 'coach\u0000pro' },
    });
    expect(nul.status).toBe(400);
    const extra = await call(ctx.app, 'POST', '/api/subscriptions', {
      token: user.token,
      body: { plan: 'coach_pro', price: 1 },
    });
    expect(extra.status).toBe(400);
    for (const path of [
      '/api/subscriptions/cancel',
      '/api/subscriptions/resume',
      '/api/subscriptions/change',
    ]) {
      const res = await call(ctx.app, 'POST', path, {
        token: user.token,
        body: path.endsWith('change') ? { plan: 'coach_pro' } : path.endsWith('cancel') ? {} : undefined,
      });
      expect(res.status, path).toBe(409);
      expect(res.body.error.code, path).toBe('no_subscription');
    }
    expect(await me(user)).toMatchObject({ status: 'none', plan: null, role: 'free' });
    expect(await ctx.deps.db.subscription.count({ where: { userId: user.id } })).toBe(0);
    const anon = await call(ctx.app, 'POST', '/api/subscriptions', { body: { plan: 'coach_pro' } });
    expect(anon.status).toBe(401);

    const { user: paying, subscriptionId } = await subscriber('coach_pro', 'same-plan');
    const same = await call(ctx.app, 'POST', '/api/subscriptions/change', {
      token: paying.token,
      body: { plan: 'coach_pro' },
    });
    expect(same.status).toBe(400);
    expect(same.body.error).toMatchObject({ code: 'same_plan', details: [{ field: 'plan' }] });
    const notOperator = await call(ctx.app, 'POST', '/api/subscriptions/cancel', {
      token: paying.token,
      body: { immediately: true },
    });
    expect(notOperator.status).toBe(403);
    expect(notOperator.body.error.code).toBe('operators_only');
    expect(await me(paying)).toMatchObject({ status: 'active', plan: 'coach_pro', cancelAtPeriodEnd: false });

    await sendStripeEvent(
      ctx.app,
      ctx.deps,
      stripeEvent(
        'customer.subscription.deleted',
        subscriptionObject({
          userId: paying.id,
          subscriptionId,
          choice: { plan: 'coach_pro', seatTier: null },
          status: 'canceled',
        }),
        nowSec() + 3,
      ),
    );
    await waitForMe(paying, (s) => s.status === 'canceled' && s.role === 'free', 'cancelled');
    const resume = await call(ctx.app, 'POST', '/api/subscriptions/resume', { token: paying.token });
    expect(resume.status).toBe(409);
    expect(resume.body.error.code).toBe('subscription_ended');
  });
});

describe('lifecycle', () => {
  it('subscribe → invoice paid → role granted; upgrade coach_pro → coach_pro_plus lets the upload start at once, with one Stripe update', async () => {
    const { user } = await subscriber('coach_pro', 'upgrade');
    const denied = await call(ctx.app, 'POST', '/api/coaches/plus/sessions', {
      token: user.token,
      body: { title: 'Nets' },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toMatch(/video/);

    const preview = await call(ctx.app, 'POST', '/api/subscriptions/preview', {
      token: user.token,
      body: { plan: 'coach_pro_plus' },
    });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ direction: 'upgrade', effective: 'now', currency: 'usd' });
    expect(preview.body.proration.amountDueMinor).toBeGreaterThan(0);
    expect(preview.body.proration.amountDueMinor).toBeLessThanOrEqual(1000);

    const before = stripeRequests.length;
    const change = await call(ctx.app, 'POST', '/api/subscriptions/change', {
      token: user.token,
      body: { plan: 'coach_pro_plus' },
    });
    expect(change.status).toBe(200);
    expect(change.body).toMatchObject({
      effective: 'now',
      subscription: { plan: 'coach_pro_plus', role: 'coach_pro_plus' },
    });
    // No wait: the role was written before the answer.
    const session = await createSession(ctx.app, user.token);
    const upload = await startUpload(ctx.app, user.token, session.id, { size: 1_000_000 });
    expect(upload.status).toBe(201);

    const updates = stripeRequests
      .slice(before)
      .filter((r) => r.method === 'POST' && /^\/v1\/subscriptions\/[^/]+$/.test(r.path));
    expect(updates).toHaveLength(1);
    expect(updates[0]!.key).toBe(`subscription-${user.id}-op-1`);

    // A downgrade waits for the period end (the plan stays until then).
    const down = await call(ctx.app, 'POST', '/api/subscriptions/change', {
      token: user.token,
      body: { plan: 'coach_pro' },
    });
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({
      effective: 'period_end',
      subscription: { plan: 'coach_pro_plus', pendingPlan: 'coach_pro' },
    });
    expect(await roleOf(ctx.deps, user.id)).toBe('coach_pro_plus');
    const state = await stateOf(user.id);
    expect(state.pending).toEqual({ plan: 'coach_pro', seatTier: null });
  });

  it('events out of order: a late, older invoice.paid does not undo a cancellation', async () => {
    const { user, subscriptionId } = await subscriber('coach_pro', 'order');
    const late = stripeEvent(
      'invoice.paid',
      invoiceObject({ userId: user.id, subscriptionId, billingReason: 'subscription_cycle' }),
      nowSec() + 5,
    );
    const deleted = stripeEvent(
      'customer.subscription.deleted',
      subscriptionObject({
        userId: user.id,
        subscriptionId,
        choice: { plan: 'coach_pro', seatTier: null },
        status: 'canceled',
      }),
      nowSec() + 10,
    );
    await sendStripeEvent(ctx.app, ctx.deps, deleted);
    await waitForRole(user.id, 'free');
    for (let i = 0; i < 3; i++) await sendStripeEvent(ctx.app, ctx.deps, late);
    await sleep(1500);
    expect(await roleOf(ctx.deps, user.id)).toBe('free');
    expect(await me(user)).toMatchObject({ status: 'canceled', role: 'free' });
  });

  it('payment failed → dunning emails with the update-card link → still unpaid → free, with an email', async () => {
    const { user, subscriptionId } = await subscriber('coach_pro', 'dunning');
    await sendStripeEvent(
      ctx.app,
      ctx.deps,
      stripeEvent(
        'invoice.payment_failed',
        invoiceObject({ userId: user.id, subscriptionId, billingReason: 'subscription_cycle' }),
        nowSec() + 2,
      ),
    );
    await waitForRole(user.id, 'free', 30_000);
    const failed = await waitForMessages(user.email, { subject: /payment (failed|is still due)/, count: 2 });
    expect(failed).toHaveLength(2);
    expect((await readMessage(failed[0]!.ID)).Text).toContain(
      `https://invoice.stripe.test/${subscriptionId}`,
    );
    const downgraded = await waitForMessages(user.email, { subject: /now on the Free plan/ });
    expect(downgraded).toHaveLength(1);
    await waitForMe(
      user,
      (s) => s.status === 'canceled' && s.role === 'free' && s.dunning === null,
      'dunning over',
    );
    const cancels = stripeRequests.filter(
      (r) => r.method === 'DELETE' && r.key?.startsWith(`subscription-${user.id}-op-`),
    );
    expect(cancels).toHaveLength(1);
  });

  it('cancel → period end → grace reminders → videos and clips deleted from S3 and Postgres, storage back to 0', async () => {
    const { user, subscriptionId } = await subscriber('coach_pro_plus', 'grace');
    const { videoId } = await videoWithClip(user);
    const cancel = await call(ctx.app, 'POST', '/api/subscriptions/cancel', { token: user.token, body: {} });
    expect(cancel.status).toBe(200);
    expect(cancel.body.subscription).toMatchObject({ cancelAtPeriodEnd: true, role: 'coach_pro_plus' });
    const resumeBody = await call(ctx.app, 'POST', '/api/subscriptions/cancel', {
      token: user.token,
      body: {},
    });
    expect(resumeBody.status).toBe(409); // already cancelling

    // The period ends: Stripe deletes the subscription.
    await sendStripeEvent(
      ctx.app,
      ctx.deps,
      stripeEvent(
        'customer.subscription.deleted',
        subscriptionObject({
          userId: user.id,
          subscriptionId,
          choice: { plan: 'coach_pro_plus', seatTier: null },
          status: 'canceled',
        }),
        nowSec() + 2,
      ),
    );
    await waitForMe(user, (s) => s.role === 'free' && s.graceEndsAt !== null, 'grace period started');
    // Over-quota usage is frozen: no new upload on free.
    const blocked = await call(ctx.app, 'POST', '/api/coaches/plus/sessions', {
      token: user.token,
      body: { title: 'x' },
    });
    expect(blocked.status).toBe(403);
    await waitForMessages(user.email, { subject: /videos will be deleted/, count: 2, timeoutMs: 30_000 });
    await waitForMessages(user.email, { subject: /stored videos have been deleted/, timeoutMs: 30_000 });
    await waitFor(
      async () => ((await ctx.deps.db.video.count({ where: { coachId: user.id } })) === 0 ? true : undefined),
      60_000,
      'video rows removed',
    );
    expect(await ctx.deps.db.clip.count({ where: { coachId: user.id } })).toBe(0);
    expect(await objectsOf(videoId)).toEqual([]);
    expect(await storage(user.id)).toBe(0);
  });

  it('resubscribing inside the grace period keeps every video and clip', async () => {
    const { user, subscriptionId } = await subscriber('coach_pro_plus', 'keep');
    const { videoId } = await videoWithClip(user);
    const usage = await storage(user.id);
    await sendStripeEvent(
      ctx.app,
      ctx.deps,
      stripeEvent(
        'customer.subscription.deleted',
        subscriptionObject({
          userId: user.id,
          subscriptionId,
          choice: { plan: 'coach_pro_plus', seatTier: null },
          status: 'canceled',
        }),
        nowSec() + 2,
      ),
    );
    await waitForRole(user.id, 'free');
    const again = await subscribeTo(ctx.app, ctx.deps, user, 'coach_pro_plus');
    await payInvoice(ctx.app, ctx.deps, user, again.subscriptionId, 4);
    await waitForMe(
      user,
      (s) => s.role === 'coach_pro_plus' && s.graceEndsAt === null,
      'grace period cleared',
    );
    await sleep(9_000); // past the grace period's end
    expect(await ctx.deps.db.video.count({ where: { id: videoId, deletedAt: null } })).toBe(1);
    expect(await ctx.deps.db.clip.count({ where: { videoId } })).toBe(1);
    expect((await objectsOf(videoId)).length).toBeGreaterThan(1);
    expect(await storage(user.id)).toBe(usage);
  });

  it('billing does not lower a role an operator set, and says why in role_changes; GET /me/invoices answers from Stripe', async () => {
    const user = await createUser(ctx.app, ctx.deps, 'coach_pro_plus', 'comped');
    const { subscriptionId } = await subscribeTo(ctx.app, ctx.deps, user, 'coach_pro');
    await payInvoice(ctx.app, ctx.deps, user, subscriptionId);
    await waitFor(
      async () =>
        (await ctx.deps.db.roleChange.count({ where: { userId: user.id } })) > 0 ? true : undefined,
      30_000,
      'role decision recorded',
    );
    expect(await roleOf(ctx.deps, user.id)).toBe('coach_pro_plus');
    const decisions = await ctx.deps.db.roleChange.findMany({ where: { userId: user.id } });
    expect(decisions.some((d) => !d.applied && /operator or the seed/.test(d.reason))).toBe(true);
    const invoices = await call(ctx.app, 'GET', '/api/subscriptions/me/invoices', { token: user.token });
    expect(invoices.status).toBe(200);
    expect(Array.isArray(invoices.body.items)).toBe(true);
  });
});

describe('webhook checks and Org Pro seats', () => {
  it('an invoice.paid in another currency is not counted', async () => {
    const user = await createUser(ctx.app, ctx.deps, 'free', 'currency');
    const { subscriptionId } = await subscribeTo(ctx.app, ctx.deps, user, 'coach_pro');
    const res = await sendStripeEvent(
      ctx.app,
      ctx.deps,
      stripeEvent(
        'invoice.paid',
        invoiceObject({
          userId: user.id,
          subscriptionId,
          billingReason: 'subscription_create',
          currency: 'eur',
        }),
        nowSec() + 1,
      ),
    );
    expect(res.outcome).toBe('ignored');
    await sleep(1000);
    expect(await roleOf(ctx.deps, user.id)).toBe('free');
  });

  it('a seat-tier downgrade lists the seats over the new limit to the admin and removes nobody', async () => {
    const owner = await createUser(ctx.app, ctx.deps, 'free', 'org-owner');
    const { subscriptionId } = await subscribeTo(ctx.app, ctx.deps, owner, 'org_pro', 'elite');
    await payInvoice(ctx.app, ctx.deps, owner, subscriptionId);
    await waitForRole(owner.id, 'org_pro');
    const org = await ctx.deps.db.organisation.create({
      data: { name: 'Riverside CC', ownerId: owner.id, seatTier: 'elite' },
    });
    for (let i = 0; i < 5; i++) {
      const coach = await ctx.deps.db.user.create({
        data: { email: `seat-${i}-${Date.now()}@example.test`, name: `Coach ${i}`, passwordHash: 'x' },
      });
      await ctx.deps.db.orgMember.create({ data: { orgId: org.id, userId: coach.id, role: 'coach' } });
    }
    const down = await call(ctx.app, 'POST', '/api/subscriptions/change', {
      token: owner.token,
      body: { plan: 'org_pro', seatTier: 'starter', when: 'now' },
    });
    expect(down.status).toBe(200);
    const s = await waitForMe(
      owner,
      (x) => x.seatTier === 'starter' && x.seatsOverLimit.length > 0,
      'seats listed',
    );
    expect(s.seatsOverLimit).toEqual([
      expect.objectContaining({
        orgName: 'Riverside CC',
        role: 'coach',
        limit: 4,
        members: expect.any(Array),
      }),
    ]);
    expect(s.seatsOverLimit[0].members).toHaveLength(5);
    expect((await ctx.deps.db.organisation.findUniqueOrThrow({ where: { id: org.id } })).seatTier).toBe(
      'starter',
    );
    expect(await ctx.deps.db.orgMember.count({ where: { orgId: org.id, role: 'coach' } })).toBe(5);
    await waitForMessages(owner.email, { subject: /More seats are in use/ });
  });

  it('usage over a smaller plan is kept but frozen: no new upload over the storage quota', async () => {
    const { user } = await subscriber('coach_pro_plus', 'frozen');
    // As if they had come down from Org Pro (5,000 GB) with 600 GB stored: kept, nothing deleted.
    await ctx.deps.db.usageCounter.create({
      data: { userId: user.id, metric: 'storage_bytes', period: 'total', used: 600_000_000_000n },
    });
    const session = await createSession(ctx.app, user.token);
    const upload = await startUpload(ctx.app, user.token, session.id, { size: 1_000_000 });
    expect(upload.status).toBe(413);
    expect(upload.body.error.code).toBe('storage_quota_exceeded');
    expect(await storage(user.id)).toBe(600_000_000_000);
  });

  it("an operator ends another user's subscription immediately: one cancellation at Stripe, role back to free", async () => {
    const { user } = await subscriber('coach_pro', 'ended-by-operator');
    const operator = await createUser(ctx.app, ctx.deps, 'superuser', 'operator');
    const before = stripeRequests.length;
    const res = await call(ctx.app, 'POST', '/api/subscriptions/cancel', {
      token: operator.token,
      body: { immediately: true, userId: user.id },
    });
    expect(res.status).toBe(200);
    expect(res.body.subscription).toMatchObject({ status: 'canceled', role: 'free' });
    const deletes = stripeRequests.slice(before).filter((r) => r.method === 'DELETE');
    expect(deletes.map((d) => d.key)).toEqual([`subscription-${user.id}-op-1`]);
    const other = await call(ctx.app, 'POST', '/api/subscriptions/cancel', {
      token: user.token,
      body: { userId: operator.id },
    });
    expect(other.status).toBe(403);
  });
});
