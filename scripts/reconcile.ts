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
import { loadConfig, type Config } from '../src/infra/config';
import { createStripe } from '../src/infra/stripe';
import { n, type Difference } from './reconcile/differences';
import { ledgerDifferences } from './reconcile/ledger';
import { stripeDifferences } from './reconcile/stripe';

// The checks live in scripts/reconcile/ (ledger.ts: the invariants; stripe.ts: the comparison with
// Stripe); this file runs them in one snapshot and prints the report.
export { ledgerDifferences, stripeDifferences, type Difference };

export interface ReconcileReport {
  transactions: number;
  differences: Difference[];
  /** Why the Stripe side was not compared, or null when it was. */
  stripeSkipped: string | null;
  stripeCompared: number;
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
