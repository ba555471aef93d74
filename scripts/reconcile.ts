// npm run reconcile: checks the ledger's invariants (docs/adr/0013-ledger.md) and, with a real Stripe
// key, compares what the ledger recorded with what Stripe has. Prints every difference; exit code 1
// when there is any, 0 when none.
//
//   node --import tsx scripts/reconcile.ts [--json]
//
// Invariants, all from SQL over ledger_transactions / ledger_entries:
//   1. every transaction balances per currency, and its lines are in its own currency;
//   2. captured = coach earnings + platform fee (each capture, booking payment, purchase), and
//      cash + Stripe fees = the amount; each refund takes back exactly its amount;
//   3. per authorised reference: locked − captured = released, a hold is never over-drawn, and a
//      settled hold (captured or released for over an hour) is fully cleared;
//   4. per coach and currency: paid out ≤ earned;
//   5. per payout: reversed ≤ paid out, and the payout row's amount_reversed_minor equals the transfer
//      reversals (payout_reversal:<payout id>:<reversal id>) the ledger holds for it.
// Stripe (only with STRIPE_SECRET_KEY set; stripe-mock answers fixtures, not what we sent): each
// PaymentIntent's amount received vs what the ledger captured, each refund's amount, each transfer's.
import pg from 'pg';
import { pathToFileURL } from 'node:url';
import { EARNING_KINDS, REFUND_KINDS, accounts } from '../src/domain/payments/ledger';
import { loadConfig, type Config } from '../src/infra/config';
import { createStripe, type Stripe } from '../src/infra/stripe';

export interface Difference {
  check: string;
  reference: string;
  message: string;
}

export interface ReconcileReport {
  transactions: number;
  differences: Difference[];
  /** Why the Stripe side was not compared, or null when it was. */
  stripeSkipped: string | null;
  stripeCompared: number;
}

const n = (v: string | number | bigint | null) => Number(v ?? 0);

/** The ledger's own invariants. */
export async function ledgerDifferences(client: pg.ClientBase, now = new Date()): Promise<Difference[]> {
  const out: Difference[] = [];

  const unbalanced = await client.query<{ key: string; reference: string; currency: string; total: string }>(`
    SELECT t.key, t.reference, e.currency, sum(e.amount_minor) AS total
    FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
    GROUP BY t.key, t.reference, e.currency HAVING sum(e.amount_minor) <> 0
    ORDER BY t.key`);
  for (const r of unbalanced.rows)
    out.push({
      check: 'balanced',
      reference: r.reference,
      message: `transaction ${r.key} does not balance in ${r.currency}: entries sum to ${r.total}`,
    });

  const foreign = await client.query<{ key: string; reference: string; currency: string; line: string }>(`
    SELECT t.key, t.reference, t.currency, e.currency AS line
    FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
    WHERE e.currency <> t.currency ORDER BY t.key`);
  for (const r of foreign.rows)
    out.push({
      check: 'currency',
      reference: r.reference,
      message: `transaction ${r.key} is in ${r.currency} but has a line in ${r.line}`,
    });

  const sales = await client.query<{
    key: string;
    kind: string;
    reference: string;
    amount: string;
    coach: string;
    fee: string;
    cash: string;
    stripe_fees: string;
  }>(
    `SELECT t.key, t.kind, t.reference, t.amount_minor AS amount,
            coalesce(sum(e.amount_minor) FILTER (WHERE e.account LIKE 'coach_payable:%'), 0) AS coach,
            coalesce(sum(e.amount_minor) FILTER (WHERE e.account = $1), 0) AS fee,
            coalesce(sum(e.amount_minor) FILTER (WHERE e.account = $2), 0) AS cash,
            coalesce(sum(e.amount_minor) FILTER (WHERE e.account = $3), 0) AS stripe_fees
     FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.transaction_id = t.id
     WHERE t.kind::text = ANY($4)
     GROUP BY t.id ORDER BY t.occurred_at, t.key`,
    [accounts.platformFee, accounts.cash, accounts.stripeFees, [...EARNING_KINDS, ...REFUND_KINDS]],
  );
  for (const r of sales.rows) {
    const sign = (EARNING_KINDS as readonly string[]).includes(r.kind) ? -1 : 1;
    const split = sign * (n(r.coach) + n(r.fee));
    if (split !== n(r.amount))
      out.push({
        check: 'split',
        reference: r.reference,
        message: `${r.kind} ${r.key}: amount ${r.amount} ≠ coach earnings + platform fee ${split}`,
      });
    const received = -sign * (n(r.cash) + n(r.stripe_fees));
    if (received !== n(r.amount))
      out.push({
        check: 'cash',
        reference: r.reference,
        message: `${r.kind} ${r.key}: amount ${r.amount} ≠ cash + Stripe fees ${received}`,
      });
  }

  const holds = await client.query<{
    reference: string;
    locked: string;
    captured: string;
    released: string;
    captures: string;
    releases: string;
    held: string;
    settled_at: Date | null;
  }>(
    `SELECT t.reference,
            coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'authorisation'), 0) AS locked,
            coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'capture'), 0) AS captured,
            coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'release'), 0) AS released,
            count(*) FILTER (WHERE t.kind = 'capture') AS captures,
            count(*) FILTER (WHERE t.kind = 'release') AS releases,
            (SELECT coalesce(sum(e.amount_minor), 0) FROM ledger_entries e WHERE e.account = 'authorised:' || t.reference) AS held,
            max(t.occurred_at) FILTER (WHERE t.kind IN ('capture', 'release')) AS settled_at
     FROM ledger_transactions t
     WHERE t.kind IN ('authorisation', 'capture', 'release')
     GROUP BY t.reference ORDER BY t.reference`,
  );
  for (const r of holds.rows) {
    const [locked, captured, released, held] = [n(r.locked), n(r.captured), n(r.released), n(r.held)];
    if (locked === 0 && (captured > 0 || released > 0))
      out.push({
        check: 'hold',
        reference: r.reference,
        message: `captured ${captured} / released ${released} without an authorisation`,
      });
    if (captured + released > locked)
      out.push({
        check: 'hold',
        reference: r.reference,
        message: `captured ${captured} + released ${released} exceed the ${locked} locked`,
      });
    if (held !== locked - captured - released)
      out.push({
        check: 'hold',
        reference: r.reference,
        message: `the hold account holds ${held}, but locked − captured − released = ${locked - captured - released}`,
      });
    const settledLongAgo = r.settled_at && now.getTime() - r.settled_at.getTime() > 3_600_000;
    if (n(r.releases) > 0 || settledLongAgo) {
      if (locked - captured !== released)
        out.push({
          check: 'hold',
          reference: r.reference,
          message: `locked ${locked} − captured ${captured} = ${locked - captured}, but ${released} was released`,
        });
    }
  }

  const coaches = await client.query<{ account: string; currency: string; earned: string; paid_out: string }>(
    `SELECT e.account, e.currency,
            -coalesce(sum(e.amount_minor) FILTER (WHERE t.kind::text = ANY($1)), 0) AS earned,
            coalesce(sum(e.amount_minor) FILTER (WHERE t.kind IN ('payout', 'payout_reversal')), 0) AS paid_out
     FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
     WHERE e.account LIKE 'coach_payable:%'
     GROUP BY e.account, e.currency ORDER BY e.account, e.currency`,
    [[...EARNING_KINDS, ...REFUND_KINDS]],
  );
  for (const r of coaches.rows) {
    if (n(r.paid_out) > n(r.earned))
      out.push({
        check: 'payouts',
        reference: r.account,
        message: `paid out ${r.paid_out} ${r.currency} but earned only ${r.earned} (net of refunds)`,
      });
  }

  const overReversed = await client.query<{ reference: string; paid: string; reversed: string }>(
    `SELECT t.reference,
            coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'payout'), 0) AS paid,
            coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'payout_reversal'), 0) AS reversed
     FROM ledger_transactions t
     WHERE t.kind IN ('payout', 'payout_reversal')
     GROUP BY t.reference
     HAVING coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'payout_reversal'), 0)
          > coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'payout'), 0)
     ORDER BY t.reference`,
  );
  for (const r of overReversed.rows)
    out.push({
      check: 'reversals',
      reference: r.reference,
      message: `reversed ${r.reversed} of a payout of ${r.paid}`,
    });

  if (await table(client, 'payouts')) {
    // Transfer reversals are keyed payout_reversal:<payout id>:<reversal id> (a failed transfer's
    // reversal, payout_reversal:<payout id>, is not one); the row's total is written with them.
    const rows = await client.query<{ payout_id: string; on_row: string | null; in_ledger: string }>(
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
    for (const r of rows.rows)
      out.push({
        check: 'reversals',
        reference: `payout:${r.payout_id}`,
        message:
          r.on_row === null
            ? `the ledger holds ${r.in_ledger} of transfer reversals for a payout with no row`
            : `the payout row says ${r.on_row} reversed, the ledger's transfer reversals ${r.in_ledger}`,
      });
  }
  return out;
}

async function table(client: pg.ClientBase, name: string): Promise<boolean> {
  const { rows } = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [name]);
  return rows[0]?.t != null;
}

/** Stripe's copy of an object, or undefined with the failure recorded as a difference. */
async function fetchOr<T>(
  out: Difference[],
  reference: string,
  what: string,
  get: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await get();
  } catch (err) {
    out.push({
      check: 'stripe',
      reference,
      message: `${what} could not be read from Stripe: ${(err as Error).message}`,
    });
    return undefined;
  }
}

/** What the ledger recorded against what Stripe has, object by object. */
export async function stripeDifferences(
  client: pg.ClientBase,
  stripe: Stripe,
): Promise<{ differences: Difference[]; compared: number }> {
  const out: Difference[] = [];
  let compared = 0;
  // Sales: the PaymentIntent of the booking / paid session / purchase the reference names.
  const sources: [string, string, string][] = [
    ['booking:', 'bookings', 'booking_payment'],
    ['paid-session:', 'paid_sessions', 'capture'],
    ['purchase:', 'purchases', 'purchase'],
  ];
  for (const [prefix, tbl, kind] of sources) {
    if (!(await table(client, tbl))) continue;
    const { rows } = await client.query<{
      reference: string;
      amount: string;
      currency: string;
      pi: string | null;
    }>(
      `SELECT t.reference, t.amount_minor AS amount, t.currency, s.payment_intent_id AS pi
       FROM ledger_transactions t
       LEFT JOIN ${tbl} s ON s.id::text = substring(t.reference FROM ${prefix.length + 1})
       WHERE t.kind = $1 AND t.reference LIKE $2`,
      [kind, `${prefix}%`],
    );
    for (const r of rows) {
      compared++;
      if (!r.pi) {
        out.push({
          check: 'stripe',
          reference: r.reference,
          message: `${kind} has no PaymentIntent on record`,
        });
        continue;
      }
      const pi = await fetchOr(out, r.reference, `PaymentIntent ${r.pi}`, () =>
        stripe.paymentIntents.retrieve(r.pi!),
      );
      if (!pi) continue;
      if (pi.amount_received !== n(r.amount) || pi.currency !== r.currency)
        out.push({
          check: 'stripe',
          reference: r.reference,
          message: `${kind} ${r.amount} ${r.currency}, but ${r.pi} received ${pi.amount_received} ${pi.currency}`,
        });
    }
  }
  // Refunds: the refund id is the last part of the key.
  const refunds = await client.query<{ key: string; reference: string; amount: string; currency: string }>(
    `SELECT key, reference, amount_minor AS amount, currency FROM ledger_transactions WHERE kind::text = ANY($1)`,
    [[...REFUND_KINDS]],
  );
  for (const r of refunds.rows) {
    compared++;
    const refundId = r.key.slice(r.key.lastIndexOf(':') + 1);
    const refund = await fetchOr(out, r.reference, `refund ${refundId}`, () =>
      stripe.refunds.retrieve(refundId),
    );
    if (!refund) continue;
    if (refund.amount !== n(r.amount) || refund.currency !== r.currency || refund.status === 'failed')
      out.push({
        check: 'stripe',
        reference: r.reference,
        message: `refund ${r.amount} ${r.currency}, but ${refundId} is ${refund.amount} ${refund.currency} (${refund.status})`,
      });
  }
  // Payouts: the transfer recorded on the payout row.
  if (await table(client, 'payouts')) {
    const { rows } = await client.query<{ reference: string; net: string; transfer: string | null }>(
      `SELECT t.reference,
              sum(CASE WHEN t.kind = 'payout' THEN t.amount_minor ELSE -t.amount_minor END) AS net,
              max(p.stripe_transfer_id) AS transfer
       FROM ledger_transactions t
       LEFT JOIN payouts p ON p.id::text = substring(t.reference FROM 8)
       WHERE t.kind IN ('payout', 'payout_reversal')
       GROUP BY t.reference`,
    );
    for (const r of rows) {
      compared++;
      if (!r.transfer) {
        if (n(r.net) !== 0)
          out.push({
            check: 'stripe',
            reference: r.reference,
            message: `paid out ${r.net} with no transfer on record`,
          });
        continue;
      }
      const tr = await fetchOr(out, r.reference, `transfer ${r.transfer}`, () =>
        stripe.transfers.retrieve(r.transfer!),
      );
      if (!tr) continue;
      const net = tr.amount - tr.amount_reversed;
      if (net !== n(r.net))
        out.push({
          check: 'stripe',
          reference: r.reference,
          message: `ledger paid out ${r.net}, but transfer ${r.transfer} moved ${net}`,
        });
    }
  }
  return { differences: out, compared };
}

export async function reconcile(cfg: Config): Promise<ReconcileReport> {
  const client = new pg.Client({ connectionString: cfg.DATABASE_URL });
  await client.connect();
  try {
    // One snapshot for every query: a posting committed mid-run cannot look like a difference.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM ledger_transactions');
    const differences = await ledgerDifferences(client);
    let stripeSkipped: string | null = null;
    let stripeCompared = 0;
    if (!cfg.STRIPE_SECRET_KEY) {
      stripeSkipped =
        'STRIPE_SECRET_KEY is unset, so Stripe is the local stripe-mock, whose answers are fixtures rather than what was sent: the Stripe side cannot be compared';
    } else {
      const s = await stripeDifferences(client, createStripe(cfg));
      differences.push(...s.differences);
      stripeCompared = s.compared;
    }
    await client.query('COMMIT');
    return { transactions: n(rows[0]?.count ?? 0), differences, stripeSkipped, stripeCompared };
  } finally {
    await client.end();
  }
}

async function main() {
  const cfg = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' });
  const report = await reconcile(cfg);
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    console.log(`ledger: ${report.transactions} transaction(s) checked`);
    for (const d of report.differences) console.log(`DIFFERENCE [${d.check}] ${d.reference}: ${d.message}`);
    console.log(
      report.stripeSkipped
        ? `stripe: not compared — ${report.stripeSkipped}`
        : `stripe: ${report.stripeCompared} object(s) compared`,
    );
    console.log(
      report.differences.length === 0 ? 'OK: no differences' : `${report.differences.length} difference(s)`,
    );
  }
  process.exitCode = report.differences.length === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 2;
  });
}
