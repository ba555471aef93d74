import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { DefaultActivities } from '../../activities';
import { ledger } from '../../src/domain/payments/ledger';
import { formatPayoutAmount, payoutPeriod } from '../../src/domain/payouts/payouts';
import { minorUnits, setSummary } from '../shared/memo';
import { profiles } from '../shared/profiles';
import { CoachIdAttr, DomainStatusAttr, PayoutIdAttr } from '../shared/search-attributes';
import {
  accountUpdatedSignal,
  PAYOUT_NON_RETRYABLE,
  payoutAccountStateQuery,
  payoutReversalStateQuery,
  payoutStateQuery,
  transferReversedSignal,
  type PayoutAccountWorkflowInput,
  type PayoutAccountWorkflowResult,
  type PayoutOutcome,
  type PayoutReversalWorkflowInput,
  type PayoutReversalWorkflowResult,
  type PayoutWorkflowInput,
  type PayoutWorkflowResult,
  type PayoutWorkflowState,
  type ScheduleSyncOutcome,
} from './definitions';

// payout-<coach>-<period>: pays the coach's available balance, one transfer per currency. The ledger
// entry is posted before Stripe is asked, so an amount in flight is no longer available to a later
// run; a transfer Stripe refuses for good is reversed in the ledger, the payout ends `failed` with the
// reason and the coach is told. Everything else (network, Stripe's 5xx) is retried with backoff, and
// the attempts are visible on the pending activity in the Temporal UI.

const {
  preparePayouts,
  markPayoutPaid,
  failPayout,
  postLedgerTransactions,
  applyAccountUpdate,
  applyTransferReversals,
} = proxyActivities<DefaultActivities>(profiles.postgres);
const { transferPayout } = proxyActivities<DefaultActivities>(profiles.stripe);
const { sendEmail } = proxyActivities<DefaultActivities>(profiles.noticeEmail);
// The payout family's own profile for the Schedule call: like the Postgres steps, retried until the
// Temporal frontend takes it (a Schedule left out of step would stop or keep paying a coach).
const scheduleStep = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
} satisfies ActivityOptions;
const { syncPayoutSchedule } = proxyActivities<DefaultActivities>(scheduleStep);

/** A failure that ends a payout `failed` (no account, payouts disabled, Stripe's permanent refusal). */
function finalFailure(err: unknown): ApplicationFailure | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && PAYOUT_NON_RETRYABLE.includes(cause.type as never)) return cause;
  return undefined;
}

export async function payoutWorkflow(input: PayoutWorkflowInput): Promise<PayoutWorkflowResult> {
  const info = workflowInfo();
  const period = input.period ?? payoutPeriod(info.workflowId, input.coachId, info.startTime);
  const state: PayoutWorkflowState = { coachId: input.coachId, period, phase: 'preparing', payouts: [] };
  setHandler(payoutStateQuery, () => state);
  const status = (value: string, payoutId?: string) =>
    upsertSearchAttributes([
      { key: CoachIdAttr, value: input.coachId },
      { key: DomainStatusAttr, value },
      ...(payoutId ? [{ key: PayoutIdAttr, value: payoutId }] : []),
    ]);
  status('PREPARING');
  setSummary(
    `Payout of coach ${input.coachId} for ${period}: one transfer per currency of the available balance`,
    {
      coachId: input.coachId,
      period,
    },
  );

  const prepared = await preparePayouts({
    coachId: input.coachId,
    period,
    workflowId: info.workflowId,
    asOfMs: Date.now(),
  });
  state.payouts = prepared.map((p) => ({ ...p }));
  if (prepared.length === 0) {
    state.phase = 'done';
    status('SKIPPED');
    return { status: 'skipped', period, payouts: [] };
  }
  state.phase = 'transferring';
  status('TRANSFERRING', prepared[0]!.payoutId);
  // The PayoutId attribute holds one id; every payout row of this run also names it (payouts.workflow_id).
  setSummary(
    `Payout of coach ${input.coachId} for ${period}: ` +
      prepared.map((p) => `${minorUnits(p.amountMinor, p.currency)} (payout ${p.payoutId})`).join(', '),
    { coachId: input.coachId, period, payoutIds: prepared.map((p) => p.payoutId).join(',') },
  );

  const outcomes: PayoutOutcome[] = [];
  for (const [i, p] of prepared.entries()) {
    const shown = state.payouts[i]!;
    const base = { payoutId: p.payoutId, currency: p.currency, amountMinor: p.amountMinor };
    if (p.status === 'failed') {
      outcomes.push({ ...base, status: 'failed', transferId: null, failureReason: p.failureReason });
      continue;
    }
    const entry = {
      payoutId: p.payoutId,
      coachId: input.coachId,
      amountMinor: p.amountMinor,
      currency: p.currency,
    };
    // Posted first: while the transfer is in flight the amount is no longer available (idempotent by key).
    await postLedgerTransactions([ledger.payout({ ...entry, occurredAt: new Date().toISOString() })]);
    try {
      const { transferId } = await transferPayout(p.payoutId);
      shown.status = 'in_transit';
      await markPayoutPaid(p.payoutId);
      shown.status = 'paid';
      outcomes.push({ ...base, status: 'paid', transferId, failureReason: null });
    } catch (err) {
      const failure = finalFailure(err);
      if (!failure) throw err;
      const reason = failure.message;
      const notice = await failPayout({ payoutId: p.payoutId, reason });
      if (!notice.failed) throw err; // its transfer went through after all: not ours to reverse
      await postLedgerTransactions([
        ledger.payoutReversal({ ...entry, reason, occurredAt: new Date().toISOString() }),
      ]);
      shown.status = 'failed';
      shown.failureReason = reason;
      await sendEmail({
        reference: `payout-${p.payoutId}`,
        template: 'payout_failed',
        to: notice.coach.email,
        data: {
          coachName: notice.coach.name,
          amount: formatPayoutAmount(p.amountMinor, p.currency),
          period,
          reason,
          link: notice.settingsUrl,
        },
      });
      outcomes.push({ ...base, status: 'failed', transferId: null, failureReason: reason });
    }
  }
  state.phase = 'done';
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  const result = failed === 0 ? 'paid' : failed === outcomes.length ? 'failed' : 'partly_failed';
  status(result.toUpperCase());
  return { status: result, period, payouts: outcomes };
}

/** A Stripe event signal's inbox: events in arrival order, each event id once (Stripe redelivers). */
function eventInbox<T extends { eventId: string }>(signal: SignalDefinition<[T]>): T[] {
  const inbox: T[] = [];
  const seen = new Set<string>();
  setHandler(signal, (event) => {
    if (seen.has(event.eventId)) return;
    seen.add(event.eventId);
    inbox.push(event);
  });
  return inbox;
}

/**
 * payout-account-<coach>: applies the coach's account.updated events one at a time (an older event
 * than the one stored changes nothing) and after each brings the payout Schedule in step with what
 * Postgres now says. Started by the webhook with signalWithStart; ends when no event is waiting.
 */
export async function payoutAccountWorkflow(
  input: PayoutAccountWorkflowInput,
): Promise<PayoutAccountWorkflowResult> {
  const inbox = eventInbox(accountUpdatedSignal);
  upsertSearchAttributes([{ key: CoachIdAttr, value: input.coachId }]);
  setSummary(
    `Stripe account updates of coach ${input.coachId}, applied in order; keeps the payout Schedule in step`,
    {
      coachId: input.coachId,
    },
  );
  let applied = 0;
  let schedule: ScheduleSyncOutcome = 'absent';
  setHandler(payoutAccountStateQuery, () => ({
    coachId: input.coachId,
    applied,
    waiting: inbox.length,
    schedule,
  }));
  // The signal that started the run is delivered before the first task's code waits.
  await condition(() => inbox.length > 0, '1 minute');
  while (inbox.length > 0) {
    const update = inbox.shift()!;
    if (await applyAccountUpdate({ coachId: input.coachId, update })) applied++;
    schedule = await syncPayoutSchedule(input.coachId);
    if (inbox.length === 0) await condition(allHandlersFinished);
  }
  upsertSearchAttributes([{ key: DomainStatusAttr, value: schedule.toUpperCase() }]);
  return { applied, schedule };
}

/**
 * payout-reversal-<transfer>: Stripe's transfer.reversed events for a payout that was made, applied
 * one at a time. Each event is checked and recorded in one Postgres transaction by
 * applyTransferReversals (the reversals not yet in the ledger are posted, the payout's reversed total
 * written; an event that does not match the payout's transfer, currency or amount is refused and
 * nothing of it is posted), then the coach gets one email per reversal. Started by the webhook with
 * signalWithStart; ends when no event is waiting, and the next event starts a new run.
 */
export async function payoutReversalWorkflow(
  input: PayoutReversalWorkflowInput,
): Promise<PayoutReversalWorkflowResult> {
  const inbox = eventInbox(transferReversedSignal);
  const result: PayoutReversalWorkflowResult = { events: 0, posted: 0, refused: 0, reversedMinor: null };
  let lastRefusal: string | null = null;
  setHandler(payoutReversalStateQuery, () => ({
    ...result,
    payoutId: input.payoutId,
    waiting: inbox.length,
    lastRefusal,
  }));
  upsertSearchAttributes([
    { key: CoachIdAttr, value: input.coachId },
    { key: PayoutIdAttr, value: input.payoutId },
  ]);
  setSummary(
    `Stripe reversals of transfer ${input.transferId} (payout ${input.payoutId}), recorded in the ledger once each`,
    { coachId: input.coachId, payoutId: input.payoutId, transferId: input.transferId },
  );
  const refuse = (eventId: string, reason: string) => {
    result.refused++;
    lastRefusal = reason;
    log.warn('transfer.reversed event refused; nothing posted', {
      payoutId: input.payoutId,
      transferId: input.transferId,
      eventId,
      reason,
    });
  };
  // The signal that started the run is delivered before the first task's code waits.
  await condition(() => inbox.length > 0, '1 minute');
  let fullyReversed = false;
  while (inbox.length > 0) {
    const e = inbox.shift()!;
    result.events++;
    if (!e.report) {
      refuse(e.eventId, e.problem ?? 'the event could not be read');
    } else {
      const r = await applyTransferReversals({
        payoutId: input.payoutId,
        report: e.report,
        occurredAtMs: Date.now(),
      });
      if (r.outcome === 'refused') {
        refuse(e.eventId, `${r.code}: ${r.reason}`);
      } else {
        result.posted += r.posted.length;
        result.reversedMinor = r.reversedMinor;
        fullyReversed = r.fullyReversed;
        if (r.unlistedMinor > 0)
          log.warn(
            'Stripe reports more reversed than the reversals posted; their own events will post them',
            {
              payoutId: input.payoutId,
              eventId: e.eventId,
              unlistedMinor: r.unlistedMinor,
            },
          );
        const { amountMinor, currency, period } = r.payout;
        // Known reversals too: a run that stopped after posting still owes their emails (sent once each).
        for (const rev of [...r.posted, ...r.known]) {
          await sendEmail({
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
    }
    if (inbox.length === 0) await condition(allHandlersFinished);
  }
  const status =
    result.refused > 0
      ? 'REFUSED'
      : result.reversedMinor === null
        ? 'NONE'
        : fullyReversed
          ? 'REVERSED'
          : 'PARTLY_REVERSED';
  upsertSearchAttributes([{ key: DomainStatusAttr, value: status }]);
  return result;
}
