import type { ConnectAccount, Payout } from '../generated/prisma/client';
import { coachBalances, postLedgerDraftsIn } from './ledger';
import { ledger } from '../domain/payments/ledger';
import { payableAmounts, type AccountReadiness } from '../domain/payouts/payouts';
import {
  planPayoutReversals,
  type ReversalRefusal,
  type TransferReversalLine,
  type TransferReversedReport,
} from '../domain/payouts/reversals';
import type { Config } from '../infra/config';
import type { Db } from '../infra/prisma';
import type { Page, PageRequest } from '../domain/shared/pages';
import { readPage } from './pages';

// Postgres side of payouts: the coach's Connect account and readiness, the payout rows a run owns,
// and the history the coach sees. Used by src/app/payouts and activities/payouts/postgres.ts.

export type { ConnectAccount, Payout };

/** The web app's payout settings page: Connect onboarding returns there, emails link to it. */
export const payoutSettingsUrl = (cfg: Pick<Config, 'PUBLIC_APP_URL'>, query = '') =>
  `${cfg.PUBLIC_APP_URL.replace(/\/+$/, '')}/coach/payouts${query}`;

export function readinessOfRow(row: ConnectAccount | null): AccountReadiness | null {
  if (!row) return null;
  return {
    chargesEnabled: row.chargesEnabled,
    payoutsEnabled: row.payoutsEnabled,
    detailsSubmitted: row.detailsSubmitted,
    requirementsDue: row.requirementsDue,
    disabledReason: row.disabledReason,
  };
}

export function connectAccountOf(db: Db, coachId: string): Promise<ConnectAccount | null> {
  return db.connectAccount.findUnique({ where: { coachId } });
}

/**
 * Applies an account.updated event unless a newer one was applied already (Stripe does not promise
 * order; the event's `created` does). Only the stored account is touched: an event for another
 * account id of the same coach changes nothing. Returns whether it was applied.
 */
export async function applyAccountReadiness(
  db: Db,
  input: { coachId: string; stripeAccountId: string; eventAt: Date; readiness: AccountReadiness },
): Promise<boolean> {
  const r = input.readiness;
  const updated = await db.connectAccount.updateMany({
    where: {
      coachId: input.coachId,
      stripeAccountId: input.stripeAccountId,
      OR: [{ stripeEventAt: null }, { stripeEventAt: { lte: input.eventAt } }],
    },
    data: {
      chargesEnabled: r.chargesEnabled,
      payoutsEnabled: r.payoutsEnabled,
      detailsSubmitted: r.detailsSubmitted,
      requirementsDue: r.requirementsDue,
      disabledReason: r.disabledReason,
      stripeEventAt: input.eventAt,
    },
  });
  return updated.count === 1;
}

/**
 * The payouts of one run (coach, period), recorded once. Under a per-coach lock: rows the period
 * already has are returned as they are (a retried or repeated run pays nothing twice); otherwise the
 * coach's available balance per currency, less payouts recorded but not yet in the ledger, becomes one
 * `pending` row per currency. The in-flight amount is read before the balance, so a payout whose
 * ledger entry lands between the two reads is counted twice (paid next time) rather than not at all.
 */
export async function recordPeriodPayouts(
  db: Db,
  input: { coachId: string; period: string; workflowId: string; asOf: Date; holdMs: number },
): Promise<Payout[]> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`payout:${input.coachId}`}, 0))`;
    const existing = await tx.payout.findMany({
      where: { coachId: input.coachId, period: input.period },
      orderBy: { currency: 'asc' },
    });
    if (existing.length > 0) return existing;
    const inFlight = await tx.$queryRaw<{ currency: string; minor: bigint }[]>`
      SELECT p.currency, sum(p.amount_minor)::bigint AS minor
      FROM payouts p
      WHERE p.coach_id = ${input.coachId}::uuid AND p.status IN ('pending', 'in_transit')
        AND NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.key = 'payout:' || p.id::text)
      GROUP BY p.currency`;
    const balances = await coachBalances(db, input.coachId, input.asOf, input.holdMs);
    const currencies = new Set([
      ...balances.map((b) => b.currency),
      ...inFlight.map((f) => f.currency.trim()),
    ]);
    const payable = payableAmounts(
      [...currencies].map((currency) => ({
        currency,
        availableMinor: balances.find((b) => b.currency === currency)?.availableMinor ?? 0,
        inFlightMinor: Number(inFlight.find((f) => f.currency.trim() === currency)?.minor ?? 0n),
      })),
    );
    const rows: Payout[] = [];
    for (const p of payable) {
      rows.push(
        await tx.payout.create({
          data: {
            coachId: input.coachId,
            period: input.period,
            currency: p.currency,
            amountMinor: p.amountMinor,
            workflowId: input.workflowId,
          },
        }),
      );
    }
    return rows;
  });
}

/** One page of the coach's payouts, newest first, with the total count. */
export function listPayouts(db: Db, coachId: string, page: PageRequest): Promise<Page<Payout>> {
  return readPage(
    (p) => db.payout.findMany({ where: { coachId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], ...p }),
    () => db.payout.count({ where: { coachId } }),
    page,
  );
}

export type TransferReversalsRecorded =
  | {
      outcome: 'applied';
      coachId: string;
      period: string;
      amountMinor: number;
      currency: string;
      /** Posted by this call. */
      posted: TransferReversalLine[];
      /** Listed by the event and already in the ledger. */
      known: TransferReversalLine[];
      reversedMinor: number;
      fullyReversed: boolean;
      unlistedMinor: number;
    }
  | { outcome: 'refused'; code: ReversalRefusal; reason: string };

/**
 * Records a transfer.reversed event on its payout, in one transaction under the payout's row lock:
 * the reversals the ledger already holds for it are read, planPayoutReversals decides which of the
 * event's are new and whether the event may count at all, the new ones are posted
 * (payout_reversal:<payoutId>:<reversalId>) and the row's reversed total is written. A refused event
 * writes nothing. Repeating an event, or a later one that lists the earlier reversals again, posts
 * only what is new.
 */
export async function recordTransferReversals(
  db: Db,
  input: { payoutId: string; report: TransferReversedReport; occurredAt: Date },
): Promise<TransferReversalsRecorded> {
  return db.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<
      {
        coach_id: string;
        period: string;
        amount_minor: number;
        currency: string;
        stripe_transfer_id: string | null;
        amount_reversed_minor: number;
      }[]
    >`
      SELECT coach_id::text, period, amount_minor, currency, stripe_transfer_id, amount_reversed_minor
      FROM payouts WHERE id = ${input.payoutId}::uuid FOR UPDATE`;
    if (!row) throw new Error(`payout ${input.payoutId} does not exist`);
    const reference = `payout:${input.payoutId}`;
    const prefix = `payout_reversal:${input.payoutId}:`;
    const ledgerRows = await tx.$queryRaw<{ key: string; amount_minor: bigint }[]>`
      SELECT key, amount_minor FROM ledger_transactions
      WHERE reference = ${reference} AND kind IN ('payout', 'payout_reversal')`;
    // The payout is posted before its transfer is asked for, so a transfer Stripe reverses has it.
    if (!ledgerRows.some((r) => r.key === `payout:${input.payoutId}`))
      throw new Error(`payout ${input.payoutId} has a transfer but no payout in the ledger yet`);
    const posted = ledgerRows
      .filter((r) => r.key.startsWith(prefix))
      .map((r) => ({ id: r.key.slice(prefix.length), amountMinor: Number(r.amount_minor) }));
    const currency = row.currency.trim();
    const plan = planPayoutReversals(
      { transferId: row.stripe_transfer_id, amountMinor: row.amount_minor, currency, posted },
      input.report,
    );
    if (!plan.ok) return { outcome: 'refused', code: plan.code, reason: plan.reason };
    await postLedgerDraftsIn(
      tx,
      plan.toPost.map((r) =>
        ledger.transferReversal({
          payoutId: input.payoutId,
          coachId: row.coach_id,
          reversalId: r.id,
          amountMinor: r.amountMinor,
          currency,
          occurredAt: input.occurredAt.toISOString(),
        }),
      ),
    );
    if (plan.toPost.length > 0 || row.amount_reversed_minor !== plan.reversedMinor) {
      await tx.payout.update({
        where: { id: input.payoutId },
        data: {
          amountReversedMinor: plan.reversedMinor,
          reversedAt: plan.reversedMinor > 0 ? input.occurredAt : null,
        },
      });
    }
    const known = new Set(plan.known);
    return {
      outcome: 'applied',
      coachId: row.coach_id,
      period: row.period,
      amountMinor: row.amount_minor,
      currency,
      posted: plan.toPost,
      known: input.report.reversals.filter(
        (r, i, all) => known.has(r.id) && all.findIndex((x) => x.id === r.id) === i,
      ),
      reversedMinor: plan.reversedMinor,
      fullyReversed: plan.fullyReversed,
      unlistedMinor: plan.unlistedMinor,
    };
  });
}
