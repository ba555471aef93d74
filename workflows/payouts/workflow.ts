import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { ledger } from '../../src/domain/payments/ledger';
import { formatPayoutAmount, payoutPeriod } from '../../src/domain/payouts/payouts';
import { EventInbox } from '../shared/inbox';
import { minorUnits, setSummary } from '../shared/memo';
import { profiles } from '../shared/profiles';
import { activities } from '../shared/proxies';
import { CoachIdAttr, DomainStatusAttr, PayoutIdAttr } from '../shared/search-attributes';
import {
  accountUpdatedSignal,
  PAYOUT_NON_RETRYABLE,
  payoutAccountStateQuery,
  payoutReversalStateQuery,
  payoutStateQuery,
  transferReversedSignal,
  type AccountUpdatedSignal,
  type PayoutAccountWorkflowInput,
  type PayoutAccountWorkflowResult,
  type PayoutAccountWorkflowState,
  type PayoutOutcome,
  type PayoutReversalWorkflowInput,
  type PayoutReversalWorkflowResult,
  type PayoutReversalWorkflowState,
  type PayoutWorkflowInput,
  type PayoutWorkflowResult,
  type PayoutWorkflowState,
  type PreparedPayout,
  type ScheduleSyncOutcome,
  type TransferReversedSignal,
} from './definitions';

// The payout family: payout-<coach>-<period> pays a coach, payout-account-<coach> follows the coach's
// Connect account, payout-reversal-<transfer> records Stripe's reversals of a made transfer.

const db = activities(profiles.postgres);
const stripe = activities(profiles.stripe);
const notices = activities(profiles.noticeEmail);
const schedules = activities(profiles.scheduleSync);

/** A failure that ends a payout `failed` (no account, payouts disabled, Stripe's permanent refusal). */
function finalFailure(err: unknown): ApplicationFailure | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && PAYOUT_NON_RETRYABLE.includes(cause.type as never)) return cause;
  return undefined;
}

/**
 * payout-<coach>-<period>: pays the coach's available balance, one transfer per currency. The ledger
 * entry is posted before Stripe is asked, so an amount in flight is no longer available to a later
 * run; a transfer Stripe refuses for good is reversed in the ledger, the payout ends `failed` with the
 * reason and the coach is told. Everything else (network, Stripe's 5xx) is retried with backoff, and
 * the attempts are visible on the pending activity in the Temporal UI.
 */
class Payout {
  readonly state: PayoutWorkflowState;
  private readonly workflowId: string;
  private readonly period: string;

  constructor(private readonly input: PayoutWorkflowInput) {
    const info = workflowInfo();
    this.workflowId = info.workflowId;
    this.period = input.period ?? payoutPeriod(info.workflowId, input.coachId, info.startTime);
    this.state = { coachId: input.coachId, period: this.period, phase: 'preparing', payouts: [] };
  }

  async run(): Promise<PayoutWorkflowResult> {
    const { input, state, period } = this;
    this.status('PREPARING');
    setSummary(
      `Payout of coach ${input.coachId} for ${period}: one transfer per currency of the available balance`,
      {
        coachId: input.coachId,
        period,
      },
    );

    const prepared = await db.preparePayouts({
      coachId: input.coachId,
      period,
      workflowId: this.workflowId,
      asOfMs: Date.now(),
    });
    state.payouts = prepared.map((p) => ({ ...p }));
    if (prepared.length === 0) {
      state.phase = 'done';
      this.status('SKIPPED');
      return { status: 'skipped', period, payouts: [] };
    }
    state.phase = 'transferring';
    this.status('TRANSFERRING', prepared[0]!.payoutId);
    // The PayoutId attribute holds one id; every payout row of this run also names it (payouts.workflow_id).
    setSummary(
      `Payout of coach ${input.coachId} for ${period}: ` +
        prepared.map((p) => `${minorUnits(p.amountMinor, p.currency)} (payout ${p.payoutId})`).join(', '),
      { coachId: input.coachId, period, payoutIds: prepared.map((p) => p.payoutId).join(',') },
    );

    const outcomes: PayoutOutcome[] = [];
    for (const [i, p] of prepared.entries()) outcomes.push(await this.pay(p, state.payouts[i]!));
    state.phase = 'done';
    const failed = outcomes.filter((o) => o.status === 'failed').length;
    const result = failed === 0 ? 'paid' : failed === outcomes.length ? 'failed' : 'partly_failed';
    this.status(result.toUpperCase());
    return { status: result, period, payouts: outcomes };
  }

  /** One currency's payout: ledger first, then the transfer; a permanent refusal is reversed and told. */
  private async pay(
    p: PreparedPayout,
    shown: PayoutWorkflowState['payouts'][number],
  ): Promise<PayoutOutcome> {
    const { coachId } = this.input;
    const base = { payoutId: p.payoutId, currency: p.currency, amountMinor: p.amountMinor };
    if (p.status === 'failed')
      return { ...base, status: 'failed', transferId: null, failureReason: p.failureReason };
    const entry = { payoutId: p.payoutId, coachId, amountMinor: p.amountMinor, currency: p.currency };
    // Posted first: while the transfer is in flight the amount is no longer available (idempotent by key).
    await db.postLedgerTransactions([ledger.payout({ ...entry, occurredAt: new Date().toISOString() })]);
    try {
      const { transferId } = await stripe.transferPayout(p.payoutId);
      shown.status = 'in_transit';
      await db.markPayoutPaid(p.payoutId);
      shown.status = 'paid';
      return { ...base, status: 'paid', transferId, failureReason: null };
    } catch (err) {
      const failure = finalFailure(err);
      if (!failure) throw err;
      const reason = failure.message;
      const notice = await db.failPayout({ payoutId: p.payoutId, reason });
      if (!notice.failed) throw err; // its transfer went through after all: not ours to reverse
      await db.postLedgerTransactions([
        ledger.payoutReversal({ ...entry, reason, occurredAt: new Date().toISOString() }),
      ]);
      shown.status = 'failed';
      shown.failureReason = reason;
      await notices.sendEmail({
        reference: `payout-${p.payoutId}`,
        template: 'payout_failed',
        to: notice.coach.email,
        data: {
          coachName: notice.coach.name,
          amount: formatPayoutAmount(p.amountMinor, p.currency),
          period: this.period,
          reason,
          link: notice.settingsUrl,
        },
      });
      return { ...base, status: 'failed', transferId: null, failureReason: reason };
    }
  }

  private status(value: string, payoutId?: string): void {
    upsertSearchAttributes([
      { key: CoachIdAttr, value: this.input.coachId },
      { key: DomainStatusAttr, value },
      ...(payoutId ? [{ key: PayoutIdAttr, value: payoutId }] : []),
    ]);
  }
}

/**
 * payout-account-<coach>: applies the coach's account.updated events one at a time (an older event
 * than the one stored changes nothing) and after each brings the payout Schedule in step with what
 * Postgres now says. Started by the webhook with signalWithStart; ends when no event is waiting.
 */
class PayoutAccount {
  readonly inbox = new EventInbox<AccountUpdatedSignal>();
  private applied = 0;
  private schedule: ScheduleSyncOutcome = 'absent';

  constructor(private readonly input: PayoutAccountWorkflowInput) {}

  state(): PayoutAccountWorkflowState {
    return {
      coachId: this.input.coachId,
      applied: this.applied,
      waiting: this.inbox.length,
      schedule: this.schedule,
    };
  }

  async run(): Promise<PayoutAccountWorkflowResult> {
    const { coachId } = this.input;
    upsertSearchAttributes([{ key: CoachIdAttr, value: coachId }]);
    setSummary(
      `Stripe account updates of coach ${coachId}, applied in order; keeps the payout Schedule in step`,
      {
        coachId,
      },
    );
    // The signal that started the run is delivered before the first task's code waits.
    await condition(() => this.inbox.length > 0, '1 minute');
    while (this.inbox.length > 0) {
      const update = this.inbox.shift()!;
      if (await db.applyAccountUpdate({ coachId, update })) this.applied++;
      this.schedule = await schedules.syncPayoutSchedule(coachId);
      if (this.inbox.length === 0) await condition(allHandlersFinished);
    }
    upsertSearchAttributes([{ key: DomainStatusAttr, value: this.schedule.toUpperCase() }]);
    return { applied: this.applied, schedule: this.schedule };
  }
}

/**
 * payout-reversal-<transfer>: Stripe's transfer.reversed events for a payout that was made, applied
 * one at a time. Each event is checked and recorded in one Postgres transaction by
 * applyTransferReversals (the reversals not yet in the ledger are posted, the payout's reversed total
 * written; an event that does not match the payout's transfer, currency or amount is refused and
 * nothing of it is posted), then the coach gets one email per reversal. Started by the webhook with
 * signalWithStart; ends when no event is waiting, and the next event starts a new run.
 */
class PayoutReversal {
  readonly inbox = new EventInbox<TransferReversedSignal>();
  private readonly result: PayoutReversalWorkflowResult = {
    events: 0,
    posted: 0,
    refused: 0,
    reversedMinor: null,
  };
  private lastRefusal: string | null = null;
  private fullyReversed = false;

  constructor(private readonly input: PayoutReversalWorkflowInput) {}

  state(): PayoutReversalWorkflowState {
    return {
      ...this.result,
      payoutId: this.input.payoutId,
      waiting: this.inbox.length,
      lastRefusal: this.lastRefusal,
    };
  }

  async run(): Promise<PayoutReversalWorkflowResult> {
    const { input, result } = this;
    upsertSearchAttributes([
      { key: CoachIdAttr, value: input.coachId },
      { key: PayoutIdAttr, value: input.payoutId },
    ]);
    setSummary(
      `Stripe reversals of transfer ${input.transferId} (payout ${input.payoutId}), recorded in the ledger once each`,
      { coachId: input.coachId, payoutId: input.payoutId, transferId: input.transferId },
    );
    // The signal that started the run is delivered before the first task's code waits.
    await condition(() => this.inbox.length > 0, '1 minute');
    while (this.inbox.length > 0) {
      await this.apply(this.inbox.shift()!);
      if (this.inbox.length === 0) await condition(allHandlersFinished);
    }
    const status =
      result.refused > 0
        ? 'REFUSED'
        : result.reversedMinor === null
          ? 'NONE'
          : this.fullyReversed
            ? 'REVERSED'
            : 'PARTLY_REVERSED';
    upsertSearchAttributes([{ key: DomainStatusAttr, value: status }]);
    return result;
  }

  private async apply(e: TransferReversedSignal): Promise<void> {
    const { input, result } = this;
    result.events++;
    if (!e.report) {
      this.refuse(e.eventId, e.problem ?? 'the event could not be read');
      return;
    }
    const r = await db.applyTransferReversals({
      payoutId: input.payoutId,
      report: e.report,
      occurredAtMs: Date.now(),
    });
    if (r.outcome === 'refused') {
      this.refuse(e.eventId, `${r.code}: ${r.reason}`);
      return;
    }
    result.posted += r.posted.length;
    result.reversedMinor = r.reversedMinor;
    this.fullyReversed = r.fullyReversed;
    if (r.unlistedMinor > 0)
      log.warn('Stripe reports more reversed than the reversals posted; their own events will post them', {
        payoutId: input.payoutId,
        eventId: e.eventId,
        unlistedMinor: r.unlistedMinor,
      });
    const { amountMinor, currency, period } = r.payout;
    // Known reversals too: a run that stopped after posting still owes their emails (sent once each).
    for (const rev of [...r.posted, ...r.known]) {
      await notices.sendEmail({
        reference: `payout-reversal-${rev.reversalId}`,
        template: 'payout_reversed',
        to: r.coach.email,
        data: {
          coachName: r.coach.name,
          amount: formatPayoutAmount(rev.amountMinor, currency),
          payoutAmount: formatPayoutAmount(amountMinor, currency),
          period,
          reversedTotal: formatPayoutAmount(r.reversedMinor, currency),
          fullyReversed: r.fullyReversed,
          link: r.settingsUrl,
        },
      });
    }
  }

  private refuse(eventId: string, reason: string): void {
    this.result.refused++;
    this.lastRefusal = reason;
    log.warn('transfer.reversed event refused; nothing posted', {
      payoutId: this.input.payoutId,
      transferId: this.input.transferId,
      eventId,
      reason,
    });
  }
}

export async function payoutWorkflow(input: PayoutWorkflowInput): Promise<PayoutWorkflowResult> {
  const payout = new Payout(input);
  setHandler(payoutStateQuery, () => payout.state);
  return payout.run();
}

export async function payoutAccountWorkflow(
  input: PayoutAccountWorkflowInput,
): Promise<PayoutAccountWorkflowResult> {
  const account = new PayoutAccount(input);
  setHandler(accountUpdatedSignal, (update) => account.inbox.receive(update));
  setHandler(payoutAccountStateQuery, () => account.state());
  return account.run();
}

export async function payoutReversalWorkflow(
  input: PayoutReversalWorkflowInput,
): Promise<PayoutReversalWorkflowResult> {
  const reversal = new PayoutReversal(input);
  setHandler(transferReversedSignal, (e) => reversal.inbox.receive(e));
  setHandler(payoutReversalStateQuery, () => reversal.state());
  return reversal.run();
}
