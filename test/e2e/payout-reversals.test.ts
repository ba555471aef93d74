import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerDifferences } from '../../scripts/reconcile';
import { coachBalances } from '../../src/data/ledger';
import {
  payoutReversalWorkflowId,
  payoutWorkflowType,
  type PayoutReversalWorkflow,
  type PayoutWorkflow,
} from '../../workflows/payouts/definitions';
import { postStripeEvent } from '../support/bookings';
import { call, type TestContext } from '../support/harness';
import { messagesTo, readMessage, waitForMessages } from '../support/mailbox';
import {
  connectCoach,
  giveEarnings,
  payoutsOf,
  setPayoutsEnabled,
  startPayoutWorld,
  closePayoutWorld,
  transferReversedEvent,
  type StripeProxy,
} from '../support/payouts';

// Stripe's transfer.reversed for a payout that was made, on the real stack: the API and this run's
// workers, Postgres (the real ledger), the Temporal server, stripe-mock behind the recording proxy
// (the payout's transfer is made there, and the event carries the Transfer as stripe-mock answers
// it), Mailpit. Each reversal is posted once, the coach's balance is payable again, the payout shows
// what was reversed, and an event that does not match the payout posts nothing.

const DomainStatus = defineSearchAttributeKey('DomainStatus', SearchAttributeType.KEYWORD);

let proxy: StripeProxy;
let ctx: TestContext;
beforeAll(async () => {
  ({ proxy, ctx } = await startPayoutWorld({ workers: true }));
});
afterAll(() => closePayoutWorld(ctx, proxy));

const gbp = async (coachId: string) =>
  (await coachBalances(ctx.deps.db, coachId, new Date(), 0)).find((b) => b.currency === 'gbp');

const ledgerOf = (payoutId: string) =>
  ctx.deps.db.$queryRaw<{ key: string; kind: string; amount_minor: bigint }[]>`
    SELECT key, kind::text, amount_minor FROM ledger_transactions
    WHERE reference = ${`payout:${payoutId}`} ORDER BY created_at, key`;

/** Runs a payout of the coach's available balance by hand (period `label`) and returns its result. */
function payNow(coachId: string, label: string) {
  return ctx.deps.temporal.workflow.execute<PayoutWorkflow>(payoutWorkflowType, {
    taskQueue: ctx.deps.cfg.TEMPORAL_TASK_QUEUE,
    workflowId: `payout-${coachId}-${label}`,
    args: [{ coachId }],
  });
}

/** Posts the signed event, checks it was routed to the transfer's workflow, and waits for that run. */
async function deliver(event: ReturnType<typeof transferReversedEvent>) {
  const res = await postStripeEvent(ctx.app, ctx.deps, event);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ eventId: event.id, outcome: 'routed' });
  const workflowId = payoutReversalWorkflowId(event.data.object.id as string);
  const stored = await ctx.deps.db.stripeWebhookEvent.findUniqueOrThrow({ where: { id: event.id } });
  expect(stored.routedTo).toBe(workflowId);
  const handle = ctx.deps.temporal.workflow.getHandle<PayoutReversalWorkflow>(workflowId);
  const result = await handle.result();
  const status = (await handle.describe()).typedSearchAttributes.get(DomainStatus);
  return { result, status };
}

async function reconcileDifferences() {
  const client = new pg.Client({ connectionString: ctx.deps.cfg.DATABASE_URL });
  await client.connect();
  try {
    return await ledgerDifferences(client);
  } finally {
    await client.end();
  }
}

describe('transfer.reversed for a payout that was made', () => {
  it('posts each reversal once, makes it payable again, shows it on the payout, and refuses a mismatch', async () => {
    const coach = await connectCoach(ctx.app, ctx.deps);
    await setPayoutsEnabled(ctx.app, ctx.deps, coach, true);
    await giveEarnings(ctx.deps, coach.user.id, 10_000); // 9,000 after the 10 % fee
    const paid = await payNow(coach.user.id, 'reversal-1');
    expect(paid).toMatchObject({ status: 'paid', payouts: [{ amountMinor: 9_000, status: 'paid' }] });
    const [payout] = await payoutsOf(ctx.deps, coach.user.id);
    const transferId = payout!.stripeTransferId!;
    expect(transferId).toMatch(/^tr_/);
    expect(await gbp(coach.user.id)).toMatchObject({ availableMinor: 0, paidOutMinor: 9_000 });

    // The Transfer as Stripe answers it (stripe-mock's shape), reported with our transfer's id and amount.
    const transfer = {
      ...(await ctx.deps.stripe.transfers.retrieve(transferId)),
      id: transferId,
    } as unknown as Record<string, unknown> & { id: string };
    const trr1 = `trr_${payout!.id.slice(0, 8)}a`;
    const trr2 = `trr_${payout!.id.slice(0, 8)}b`;

    // 1. One partial reversal of 2,500: one payout_reversal, payable again, shown on the payout.
    const first = transferReversedEvent(transfer, {
      amount: 9_000,
      currency: 'gbp',
      reversals: [{ id: trr1, amount: 2_500 }],
    });
    expect(await deliver(first)).toEqual({
      result: { events: 1, posted: 1, refused: 0, reversedMinor: 2_500 },
      status: 'PARTLY_REVERSED',
    });
    expect((await ledgerOf(payout!.id)).map((r) => [r.key, r.kind, Number(r.amount_minor)])).toEqual([
      [`payout:${payout!.id}`, 'payout', 9_000],
      [`payout_reversal:${payout!.id}:${trr1}`, 'payout_reversal', 2_500],
    ]);
    expect(await gbp(coach.user.id)).toMatchObject({ availableMinor: 2_500, paidOutMinor: 6_500 });
    const row = await ctx.deps.db.payout.findUniqueOrThrow({ where: { id: payout!.id } });
    expect(row).toMatchObject({ status: 'paid', amountReversedMinor: 2_500 });
    expect(row.reversedAt).toBeInstanceOf(Date);
    const list = await call(ctx.app, 'GET', '/api/coaches/me/payouts', { token: coach.user.token });
    expect(list.status).toBe(200);
    expect(list.body.items.find((p: { id: string }) => p.id === payout!.id)).toMatchObject({
      status: 'paid',
      amountMinor: 9_000,
      reversal: 'partial',
      amountReversedMinor: 2_500,
      reversedAt: row.reversedAt!.toISOString(),
    });
    const [mail] = await waitForMessages(coach.user.email, { subject: /^Payout reversed/ });
    expect(mail!.Subject).toBe('Payout reversed: £25.00');
    expect((await readMessage(mail!.ID)).Text).toContain('is included in your next payout');
    // The coach's movements show it too.
    const earnings = await call(ctx.app, 'GET', '/api/coaches/me/earnings', { token: coach.user.token });
    expect(JSON.stringify(earnings.body)).toContain('payout_reversal');

    // 2. The same event again (Stripe's redelivery): a duplicate. The same content under another
    //    event id: routed, but nothing new is posted or emailed.
    const again = await postStripeEvent(ctx.app, ctx.deps, first);
    expect(again.body.outcome).toBe('duplicate');
    const copy = { ...first, id: `${first.id}_copy` };
    expect(await deliver(copy)).toEqual({
      result: { events: 1, posted: 0, refused: 0, reversedMinor: 2_500 },
      status: 'PARTLY_REVERSED',
    });
    expect(await ledgerOf(payout!.id)).toHaveLength(2);

    // 3. A later event listing the first reversal and a second of 1,000: only the second is posted.
    const second = transferReversedEvent(transfer, {
      amount: 9_000,
      currency: 'gbp',
      reversals: [
        { id: trr2, amount: 1_000 },
        { id: trr1, amount: 2_500 },
      ],
    });
    expect(await deliver(second)).toEqual({
      result: { events: 1, posted: 1, refused: 0, reversedMinor: 3_500 },
      status: 'PARTLY_REVERSED',
    });
    expect((await ledgerOf(payout!.id)).map((r) => [r.key, Number(r.amount_minor)])).toEqual([
      [`payout:${payout!.id}`, 9_000],
      [`payout_reversal:${payout!.id}:${trr1}`, 2_500],
      [`payout_reversal:${payout!.id}:${trr2}`, 1_000],
    ]);
    expect(await gbp(coach.user.id)).toMatchObject({ availableMinor: 3_500, paidOutMinor: 5_500 });
    expect(await ctx.deps.db.payout.findUniqueOrThrow({ where: { id: payout!.id } })).toMatchObject({
      amountReversedMinor: 3_500,
    });
    const mails = await waitForMessages(coach.user.email, { subject: /^Payout reversed/, count: 2 });
    expect(mails.map((m) => m.Subject).sort()).toEqual([
      'Payout reversed: £10.00',
      'Payout reversed: £25.00',
    ]);

    // 4. Wrong currency (the transfer and its new reversal in usd): refused, nothing posted.
    const usd = transferReversedEvent(transfer, {
      amount: 9_000,
      currency: 'usd',
      reversals: [
        { id: `trr_${payout!.id.slice(0, 8)}c`, amount: 1_000 },
        { id: trr2, amount: 1_000 },
        { id: trr1, amount: 2_500 },
      ],
    });
    expect(await deliver(usd)).toEqual({
      result: { events: 1, posted: 0, refused: 1, reversedMinor: null },
      status: 'REFUSED',
    });
    //    A reversal in another currency than its gbp transfer: refused as well.
    const mixed = transferReversedEvent(transfer, {
      amount: 9_000,
      currency: 'gbp',
      reversals: [
        { id: `trr_${payout!.id.slice(0, 8)}d`, amount: 1_000, currency: 'eur' },
        { id: trr2, amount: 1_000 },
        { id: trr1, amount: 2_500 },
      ],
    });
    expect((await deliver(mixed)).status).toBe('REFUSED');
    //    And one whose reversal, with the 3,500 already reversed, would exceed the 9,000 paid out.
    const over = transferReversedEvent(transfer, {
      amount: 9_000,
      currency: 'gbp',
      reversals: [{ id: `trr_${payout!.id.slice(0, 8)}e`, amount: 6_000 }],
    });
    expect((await deliver(over)).result).toMatchObject({ posted: 0, refused: 1 });
    expect(await ledgerOf(payout!.id)).toHaveLength(3);
    expect(await gbp(coach.user.id)).toMatchObject({ availableMinor: 3_500, paidOutMinor: 5_500 });
    expect(await ctx.deps.db.payout.findUniqueOrThrow({ where: { id: payout!.id } })).toMatchObject({
      amountReversedMinor: 3_500,
    });
    expect(
      (await messagesTo(coach.user.email)).filter((m) => /^Payout reversed/.test(m.Subject)),
    ).toHaveLength(2);

    // 5. The next payout pays what was reversed, once; reconcile finds nothing to report.
    const repaid = await payNow(coach.user.id, 'reversal-2');
    expect(repaid).toMatchObject({ status: 'paid', payouts: [{ amountMinor: 3_500, status: 'paid' }] });
    expect(await gbp(coach.user.id)).toMatchObject({ availableMinor: 0, paidOutMinor: 9_000 });
    const unbalanced = await ctx.deps.db.$queryRaw<{ transaction_id: string }[]>`
      SELECT transaction_id FROM ledger_entries GROUP BY transaction_id, currency HAVING sum(amount_minor) <> 0`;
    expect(unbalanced).toEqual([]);
    // npm run reconcile's ledger checks, on what this test made (the run's database is shared by files).
    const ours = [
      `coach_payable:${coach.user.id}`,
      ...(await payoutsOf(ctx.deps, coach.user.id)).map((p) => `payout:${p.id}`),
    ];
    expect((await reconcileDifferences()).filter((d) => ours.includes(d.reference))).toEqual([]);
  });

  it('a transfer.reversed for a transfer that is not a payout of ours is acknowledged and ignored', async () => {
    const event = transferReversedEvent(
      { id: 'tr_not_ours_1', object: 'transfer' },
      { amount: 1_000, currency: 'gbp', reversals: [{ id: 'trr_not_ours', amount: 1_000 }] },
    );
    const res = await postStripeEvent(ctx.app, ctx.deps, event);
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('ignored');
  });

  it('an unreadable event for our transfer is routed, refused by the workflow, and posts nothing', async () => {
    const coach = await connectCoach(ctx.app, ctx.deps);
    await setPayoutsEnabled(ctx.app, ctx.deps, coach, true);
    await giveEarnings(ctx.deps, coach.user.id, 2_000); // 1,800
    await payNow(coach.user.id, 'unreadable-1');
    const [payout] = await payoutsOf(ctx.deps, coach.user.id);
    const event = transferReversedEvent(
      { id: payout!.stripeTransferId!, object: 'transfer' },
      { amount: 1_800, currency: 'gbp', reversals: [{ id: 'trr_bad', amount: 500 }] },
    );
    (event.data.object.reversals.data[0] as { amount: unknown }).amount = '500';
    expect(await deliver(event)).toEqual({
      result: { events: 1, posted: 0, refused: 1, reversedMinor: null },
      status: 'REFUSED',
    });
    expect(await ledgerOf(payout!.id)).toHaveLength(1);
    expect(await gbp(coach.user.id)).toMatchObject({ availableMinor: 0, paidOutMinor: 1_800 });
  });
});
