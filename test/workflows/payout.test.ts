import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerTransactionDraft } from '../../src/domain/billing/ledger';
import { PAYOUT_FAILURE_REASONS } from '../../src/domain/billing/payouts';
import {
  accountUpdatedSignal,
  PayoutFailure,
  payoutAccountWorkflowId,
  payoutAccountWorkflowType,
  payoutWorkflowType,
  type AccountUpdatedSignal,
  type PayoutAccountWorkflow,
  type PayoutWorkflow,
  type PreparedPayout,
} from '../../workflows/payout/definitions';
import {
  recorded,
  startWorkflowTestEnv,
  type ActivityCall,
  type WorkflowTestEnv,
} from '../support/temporal-env';

// payout-<coach>-<period> and payout-account-<coach> against stub activities: the ledger is a list of
// posted drafts, Stripe and SMTP are call logs. Each test is its own coach (stubs dispatch by coach).

const DomainStatus = defineSearchAttributeKey('DomainStatus', SearchAttributeType.KEYWORD);
type Stub = (...args: any[]) => Promise<unknown>;

interface World {
  payouts: PreparedPayout[];
  /** How each transfer attempt behaves (attempt is 1-based); default: succeeds. */
  transfer?: (payoutId: string, attempt: number) => Promise<{ transferId: string }>;
}
const worlds = new Map<string, World>();
const payoutCoach = new Map<string, string>();
const posted: LedgerTransactionDraft[] = [];
const calls: ActivityCall[] = [];
const transferAttempts = new Map<string, number>();

const coachOfPayout = (payoutId: string) => payoutCoach.get(payoutId)!;
const worldOfPayout = (payoutId: string) => worlds.get(coachOfPayout(payoutId))!;

const stubs: Record<string, Stub> = {
  async preparePayouts(input: { coachId: string }) {
    return worlds.get(input.coachId)!.payouts;
  },
  async postLedgerTransactions(drafts: LedgerTransactionDraft[]) {
    for (const d of drafts) if (!posted.some((p) => p.key === d.key)) posted.push(d);
  },
  async transferPayout(payoutId: string) {
    const attempt = (transferAttempts.get(payoutId) ?? 0) + 1;
    transferAttempts.set(payoutId, attempt);
    const w = worldOfPayout(payoutId);
    if (w.transfer) return w.transfer(payoutId, attempt);
    return { transferId: `tr_${payoutId.slice(0, 8)}` };
  },
  async markPayoutPaid() {},
  async failPayout() {
    return {
      coach: { email: 'coach@example.test', name: 'Coach' },
      failed: true,
      settingsUrl: 'http://app/coach/payouts',
    };
  },
  async sendEmail() {
    return { sent: true, messageId: '<x@coachflow>' };
  },
  async applyAccountUpdate(input: { update: AccountUpdatedSignal }) {
    return input.update.eventId !== 'evt_stale';
  },
  async syncPayoutSchedule() {
    return 'active';
  },
};

let t: WorkflowTestEnv;
beforeAll(async () => {
  t = await startWorkflowTestEnv({ defaultActivities: recorded(stubs, calls) });
});
afterAll(async () => {
  await t?.close();
});

function coachWith(world: World) {
  const coachId = randomUUID();
  worlds.set(coachId, world);
  for (const p of world.payouts) payoutCoach.set(p.payoutId, coachId);
  return coachId;
}

const pending = (amountMinor: number, currency = 'gbp'): PreparedPayout => ({
  payoutId: randomUUID(),
  currency,
  amountMinor,
  status: 'pending',
  failureReason: null,
});

async function run(coachId: string, period = '2026-11-30T00:00:00Z') {
  const h = await t.env.client.workflow.start<PayoutWorkflow>(payoutWorkflowType, {
    taskQueue: t.taskQueue,
    workflowId: `payout-${coachId}-${period}`,
    args: [{ coachId }],
  });
  t.track(h);
  return h;
}

const callsFor = (name: string, payoutId: string) =>
  calls.filter((c) => c.name === name && JSON.stringify(c.args).includes(payoutId));
const ledgerOf = (payoutId: string) => posted.filter((d) => d.reference === `payout:${payoutId}`);
const net = (drafts: LedgerTransactionDraft[], account: string) =>
  drafts
    .flatMap((d) => d.lines)
    .filter((l) => l.account === account)
    .reduce((s, l) => s + l.amountMinor, 0);

async function domainStatus(h: WorkflowHandle) {
  return (await h.describe()).typedSearchAttributes.get(DomainStatus);
}

describe.concurrent('payout workflow (stub activities)', () => {
  it('pays: ledger payout posted before the transfer, then paid; the period is the schedule’s time in the id', async () => {
    const p = pending(12_345);
    const coachId = coachWith({ payouts: [p] });
    const h = await run(coachId, '2026-11-30T09:00:00Z');
    const result = await h.result();
    expect(result).toEqual({
      status: 'paid',
      period: '2026-11-30T09:00:00Z',
      payouts: [
        {
          payoutId: p.payoutId,
          currency: 'gbp',
          amountMinor: 12_345,
          status: 'paid',
          transferId: `tr_${p.payoutId.slice(0, 8)}`,
          failureReason: null,
        },
      ],
    });
    expect(
      calls.find(
        (c) => c.name === 'preparePayouts' && (c.args[0] as { coachId: string }).coachId === coachId,
      )!.args[0],
    ).toMatchObject({
      coachId,
      period: '2026-11-30T09:00:00Z',
      workflowId: `payout-${coachId}-2026-11-30T09:00:00Z`,
    });
    const entries = ledgerOf(p.payoutId);
    expect(entries.map((d) => d.kind)).toEqual(['payout']);
    expect(net(entries, `coach_payable:${coachId}`)).toBe(12_345); // what we owe the coach goes down
    const ledgerCall = calls.findIndex(
      (c) => c.name === 'postLedgerTransactions' && JSON.stringify(c.args).includes(p.payoutId),
    );
    const transferCall = calls.findIndex((c) => c.name === 'transferPayout' && c.args[0] === p.payoutId);
    expect(ledgerCall).toBeLessThan(transferCall);
    expect(callsFor('markPayoutPaid', p.payoutId)).toHaveLength(1);
    expect(callsFor('sendEmail', p.payoutId)).toHaveLength(0);
    expect(await domainStatus(h)).toBe('PAID');
  });

  it('nothing available: skipped, no transfer, no ledger entry', async () => {
    const coachId = coachWith({ payouts: [] });
    const h = await run(coachId);
    expect(await h.result()).toMatchObject({ status: 'skipped', payouts: [] });
    expect(calls.filter((c) => JSON.stringify(c.args).includes(coachId)).map((c) => c.name)).toEqual([
      'preparePayouts',
    ]);
    expect(await domainStatus(h)).toBe('SKIPPED');
  });

  it('a retryable failure (Stripe unreachable twice) is retried with backoff, then paid once', async () => {
    const p = pending(500, 'usd');
    const coachId = coachWith({
      payouts: [p],
      async transfer(_payoutId, attempt) {
        if (attempt < 3) throw new Error('connect ECONNREFUSED 127.0.0.1:12111');
        return { transferId: 'tr_after_retries' };
      },
    });
    const h = await run(coachId);
    expect(await h.result()).toMatchObject({
      status: 'paid',
      payouts: [{ status: 'paid', transferId: 'tr_after_retries' }],
    });
    const attempts = callsFor('transferPayout', p.payoutId);
    expect(attempts.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(attempts[2]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(2_500); // 1 s, then 2 s
    expect(ledgerOf(p.payoutId).map((d) => d.kind)).toEqual(['payout']);
    expect(callsFor('failPayout', p.payoutId)).toHaveLength(0);
  });

  it('a non-retryable failure (payouts disabled): failed with the reason, reversed in the ledger, the coach emailed', async () => {
    const p = pending(9_999);
    const coachId = coachWith({
      payouts: [p],
      async transfer() {
        throw ApplicationFailure.create({
          type: PayoutFailure.PayoutsDisabled,
          message: PAYOUT_FAILURE_REASONS.payouts_disabled,
          nonRetryable: true,
        });
      },
    });
    const h = await run(coachId, '2026-12-07T09:00:00Z');
    const result = await h.result();
    expect(result).toMatchObject({
      status: 'failed',
      payouts: [{ status: 'failed', failureReason: PAYOUT_FAILURE_REASONS.payouts_disabled }],
    });
    expect(callsFor('transferPayout', p.payoutId)).toHaveLength(1);
    expect(callsFor('failPayout', p.payoutId).map((c) => c.args[0])).toEqual([
      { payoutId: p.payoutId, reason: PAYOUT_FAILURE_REASONS.payouts_disabled },
    ]);
    const entries = ledgerOf(p.payoutId);
    expect(entries.map((d) => d.kind)).toEqual(['payout', 'payout_reversal']);
    expect(net(entries, `coach_payable:${coachId}`)).toBe(0); // the balance stays payable
    expect(net(entries, 'cash:stripe')).toBe(0);
    const [email] = callsFor('sendEmail', p.payoutId);
    expect(email!.args[0]).toMatchObject({
      reference: `payout-${p.payoutId}`,
      template: 'payout_failed',
      to: 'coach@example.test',
      data: {
        amount: '£99.99',
        period: '2026-12-07T09:00:00Z',
        reason: PAYOUT_FAILURE_REASONS.payouts_disabled,
      },
    });
    expect(await domainStatus(h)).toBe('FAILED');
  });

  it('an unexpected non-retryable error is not a payout failure: the run fails, nothing is reversed or emailed', async () => {
    const p = pending(100);
    const coachId = coachWith({
      payouts: [p],
      async transfer() {
        throw ApplicationFailure.nonRetryable('bug', 'SomethingElse');
      },
    });
    const h = await run(coachId);
    await expect(h.result()).rejects.toThrow();
    expect(ledgerOf(p.payoutId).map((d) => d.kind)).toEqual(['payout']);
    expect(callsFor('failPayout', p.payoutId)).toHaveLength(0);
  });

  it('two currencies: each transferred on its own; one refused, the other paid → partly_failed', async () => {
    const eur = pending(700, 'eur');
    const gbp = pending(800, 'gbp');
    const coachId = coachWith({
      payouts: [eur, gbp],
      async transfer(payoutId) {
        if (payoutId === eur.payoutId)
          throw ApplicationFailure.create({
            type: PayoutFailure.TransferRejected,
            message: PAYOUT_FAILURE_REASONS.insufficient_platform_balance,
            nonRetryable: true,
          });
        return { transferId: 'tr_gbp' };
      },
    });
    const h = await run(coachId);
    const result = await h.result();
    expect(result.status).toBe('partly_failed');
    expect(result.payouts.map((o) => [o.currency, o.status])).toEqual([
      ['eur', 'failed'],
      ['gbp', 'paid'],
    ]);
    expect(ledgerOf(eur.payoutId).map((d) => d.kind)).toEqual(['payout', 'payout_reversal']);
    expect(ledgerOf(gbp.payoutId).map((d) => d.kind)).toEqual(['payout']);
  });
});

describe('payout account workflow (stub activities)', () => {
  it('applies each account.updated once, in arrival order, and syncs the schedule after each', async () => {
    const coachId = randomUUID();
    const event = (eventId: string, payoutsEnabled: boolean): AccountUpdatedSignal => ({
      eventId,
      stripeAccountId: 'acct_1',
      eventAtMs: Date.now(),
      readiness: {
        chargesEnabled: true,
        payoutsEnabled,
        detailsSubmitted: true,
        requirementsDue: [],
        disabledReason: null,
      },
    });
    const h = await t.env.client.workflow.signalWithStart<PayoutAccountWorkflow, [AccountUpdatedSignal]>(
      payoutAccountWorkflowType,
      {
        taskQueue: t.taskQueue,
        workflowId: payoutAccountWorkflowId(coachId),
        args: [{ coachId }],
        signal: accountUpdatedSignal,
        signalArgs: [event('evt_a', true)],
      },
    );
    t.track(h);
    await h.signal(accountUpdatedSignal, event('evt_a', true)).catch(() => undefined); // a redelivery
    const result = await h.result();
    expect(result.schedule).toBe('active');
    const mine = calls.filter((c) => JSON.stringify(c.args).includes(coachId));
    expect(mine.filter((c) => c.name === 'applyAccountUpdate')).toHaveLength(1);
    expect(mine.map((c) => c.name)).toEqual(['applyAccountUpdate', 'syncPayoutSchedule']);
  });
});
