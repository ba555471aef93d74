import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StripeSubscriptionSnapshot } from '../../src/data/subscriptions';
import type { Role } from '../../src/domain/subscriptions/plans';
import {
  cancelSubscriptionUpdate,
  changePlanUpdate,
  resumeSubscriptionUpdate,
  stripeSubscriptionEventSignal,
  subscribeUpdate,
  subscriptionStateQuery,
  subscriptionWorkflowType,
  type StripeSubscriptionEvent,
  type SubscriptionSettings,
  type SubscriptionWorkflow,
} from '../../workflows/subscriptions/definitions';
import {
  eventually,
  recorded,
  startWorkflowTestEnv,
  type ActivityCall,
  type WorkflowTestEnv,
  type DefaultStubs,
} from '../support/temporal-env';

// subscription-<userId> in the fast tier, on stub activities: update validators refuse without
// accepting, entitlements follow Stripe's events whatever their order, dunning and the grace period
// run on (short) timers, and a new billing period continues the run as new.

const calls: ActivityCall[] = [];
const roles = new Map<string, Role>();
const PERIOD = 30 * 86_400_000;
const stripeCopies = new Map<string, StripeSubscriptionSnapshot>();

const stubs = {
  async ensureStripeCustomer(_: { userId: string; key: string }) {
    return { customerId: 'cus_test' };
  },
  async createStripeSubscription(input: { userId: string }) {
    return {
      subscriptionId: `sub_${input.userId.slice(0, 8)}`,
      status: 'incomplete',
      plan: null,
      periodEndMs: Date.now() + PERIOD,
      cancelAtPeriodEnd: false,
      userId: input.userId,
      needsPayment: true,
      createdMs: Math.floor(Date.now() / 1000) * 1000,
    };
  },
  async updateStripeSubscriptionPlan(_: unknown) {
    return { periodEndMs: null };
  },
  async setStripeCancelAtPeriodEnd(_: unknown) {},
  async cancelStripeSubscription(_: unknown) {},
  /** Stripe's copy: unknown unless a test set one (like stripe-mock's fixtures, not recognisably ours). */
  async fetchStripeSubscription(input: { subscriptionId: string }) {
    return stripeCopies.get(input.subscriptionId) ?? null;
  },
  async saveSubscriptionProjection(_: unknown) {},
  async applySubscriptionRole(input: { userId: string; role: Role }) {
    roles.set(input.userId, input.role);
    return { role: input.role };
  },
  async subscriptionContact(_: unknown) {
    return { email: 'u@example.test', name: 'U', billingUrl: 'http://x/plans' };
  },
  async applyOrgSeatTier(_: unknown) {
    return [];
  },
  async markUserVideosDeleted(_: unknown) {
    return { videos: [] };
  },
  async sendEmail(_: { template: string }) {
    return { sent: true, messageId: 'm' };
  },
} satisfies DefaultStubs;

let t: WorkflowTestEnv;
beforeAll(async () => {
  t = await startWorkflowTestEnv({ defaultActivities: recorded(stubs, calls) });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  calls.length = 0;
});

const settings = (over: Partial<SubscriptionSettings> = {}): SubscriptionSettings => ({
  dunningScheduleMs: [0, 400, 800],
  graceMs: 1_500,
  graceRemindersMs: [1_000, 500],
  mediaTaskQueue: 'unused-media',
  uploadTimeoutMs: 60_000,
  ...over,
});

async function start(over: Partial<SubscriptionSettings> = {}) {
  const userId = randomUUID();
  const handle = await t.env.client.workflow.start<SubscriptionWorkflow>(subscriptionWorkflowType, {
    taskQueue: t.taskQueue,
    workflowId: `subscription-${userId}`,
    args: [{ userId, settings: settings(over) }],
  });
  t.track(handle);
  return { userId, handle };
}

const of = (userId: string, name: string) =>
  calls.filter((c) => c.name === name && JSON.stringify(c.args).includes(userId));
const emailsTo = (userId: string) =>
  of(userId, 'sendEmail').map((c) => (c.args[0] as { template: string }).template);
const stripeCalls = (name: string) => calls.filter((c) => c.name === name);

let seq = 0;
function event(
  subscriptionId: string,
  type: string,
  createdMs: number,
  over: Partial<StripeSubscriptionEvent> = {},
): StripeSubscriptionEvent {
  return { eventId: `evt_${Date.now()}_${++seq}`, type, createdMs, subscriptionId, ...over };
}

const refusal = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
  return { type: cause.type, code: cause.details?.[0], message: cause.message };
};
const acceptedUpdates = async (h: WorkflowHandle) =>
  ((await h.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)
    .length;

async function subscribed(plan: Role = 'coach_pro_plus', over: Partial<SubscriptionSettings> = {}) {
  const s = await start(over);
  const out = await s.handle.executeUpdate(subscribeUpdate, { args: [{ choice: { plan, seatTier: null } }] });
  await s.handle.signal(
    stripeSubscriptionEventSignal,
    event(out.subscriptionId, 'invoice.paid', Date.now() + 1_000, { status: 'active' }),
  );
  await eventually(
    () => roles.get(s.userId),
    (r) => r === plan,
  );
  return { ...s, subscriptionId: out.subscriptionId };
}

describe('subscription-<userId> (stub activities)', () => {
  it('subscribe → incomplete (no role yet) → invoice.paid → role granted; findable by UserId', async () => {
    const { userId, handle } = await start();
    const out = await handle.executeUpdate(subscribeUpdate, {
      args: [{ choice: { plan: 'coach_pro', seatTier: null } }],
    });
    expect(out).toMatchObject({ status: 'incomplete', needsPayment: true });
    expect(roles.get(userId) ?? 'free').toBe('free');
    expect(of(userId, 'createStripeSubscription')[0]?.args[0]).toMatchObject({
      key: `subscription-${userId}-create-1`,
    });
    await handle.signal(
      stripeSubscriptionEventSignal,
      event(out.subscriptionId, 'invoice.paid', Date.now() + 1_000, { status: 'active' }),
    );
    await eventually(
      () => handle.query(subscriptionStateQuery),
      (s) => s.role === 'coach_pro' && s.status === 'active',
    );
    expect(roles.get(userId)).toBe('coach_pro');
    const desc = await handle.describe();
    expect(desc.searchAttributes.UserId).toEqual([userId]);
  });

  it('refuses unknown plans, the same plan, cancel / resume without a subscription — without accepting the update', async () => {
    const { handle } = await start();
    expect(
      await refusal(
        handle.executeUpdate(subscribeUpdate, {
          args: [{ choice: { plan: 'gold' as Role, seatTier: null } }],
        }),
      ),
    ).toMatchObject({
      type: 'InvalidRequest',
      code: 'unknown_plan',
    });
    expect(
      await refusal(
        handle.executeUpdate(cancelSubscriptionUpdate, {
          args: [{ immediately: false, actorIsOperator: false }],
        }),
      ),
    ).toMatchObject({
      type: 'InvalidTransition',
      code: 'no_subscription',
    });
    expect(await refusal(handle.executeUpdate(resumeSubscriptionUpdate, { args: [] }))).toMatchObject({
      code: 'no_subscription',
    });
    expect(await acceptedUpdates(handle)).toBe(0);

    const s = await subscribed('coach_pro');
    expect(
      await refusal(
        s.handle.executeUpdate(changePlanUpdate, {
          args: [{ choice: { plan: 'coach_pro', seatTier: null } }],
        }),
      ),
    ).toMatchObject({
      type: 'InvalidRequest',
      code: 'same_plan',
    });
    expect(
      await refusal(
        s.handle.executeUpdate(subscribeUpdate, {
          args: [{ choice: { plan: 'coach_pro_plus', seatTier: null } }],
        }),
      ),
    ).toMatchObject({
      code: 'already_subscribed',
    });
    expect(
      await refusal(
        s.handle.executeUpdate(cancelSubscriptionUpdate, {
          args: [{ immediately: true, actorIsOperator: false }],
        }),
      ),
    ).toMatchObject({
      type: 'Forbidden',
      code: 'operators_only',
    });
    expect(await acceptedUpdates(s.handle)).toBe(1); // the subscribe only
    expect(of(s.userId, 'updateStripeSubscriptionPlan')).toHaveLength(0);
  });

  it('an upgrade changes Stripe once (keyed by the workflow step) and the role before the caller hears back; a downgrade waits for the period end', async () => {
    const s = await subscribed('coach_pro');
    const up = await s.handle.executeUpdate(changePlanUpdate, {
      args: [{ choice: { plan: 'coach_pro_plus', seatTier: null } }],
    });
    expect(up).toMatchObject({ effective: 'now', plan: { plan: 'coach_pro_plus' } });
    expect(roles.get(s.userId)).toBe('coach_pro_plus');
    const updates = of(s.userId, 'updateStripeSubscriptionPlan');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args[0]).toMatchObject({ prorate: true, key: `subscription-${s.userId}-op-1` });

    const down = await s.handle.executeUpdate(changePlanUpdate, {
      args: [{ choice: { plan: 'coach_pro', seatTier: null } }],
    });
    expect(down).toMatchObject({ effective: 'period_end', pending: { plan: 'coach_pro' } });
    expect(roles.get(s.userId)).toBe('coach_pro_plus');
    expect(of(s.userId, 'updateStripeSubscriptionPlan')).toHaveLength(1);
  });

  it('events out of order: an older event cannot roll back a newer one, and makes the workflow re-read Stripe', async () => {
    const s = await subscribed('coach_pro');
    const base = Date.now() + 5_000;
    const refetches = () => of(s.subscriptionId, 'fetchStripeSubscription').length;
    await s.handle.signal(
      stripeSubscriptionEventSignal,
      event(s.subscriptionId, 'customer.subscription.deleted', base + 2_000, {
        status: 'canceled',
        cancelAtPeriodEnd: false,
      }),
    );
    const late = event(s.subscriptionId, 'invoice.paid', base + 1_000, { status: 'active' });
    await s.handle.signal(stripeSubscriptionEventSignal, late);
    await eventually(refetches, (n) => n === 1);
    await eventually(
      () => s.handle.query(subscriptionStateQuery),
      (st) => st.status === 'canceled' && st.role === 'free',
    );
    expect(roles.get(s.userId)).toBe('free');
    // Stripe redelivers the late event: dropped by its id (no second re-read, nothing changes).
    await s.handle.signal(stripeSubscriptionEventSignal, late);
    await eventually(
      () => s.handle.query(subscriptionStateQuery),
      (st) => st.status === 'canceled',
    );
    expect(refetches()).toBe(1);
  });

  it('a stale event makes the workflow re-read Stripe; a copy that is recognisably ours is applied as the newest truth', async () => {
    const s = await subscribed('coach_pro');
    stripeCopies.set(s.subscriptionId, {
      subscriptionId: s.subscriptionId,
      userId: s.userId,
      status: 'active',
      plan: { plan: 'coach_pro_plus', seatTier: null },
      periodEndMs: Date.now() + PERIOD,
      cancelAtPeriodEnd: false,
    });
    const base = Date.now() + 5_000;
    await s.handle.signal(
      stripeSubscriptionEventSignal,
      event(s.subscriptionId, 'customer.subscription.updated', base + 2_000, { status: 'active' }),
    );
    await s.handle.signal(
      stripeSubscriptionEventSignal,
      event(s.subscriptionId, 'invoice.payment_failed', base + 1_000, { status: 'past_due' }),
    );
    await eventually(
      () => s.handle.query(subscriptionStateQuery),
      (st) => st.role === 'coach_pro_plus',
    );
    expect((await s.handle.query(subscriptionStateQuery)).status).toBe('active');
  });

  it('dunning: a failed renewal sends the scheduled emails, then cancels at Stripe and moves to free', async () => {
    const s = await subscribed('coach_pro');
    await s.handle.signal(
      stripeSubscriptionEventSignal,
      event(s.subscriptionId, 'invoice.payment_failed', Date.now() + 2_000, {
        status: 'past_due',
        payUrl: 'https://pay.example/inv',
      }),
    );
    await eventually(
      () => roles.get(s.userId),
      (r) => r === 'free',
      10_000,
    );
    await eventually(
      () => emailsTo(s.userId).length,
      (n) => n === 3,
    );
    expect(emailsTo(s.userId)).toEqual([
      'subscription_payment_failed',
      'subscription_payment_failed',
      'subscription_downgraded',
    ]);
    const first = of(s.userId, 'sendEmail')[0]!.args[0] as { data: { link: string } };
    expect(first.data.link).toBe('https://pay.example/inv');
    expect(of(s.userId, 'cancelStripeSubscription')).toHaveLength(1);
    expect((await s.handle.query(subscriptionStateQuery)).status).toBe('canceled');
  });

  it('dunning: paid in time restores the subscription and no downgrade happens', async () => {
    const s = await subscribed('coach_pro', { dunningScheduleMs: [0, 1_500, 3_000] });
    await s.handle.signal(
      stripeSubscriptionEventSignal,
      event(s.subscriptionId, 'invoice.payment_failed', Date.now() + 2_000, { status: 'past_due' }),
    );
    await eventually(
      () => emailsTo(s.userId).length,
      (n) => n === 1,
    );
    await s.handle.signal(
      stripeSubscriptionEventSignal,
      event(s.subscriptionId, 'invoice.paid', Date.now() + 3_000, { status: 'active' }),
    );
    await eventually(
      () => s.handle.query(subscriptionStateQuery),
      (st) => st.status === 'active' && st.dunning === null,
    );
    await new Promise((r) => setTimeout(r, 3_200));
    expect(of(s.userId, 'cancelStripeSubscription')).toHaveLength(0);
    expect(roles.get(s.userId)).toBe('coach_pro');
  });

  it('cancel at period end → deleted → grace reminders → stored videos handed to deletion', async () => {
    const s = await subscribed('coach_pro_plus');
    await s.handle.executeUpdate(cancelSubscriptionUpdate, {
      args: [{ immediately: false, actorIsOperator: false }],
    });
    expect(of(s.userId, 'setStripeCancelAtPeriodEnd')[0]?.args[0]).toMatchObject({ cancel: true });
    await s.handle.signal(
      stripeSubscriptionEventSignal,
      event(s.subscriptionId, 'customer.subscription.deleted', Date.now() + 2_000, { status: 'canceled' }),
    );
    await eventually(
      () => of(s.userId, 'markUserVideosDeleted').length,
      (n) => n === 1,
      10_000,
    );
    await eventually(
      () => emailsTo(s.userId).length,
      (n) => n === 4,
    );
    expect(emailsTo(s.userId)).toEqual([
      'subscription_downgraded',
      'subscription_grace_reminder',
      'subscription_grace_reminder',
      'subscription_videos_deleted',
    ]);
    await eventually(
      () => s.handle.query(subscriptionStateQuery),
      (st) => st.graceEndsAt === null,
    );
  });

  it('resubscribing inside the grace period keeps the videos', async () => {
    const s = await subscribed('coach_pro_plus', { graceMs: 2_500, graceRemindersMs: [1_000] });
    await s.handle.signal(
      stripeSubscriptionEventSignal,
      event(s.subscriptionId, 'customer.subscription.deleted', Date.now() + 2_000, { status: 'canceled' }),
    );
    await eventually(
      () => s.handle.query(subscriptionStateQuery),
      (st) => st.graceEndsAt !== null,
    );
    const again = await s.handle.executeUpdate(subscribeUpdate, {
      args: [{ choice: { plan: 'coach_pro_plus', seatTier: null } }],
    });
    expect(of(s.userId, 'createStripeSubscription')[1]?.args[0]).toMatchObject({
      key: `subscription-${s.userId}-create-2`,
    });
    await s.handle.signal(
      stripeSubscriptionEventSignal,
      event(again.subscriptionId, 'invoice.paid', Date.now() + 4_000, { status: 'active' }),
    );
    await eventually(
      () => s.handle.query(subscriptionStateQuery),
      (st) => st.graceEndsAt === null && st.role === 'coach_pro_plus',
    );
    await new Promise((r) => setTimeout(r, 3_000));
    expect(of(s.userId, 'markUserVideosDeleted')).toHaveLength(0);
  });

  it('a new billing period continues the run as new with the state carried over', async () => {
    const s = await subscribed('coach_pro');
    const firstRun = (await s.handle.describe()).runId;
    await s.handle.signal(
      stripeSubscriptionEventSignal,
      event(s.subscriptionId, 'invoice.paid', Date.now() + 3_000, {
        status: 'active',
        periodEndMs: Date.now() + 2 * PERIOD,
      }),
    );
    await eventually(
      async () => (await t.env.client.workflow.getHandle(s.handle.workflowId).describe()).runId,
      (id) => id !== firstRun,
    );
    const state = await t.env.client.workflow.getHandle(s.handle.workflowId).query(subscriptionStateQuery);
    expect(state).toMatchObject({ status: 'active', role: 'coach_pro', subscriptionId: s.subscriptionId });
  });
});
