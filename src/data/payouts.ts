import type { ConnectAccount, Payout } from '../generated/prisma/client';
import { coachBalances } from './ledger';
import { payableAmounts, type AccountReadiness } from '../domain/billing/payouts';
import type { Config } from '../infra/config';
import type { Db } from '../infra/prisma';

// Postgres side of payouts: the coach's Connect account and readiness, the payout rows a run owns,
// and the history the coach sees. Used by src/app/payouts and activities/postgres/payouts.ts.

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
export async function listPayouts(
  db: Db,
  coachId: string,
  page: { limit: number; offset: number },
): Promise<{ items: Payout[]; total: number }> {
  const [items, total] = await Promise.all([
    db.payout.findMany({
      where: { coachId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: page.limit,
      skip: page.offset,
    }),
    db.payout.count({ where: { coachId } }),
  ]);
  return { items, total };
}
