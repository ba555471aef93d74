import { Prisma } from '../generated/prisma/client';
import {
  EARNING_KINDS,
  REFUND_KINDS,
  accounts,
  draftProblem,
  type LedgerKind,
  type LedgerTransactionDraft,
} from '../domain/payments/ledger';
import { config } from '../infra/config';
import type { Db } from '../infra/prisma';

// Postgres side of the ledger (docs/adr/0013-ledger.md). Posting is the only write; balances and
// movements are SUMs and pages over ledger_entries / ledger_transactions, never a stored total.

/** A draft that cannot be posted: unbalanced, malformed, or a key already used by a different event. */
export class LedgerPostingError extends Error {
  constructor(
    message: string,
    readonly reason: 'invalid' | 'key_conflict',
  ) {
    super(message);
    this.name = 'LedgerPostingError';
  }
}

export interface PostResult {
  /** Keys posted by this call. */
  posted: string[];
  /** Keys that were already in the ledger with the same event (a retry): nothing changed for them. */
  alreadyPosted: string[];
}

/**
 * Posts every draft in one database transaction, each at most once by key. A key already posted for
 * the same event (kind, reference, amount, currency) is success; for a different event it is a
 * LedgerPostingError, as is an unbalanced or malformed draft (checked here and again by the database's
 * deferred constraint trigger at commit).
 */
export async function postLedgerDrafts(
  db: Db,
  drafts: readonly LedgerTransactionDraft[],
): Promise<PostResult> {
  checkDrafts(drafts);
  if (drafts.length === 0) return { posted: [], alreadyPosted: [] };
  return db.$transaction((tx) => insertDrafts(tx, drafts));
}

/**
 * postLedgerDrafts inside the caller's transaction, for a write that must commit together with its
 * ledger transactions (a payout row and the reversals it records). Same checks, same keys.
 */
export async function postLedgerDraftsIn(
  tx: Prisma.TransactionClient,
  drafts: readonly LedgerTransactionDraft[],
): Promise<PostResult> {
  checkDrafts(drafts);
  if (drafts.length === 0) return { posted: [], alreadyPosted: [] };
  return insertDrafts(tx, drafts);
}

function checkDrafts(drafts: readonly LedgerTransactionDraft[]): void {
  for (const d of drafts) {
    const problem = draftProblem(d);
    if (problem) throw new LedgerPostingError(`ledger transaction ${d.key}: ${problem}`, 'invalid');
  }
  const keys = drafts.map((d) => d.key);
  if (new Set(keys).size !== keys.length) {
    throw new LedgerPostingError(`ledger drafts repeat a key: ${keys.join(', ')}`, 'invalid');
  }
}

async function insertDrafts(
  tx: Prisma.TransactionClient,
  drafts: readonly LedgerTransactionDraft[],
): Promise<PostResult> {
  const result: PostResult = { posted: [], alreadyPosted: [] };
  for (const d of drafts) {
    const inserted = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO ledger_transactions (id, key, kind, reference, coach_id, amount_minor, currency, occurred_at, memo)
      VALUES (gen_random_uuid(), ${d.key}, ${d.kind}::"LedgerKind", ${d.reference}, ${d.coachId},
              ${BigInt(d.amountMinor)}, ${d.currency}, ${new Date(d.occurredAt)}, ${d.memo ?? null})
      ON CONFLICT (key) DO NOTHING
      RETURNING id`;
    if (inserted.length === 0) {
      const [existing] = await tx.$queryRaw<
        { kind: LedgerKind; reference: string; amount_minor: bigint; currency: string }[]
      >`SELECT kind, reference, amount_minor, currency FROM ledger_transactions WHERE key = ${d.key}`;
      const same =
        existing &&
        existing.kind === d.kind &&
        existing.reference === d.reference &&
        Number(existing.amount_minor) === d.amountMinor &&
        existing.currency === d.currency;
      if (!same) {
        throw new LedgerPostingError(
          `ledger key ${d.key} was already posted for a different event (${existing?.kind} ${existing?.reference} ${existing?.amount_minor} ${existing?.currency})`,
          'key_conflict',
        );
      }
      result.alreadyPosted.push(d.key);
      continue;
    }
    const id = inserted[0]!.id;
    if (d.lines.length > 0) {
      const rows = d.lines.map(
        (l) => Prisma.sql`(${id}::uuid, ${l.account}, ${l.currency}, ${BigInt(l.amountMinor)})`,
      );
      await tx.$executeRaw`
        INSERT INTO ledger_entries (transaction_id, account, currency, amount_minor)
        VALUES ${Prisma.join(rows)}`;
    }
    result.posted.push(d.key);
  }
  return result;
}

export interface CurrencyBalance {
  currency: string;
  /** Earnings (less their refunds) younger than the hold period: not yet payable. */
  pendingMinor: number;
  /** What may be paid out now: everything owed minus what is still pending. */
  availableMinor: number;
  /** Paid out (payouts posted, less reversals); a payout in flight counts as paid out. */
  paidOutMinor: number;
  /** Everything earned net of refunds, all time up to asOf. */
  earnedMinor: number;
}

/**
 * A coach's balances per currency as of `asOf`, derived from entries on coach_payable:<coachId> (one
 * range scan of the (account, currency, occurred_at, kind, amount_minor) index; no join).
 * Pending is the net of earnings and refunds that occurred within `holdMs` before asOf (never below
 * zero: a refund of an old, already available earning comes out of available). Available is what the
 * account owes minus pending; a payout is posted when the transfer is started, so a payout in flight
 * is no longer available. The same asOf always gives the same answer.
 */
export async function coachBalances(
  db: Db,
  coachId: string,
  asOf: Date,
  holdMs: number = config().EARNINGS_HOLD_PERIOD,
): Promise<CurrencyBalance[]> {
  const account = accounts.coachPayable(coachId);
  const holdStart = new Date(asOf.getTime() - holdMs);
  const rows = await db.$queryRaw<
    { currency: string; owed: bigint; recent_earned: bigint; earned: bigint; paid_out: bigint }[]
  >`
    SELECT e.currency,
           -sum(e.amount_minor) AS owed,
           -coalesce(sum(e.amount_minor) FILTER (
              WHERE e.kind::text = ANY(${[...EARNING_KINDS, ...REFUND_KINDS]}) AND e.occurred_at > ${holdStart}), 0) AS recent_earned,
           -coalesce(sum(e.amount_minor) FILTER (WHERE e.kind::text = ANY(${[...EARNING_KINDS, ...REFUND_KINDS]})), 0) AS earned,
           coalesce(sum(e.amount_minor) FILTER (WHERE e.kind IN ('payout', 'payout_reversal')), 0) AS paid_out
    FROM ledger_entries e
    WHERE e.account = ${account} AND e.occurred_at <= ${asOf}
    GROUP BY e.currency
    ORDER BY e.currency`;
  return rows.map((r) => {
    const owed = Number(r.owed);
    const pending = Math.max(0, Math.min(Number(r.recent_earned), owed));
    return {
      currency: r.currency,
      pendingMinor: pending,
      availableMinor: Math.max(0, owed - pending),
      paidOutMinor: Number(r.paid_out),
      earnedMinor: Number(r.earned),
    };
  });
}

export interface Movement {
  id: string;
  kind: LedgerKind;
  reference: string;
  occurredAt: Date;
  currency: string;
  /** The event's gross amount. */
  amountMinor: number;
  /** Its effect on what the coach is owed: + earnings, − refunds and payouts. */
  coachMinor: number;
  /** Its platform fee part (earnings and refunds), else 0. */
  platformFeeMinor: number;
  memo: string | null;
}

export interface MovementPage {
  items: Movement[];
  /** Every movement in the period. */
  total: number;
}

/**
 * The coach's ledger transactions in [from, to), newest first, one page of `limit` after `offset`
 * (the project's one list shape; (coach_id, occurred_at) is indexed).
 */
export async function coachMovements(
  db: Db,
  coachId: string,
  q: { from?: Date; to?: Date; limit: number; offset: number },
): Promise<MovementPage> {
  const account = accounts.coachPayable(coachId);
  const from = q.from ?? new Date(0);
  const to = q.to ?? new Date('9999-12-31T00:00:00Z');
  const [rows, [count]] = await Promise.all([
    db.$queryRaw<
      {
        id: string;
        kind: LedgerKind;
        reference: string;
        occurred_at: Date;
        currency: string;
        amount_minor: bigint;
        coach_minor: bigint;
        platform_minor: bigint;
        memo: string | null;
      }[]
    >`
      SELECT t.id, t.kind, t.reference, t.occurred_at, t.currency, t.amount_minor, t.memo,
             -coalesce((SELECT sum(e.amount_minor) FROM ledger_entries e
                        WHERE e.transaction_id = t.id AND e.account = ${account}), 0) AS coach_minor,
             -coalesce((SELECT sum(e.amount_minor) FROM ledger_entries e
                        WHERE e.transaction_id = t.id AND e.account = ${accounts.platformFee}), 0) AS platform_minor
      FROM ledger_transactions t
      WHERE t.coach_id = ${coachId} AND t.occurred_at >= ${from} AND t.occurred_at < ${to}
      ORDER BY t.occurred_at DESC, t.id DESC
      LIMIT ${q.limit} OFFSET ${q.offset}`,
    db.$queryRaw<{ total: bigint }[]>`
      SELECT count(*) AS total FROM ledger_transactions t
      WHERE t.coach_id = ${coachId} AND t.occurred_at >= ${from} AND t.occurred_at < ${to}`,
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      reference: r.reference,
      occurredAt: r.occurred_at,
      currency: r.currency,
      amountMinor: Number(r.amount_minor),
      coachMinor: Number(r.coach_minor) + 0,
      platformFeeMinor: Number(r.platform_minor) + 0,
      memo: r.memo,
    })),
    total: Number(count?.total ?? 0n),
  };
}

export interface PeriodTotal {
  currency: string;
  /** Sales credited to the coach (after the platform fee). */
  earnedMinor: number;
  /** Refunds taken back from the coach. */
  refundedMinor: number;
  /** Platform fees on the period's sales, net of refunded fees. */
  platformFeeMinor: number;
  /** Payouts less reversals. */
  paidOutMinor: number;
}

/** What a period [from, to) added up to on the coach's account, per currency. */
export async function coachPeriodTotals(
  db: Db,
  coachId: string,
  q: { from?: Date; to?: Date },
): Promise<PeriodTotal[]> {
  const account = accounts.coachPayable(coachId);
  const from = q.from ?? new Date(0);
  const to = q.to ?? new Date('9999-12-31T00:00:00Z');
  const rows = await db.$queryRaw<
    { currency: string; earned: bigint; refunded: bigint; fee: bigint; paid_out: bigint }[]
  >`
    SELECT e.currency,
           -coalesce(sum(e.amount_minor) FILTER (WHERE e.account = ${account} AND t.kind::text = ANY(${[...EARNING_KINDS]})), 0) AS earned,
           coalesce(sum(e.amount_minor) FILTER (WHERE e.account = ${account} AND t.kind::text = ANY(${[...REFUND_KINDS]})), 0) AS refunded,
           -coalesce(sum(e.amount_minor) FILTER (WHERE e.account = ${accounts.platformFee}), 0) AS fee,
           coalesce(sum(e.amount_minor) FILTER (WHERE e.account = ${account} AND t.kind IN ('payout', 'payout_reversal')), 0) AS paid_out
    FROM ledger_transactions t
    JOIN ledger_entries e ON e.transaction_id = t.id
    WHERE t.coach_id = ${coachId} AND t.occurred_at >= ${from} AND t.occurred_at < ${to}
      AND e.account IN (${account}, ${accounts.platformFee})
    GROUP BY e.currency
    ORDER BY e.currency`;
  return rows.map((r) => ({
    currency: r.currency,
    earnedMinor: Number(r.earned) + 0,
    refundedMinor: Number(r.refunded) + 0,
    platformFeeMinor: Number(r.fee) + 0,
    paidOutMinor: Number(r.paid_out) + 0,
  }));
}
