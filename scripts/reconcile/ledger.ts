import type pg from 'pg';
import { EARNING_KINDS, REFUND_KINDS, accounts } from '../../src/domain/payments/ledger';
import { n, rowsOf, table, type Difference } from './differences';

// The ledger's own invariants (docs/adr/0013-ledger.md), one function each, numbered as in
// scripts/reconcile.ts; all of them SQL over ledger_transactions / ledger_entries.

type Check = (client: pg.ClientBase, now: Date) => Promise<Difference[]>;

/** 1. Every transaction balances per currency. */
const balanced: Check = async (client) =>
  (
    await rowsOf<{ key: string; reference: string; currency: string; total: string }>(
      client,
      `SELECT t.key, t.reference, e.currency, sum(e.amount_minor) AS total
       FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
       GROUP BY t.key, t.reference, e.currency HAVING sum(e.amount_minor) <> 0
       ORDER BY t.key`,
    )
  ).map((r) => ({
    check: 'balanced',
    reference: r.reference,
    message: `transaction ${r.key} does not balance in ${r.currency}: entries sum to ${r.total}`,
  }));

/** 1. Every line of a transaction is in the transaction's currency. */
const ownCurrency: Check = async (client) =>
  (
    await rowsOf<{ key: string; reference: string; currency: string; line: string }>(
      client,
      `SELECT t.key, t.reference, t.currency, e.currency AS line
       FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
       WHERE e.currency <> t.currency ORDER BY t.key`,
    )
  ).map((r) => ({
    check: 'currency',
    reference: r.reference,
    message: `transaction ${r.key} is in ${r.currency} but has a line in ${r.line}`,
  }));

/**
 * 2. Each sale: captured = coach earnings + platform fee, and cash + Stripe fees = the amount; each
 * refund takes back exactly its amount (the same sums, the other way).
 */
const splits: Check = async (client) =>
  (
    await rowsOf<{
      key: string;
      kind: string;
      reference: string;
      amount: string;
      coach: string;
      fee: string;
      cash: string;
      stripe_fees: string;
    }>(
      client,
      `SELECT t.key, t.kind, t.reference, t.amount_minor AS amount,
              coalesce(sum(e.amount_minor) FILTER (WHERE e.account LIKE 'coach_payable:%'), 0) AS coach,
              coalesce(sum(e.amount_minor) FILTER (WHERE e.account = $1), 0) AS fee,
              coalesce(sum(e.amount_minor) FILTER (WHERE e.account = $2), 0) AS cash,
              coalesce(sum(e.amount_minor) FILTER (WHERE e.account = $3), 0) AS stripe_fees
       FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.transaction_id = t.id
       WHERE t.kind::text = ANY($4)
       GROUP BY t.id ORDER BY t.occurred_at, t.key`,
      [accounts.platformFee, accounts.cash, accounts.stripeFees, [...EARNING_KINDS, ...REFUND_KINDS]],
    )
  ).flatMap((r) => {
    const sign = (EARNING_KINDS as readonly string[]).includes(r.kind) ? -1 : 1;
    const split = sign * (n(r.coach) + n(r.fee));
    const received = -sign * (n(r.cash) + n(r.stripe_fees));
    const found: Difference[] = [];
    if (split !== n(r.amount))
      found.push({
        check: 'split',
        reference: r.reference,
        message: `${r.kind} ${r.key}: amount ${r.amount} ≠ coach earnings + platform fee ${split}`,
      });
    if (received !== n(r.amount))
      found.push({
        check: 'cash',
        reference: r.reference,
        message: `${r.kind} ${r.key}: amount ${r.amount} ≠ cash + Stripe fees ${received}`,
      });
    return found;
  });

/**
 * 3. Per authorised reference: locked − captured = released, a hold is never over-drawn, and a
 * settled hold (captured or released for over an hour) is fully cleared.
 */
const holds: Check = async (client, now) =>
  (
    await rowsOf<{
      reference: string;
      locked: string;
      captured: string;
      released: string;
      releases: string;
      held: string;
      settled_at: Date | null;
    }>(
      client,
      `SELECT t.reference,
              coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'authorisation'), 0) AS locked,
              coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'capture'), 0) AS captured,
              coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'release'), 0) AS released,
              count(*) FILTER (WHERE t.kind = 'release') AS releases,
              (SELECT coalesce(sum(e.amount_minor), 0) FROM ledger_entries e WHERE e.account = 'authorised:' || t.reference) AS held,
              max(t.occurred_at) FILTER (WHERE t.kind IN ('capture', 'release')) AS settled_at
       FROM ledger_transactions t
       WHERE t.kind IN ('authorisation', 'capture', 'release')
       GROUP BY t.reference ORDER BY t.reference`,
    )
  ).flatMap((r) => {
    const [locked, captured, released, held] = [n(r.locked), n(r.captured), n(r.released), n(r.held)];
    const settledLongAgo = r.settled_at !== null && now.getTime() - r.settled_at.getTime() > 3_600_000;
    const problems = [
      locked === 0 &&
        (captured > 0 || released > 0) &&
        `captured ${captured} / released ${released} without an authorisation`,
      captured + released > locked &&
        `captured ${captured} + released ${released} exceed the ${locked} locked`,
      held !== locked - captured - released &&
        `the hold account holds ${held}, but locked − captured − released = ${locked - captured - released}`,
      (n(r.releases) > 0 || settledLongAgo) &&
        locked - captured !== released &&
        `locked ${locked} − captured ${captured} = ${locked - captured}, but ${released} was released`,
    ];
    return problems
      .filter((message): message is string => typeof message === 'string')
      .map((message) => ({ check: 'hold', reference: r.reference, message }));
  });

/** 4. Per coach and currency: paid out ≤ earned (net of refunds). */
const paidOutWithinEarned: Check = async (client) =>
  (
    await rowsOf<{ account: string; currency: string; earned: string; paid_out: string }>(
      client,
      `SELECT e.account, e.currency,
              -coalesce(sum(e.amount_minor) FILTER (WHERE t.kind::text = ANY($1)), 0) AS earned,
              coalesce(sum(e.amount_minor) FILTER (WHERE t.kind IN ('payout', 'payout_reversal')), 0) AS paid_out
       FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
       WHERE e.account LIKE 'coach_payable:%'
       GROUP BY e.account, e.currency ORDER BY e.account, e.currency`,
      [[...EARNING_KINDS, ...REFUND_KINDS]],
    )
  )
    .filter((r) => n(r.paid_out) > n(r.earned))
    .map((r) => ({
      check: 'payouts',
      reference: r.account,
      message: `paid out ${r.paid_out} ${r.currency} but earned only ${r.earned} (net of refunds)`,
    }));

/** 5. Per payout: reversed ≤ paid out. */
const reversedWithinPaid: Check = async (client) =>
  (
    await rowsOf<{ reference: string; paid: string; reversed: string }>(
      client,
      `SELECT t.reference,
              coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'payout'), 0) AS paid,
              coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'payout_reversal'), 0) AS reversed
       FROM ledger_transactions t
       WHERE t.kind IN ('payout', 'payout_reversal')
       GROUP BY t.reference
       HAVING coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'payout_reversal'), 0)
            > coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'payout'), 0)
       ORDER BY t.reference`,
    )
  ).map((r) => ({
    check: 'reversals',
    reference: r.reference,
    message: `reversed ${r.reversed} of a payout of ${r.paid}`,
  }));

/**
 * 5. Per payout: the row's amount_reversed_minor equals the transfer reversals the ledger holds for it.
 * Transfer reversals are keyed payout_reversal:<payout id>:<reversal id> (a failed transfer's
 * reversal, payout_reversal:<payout id>, is not one); the row's total is written with them.
 */
const reversalsOnRow: Check = async (client) => {
  if (!(await table(client, 'payouts'))) return [];
  const rows = await rowsOf<{ payout_id: string; on_row: string | null; in_ledger: string }>(
    client,
    `WITH reversals AS (
       SELECT substring(t.reference FROM 8) AS payout_id, sum(t.amount_minor) AS total
       FROM ledger_transactions t
       WHERE t.kind = 'payout_reversal' AND t.key LIKE 'payout\_reversal:%:%'
       GROUP BY t.reference)
     SELECT coalesce(p.id::text, r.payout_id) AS payout_id, p.amount_reversed_minor AS on_row,
            coalesce(r.total, 0) AS in_ledger
     FROM payouts p FULL JOIN reversals r ON r.payout_id = p.id::text
     WHERE p.id IS NULL OR p.amount_reversed_minor <> coalesce(r.total, 0)
     ORDER BY 1`,
  );
  return rows.map((r) => ({
    check: 'reversals',
    reference: `payout:${r.payout_id}`,
    message:
      r.on_row === null
        ? `the ledger holds ${r.in_ledger} of transfer reversals for a payout with no row`
        : `the payout row says ${r.on_row} reversed, the ledger's transfer reversals ${r.in_ledger}`,
  }));
};

const CHECKS = [
  balanced,
  ownCurrency,
  splits,
  holds,
  paidOutWithinEarned,
  reversedWithinPaid,
  reversalsOnRow,
];

/** The ledger's invariants: every difference found, check by check. */
export async function ledgerDifferences(client: pg.ClientBase, now = new Date()): Promise<Difference[]> {
  const out: Difference[] = [];
  for (const check of CHECKS) out.push(...(await check(client, now)));
  return out;
}
