import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bookingReadyUpdate,
  bookingStateQuery,
  bookingWorkflowType,
  cancelUpdate,
  rescheduleUpdate,
  type BookingSnapshot,
  type BookingWorkflow,
  type BookingWorkflowInput,
} from '../../workflows/bookings/definitions';
import { bookingStubs, calls, emails, HOUR, iso, named, newBooking } from '../support/temporal-booking';
import {
  eventually,
  recorded,
  startWorkflowTestEnv,
  type DefaultStubs,
  type WorkflowTestEnv,
} from '../support/temporal-env';

// Issue 9 #5 in the fast tier: a booking's workflow under many update requests. Temporal counts
// accepted updates per run (2,000 by default); requests the validator can judge must never be
// accepted, the rest are bounded per booking, and a long-lived run continues as new.

/** Starts moveBooking refuses, as Postgres refuses a time that is not open. */
const refusedStarts = new Set<number>();
const stubs = {
  ...bookingStubs,
  async moveBooking(input: { bookingId: string; startMs: number }) {
    if (refusedStarts.has(input.startMs))
      throw ApplicationFailure.nonRetryable('The new start is not a slot start', 'SlotUnavailable');
    return bookingStubs.moveBooking(input);
  },
} satisfies DefaultStubs;

let t: WorkflowTestEnv;
beforeAll(async () => {
  t = await startWorkflowTestEnv({ defaultActivities: recorded(stubs, calls) });
});
afterAll(async () => {
  await t?.close();
});

async function start(row: BookingSnapshot, over: Partial<BookingWorkflowInput> = {}) {
  const handle = await t.env.client.workflow.start<BookingWorkflow>(bookingWorkflowType, {
    taskQueue: t.taskQueue,
    workflowId: `booking-${row.id}`,
    args: [{ bookingId: row.id, holdTimeoutMs: 60_000, reminderLeadMs: HOUR, noShowWindowMs: HOUR, ...over }],
  });
  t.track(handle);
  return handle;
}

const failedType = (err: unknown) =>
  err instanceof WorkflowUpdateFailedError
    ? (err.cause as ApplicationFailure).type
    : `not refused: ${JSON.stringify(err)}`;
const acceptedUpdates = async (h: WorkflowHandle) =>
  ((await h.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)
    .length;
const mover = (h: WorkflowHandle<BookingWorkflow>) => (startMs: number) =>
  h
    .executeUpdate(rescheduleUpdate, { args: [{ by: 'athlete', actorId: 'athlete-1', start: iso(startMs) }] })
    .catch((e: unknown) => e);

describe.concurrent('booking workflow under many updates (issue 9 #5)', () => {
  it('issue 9 #5: failed reschedules are bounded per booking and the booking stays cancellable', async () => {
    const now = Date.now();
    const row = newBooking({ priceMinor: 0, startMs: now + 48 * HOUR, endMs: now + 49 * HOUR });
    const h = await start(row, { maxRescheduleAttempts: 3 });
    await h.executeUpdate(bookingReadyUpdate);
    const move = mover(h);

    // What the validator can judge is refused before acceptance: nothing enters history.
    const before = await acceptedUpdates(h);
    expect(failedType(await move(now - HOUR))).toBe('InvalidRequest');
    expect(failedType(await move(row.startMs))).toBe('InvalidRequest');
    expect(failedType(await move(now + 400 * 24 * HOUR))).toBe('SlotUnavailable');
    expect(await acceptedUpdates(h)).toBe(before);
    expect(named(row.id, 'moveBooking')).toEqual([]);

    // Times only Postgres can judge are accepted and fail; after three the booking refuses more.
    for (let i = 1; i <= 3; i++) {
      const startMs = now + (50 + i) * HOUR;
      refusedStarts.add(startMs);
      expect(failedType(await move(startMs))).toBe('SlotUnavailable');
    }
    const refused = await move(now + 60 * HOUR);
    expect(failedType(refused)).toBe('TooManyRescheduleAttempts');
    expect((refused as WorkflowUpdateFailedError).cause?.message).toMatch(/3 reschedule requests/);
    expect(named(row.id, 'moveBooking')).toHaveLength(3);
    expect(await acceptedUpdates(h)).toBe(before + 3);

    const outcome = await h.executeUpdate(cancelUpdate, {
      args: [{ by: 'athlete', actorId: 'athlete-1', reason: 'giving up' }],
    });
    expect(outcome.status).toBe('CANCELLED');
    expect(await h.result()).toEqual({ status: 'CANCELLED' });
  });

  it('issue 9 #5: a run continues as new after its update budget, carrying its state', async () => {
    const now = Date.now();
    const row = newBooking({ priceMinor: 0, startMs: now + 48 * HOUR, endMs: now + 49 * HOUR });
    const h = await start(row, { updatesPerRun: 4, maxRescheduleAttempts: 6 });
    const move = mover(h);
    await h.executeUpdate(bookingReadyUpdate); // update 1
    await eventually(
      () => h.query(bookingStateQuery),
      (s) => s.invitedForSequence === 0,
    );
    const refusedAt = now + 70 * HOUR;
    refusedStarts.add(refusedAt);
    expect(await move(now + 50 * HOUR)).toMatchObject({ sequence: 1 }); // 2
    expect(failedType(await move(refusedAt))).toBe('SlotUnavailable'); // 3
    expect(await move(now + 51 * HOUR)).toMatchObject({ sequence: 2 }); // 4: the run's budget is used

    const firstRun = h.firstExecutionRunId;
    const described = await eventually(
      () => h.describe(),
      (d) => d.runId !== firstRun,
    );
    expect(described.status.name).toBe('RUNNING');
    const old = await t.env.client.workflow.getHandle(`booking-${row.id}`, firstRun).describe();
    expect(old.status.name).toBe('CONTINUED_AS_NEW');

    // The new run knows what the old one did: the moves, the attempts, the invites it sent.
    const carried = await eventually(
      () => h.query(bookingStateQuery),
      (s) => s.invitedForSequence === 2,
    );
    expect(carried).toMatchObject({ status: 'CONFIRMED', sequence: 2, start: iso(now + 51 * HOUR) });
    expect(named(row.id, 'loadBookingSnapshot')).toHaveLength(1);
    expect(await move(now + 52 * HOUR)).toMatchObject({ sequence: 3 }); // attempt 4 of 6
    expect(await move(now + 53 * HOUR)).toMatchObject({ sequence: 4 }); // 5
    expect(failedType(await move(refusedAt))).toBe('SlotUnavailable'); // 6
    expect(failedType(await move(now + 54 * HOUR))).toBe('TooManyRescheduleAttempts');

    const outcome = await h.executeUpdate(cancelUpdate, {
      args: [{ by: 'coach', actorId: 'coach-1', reason: 'rain' }],
    });
    expect(outcome.status).toBe('CANCELLED');
    expect(await h.result()).toEqual({ status: 'CANCELLED' });
    // Every email once across the runs.
    expect(emails(row.id, 'booking_confirmed')).toHaveLength(1);
    expect(emails(row.id, 'booking_cancelled')).toHaveLength(2);
    const references = emails(row.id).map((e) => `${e.reference} ${e.template} ${e.to}`);
    expect(new Set(references).size).toBe(references.length);
  });
});
