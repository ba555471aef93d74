import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stripeDifferences } from '../../scripts/reconcile';
import { ledger } from '../../src/domain/payments/ledger';
import { postLedgerDrafts } from '../../src/data/ledger';
import { dropDatabase, ensureDatabase } from '../../src/dev/postgres';
import { REPO_ROOT } from '../../src/dev/services';
import { migrate } from '../../src/infra/migrations';
import { loadConfig } from '../../src/infra/config';
import { createPrisma, type Db } from '../../src/infra/prisma';
import { createStripe } from '../../src/infra/stripe';

// npm run reconcile against a database of its own (so other files' ledger rows cannot change its
// verdict): a balanced fixture passes, and each kind of corruption is reported with exit code 1.

const run = promisify(execFile);
let url: string;
let db: Db;
let raw: pg.Client;

beforeAll(async () => {
  const u = new URL(process.env.DATABASE_URL!);
  u.pathname = `/reconcile_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  url = u.toString();
  await ensureDatabase(url);
  await migrate(url);
  db = createPrisma(url, 2);
  raw = new pg.Client({ connectionString: url });
  await raw.connect();
}, 60_000);
afterAll(async () => {
  await raw?.end();
  await db?.$disconnect();
  if (url) await dropDatabase(url).catch(() => {});
});

async function reconcile(): Promise<{ code: number; out: string }> {
  const env = { ...process.env, DATABASE_URL: url, STRIPE_SECRET_KEY: '', LOG_LEVEL: 'silent' };
  try {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'scripts/reconcile.ts')],
      {
        env,
        cwd: REPO_ROOT,
      },
    );
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
const coach = randomUUID();
const student = randomUUID();
const session = `paid-session:${randomUUID()}`;
const booking = `booking:${randomUUID()}`;

describe('npm run reconcile', () => {
  it('passes a balanced ledger of every kind of event, and says Stripe cannot be compared with stripe-mock', async () => {
    const base = { studentId: student, coachId: coach, currency: 'gbp' };
    await postLedgerDrafts(db, [
      ledger.authorisation({ ...base, reference: session, amountMinor: 5_000, occurredAt: at(9) }),
      ledger.capture({ ...base, reference: session, amountMinor: 1_234, feeBps: 1000, occurredAt: at(9) }),
      ledger.release({ ...base, reference: session, amountMinor: 3_766, occurredAt: at(9) }),
      ledger.bookingPayment({
        ...base,
        reference: booking,
        amountMinor: 4_000,
        feeBps: 1000,
        stripeFeeMinor: 80,
        occurredAt: at(8),
      }),
      ledger.bookingRefund({
        ...base,
        reference: booking,
        refundId: 're_1',
        amountMinor: 1_000,
        feeBps: 1000,
        occurredAt: at(7),
      }),
      ledger.payout({
        payoutId: 'po_1',
        coachId: coach,
        amountMinor: 2_000,
        currency: 'gbp',
        occurredAt: at(1),
      }),
    ]);
    const { code, out } = await reconcile();
    expect(out).toContain('ledger: 6 transaction(s) checked');
    expect(out).toMatch(/stripe: not compared — STRIPE_SECRET_KEY is unset.*cannot be compared/);
    expect(out).toContain('OK: no differences');
    expect(code).toBe(0);
  }, 60_000);

  it('reports a hand-edited entry (past the append-only guard), an over-released hold and an over-payout; exit 1', async () => {
    // An edit the database's guards normally refuse, made as a superuser with triggers off.
    await raw.query('BEGIN');
    await raw.query("SET LOCAL session_replication_role = 'replica'");
    await raw.query(
      `UPDATE ledger_entries SET amount_minor = amount_minor - 1
       WHERE account = 'platform_fee' AND transaction_id = (SELECT id FROM ledger_transactions WHERE key = $1)`,
      [`capture:${session}`],
    );
    await raw.query('COMMIT');
    // Balanced, so the database accepts them, but wrong: a second hold on another session released
    // beyond what was locked, and a payout larger than the coach ever earned.
    const other = `paid-session:${randomUUID()}`;
    await postLedgerDrafts(db, [
      ledger.authorisation({
        reference: other,
        studentId: student,
        coachId: coach,
        amountMinor: 500,
        currency: 'gbp',
        occurredAt: at(2),
      }),
      ledger.release({
        reference: other,
        studentId: student,
        coachId: coach,
        amountMinor: 700,
        currency: 'gbp',
        occurredAt: at(2),
      }),
      ledger.payout({
        payoutId: 'po_2',
        coachId: coach,
        amountMinor: 9_000,
        currency: 'gbp',
        occurredAt: at(0),
      }),
    ]);

    const { code, out } = await reconcile();
    expect(code).toBe(1);
    expect(out).toContain(
      `DIFFERENCE [balanced] ${session}: transaction capture:${session} does not balance in gbp: entries sum to -1`,
    );
    expect(out).toContain(
      `DIFFERENCE [split] ${session}: capture capture:${session}: amount 1234 ≠ coach earnings + platform fee 1235`,
    );
    expect(out).toContain(`DIFFERENCE [hold] ${other}: captured 0 + released 700 exceed the 500 locked`);
    expect(out).toContain(`DIFFERENCE [hold] ${other}: locked 500 − captured 0 = 500, but 700 was released`);
    expect(out).toMatch(
      new RegExp(`DIFFERENCE \\[payouts\\] coach_payable:${coach}: paid out 11000 gbp but earned only 3\\d+`),
    );
    expect(out).toMatch(/\d+ difference\(s\)/);
    expect(out).not.toContain('OK: no differences');
  }, 60_000);

  it('the Stripe comparison reports each object that differs and passes one that matches (run against stripe-mock, whose refunds are 100 usd)', async () => {
    await postLedgerDrafts(db, [
      ledger.bookingRefund({
        reference: booking,
        refundId: 're_matches',
        studentId: student,
        coachId: coach,
        amountMinor: 100,
        currency: 'usd',
        feeBps: 1000,
        occurredAt: at(0),
      }),
    ]);
    const stripe = createStripe(loadConfig({ ...process.env, STRIPE_SECRET_KEY: '' }));
    const { differences, compared } = await stripeDifferences(raw, stripe);
    const messages = differences.map((d) => `${d.reference}: ${d.message}`);
    // The booking row does not exist in this database: nothing to compare its payment with.
    expect(messages).toContain(`${booking}: booking_payment has no PaymentIntent on record`);
    // stripe-mock's re_1 is 100 usd, the ledger says 1,000 gbp; re_matches agrees with it.
    expect(messages).toContain(`${booking}: refund 1000 gbp, but re_1 is 100 usd (succeeded)`);
    expect(messages.filter((m) => m.includes('re_matches'))).toEqual([]);
    // Payouts without a payouts row (and so without a transfer) are reported with their net amount.
    expect(messages).toContain('payout:po_1: paid out 2000 with no transfer on record');
    expect(compared).toBeGreaterThanOrEqual(5);
  }, 60_000);

  it('reports a payout reversed beyond what it paid, and a payout row whose reversed total the ledger does not hold', async () => {
    // Balanced transactions the ledger accepts, but wrong together: 1,500 reversed of a 1,000 payout.
    await postLedgerDrafts(db, [
      ledger.payout({
        payoutId: 'po_3',
        coachId: coach,
        amountMinor: 1_000,
        currency: 'gbp',
        occurredAt: at(0),
      }),
      ledger.transferReversal({
        payoutId: 'po_3',
        reversalId: 'trr_3',
        coachId: coach,
        amountMinor: 1_500,
        currency: 'gbp',
        occurredAt: at(0),
      }),
    ]);
    // A payout row saying 400 was reversed, with no reversal in the ledger.
    const user = await db.user.create({
      data: { email: `reconcile-${randomUUID()}@example.test`, name: 'Coach', passwordHash: 'x' },
    });
    const row = await db.payout.create({
      data: {
        coachId: user.id,
        period: 'p1',
        amountMinor: 1_000,
        currency: 'gbp',
        status: 'paid',
        stripeTransferId: `tr_${randomUUID().slice(0, 8)}`,
        workflowId: 'payout-x',
        amountReversedMinor: 400,
        reversedAt: new Date(),
      },
    });
    const { code, out } = await reconcile();
    expect(code).toBe(1);
    expect(out).toContain('DIFFERENCE [reversals] payout:po_3: reversed 1500 of a payout of 1000');
    expect(out).toContain(
      'DIFFERENCE [reversals] payout:po_3: the ledger holds 1500 of transfer reversals for a payout with no row',
    );
    expect(out).toContain(
      `DIFFERENCE [reversals] payout:${row.id}: the payout row says 400 reversed, the ledger's transfer reversals 0`,
    );
  }, 60_000);
});
