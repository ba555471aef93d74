import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledger, type LedgerTransactionDraft } from '../../src/domain/payments/ledger';
import { coachBalances, postLedgerDrafts } from '../../src/data/ledger';
import { ledgerActivities } from '../../activities/payments/ledger';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser, type TestUser } from '../support/users';

// The ledger on real Postgres: posting (idempotent, atomic, guarded by the database itself),
// balances derived from entries with the hold period, and GET /api/coaches/me/earnings.

const DAY = 86_400_000;
const HOLD = 7 * DAY;

let ctx: TestContext;
let raw: pg.Client;
beforeAll(async () => {
  ctx = await startTestContext({ env: { EARNINGS_HOLD_PERIOD: '7d', PLATFORM_FEE_BPS: '1000' } });
  raw = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await raw.connect();
});
afterAll(async () => {
  await raw?.end();
  await ctx?.close();
});

const iso = (ms: number) => new Date(ms).toISOString();

function sale(coachId: string, amountMinor: number, atMs: number, currency = 'gbp') {
  return ledger.bookingPayment({
    reference: `booking:${randomUUID()}`,
    studentId: randomUUID(),
    coachId,
    amountMinor,
    currency,
    feeBps: 1000,
    occurredAt: iso(atMs),
  });
}

const entryCount = async (key: string) =>
  Number(
    (
      await raw.query<{ n: string }>(
        `SELECT count(*) AS n FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id WHERE t.key = $1`,
        [key],
      )
    ).rows[0]!.n,
  );

describe('posting', () => {
  it('posts a draft once by key; a retry of the same event changes nothing', async () => {
    const coach = randomUUID();
    const d = sale(coach, 10_000, Date.now());
    expect(await postLedgerDrafts(ctx.deps.db, [d])).toEqual({ posted: [d.key], alreadyPosted: [] });
    expect(await postLedgerDrafts(ctx.deps.db, [d])).toEqual({ posted: [], alreadyPosted: [d.key] });
    // Concurrent retries (a worker crash and a redelivery) still leave one transaction.
    await Promise.all([1, 2, 3].map(() => postLedgerDrafts(ctx.deps.db, [d])));
    expect(await entryCount(d.key)).toBe(3); // cash, coach, fee
    const { rows } = await raw.query(`SELECT count(*)::int AS n FROM ledger_transactions WHERE key = $1`, [
      d.key,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('posts several drafts all or nothing', async () => {
    const coach = randomUUID();
    const good = sale(coach, 5_000, Date.now());
    const used = sale(coach, 7_000, Date.now());
    await postLedgerDrafts(ctx.deps.db, [used]);
    // Same key as `used` but a different amount: a key conflict, so `good` is not posted either.
    const clash: LedgerTransactionDraft = {
      ...sale(coach, 1_234, Date.now()),
      key: used.key,
      reference: used.reference,
    };
    await expect(postLedgerDrafts(ctx.deps.db, [good, clash])).rejects.toThrow(
      /already posted for a different event/,
    );
    expect(await entryCount(good.key)).toBe(0);
  });

  it('the activity refuses an unbalanced draft for good (non-retryable)', async () => {
    const { postLedgerTransactions } = ledgerActivities(ctx.deps);
    const d = sale(randomUUID(), 1_000, Date.now());
    const bad = {
      ...d,
      lines: d.lines.map((l, i) => (i === 0 ? { ...l, amountMinor: l.amountMinor - 1 } : l)),
    };
    await expect(postLedgerTransactions([bad])).rejects.toMatchObject({
      type: 'LedgerRejected',
      nonRetryable: true,
      message: expect.stringMatching(/gbp does not balance \(sum -1\)/),
    });
    expect(await entryCount(d.key)).toBe(0);
  });

  it('the database refuses to commit an unbalanced transaction, whoever writes it', async () => {
    const id = randomUUID();
    await raw.query('BEGIN');
    await raw.query(
      `INSERT INTO ledger_transactions (id, key, kind, reference, amount_minor, currency, occurred_at)
       VALUES ($1, $2, 'purchase', 'purchase:x', 100, 'gbp', now())`,
      [id, `hand-typed:${id}`],
    );
    await raw.query(
      `INSERT INTO ledger_entries (transaction_id, account, currency, amount_minor) VALUES ($1, 'cash:stripe', 'gbp', 100), ($1, 'platform_fee', 'gbp', -99)`,
      [id],
    );
    await expect(raw.query('COMMIT')).rejects.toThrow(/does not balance in gbp \(sum 1\)/);
    const { rows } = await raw.query(`SELECT count(*)::int AS n FROM ledger_transactions WHERE id = $1`, [
      id,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('the ledger is append-only: UPDATE and DELETE are refused', async () => {
    const d = sale(randomUUID(), 2_000, Date.now());
    await postLedgerDrafts(ctx.deps.db, [d]);
    await expect(
      raw.query(
        `UPDATE ledger_entries SET amount_minor = amount_minor + 1 WHERE transaction_id = (SELECT id FROM ledger_transactions WHERE key = $1)`,
        [d.key],
      ),
    ).rejects.toThrow(/append-only \(UPDATE on ledger_entries\)/);
    await expect(raw.query(`DELETE FROM ledger_transactions WHERE key = $1`, [d.key])).rejects.toThrow(
      /append-only/,
    );
    expect(await entryCount(d.key)).toBe(3);
  });
});

describe('coachBalances', () => {
  it('earnings are pending for the hold period, then available; payouts and refunds come off', async () => {
    const coach = randomUUID();
    const now = Date.parse('2026-11-30T12:00:00Z');
    const old = sale(coach, 10_000, now - 10 * DAY); // coach 9,000, available
    const recent = sale(coach, 5_005, now - 2 * DAY); // coach 4,505 (fee 500 rounded down), pending
    const refundOld = ledger.bookingRefund({
      reference: old.reference,
      refundId: 're_old',
      studentId: 's',
      coachId: coach,
      amountMinor: 1_000, // coach gives back 900
      currency: 'gbp',
      feeBps: 1000,
      occurredAt: iso(now - 1 * DAY),
    });
    const payoutId = randomUUID();
    const payout = ledger.payout({
      payoutId,
      coachId: coach,
      amountMinor: 5_000,
      currency: 'gbp',
      occurredAt: iso(now - 3 * DAY),
    });
    const usd = sale(coach, 3_000, now - 20 * DAY, 'usd');
    const future = sale(coach, 9_999, now + DAY); // after asOf: not counted
    await postLedgerDrafts(ctx.deps.db, [old, recent, refundOld, payout, usd, future]);

    const balances = await coachBalances(ctx.deps.db, coach, new Date(now), HOLD);
    expect(balances).toEqual([
      // owed 9,000 + 4,505 − 900 − 5,000 = 7,605; pending = 4,505 − 900 (refund within the hold) = 3,605
      {
        currency: 'gbp',
        pendingMinor: 3_605,
        availableMinor: 4_000,
        paidOutMinor: 5_000,
        earnedMinor: 12_605,
      },
      { currency: 'usd', pendingMinor: 0, availableMinor: 2_700, paidOutMinor: 0, earnedMinor: 2_700 },
    ]);
    // Eight days on, the recent sale and the one a day after `now` (9,999: coach 9,000, fee 999 rounded
    // down) have matured.
    const later = await coachBalances(ctx.deps.db, coach, new Date(now + 8 * DAY), HOLD);
    expect(later[0]).toMatchObject({
      pendingMinor: 0,
      availableMinor: 7_605 + 9_000,
      earnedMinor: 12_605 + 9_000,
    });
    // A payout reversal makes the money available again.
    await postLedgerDrafts(ctx.deps.db, [
      ledger.payoutReversal({
        payoutId,
        coachId: coach,
        amountMinor: 5_000,
        currency: 'gbp',
        reason: 'account closed',
        occurredAt: iso(now - DAY),
      }),
    ]);
    const reversed = await coachBalances(ctx.deps.db, coach, new Date(now), HOLD);
    expect(reversed[0]).toMatchObject({ availableMinor: 9_000, paidOutMinor: 0 });
  });
});

describe('GET /api/coaches/me/earnings', () => {
  let coach: TestUser;
  let other: TestUser;
  beforeAll(async () => {
    coach = await createUser(ctx.app, ctx.deps, 'coach_pro', 'earner');
    other = await createUser(ctx.app, ctx.deps, 'coach_pro', 'other');
    const now = Date.now();
    const drafts = [0, 1, 2, 3, 4].map((i) => sale(coach.id, 1_000 * (i + 1), now - (i * 2 + 1) * DAY));
    drafts.push(sale(other.id, 99_999, now - DAY));
    await postLedgerDrafts(ctx.deps.db, drafts);
  });

  it('answers balances, the period totals and movements newest first, paginated', async () => {
    const res = await call(ctx.app, 'GET', '/api/coaches/me/earnings?limit=2', { token: coach.token });
    expect(res.status).toBe(200);
    expect(res.body.feeBps).toBe(1000);
    expect(res.body.holdPeriodSeconds).toBe(7 * 86_400);
    // Sales 1,000..5,000 at 1, 3, 5, 7, 9 days ago: coach shares 900 + 1,800 + 2,700 pending, 3,600 + 4,500 available.
    expect(res.body.balances).toEqual([
      { currency: 'gbp', pendingMinor: 5_400, availableMinor: 8_100, paidOutMinor: 0, earnedMinor: 13_500 },
    ]);
    expect(res.body.period.totals).toEqual([
      { currency: 'gbp', earnedMinor: 13_500, refundedMinor: 0, platformFeeMinor: 1_500, paidOutMinor: 0 },
    ]);
    expect(res.body.movements.total).toBe(5);
    expect(res.body.movements.items.map((m: { amountMinor: number }) => m.amountMinor)).toEqual([
      1_000, 2_000,
    ]);
    expect(res.body.movements.items[0]).toMatchObject({
      kind: 'booking_payment',
      coachMinor: 900,
      platformFeeMinor: 100,
      currency: 'gbp',
    });

    const page2 = await call(ctx.app, 'GET', '/api/coaches/me/earnings?limit=2&offset=4', {
      token: coach.token,
    });
    expect(page2.body.movements.items.map((m: { amountMinor: number }) => m.amountMinor)).toEqual([5_000]);
  });

  it('a period narrows totals and movements; balances are as of its end', async () => {
    const now = Date.now();
    const from = iso(now - 6 * DAY);
    const to = iso(now - 2 * DAY);
    const res = await call(ctx.app, 'GET', `/api/coaches/me/earnings?from=${from}&to=${to}`, {
      token: coach.token,
    });
    expect(res.status).toBe(200);
    expect(res.body.movements.items.map((m: { amountMinor: number }) => m.amountMinor)).toEqual([
      2_000, 3_000,
    ]);
    expect(res.body.period).toMatchObject({ from, to });
    expect(res.body.period.totals[0]).toMatchObject({ earnedMinor: 4_500, platformFeeMinor: 500 });
    expect(res.body.asOf).toBe(to);
    // As of two days ago: the 1,000 sale had not happened; the 3, 5 and 7 days old ones were pending.
    expect(res.body.balances[0]).toMatchObject({ pendingMinor: 8_100, availableMinor: 4_500 });
  });

  it('shows only the caller’s own ledger', async () => {
    const res = await call(ctx.app, 'GET', '/api/coaches/me/earnings', { token: other.token });
    expect(res.body.movements.total).toBe(1);
    expect(res.body.balances[0]).toMatchObject({ pendingMinor: 90_000 }); // 99,999 less a 9,999 fee;
    const someone = await createUser(ctx.app, ctx.deps, 'free', 'nobody');
    const empty = await call(ctx.app, 'GET', '/api/coaches/me/earnings', { token: someone.token });
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ balances: [], movements: { items: [], total: 0 } });
  });

  it.each([
    ['from=yesterday', 'from'],
    ['to=2026-11-30T12:00:00', 'to'], // no zone
    ['from=2026-11-30T12:00:00Z&to=2026-11-30T12:00:00Z', 'to'],
    ['from=2026-12-01T00:00:00Z&to=2026-11-30T00:00:00Z', 'to'],
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['offset=-1', 'offset'],
    ['limit=1e400', 'limit'],
    ['from=%00', 'from'],
    ['offset=1e20', 'offset'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const res = await call(ctx.app, 'GET', `/api/coaches/me/earnings?${query}`, { token: coach.token });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(`query.${field}`);
  });

  it('an offset past the end (however large) is an empty page, not an error', async () => {
    const res = await call(ctx.app, 'GET', '/api/coaches/me/earnings?offset=9007199254740991', {
      token: coach.token,
    });
    expect(res.status).toBe(200);
    expect(res.body.movements).toEqual({ items: [], total: 5 });
  });

  it('needs a token', async () => {
    const res = await call(ctx.app, 'GET', '/api/coaches/me/earnings');
    expect(res.status).toBe(401);
  });
});
