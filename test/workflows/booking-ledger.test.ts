import { Worker } from '@temporalio/worker';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { accounts, sumsByCurrency, type LedgerTransactionDraft } from '../../src/domain/payments/ledger';
import {
  bookingReadyUpdate,
  bookingWorkflowType,
  cancelUpdate,
  paymentSignal,
  type BookingSnapshot,
  type BookingWorkflow,
  type BookingWorkflowInput,
  type PaymentSignal,
} from '../../workflows/bookings/definitions';
import { bookingStubs, calls, HOUR, newBooking, succeeded } from '../support/temporal-booking';
import { bundleOldWorkflow } from '../support/old-workflow';
import { eventually, recorded, startWorkflowTestEnv, type WorkflowTestEnv } from '../support/temporal-env';

// The booking workflow's ledger steps (patched('booking-ledger')) against stub activities: what it
// hands postLedgerTransactions, and that a history recorded by the code before the patch still
// replays on the new code.

/** The last commit whose booking workflow had no ledger steps. */
const PRE_LEDGER_COMMIT = 'f2afcd8';

let t: WorkflowTestEnv;
beforeAll(async () => {
  t = await startWorkflowTestEnv({ defaultActivities: recorded(bookingStubs, calls) });
});
afterAll(async () => {
  await t?.close();
});

const inputFor = (row: BookingSnapshot, over: Partial<BookingWorkflowInput> = {}): BookingWorkflowInput => ({
  bookingId: row.id,
  holdTimeoutMs: 60_000,
  reminderLeadMs: HOUR,
  noShowWindowMs: HOUR,
  ...over,
});

/** The drafts the workflow posted for this booking, in order. */
const postedFor = (row: BookingSnapshot): LedgerTransactionDraft[] =>
  calls
    .filter((c) => c.name === 'postLedgerTransactions')
    .flatMap((c) => c.args[0] as LedgerTransactionDraft[])
    .filter((d) => d.reference === `booking:${row.id}`);

const lineOf = (d: LedgerTransactionDraft, account: string) =>
  d.lines.find((l) => l.account === account)?.amountMinor ?? 0;

async function payThenCancel(
  queue: string,
  row: BookingSnapshot,
  over: Partial<BookingWorkflowInput> = {},
  by: 'athlete' | 'coach' = 'coach',
) {
  row.paymentIntentId ??= `pi_${row.id}`;
  const h = await t.env.client.workflow.signalWithStart<BookingWorkflow, [PaymentSignal]>(
    bookingWorkflowType,
    {
      taskQueue: queue,
      workflowId: `booking-${row.id}`,
      args: [inputFor(row, over)],
      signal: paymentSignal,
      signalArgs: [succeeded(row, { paymentIntentId: row.paymentIntentId })],
    },
  );
  t.track(h);
  await h.executeUpdate(bookingReadyUpdate);
  await eventually(
    () => bookingStubs.loadBookingSnapshot(row.id),
    (s) => s.status === 'CONFIRMED',
  );
  await h.executeUpdate(cancelUpdate, {
    args: [{ by, actorId: by === 'coach' ? row.coach.id : row.athlete.id, reason: 'ill' }],
  });
  expect(await h.result()).toEqual({ status: 'CANCELLED' });
  return h;
}

describe('booking payments and refunds post to the ledger', () => {
  it("a payment posts once, split at the run's fee rate; the coach's full refund takes it all back", async () => {
    const row = newBooking({ startMs: Date.now() + 30 * HOUR, endMs: Date.now() + 31 * HOUR });
    const h = await payThenCancel(t.taskQueue, row, { platformFeeBps: 2000 });

    const posted = postedFor(row);
    expect(posted.map((d) => d.key)).toEqual([
      `booking_payment:booking:${row.id}`,
      `booking_refund:booking:${row.id}:re_${row.id}`,
    ]);
    const [payment, refund] = posted as [LedgerTransactionDraft, LedgerTransactionDraft];
    expect(payment).toMatchObject({
      kind: 'booking_payment',
      coachId: 'coach-1',
      amountMinor: 5000,
      currency: 'eur',
    });
    expect(lineOf(payment, accounts.cash)).toBe(5000);
    expect(lineOf(payment, accounts.coachPayable('coach-1'))).toBe(-4000);
    expect(lineOf(payment, accounts.platformFee)).toBe(-1000);
    expect(refund).toMatchObject({ kind: 'booking_refund', amountMinor: 5000 });
    for (const d of posted) expect([...sumsByCurrency(d.lines).values()]).toEqual([0]);
    // Together: nothing owed to the coach, no fee kept, no cash left.
    const all = posted.flatMap((d) => d.lines);
    for (const account of [accounts.cash, accounts.platformFee, accounts.coachPayable('coach-1')]) {
      expect(all.filter((l) => l.account === account).reduce((s, l) => s + l.amountMinor, 0)).toBe(0);
    }

    // The new code's own history replays (the patch marker is where the replay expects it).
    const history = await h.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history);
  });

  it('an athlete’s partial refund takes back the fee in proportion; no fee rate in the input means 10 %', async () => {
    const row = newBooking({ startMs: Date.now() + 30 * HOUR, endMs: Date.now() + 31 * HOUR });
    await payThenCancel(t.taskQueue, row, {}, 'athlete'); // moderate policy, 30 h ahead: 50 %
    const [payment, refund] = postedFor(row) as [LedgerTransactionDraft, LedgerTransactionDraft];
    expect(lineOf(payment, accounts.coachPayable('coach-1'))).toBe(-4500);
    expect(lineOf(payment, accounts.platformFee)).toBe(-500);
    expect(refund.amountMinor).toBe(2500);
    expect(lineOf(refund, accounts.coachPayable('coach-1'))).toBe(2250);
    expect(lineOf(refund, accounts.platformFee)).toBe(250);
    expect(lineOf(refund, accounts.cash)).toBe(-2500);
  });
});

describe('patched(booking-ledger)', () => {
  let dir: string;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a history recorded before the ledger steps replays on the new code, which takes none for it', async () => {
    // The booking workflow as it was before this change, bundled on its own from that commit's tree.
    const old = await bundleOldWorkflow(
      PRE_LEDGER_COMMIT,
      'workflows/booking/workflow.ts',
      'booking-pre-ledger-',
    );
    dir = old.dir;
    expect(old.source).not.toContain('postLedgerTransactions');
    const oldBundle = old.codePath;

    const queue = `${t.taskQueue}-pre-ledger`;
    const oldWorker = await Worker.create({
      connection: t.env.nativeConnection,
      taskQueue: queue,
      workflowBundle: { codePath: oldBundle },
      activities: recorded(bookingStubs, calls),
    });
    const row = newBooking({ startMs: Date.now() + 30 * HOUR, endMs: Date.now() + 31 * HOUR });
    const history = await oldWorker.runUntil(async () => {
      const h = await payThenCancel(queue, row);
      return h.fetchHistory();
    });
    expect(postedFor(row)).toEqual([]);
    // Replaying the old run on the new code must not meet a command the history does not have.
    await Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, history);
  }, 120_000);
});
