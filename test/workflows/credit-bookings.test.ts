import { Worker } from '@temporalio/worker';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  bookingStateQuery,
  bookingWorkflowType,
  cancelUpdate,
  type BookingSnapshot,
  type BookingWorkflow,
} from '../../workflows/bookings/definitions';
import { bookingStubs, calls, HOUR, named, newBooking } from '../support/temporal-booking';
import { bundleOldWorkflow } from '../support/old-workflow';
import { eventually, recorded, startWorkflowTestEnv, type WorkflowTestEnv } from '../support/temporal-env';

// The booking workflow's package-credit path (issue 13) against stub activities: a booking paid with
// a credit is confirmed like a free one, records booking_created once, and gets its credit back only
// when the cancellation is within the service's policy (and only once).

/** The last commit whose booking workflow had neither the credit nor the analytics step. */
const PRE_CREDITS_COMMIT = '9f3a1f9';

let t: WorkflowTestEnv;
beforeAll(async () => {
  t = await startWorkflowTestEnv({ defaultActivities: recorded(bookingStubs, calls) });
});
afterAll(async () => {
  await t?.close();
});

async function startConfirmed(row: BookingSnapshot, taskQueue = t.taskQueue) {
  const h = await t.env.client.workflow.start<BookingWorkflow>(bookingWorkflowType, {
    taskQueue,
    workflowId: `booking-${row.id}`,
    args: [
      { bookingId: row.id, holdTimeoutMs: 60_000, reminderLeadMs: HOUR, noShowWindowMs: HOUR, snapshot: row },
    ],
  });
  t.track(h);
  await eventually(
    () => h.query(bookingStateQuery),
    (s) => s.status === 'CONFIRMED' && s.invitedForSequence === 0,
  );
  return h;
}

const creditBooking = (over: Partial<BookingSnapshot> = {}) =>
  newBooking({ priceMinor: 0, creditGrantId: 'grant-1', ...over });

const analyticsFor = (id: string) =>
  calls.filter(
    (c) => c.name === 'recordAnalyticsEvents' && (c.args[0] as { id: string }[]).some((e) => e.id === id),
  );

describe('booking paid with a package credit', () => {
  it('confirms without a PaymentIntent and records booking_created once, with no revenue', async () => {
    const row = creditBooking();
    await startConfirmed(row);
    expect(named(row.id, 'createBookingPaymentIntent')).toHaveLength(0);
    await eventually(
      async () => analyticsFor(row.id),
      (c) => c.length === 1,
    );
    const [event] = analyticsFor(row.id)[0]!.args[0] as Record<string, unknown>[];
    expect(event).toMatchObject({
      type: 'booking_created',
      id: row.id,
      coachId: 'coach-1',
      userId: 'athlete-1',
    });
    expect(event).not.toHaveProperty('amountMinor');
  });

  it('a cancellation within the policy (two days ahead, moderate) gives the credit back', async () => {
    const row = creditBooking();
    const h = await startConfirmed(row);
    const outcome = await h.executeUpdate(cancelUpdate, {
      args: [{ by: 'athlete', actorId: 'athlete-1', reason: '' }],
    });
    expect(outcome.refund).toBeNull();
    await eventually(
      async () => named(row.id, 'returnBookingCredit'),
      (c) => c.length === 1,
    );
    expect(named(row.id, 'transitionBooking').at(-1)!.args[0]).toMatchObject({
      cancellation: { rule: 'Paid with a package credit: the credit is returned' },
    });
  });

  it('an athlete cancelling inside the no-refund window keeps the credit used; a coach’s cancellation always gives it back', async () => {
    const late = creditBooking({ startMs: Date.now() + 2 * HOUR, endMs: Date.now() + 3 * HOUR });
    const h = await startConfirmed(late);
    await h.executeUpdate(cancelUpdate, { args: [{ by: 'athlete', actorId: 'athlete-1', reason: '' }] });
    await eventually(
      () => h.query(bookingStateQuery),
      (s) => s.status === 'CANCELLED',
    );
    await h.result();
    expect(named(late.id, 'returnBookingCredit')).toHaveLength(0);
    expect(named(late.id, 'transitionBooking').at(-1)!.args[0]).toMatchObject({
      cancellation: {
        rule: 'Paid with a package credit: cancelled outside the refund window, the credit is used',
      },
    });

    const byCoach = creditBooking({ startMs: Date.now() + 2 * HOUR, endMs: Date.now() + 3 * HOUR });
    const h2 = await startConfirmed(byCoach);
    await h2.executeUpdate(cancelUpdate, { args: [{ by: 'coach', actorId: 'coach-1', reason: 'ill' }] });
    await h2.result();
    expect(named(byCoach.id, 'returnBookingCredit')).toHaveLength(1);
  });

  it('a booking without a credit never calls returnBookingCredit', async () => {
    const row = newBooking({ priceMinor: 0 });
    const h = await startConfirmed(row);
    await h.executeUpdate(cancelUpdate, { args: [{ by: 'coach', actorId: 'coach-1', reason: '' }] });
    await h.result();
    expect(named(row.id, 'returnBookingCredit')).toHaveLength(0);
  });
});

describe('patched(booking-credits) and patched(booking-analytics)', () => {
  let dir: string;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the new code replays its own history, and a credit booking recorded before the change replays on it without the new steps', async () => {
    const fresh = creditBooking();
    const h = await startConfirmed(fresh);
    await h.executeUpdate(cancelUpdate, { args: [{ by: 'coach', actorId: 'coach-1', reason: '' }] });
    await h.result();
    const bundle = { codePath: inject('workflowBundlePath') };
    await Worker.runReplayHistory({ workflowBundle: bundle }, await h.fetchHistory());

    // The booking workflow as it was before this change, bundled on its own from that commit's tree.
    const old = await bundleOldWorkflow(
      PRE_CREDITS_COMMIT,
      'workflows/booking/workflow.ts',
      'booking-pre-credits-',
    );
    dir = old.dir;
    expect(old.source).not.toContain('returnBookingCredit');
    const oldBundle = old.codePath;
    const queue = `${t.taskQueue}-pre-credits`;
    const oldWorker = await Worker.create({
      connection: t.env.nativeConnection,
      taskQueue: queue,
      workflowBundle: { codePath: oldBundle },
      activities: recorded(bookingStubs, calls),
    });
    const row = creditBooking();
    const history = await oldWorker.runUntil(async () => {
      const old = await startConfirmed(row, queue);
      await old.executeUpdate(cancelUpdate, { args: [{ by: 'coach', actorId: 'coach-1', reason: '' }] });
      await old.result();
      return old.fetchHistory();
    });
    expect(named(row.id, 'returnBookingCredit')).toHaveLength(0);
    expect(analyticsFor(row.id)).toHaveLength(0);
    // Replaying the old run on the new code must not meet a command the history does not have.
    await Worker.runReplayHistory({ workflowBundle: bundle }, history);
  }, 120_000);
});
