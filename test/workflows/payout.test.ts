import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerTransactionDraft } from '../../src/domain/payments/ledger';
import { PAYOUT_FAILURE_REASONS } from '../../src/domain/payouts/payouts';
import type { TransferReversedReport } from '../../src/domain/payouts/reversals';
import {
  accountUpdatedSignal,
  PayoutFailure,
  payoutAccountWorkflowId,
  payoutAccountWorkflowType,
  payoutReversalStateQuery,
  payoutReversalWorkflowId,
  payoutReversalWorkflowType,
  payoutWorkflowType,
  transferReversedSignal,
  type AccountUpdatedSignal,
  type PayoutAccountWorkflow,
  type PayoutReversalWorkflow,
  type PayoutWorkflow,
  type PreparedPayout,
  type TransferReversalResult,
  type TransferReversedSignal,
} from '../../workflows/payouts/definitions';
import {
  recorded,
  startWorkflowTestEnv,
  type ActivityCall,
  type DefaultStubs,
  type WorkflowTestEnv,
} from '../support/temporal-env';

// payout-<coach>-<period> and payout-account-<coach> against stub activities: the ledger is a list of
// posted drafts, Stripe and SMTP are call logs. Each test is its own coach (stubs dispatch by coach).

const DomainStatus = defineSearchAttributeKey('DomainStatus', SearchAttributeType.KEYWORD);

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

/** applyTransferReversals per payout: what each call answers, given the event's report. */
const reversalWorlds = new Map<string, (report: TransferReversedReport) => TransferReversalResult>();

const coachOfPayout = (payoutId: string) => payoutCoach.get(payoutId)!;
const worldOfPayout = (payoutId: string) => worlds.get(coachOfPayout(payoutId))!;

const stubs = {
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
  async applyTransferReversals(input: { payoutId: string; report: TransferReversedReport }) {
    return reversalWorlds.get(input.payoutId)!(input.report);
  },
} satisfies DefaultStubs;

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

describe('payout reversal workflow (stub activities)', () => {
  const coach = { email: 'coach@example.test', name: 'Coach' };
  const report = (reversals: { id: string; amountMinor: number }[]): TransferReversedReport => ({
    transferId: 'tr_x',
    amountMinor: 9_000,
    amountReversedMinor: reversals.reduce((s, r) => s + r.amountMinor, 0),
    currency: 'gbp',
    reversals: reversals.map((r) => ({ ...r, currency: 'gbp' })),
    hasMore: false,
  });
  /** A stand-in for the ledger: each reversal id is posted once; the rest are known. */
  function ledgerWorld(payoutId: string) {
    const posted = new Map<string, number>();
    reversalWorlds.set(payoutId, (r) => {
      const fresh = r.reversals.filter((x) => !posted.has(x.id));
      const known = r.reversals.filter((x) => posted.has(x.id));
      for (const x of fresh) posted.set(x.id, x.amountMinor);
      const total = [...posted.values()].reduce((s, v) => s + v, 0);
      return {
        outcome: 'applied',
        posted: fresh.map((x) => ({ reversalId: x.id, amountMinor: x.amountMinor })),
        known: known.map((x) => ({ reversalId: x.id, amountMinor: x.amountMinor })),
        reversedMinor: total,
        fullyReversed: total === 9_000,
        unlistedMinor: 0,
        payout: { amountMinor: 9_000, currency: 'gbp', period: '2026-11-30T00:00:00Z' },
        coach,
        settingsUrl: 'http://app/coach/payouts',
      };
    });
  }
  async function deliver(payoutId: string, transferId: string, signal: TransferReversedSignal) {
    const h = await t.env.client.workflow.signalWithStart<PayoutReversalWorkflow, [TransferReversedSignal]>(
      payoutReversalWorkflowType,
      {
        taskQueue: t.taskQueue,
        workflowId: payoutReversalWorkflowId(transferId),
        args: [{ payoutId, coachId: randomUUID(), transferId }],
        signal: transferReversedSignal,
        signalArgs: [signal],
      },
    );
    return t.track(h);
  }
  const emailsFor = (payoutId: string) =>
    calls
      .filter(
        (c) => c.name === 'sendEmail' && (c.args[0] as { template: string }).template === 'payout_reversed',
      )
      .filter((c) => reversalIdsOf(payoutId).some((id) => JSON.stringify(c.args).includes(id)));
  const reversalIdsOf = (payoutId: string) => [
    `trr_${payoutId.slice(0, 8)}_1`,
    `trr_${payoutId.slice(0, 8)}_2`,
  ];

  it('applies each event once (a redelivered event id is dropped) and emails the coach per reversal', async () => {
    const payoutId = randomUUID();
    const [first, second] = reversalIdsOf(payoutId);
    ledgerWorld(payoutId);
    const transferId = `tr_${payoutId.slice(0, 8)}`;
    const event = {
      eventId: `evt_${payoutId}`,
      report: report([{ id: first!, amountMinor: 2_500 }]),
      problem: null,
    };
    const h = await deliver(payoutId, transferId, event);
    await h.signal(transferReversedSignal, event).catch(() => undefined); // a redelivery
    const result = await h.result();
    expect(result).toEqual({ events: 1, posted: 1, refused: 0, reversedMinor: 2_500 });
    expect(await domainStatus(h)).toBe('PARTLY_REVERSED');
    const applied = calls.filter(
      (c) => c.name === 'applyTransferReversals' && JSON.stringify(c.args).includes(payoutId),
    );
    expect(applied).toHaveLength(1);
    expect(emailsFor(payoutId).map((c) => (c.args[0] as { reference: string }).reference)).toEqual([
      `payout-reversal-${first}`,
    ]);
    expect((emailsFor(payoutId)[0]!.args[0] as { data: unknown }).data).toMatchObject({
      amount: '£25.00',
      payoutAmount: '£90.00',
      reversedTotal: '£25.00',
      fullyReversed: false,
    });

    // A later event listing both: a new run (the first ended), only the second reversal is new.
    const later = {
      eventId: `evt_${payoutId}_2`,
      report: report([
        { id: second!, amountMinor: 6_500 },
        { id: first!, amountMinor: 2_500 },
      ]),
      problem: null,
    };
    const h2 = await deliver(payoutId, transferId, later);
    expect(await h2.result()).toEqual({ events: 1, posted: 1, refused: 0, reversedMinor: 9_000 });
    expect(await domainStatus(h2)).toBe('REVERSED');
    // The known reversal's email is asked for again; sendEmail's own key sends it once.
    expect(emailsFor(payoutId).map((c) => (c.args[0] as { reference: string }).reference)).toEqual([
      `payout-reversal-${first}`,
      `payout-reversal-${second}`,
      `payout-reversal-${first}`,
    ]);
  });

  it('an unreadable event is refused without reaching the activity: REFUSED, nothing emailed', async () => {
    const payoutId = randomUUID();
    ledgerWorld(payoutId);
    const h = await deliver(payoutId, `tr_${payoutId.slice(0, 8)}`, {
      eventId: `evt_${payoutId}_bad`,
      report: null,
      problem: 'amount is not a non-negative integer',
    });
    expect(await h.result()).toEqual({ events: 1, posted: 0, refused: 1, reversedMinor: null });
    expect(await domainStatus(h)).toBe('REFUSED');
    expect(await h.query(payoutReversalStateQuery)).toMatchObject({
      lastRefusal: 'amount is not a non-negative integer',
    });
    const mine = calls.filter((c) => JSON.stringify(c.args).includes(payoutId));
    expect(mine.map((c) => c.name)).toEqual([]);
  });

  it('an event the activity refuses (wrong currency): REFUSED with the reason, nothing emailed', async () => {
    const payoutId = randomUUID();
    reversalWorlds.set(payoutId, () => ({
      outcome: 'refused',
      code: 'currency_mismatch',
      reason: 'the transfer is in usd, the payout in gbp',
    }));
    const h = await deliver(payoutId, `tr_${payoutId.slice(0, 8)}`, {
      eventId: `evt_${payoutId}_usd`,
      report: { ...report([{ id: 'trr_usd', amountMinor: 100 }]), currency: 'usd' },
      problem: null,
    });
    expect(await h.result()).toEqual({ events: 1, posted: 0, refused: 1, reversedMinor: null });
    expect(await domainStatus(h)).toBe('REFUSED');
    expect(await h.query(payoutReversalStateQuery)).toMatchObject({
      lastRefusal: 'currency_mismatch: the transfer is in usd, the payout in gbp',
    });
    const mine = calls.filter((c) => JSON.stringify(c.args).includes(payoutId));
    expect(mine.map((c) => c.name)).toEqual(['applyTransferReversals']);
  });

  it('answers its state query while it runs', async () => {
    const payoutId = randomUUID();
    ledgerWorld(payoutId);
    const h = await deliver(payoutId, `tr_${payoutId.slice(0, 8)}`, {
      eventId: `evt_${payoutId}`,
      report: report([{ id: `trr_${payoutId.slice(0, 8)}_1`, amountMinor: 9_000 }]),
      problem: null,
    });
    await h.result();
    expect(await h.query(payoutReversalStateQuery)).toMatchObject({
      payoutId,
      events: 1,
      posted: 1,
      refused: 0,
      reversedMinor: 9_000,
      waiting: 0,
      lastRefusal: null,
    });
  });
});
