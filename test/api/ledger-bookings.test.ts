import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerDifferences } from '../../scripts/reconcile';
import { accounts } from '../../src/domain/payments/ledger';
import {
  createCoach,
  payBooking,
  slotAfter,
  terminateOpenBookingWorkflows,
  waitForStatus,
  waitUntil,
} from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser } from '../support/users';

// A booking's money on the real stack (Postgres, Temporal with this run's workers, stripe-mock):
// the payment the webhook confirms and the refund the cancellation makes are posted to the ledger by
// booking-<id> through the real activity, balance, and show in the coach's earnings.

let ctx: TestContext;
let raw: pg.Client;
beforeAll(async () => {
  ctx = await startTestContext({ workers: true, env: { PLATFORM_FEE_BPS: '1250' } });
  raw = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await raw.connect();
});
afterAll(async () => {
  await raw?.end();
  if (ctx) await terminateOpenBookingWorkflows(ctx.deps);
  await ctx?.close();
});

const ledgerOf = async (reference: string) =>
  (
    await raw.query<{ key: string; kind: string; amount_minor: string; lines: Record<string, number> }>(
      `SELECT t.key, t.kind, t.amount_minor,
              jsonb_object_agg(e.account, e.amount_minor) AS lines
       FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id
       WHERE t.reference = $1 GROUP BY t.id ORDER BY t.occurred_at, t.key`,
      [reference],
    )
  ).rows;

describe('booking payments and refunds in the ledger', () => {
  it('paid → one booking_payment at the configured fee; coach cancels → one booking_refund; earnings net to zero', async () => {
    const coach = await createCoach(ctx.app, ctx.deps, { service: { priceMinor: 4_999, currency: 'GBP' } });
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const slot = await slotAfter(ctx.app, coach.service.id, 30 * 60_000);
    const created = await call(ctx.app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: coach.service.id, start: slot.start },
    });
    expect(created.status).toBe(201);
    const booking = created.body.booking;
    const reference = `booking:${booking.id}`;

    // Stripe redelivers: the same event twice still makes one ledger transaction.
    await payBooking(ctx.app, ctx.deps, booking);
    await payBooking(ctx.app, ctx.deps, booking);
    await waitForStatus(ctx.deps, booking.id, 'CONFIRMED');
    const paid = await waitUntil(
      'the payment in the ledger',
      () => ledgerOf(reference),
      (rows) => rows.length === 1,
    );
    const coachAccount = accounts.coachPayable(coach.user.id);
    expect(paid[0]).toMatchObject({
      key: `booking_payment:${reference}`,
      kind: 'booking_payment',
      amount_minor: '4999',
      // 12.5 % of 4,999 = 624.875 → 624 to the platform, 4,375 to the coach.
      lines: { [accounts.cash]: 4_999, [coachAccount]: -4_375, [accounts.platformFee]: -624 },
    });
    const before = await call(ctx.app, 'GET', '/api/coaches/me/earnings', { token: coach.user.token });
    expect(before.body.balances).toEqual([
      { currency: 'gbp', pendingMinor: 4_375, availableMinor: 0, paidOutMinor: 0, earnedMinor: 4_375 },
    ]);
    expect(before.body.feeBps).toBe(1250);

    const cancelled = await call(ctx.app, 'POST', `/api/bookings/${booking.id}/cancel`, {
      token: coach.user.token,
      body: { reason: 'Rain' },
    });
    expect(cancelled.status).toBe(200);
    const rows = await waitUntil(
      'the refund in the ledger',
      () => ledgerOf(reference),
      (r) => r.length === 2,
    );
    const refund = rows.find((r) => r.kind === 'booking_refund')!;
    const row = await ctx.deps.db.booking.findUniqueOrThrow({ where: { id: booking.id } });
    expect(refund).toMatchObject({
      key: `booking_refund:${reference}:${row.refundId}`,
      amount_minor: String(row.refundedMinor),
    });
    expect(row.refundedMinor).toBe(4_999); // the coach cancelled: all of it back
    expect(refund.lines).toEqual({
      [accounts.cash]: -4_999,
      [coachAccount]: 4_375,
      [accounts.platformFee]: 624,
    });

    const after = await call(ctx.app, 'GET', '/api/coaches/me/earnings', { token: coach.user.token });
    expect(after.body.balances[0]).toMatchObject({ pendingMinor: 0, availableMinor: 0, earnedMinor: 0 });
    expect(
      after.body.movements.items.map((m: { kind: string; coachMinor: number }) => [m.kind, m.coachMinor]),
    ).toEqual([
      ['booking_refund', -4_375],
      ['booking_payment', 4_375],
    ]);
    // The reconcile invariants hold for this booking (other files' rows share the database).
    const differences = await ledgerDifferences(raw);
    expect(differences.filter((d) => d.reference === reference || d.reference === coachAccount)).toEqual([]);
  }, 90_000);
});
