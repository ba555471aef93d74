import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coachBalances } from '../../src/data/ledger';
import { PAYOUT_FAILURE_REASONS } from '../../src/domain/payouts/payouts';
import {
  payoutWorkflowType,
  type PayoutWorkflow,
  type PayoutWorkflowResult,
} from '../../workflows/payouts/definitions';
import { postStripeEvent, waitUntil } from '../support/bookings';
import { call, type TestContext } from '../support/harness';
import { messagesTo, readMessage, waitForMessages } from '../support/mailbox';
import {
  accountUpdatedEvent,
  connectCoach,
  giveEarnings,
  payoutSchedule,
  payoutsOf,
  setPayoutsEnabled,
  startPayoutWorld,
  closePayoutWorld,
  stripeWrites,
  type StripeProxy,
} from '../support/payouts';
import { createUser } from '../support/users';

// Connect onboarding and payouts on the real stack: the API and this run's workers, Postgres (the
// real ledger), the Temporal server (its Schedules), stripe-mock behind a recording proxy, Mailpit.

let proxy: StripeProxy;
let ctx: TestContext;
beforeAll(async () => {
  ({ proxy, ctx } = await startPayoutWorld({ workers: true }));
});
afterAll(() => closePayoutWorld(ctx, proxy));

const consumed = new Map<string, { ids: Set<string>; lastMs: number }>();

/**
 * Triggers the coach's Schedule and waits for the run it started; returns its result. A run's period
 * is its nominal time in whole seconds, so a later trigger waits for the next second (the same
 * second would be the same period, which pays nothing new by design), and the run is told apart from
 * earlier ones by its workflow id (the Schedule's list of recent actions is eventually consistent).
 */
async function triggerPayout(coachId: string): Promise<PayoutWorkflowResult> {
  const seen = consumed.get(coachId) ?? { ids: new Set<string>(), lastMs: 0 };
  consumed.set(coachId, seen);
  const nextSecond = Math.floor(seen.lastMs / 1000) * 1000 + 1000;
  if (Date.now() < nextSecond) await sleep(nextSecond - Date.now() + 50);
  const handle = payoutSchedule(ctx.deps, coachId);
  seen.lastMs = Date.now();
  await handle.trigger();
  const described = await waitUntil(
    'the triggered payout run',
    () => handle.describe(),
    (d) => d.info.recentActions.some((a) => !seen.ids.has(a.action.workflow.workflowId)),
    30_000,
  );
  const fresh = described.info.recentActions.find((a) => !seen.ids.has(a.action.workflow.workflowId))!;
  seen.ids.add(fresh.action.workflow.workflowId);
  return ctx.deps.temporal.workflow.getHandle<PayoutWorkflow>(fresh.action.workflow.workflowId).result();
}

const balanceOf = async (coachId: string, currency = 'gbp') =>
  (await coachBalances(ctx.deps.db, coachId, new Date(), 0)).find((b) => b.currency === currency);

const transfersFor = (payoutId: string) =>
  stripeWrites(proxy, '/v1/transfers').filter((c) => c.idempotencyKey === `payout-${payoutId}-transfer`);

describe('Connect onboarding', () => {
  it('creates the account once (key from the coach id), answers a fresh link each time, readiness from account.updated', async () => {
    const coach = await createUser(ctx.app, ctx.deps, 'coach_pro', 'connect');
    const before = await call(ctx.app, 'GET', '/api/coaches/me/payouts/account', { token: coach.token });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      state: 'not_connected',
      stripeAccountId: null,
      payoutsEnabled: false,
    });

    const first = await call(ctx.app, 'POST', '/api/coaches/me/payouts/account', {
      token: coach.token,
      body: { country: 'GB' },
    });
    expect(first.status).toBe(200);
    expect(first.body.account).toMatchObject({ state: 'onboarding', payoutsEnabled: false });
    expect(first.body.account.stripeAccountId).toMatch(/^acct_/);
    expect(first.body.onboardingUrl).toMatch(/^https:\/\//);
    const again = await call(ctx.app, 'POST', '/api/coaches/me/payouts/account', { token: coach.token });
    expect(again.status).toBe(200);
    expect(again.body.account.stripeAccountId).toBe(first.body.account.stripeAccountId);

    const accountCreates = stripeWrites(proxy, '/v1/accounts').filter(
      (c) => c.idempotencyKey === `connect-account-${coach.id}`,
    );
    expect(accountCreates).toHaveLength(1);
    const links = proxy.calls.filter((c) => c.path === '/v1/account_links' && c.status === 200);
    expect(new Set(links.map((c) => c.idempotencyKey)).size).toBe(links.length); // every link its own

    // Not ready: no schedule. Ready (signed account.updated): the schedule exists and runs.
    const connected = { user: coach, stripeAccountId: first.body.account.stripeAccountId as string };
    await expect(payoutSchedule(ctx.deps, coach.id).describe()).rejects.toThrow();
    const enabled = await setPayoutsEnabled(ctx.app, ctx.deps, connected, true);
    const schedule = await payoutSchedule(ctx.deps, coach.id).describe();
    expect(schedule.state.paused).toBe(false);
    expect(schedule.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: payoutWorkflowType,
      workflowId: `payout-${coach.id}`,
      taskQueue: ctx.deps.cfg.TEMPORAL_TASK_QUEUE,
    });
    expect(schedule.spec.intervals?.[0]?.every).toBe(3_600_000);
    const ready = await call(ctx.app, 'GET', '/api/coaches/me/payouts/account', { token: coach.token });
    expect(ready.body).toMatchObject({ state: 'ready', payoutsEnabled: true, detailsSubmitted: true });
    const next = Date.parse(ready.body.nextPayoutAt);
    expect(next).toBeGreaterThan(Date.now());
    expect(next).toBeLessThanOrEqual(Date.now() + 3_600_000);

    // Payouts disabled: paused, with Stripe's reason in the note.
    const disabled = accountUpdatedEvent(
      { id: connected.stripeAccountId, coachId: coach.id },
      { payoutsEnabled: false, disabledReason: 'requirements.past_due', due: ['external_account'] },
      enabled.created + 10,
    );
    expect((await postStripeEvent(ctx.app, ctx.deps, disabled)).body.outcome).toBe('routed');
    await waitUntil(
      'paused schedule',
      () => payoutSchedule(ctx.deps, coach.id).describe(),
      (d) => d.state.paused,
      60_000,
    );
    expect((await payoutSchedule(ctx.deps, coach.id).describe()).state.note).toContain(
      'requirements.past_due',
    );

    // An older event delivered late changes nothing.
    const stale = accountUpdatedEvent(
      { id: connected.stripeAccountId, coachId: coach.id },
      { payoutsEnabled: true },
      enabled.created + 5,
    );
    expect((await postStripeEvent(ctx.app, ctx.deps, stale)).body.outcome).toBe('routed');
    await waitUntil(
      'the stale event handled',
      () => ctx.deps.temporal.workflow.getHandle(`payout-account-${coach.id}`).describe(),
      (d) => d.status.name === 'COMPLETED',
      30_000,
    );
    const after = await call(ctx.app, 'GET', '/api/coaches/me/payouts/account', { token: coach.token });
    expect(after.body).toMatchObject({
      nextPayoutAt: null,
      state: 'restricted',
      payoutsEnabled: false,
      disabledReason: 'requirements.past_due',
      requirementsDue: ['external_account'],
    });
    expect((await payoutSchedule(ctx.deps, coach.id).describe()).state.paused).toBe(true);
  });

  it('an account.updated for an account we do not know is acknowledged and ignored', async () => {
    const res = await postStripeEvent(
      ctx.app,
      ctx.deps,
      accountUpdatedEvent({ id: 'acct_unknown', coachId: crypto.randomUUID() }, { payoutsEnabled: true }),
    );
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('ignored');
  });
});

describe('payout runs', () => {
  it('the schedule pays the available balance once; a second run finds nothing and skips', async () => {
    const coach = await connectCoach(ctx.app, ctx.deps);
    await setPayoutsEnabled(ctx.app, ctx.deps, coach, true);
    await giveEarnings(ctx.deps, coach.user.id, 10_000); // coach's share 9,000 after the 10 % fee
    await giveEarnings(ctx.deps, coach.user.id, 2_000, 'usd'); // 1,800

    const result = await triggerPayout(coach.user.id);
    expect(result.status).toBe('paid');
    expect(result.payouts.map((p) => [p.currency, p.amountMinor, p.status])).toEqual([
      ['gbp', 9_000, 'paid'],
      ['usd', 1_800, 'paid'],
    ]);
    const rows = await payoutsOf(ctx.deps, coach.user.id);
    expect(rows.map((r) => r.status)).toEqual(['paid', 'paid']);
    for (const row of rows) {
      expect(transfersFor(row.id)).toHaveLength(1);
      expect(row.stripeTransferId).toMatch(/^tr_/);
      expect(row.stripeAccountId).toBe(coach.stripeAccountId);
    }
    expect(await balanceOf(coach.user.id)).toMatchObject({ availableMinor: 0, paidOutMinor: 9_000 });
    expect(await balanceOf(coach.user.id, 'usd')).toMatchObject({ availableMinor: 0, paidOutMinor: 1_800 });

    // The same period again (an operator's rerun): the recorded payouts are its answer, nothing new moves.
    const rerun = await ctx.deps.temporal.workflow.execute<PayoutWorkflow>(payoutWorkflowType, {
      taskQueue: ctx.deps.cfg.TEMPORAL_TASK_QUEUE,
      workflowId: `payout-${coach.user.id}-rerun`,
      args: [{ coachId: coach.user.id, period: result.period }],
    });
    expect(rerun).toEqual(result);
    for (const row of rows) expect(transfersFor(row.id)).toHaveLength(1);

    const second = await triggerPayout(coach.user.id);
    expect(second).toMatchObject({ status: 'skipped', payouts: [] });
    expect(
      stripeWrites(proxy, '/v1/transfers').filter((c) => rows.some((r) => c.idempotencyKey?.includes(r.id))),
    ).toHaveLength(2);

    const list = await call(ctx.app, 'GET', '/api/coaches/me/payouts?limit=1', { token: coach.user.token });
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(2);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ status: 'paid', failureReason: null });
    expect(list.body.items[0].period).toBe(result.period);
  });

  it('Stripe refuses (insufficient platform balance): failed with the reason, the coach emailed, the balance stays payable and the next run pays it', async () => {
    const coach = await connectCoach(ctx.app, ctx.deps);
    await setPayoutsEnabled(ctx.app, ctx.deps, coach, true);
    await giveEarnings(ctx.deps, coach.user.id, 5_000); // 4,500
    proxy.intercept = (req) =>
      req.method === 'POST' && req.path === '/v1/transfers'
        ? {
            status: 400,
            body: {
              error: {
                type: 'invalid_request_error',
                code: 'balance_insufficient',
                message: 'You have insufficient available funds in your Stripe account.',
              },
            },
          }
        : undefined;
    let failed: PayoutWorkflowResult;
    try {
      failed = await triggerPayout(coach.user.id);
    } finally {
      proxy.intercept = undefined;
    }
    expect(failed.status).toBe('failed');
    expect(failed.payouts[0]).toMatchObject({
      status: 'failed',
      amountMinor: 4_500,
      failureReason: PAYOUT_FAILURE_REASONS.insufficient_platform_balance,
    });
    const [row] = await payoutsOf(ctx.deps, coach.user.id);
    expect(row).toMatchObject({ status: 'failed', stripeTransferId: null });
    // Attempted once: a permanent refusal is not retried.
    expect(proxy.calls.filter((c) => c.idempotencyKey === `payout-${row!.id}-transfer`)).toHaveLength(1);
    expect(await balanceOf(coach.user.id)).toMatchObject({ availableMinor: 4_500, paidOutMinor: 0 });

    const [mail] = await waitForMessages(coach.user.email, { subject: /^Payout failed/ });
    expect(mail!.Subject).toBe('Payout failed: £45.00');
    expect((await readMessage(mail!.ID)).Text).toContain(
      PAYOUT_FAILURE_REASONS.insufficient_platform_balance,
    );

    const list = await call(ctx.app, 'GET', '/api/coaches/me/payouts', { token: coach.user.token });
    expect(list.body.items[0]).toMatchObject({
      status: 'failed',
      failureReason: PAYOUT_FAILURE_REASONS.insufficient_platform_balance,
    });

    const retried = await triggerPayout(coach.user.id);
    expect(retried).toMatchObject({ status: 'paid', payouts: [{ amountMinor: 4_500, status: 'paid' }] });
    expect(await balanceOf(coach.user.id)).toMatchObject({ availableMinor: 0, paidOutMinor: 4_500 });
    expect(await messagesTo(coach.user.email)).toHaveLength(1); // no email for a payout that went through
  });

  it('a retryable failure (Stripe rate-limits the transfer twice) is retried with backoff by Temporal, then paid with one transfer', async () => {
    const coach = await connectCoach(ctx.app, ctx.deps);
    await setPayoutsEnabled(ctx.app, ctx.deps, coach, true);
    await giveEarnings(ctx.deps, coach.user.id, 3_000); // 2,700
    let refused = 0;
    proxy.intercept = (req) => {
      if (req.method !== 'POST' || req.path !== '/v1/transfers' || refused >= 2) return undefined;
      refused++;
      return {
        status: 429,
        body: { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } },
      };
    };
    let result: PayoutWorkflowResult;
    try {
      result = await triggerPayout(coach.user.id);
    } finally {
      proxy.intercept = undefined;
    }
    expect(result).toMatchObject({ status: 'paid', payouts: [{ amountMinor: 2_700, status: 'paid' }] });
    const [row] = await payoutsOf(ctx.deps, coach.user.id);
    const key = `payout-${row!.id}-transfer`;
    expect(proxy.calls.filter((c) => c.idempotencyKey === key).map((c) => c.status)).toEqual([429, 429, 200]);
    expect(transfersFor(row!.id)).toHaveLength(1);
    // The attempts are Temporal's (visible in the UI): the last start records attempt 3 and the failure before it.
    const history = await ctx.deps.temporal.workflow
      .getHandle(`payout-${coach.user.id}-${result.period}`)
      .fetchHistory();
    const started = (history.events ?? [])
      .map((e) => e.activityTaskStartedEventAttributes)
      .filter((a) => a && a.attempt && a.attempt > 1);
    expect(started).toHaveLength(1);
    expect(started[0]!.attempt).toBe(3);
    expect(started[0]!.lastFailure?.message).toMatch(/Too many requests/);
    expect(await messagesTo(coach.user.email)).toHaveLength(0);
  });

  it('a coach with no connected account: failed (no account) with an email; nothing sent to Stripe', async () => {
    const coach = await createUser(ctx.app, ctx.deps, 'coach_pro', 'no-account');
    await giveEarnings(ctx.deps, coach.id, 1_000);
    const handle = await ctx.deps.temporal.workflow.start<PayoutWorkflow>(payoutWorkflowType, {
      taskQueue: ctx.deps.cfg.TEMPORAL_TASK_QUEUE,
      workflowId: `payout-${coach.id}-manual-1`,
      args: [{ coachId: coach.id }],
    });
    const result = await handle.result();
    expect(result).toMatchObject({
      status: 'failed',
      period: 'manual-1',
      payouts: [{ status: 'failed', amountMinor: 900, failureReason: PAYOUT_FAILURE_REASONS.no_account }],
    });
    const [row] = await payoutsOf(ctx.deps, coach.id);
    expect(proxy.calls.filter((c) => c.idempotencyKey === `payout-${row!.id}-transfer`)).toHaveLength(0);
    expect(await balanceOf(coach.id)).toMatchObject({ availableMinor: 900 });
    await waitForMessages(coach.email, { subject: /^Payout failed/ });
  });
});

describe('bad input', () => {
  it('refuses with a 4xx naming the field and changes nothing', async () => {
    const coach = await createUser(ctx.app, ctx.deps, 'coach_pro', 'bad-input');
    const post = (body: unknown, token = coach.token, raw?: string) =>
      call(ctx.app, 'POST', '/api/coaches/me/payouts/account', { token, body, raw });

    const badCountry = await post({ country: 'gb1' });
    expect(badCountry.status).toBe(400);
    expect(badCountry.body.error.details).toEqual([expect.objectContaining({ field: 'country' })]);
    const unknown = await post({ country: 'GB', payoutsEnabled: true });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.error)).toContain('payoutsEnabled');
    expect((await post(undefined, coach.token, '{"country":"G\\u0000B"}')).status).toBe(400);
    expect((await post(undefined, coach.token, '{"country":')).status).toBe(400);
    expect((await post({ country: 'X'.repeat(100_000) })).status).toBe(400);

    const free = await createUser(ctx.app, ctx.deps, 'free', 'not-a-coach');
    const denied = await post({ country: 'GB' }, free.token);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe('Insufficient feature access: paid_sessions_enabled');
    expect((await call(ctx.app, 'GET', '/api/coaches/me/payouts')).status).toBe(401);
    expect(
      (await call(ctx.app, 'GET', '/api/coaches/me/payouts/account', { token: free.token })).status,
    ).toBe(403);

    for (const qs of ['limit=0', 'limit=101', 'limit=abc', 'offset=-1', 'offset=1e400', 'sort=amount']) {
      const res = await call(ctx.app, 'GET', `/api/coaches/me/payouts?${qs}`, { token: coach.token });
      expect(res.status, qs).toBe(400);
      expect(res.body.error.details?.[0]?.field ?? res.body.error.message, qs).toMatch(/limit|offset|sort/);
    }

    expect(await ctx.deps.db.connectAccount.count({ where: { coachId: { in: [coach.id, free.id] } } })).toBe(
      0,
    );
    expect(
      proxy.calls.filter((c) => c.path === '/v1/accounts' && c.idempotencyKey?.includes(coach.id)),
    ).toEqual([]);
  });

  it('a webhook with a bad signature changes nothing', async () => {
    const coach = await connectCoach(ctx.app, ctx.deps);
    const res = await postStripeEvent(
      ctx.app,
      ctx.deps,
      accountUpdatedEvent({ id: coach.stripeAccountId, coachId: coach.user.id }, { payoutsEnabled: true }),
      { secret: 'whsec_wrong' },
    );
    expect(res.status).toBe(400);
    const row = await ctx.deps.db.connectAccount.findUniqueOrThrow({ where: { coachId: coach.user.id } });
    expect(row.payoutsEnabled).toBe(false);
  });
});
