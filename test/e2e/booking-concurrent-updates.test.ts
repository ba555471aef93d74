import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockCoachSchedule } from '../../src/data/availability';
import { MAX_RESCHEDULES } from '../../src/domain/bookings/lifecycle';
import {
  bookingStateQuery,
  bookingWorkflowType,
  type BookingWorkflow,
} from '../../workflows/bookings/definitions';
import { workflowIds } from '../../workflows/shared/ids';
import {
  bookingRow,
  createCoach,
  slotsFor,
  terminateOpenBookingWorkflows,
  waitForStatus,
  waitUntil,
  type TestCoach,
} from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser, type TestUser } from '../support/users';

// Issue 9 #6: updates to one booking are serialised. Several updates wait for the booking's lock at
// once (a reschedule holds it while Postgres makes it wait on the coach's schedule lock, which this
// test holds); when it is released they must enter one at a time, in arrival order, each seeing what
// the one before it did. The old lock (`await condition(() => !busy); busy = true`) let every waiter
// in at once, so two reschedules both passed the reschedule cap and the booking was moved past it.

let ctx: TestContext;
let coach: TestCoach;
let athlete: TestUser;
beforeAll(async () => {
  ctx = await startTestContext({ workers: true });
  coach = await createCoach(ctx.app, ctx.deps, { service: { priceMinor: 0 } });
  athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
});
afterAll(async () => {
  if (ctx) await terminateOpenBookingWorkflows(ctx.deps);
  await ctx?.close();
});

/** Open slots at least 15 minutes out (so no reminder or start happens during a test). */
async function laterSlots(n: number): Promise<string[]> {
  const starts = (await slotsFor(ctx.app, coach.service.id))
    .map((s) => s.start)
    .filter((start) => Date.parse(start) > Date.now() + 15 * 60_000);
  if (starts.length < n) throw new Error(`only ${starts.length} open slots`);
  return starts.slice(0, n);
}

/** A free booking at `start` that has already been moved `rescheduleCount` times, with its workflow running. */
async function confirmedBooking(start: string, rescheduleCount: number): Promise<string> {
  const id = randomUUID();
  const startsAt = new Date(start);
  const endsAt = new Date(startsAt.getTime() + coach.service.durationMin * 60_000);
  await ctx.deps.db.booking.create({
    data: {
      id,
      coachId: coach.user.id,
      athleteId: athlete.id,
      serviceId: coach.service.id,
      startsAt,
      endsAt,
      blockedStart: startsAt,
      blockedEnd: endsAt,
      bufferBeforeMin: 0,
      bufferAfterMin: 0,
      priceMinor: 0,
      currency: 'USD',
      sequence: rescheduleCount,
      rescheduleCount,
    },
  });
  await ctx.deps.temporal.workflow.start<BookingWorkflow>(bookingWorkflowType, {
    taskQueue: ctx.deps.cfg.TEMPORAL_TASK_QUEUE,
    workflowId: workflowIds.booking(id),
    args: [{ bookingId: id, holdTimeoutMs: 60_000, reminderLeadMs: 60_000, noShowWindowMs: 60_000 }],
  });
  await waitForStatus(ctx.deps, id, 'CONFIRMED');
  return id;
}

/** Holds the coach's schedule lock (as a concurrent booking would) until `release()`. */
async function holdCoachSchedule() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const done = ctx.deps.db.$transaction(
    async (tx) => {
      await lockCoachSchedule(tx, coach.user.id);
      locked();
      await released;
    },
    { timeout: 60_000 },
  );
  await isLocked;
  return {
    release: async () => {
      release();
      await done;
    },
  };
}

async function history(bookingId: string) {
  const { events } = await ctx.deps.temporal.workflow
    .getHandle(workflowIds.booking(bookingId))
    .fetchHistory();
  return {
    acceptedUpdates: (events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length,
    movesScheduled: (events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'moveBooking',
    ).length,
  };
}

/** Waits until the workflow has accepted `n` updates (each is then inside its handler, waiting for the lock or holding it). */
const waitForAccepted = (bookingId: string, n: number) =>
  waitUntil(
    `${n} accepted updates`,
    () => history(bookingId),
    (h) => h.acceptedUpdates >= n,
  );

const reschedule = (bookingId: string, start: string, token = athlete.token) =>
  call(ctx.app, 'POST', `/api/bookings/${bookingId}/reschedule`, { token, body: { start } });

/**
 * A reschedule of `bookingId` to `start` that is inside the booking's lock and blocked in Postgres
 * on the coach's schedule lock (held by the returned hold) until `hold.release()`.
 */
async function rescheduleHoldingTheLock(bookingId: string, start: string) {
  const hold = await holdCoachSchedule();
  const response = reschedule(bookingId, start, coach.user.token);
  await waitUntil(
    'the first reschedule to be waiting on the coach schedule lock',
    () => history(bookingId),
    (h) => h.acceptedUpdates === 1 && h.movesScheduled === 1,
  );
  return { hold, response };
}

describe('concurrent updates to one booking (issue 9 #6)', () => {
  it('two reschedules waiting at once enter one at a time: exactly one may use the last move', async () => {
    const [original, first, second, third] = (await laterSlots(4)) as [string, string, string, string];
    const id = await confirmedBooking(original, MAX_RESCHEDULES - 2);

    const { hold, response: firstMove } = await rescheduleHoldingTheLock(id, first);
    // Both are accepted (the booking has one move left for each of them as they arrive) and wait.
    // One after the other, so their arrival order at the workflow is known (the API checks each
    // request against Postgres before handing it over, which can reorder requests sent together).
    const secondMove = reschedule(id, second);
    await waitForAccepted(id, 2);
    const thirdMove = reschedule(id, third);
    await waitForAccepted(id, 3);
    await hold.release();

    const [a, b, c] = await Promise.all([firstMove, secondMove, thirdMove]);
    expect(a.status).toBe(200);
    expect(a.body.booking).toMatchObject({ start: first, rescheduleCount: MAX_RESCHEDULES - 1 });
    // Arrival order: the second gets the last move, the third is refused with the booking at the cap.
    expect(b.status).toBe(200);
    expect(b.body.booking).toMatchObject({ start: second, rescheduleCount: MAX_RESCHEDULES });
    expect(c.status).toBe(409);
    expect(c.body.error).toMatchObject({
      code: 'invalid_transition',
      message: expect.stringMatching(new RegExp(`moved ${MAX_RESCHEDULES} times`)),
    });

    const row = await bookingRow(ctx.deps, id);
    expect(row.rescheduleCount).toBe(MAX_RESCHEDULES);
    expect(row.startsAt.toISOString()).toBe(second);
    expect(row.sequence).toBe(MAX_RESCHEDULES);
    const state = await ctx.deps.temporal.workflow
      .getHandle<BookingWorkflow>(workflowIds.booking(id))
      .query(bookingStateQuery);
    expect(state).toMatchObject({ status: 'CONFIRMED', start: second, sequence: MAX_RESCHEDULES });
    // The slot the refused move asked for is still open.
    expect((await slotsFor(ctx.app, coach.service.id)).map((s) => s.start)).toContain(third);
  });

  it('a cancel and a reschedule waiting at once: the cancel (first to arrive) wins, the reschedule is refused', async () => {
    const [original, first, second] = (await laterSlots(3)) as [string, string, string];
    const id = await confirmedBooking(original, 0);

    const { hold, response: firstMove } = await rescheduleHoldingTheLock(id, first);
    const cancel = call(ctx.app, 'POST', `/api/bookings/${id}/cancel`, {
      token: athlete.token,
      body: { reason: 'Injured' },
    });
    await waitForAccepted(id, 2);
    const lateMove = reschedule(id, second);
    await waitForAccepted(id, 3);
    await hold.release();

    const [moved, cancelled, refused] = await Promise.all([firstMove, cancel, lateMove]);
    expect(moved.status).toBe(200);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.booking).toMatchObject({ status: 'CANCELLED', start: first });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'invalid_transition',
      message: expect.stringMatching(/cancelled booking cannot be rescheduled/),
    });

    const row = await bookingRow(ctx.deps, id);
    expect(row).toMatchObject({ status: 'CANCELLED', rescheduleCount: 1 });
    expect(row.startsAt.toISOString()).toBe(first);
    // Cancelled once: one cancellation email per side, and no invite for the refused time.
    const sent = await waitUntil(
      'the cancellation emails',
      () => ctx.deps.db.emailDelivery.findMany({ where: { reference: { startsWith: `booking-${id}` } } }),
      (rows) => rows.filter((r) => r.template === 'booking_cancelled' && r.sentAt).length === 2,
    );
    expect(sent.filter((r) => r.template === 'booking_cancelled')).toHaveLength(2);
    const open = (await slotsFor(ctx.app, coach.service.id)).map((s) => s.start);
    expect(open).toEqual(expect.arrayContaining([original, first, second]));
  });
});
