import { ApplicationFailure } from '@temporalio/activity';
import { LedgerFailure } from '../../src/domain/payments/ledger';
import type { TransferReversedReport } from '../../src/domain/payouts/reversals';
import { LedgerPostingError } from '../../src/data/ledger';
import {
  applyAccountReadiness,
  payoutSettingsUrl,
  recordPeriodPayouts,
  recordTransferReversals,
} from '../../src/data/payouts';
import type { Deps } from '../../src/infra/deps';
import type {
  AccountUpdatedSignal,
  PayoutFailureNotice,
  PreparedPayout,
  TransferReversalResult,
} from '../../workflows/payouts/definitions';

// Postgres steps of the payout workflows. Each is a conditional write or a lookup, so a retry or a
// second run of the same period changes nothing.

const view = (p: {
  id: string;
  currency: string;
  amountMinor: number;
  status: PreparedPayout['status'];
  failureReason: string | null;
}): PreparedPayout => ({
  payoutId: p.id,
  currency: p.currency.trim(),
  amountMinor: p.amountMinor,
  status: p.status,
  failureReason: p.failureReason,
});

export function payoutPostgresActivities(deps: Pick<Deps, 'db' | 'cfg'>) {
  const { db, cfg } = deps;
  return {
    /**
     * The run's payouts: the ones its period already has, or one `pending` row per currency with a
     * payable balance (none: the run has nothing to pay). Available means older than the hold period.
     */
    async preparePayouts(input: {
      coachId: string;
      period: string;
      workflowId: string;
      asOfMs: number;
    }): Promise<PreparedPayout[]> {
      const rows = await recordPeriodPayouts(db, {
        coachId: input.coachId,
        period: input.period,
        workflowId: input.workflowId,
        asOf: new Date(input.asOfMs),
        holdMs: cfg.EARNINGS_HOLD_PERIOD,
      });
      return rows.map(view);
    },

    /** The transfer went through: `paid` (only from in_transit, so a failed payout stays failed). */
    async markPayoutPaid(payoutId: string): Promise<void> {
      await db.payout.updateMany({
        where: { id: payoutId, status: 'in_transit' },
        data: { status: 'paid', paidAt: new Date() },
      });
      const row = await db.payout.findUniqueOrThrow({ where: { id: payoutId }, select: { status: true } });
      if (row.status !== 'paid')
        throw ApplicationFailure.nonRetryable(
          `payout ${payoutId} is ${row.status}, not in transit: it cannot be marked paid`,
          'PayoutStateConflict',
        );
    },

    /**
     * Ends the payout `failed` with the coach-facing reason (once: a payout already failed or paid
     * keeps its state) and returns who to tell.
     */
    async failPayout(input: { payoutId: string; reason: string }): Promise<PayoutFailureNotice> {
      const updated = await db.payout.updateMany({
        where: { id: input.payoutId, status: { in: ['pending', 'in_transit'] }, stripeTransferId: null },
        data: { status: 'failed', failureReason: input.reason.slice(0, 1000), failedAt: new Date() },
      });
      const row = await db.payout.findUniqueOrThrow({
        where: { id: input.payoutId },
        select: { status: true, coach: { select: { email: true, name: true } } },
      });
      return {
        coach: row.coach,
        failed: updated.count === 1 || row.status === 'failed',
        settingsUrl: payoutSettingsUrl(cfg),
      };
    },

    /**
     * Records a transfer.reversed event on its payout in one transaction (src/data/payouts.ts
     * recordTransferReversals): the reversals not yet in the ledger are posted and the payout's
     * reversed total written, or the event is refused and nothing is written. Repeatable: a retry
     * finds its reversals posted and posts nothing. Answers who to tell about which reversals.
     */
    async applyTransferReversals(input: {
      payoutId: string;
      report: TransferReversedReport;
      occurredAtMs: number;
    }): Promise<TransferReversalResult> {
      let recorded;
      try {
        recorded = await recordTransferReversals(db, {
          payoutId: input.payoutId,
          report: input.report,
          occurredAt: new Date(input.occurredAtMs),
        });
      } catch (err) {
        if (err instanceof LedgerPostingError)
          throw ApplicationFailure.nonRetryable(
            err.message,
            err.reason === 'key_conflict' ? LedgerFailure.KeyConflict : LedgerFailure.Rejected,
          );
        throw err;
      }
      if (recorded.outcome === 'refused') return recorded;
      const coach = await db.user.findUniqueOrThrow({
        where: { id: recorded.coachId },
        select: { email: true, name: true },
      });
      const notice = (r: { id: string; amountMinor: number }) => ({
        reversalId: r.id,
        amountMinor: r.amountMinor,
      });
      return {
        outcome: 'applied',
        posted: recorded.posted.map(notice),
        known: recorded.known.map(notice),
        reversedMinor: recorded.reversedMinor,
        fullyReversed: recorded.fullyReversed,
        unlistedMinor: recorded.unlistedMinor,
        payout: { amountMinor: recorded.amountMinor, currency: recorded.currency, period: recorded.period },
        coach,
        settingsUrl: payoutSettingsUrl(cfg),
      };
    },

    /** Stores the readiness an account.updated event reports, unless a newer event was applied. */
    async applyAccountUpdate(input: { coachId: string; update: AccountUpdatedSignal }): Promise<boolean> {
      return applyAccountReadiness(db, {
        coachId: input.coachId,
        stripeAccountId: input.update.stripeAccountId,
        eventAt: new Date(input.update.eventAtMs),
        readiness: input.update.readiness,
      });
    },
  };
}
