import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bookingStateQuery,
  bookingWorkflowType,
  type BookingWorkflow,
  type BookingWorkflowInput,
} from '../../workflows/bookings/definitions';
import { workflowIds } from '../../workflows/shared/ids';
import { workflowBundle } from '../../workers/create-workers';
import {
  createCoach,
  terminateOpenBookingWorkflows,
  waitForStatus,
  waitUntil,
  type TestCoach,
} from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { waitForMessages } from '../support/mailbox';
import { createUser, type TestUser } from '../support/users';

// The end of the lifecycle with real timers: bookings are placed seconds ahead directly in Postgres
// (the slot grid only has 5-minute starts) and their workflows started with short durations.

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

/** A free booking starting in `startInMs` and lasting `lengthMs`, with its workflow running. */
async function bookSoon(startInMs: number, lengthMs: number, input: Partial<BookingWorkflowInput> = {}) {
  const id = randomUUID();
  const start = new Date(Date.now() + startInMs);
  const end = new Date(start.getTime() + lengthMs);
  await ctx.deps.db.booking.create({
    data: {
      id,
      coachId: coach.user.id,
      athleteId: athlete.id,
      serviceId: coach.service.id,
      startsAt: start,
      endsAt: end,
      blockedStart: start,
      blockedEnd: end,
      bufferBeforeMin: 0,
      bufferAfterMin: 0,
      priceMinor: 0,
      currency: 'USD',
    },
  });
  const handle = await ctx.deps.temporal.workflow.start<BookingWorkflow>(bookingWorkflowType, {
    taskQueue: ctx.deps.cfg.TEMPORAL_TASK_QUEUE,
    workflowId: workflowIds.booking(id),
    args: [
      { bookingId: id, holdTimeoutMs: 60_000, reminderLeadMs: 86_400_000, noShowWindowMs: 60_000, ...input },
    ],
  });
  return { id, start, end, handle };
}

describe('booking workflow: the end of a session', () => {
  it('free booking: confirmed at once, reminded at once when booked inside the lead, COMPLETED after the end', async () => {
    const b = await bookSoon(2_000, 2_000, { noShowWindowMs: 2_000 });
    await waitForStatus(ctx.deps, b.id, 'CONFIRMED');
    const reference = `booking-${b.id}`;
    await waitForMessages(athlete.email, { subject: /^Reminder:/ });
    const result = await b.handle.result();
    expect(result).toEqual({ status: 'COMPLETED' });
    expect((await ctx.deps.db.booking.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('COMPLETED');
    const sent = await ctx.deps.db.emailDelivery.findMany({
      where: { reference: { startsWith: reference } },
      orderBy: { template: 'asc' },
    });
    expect(sent.map((e) => [e.template, e.recipient === athlete.email ? 'athlete' : 'coach']).sort()).toEqual(
      [
        ['booking_confirmed', 'athlete'],
        ['booking_notification', 'coach'],
        ['booking_reminder', 'athlete'],
        ['booking_reminder', 'coach'],
      ],
    );
    expect((await b.handle.describe()).searchAttributes.DomainStatus).toEqual(['COMPLETED']);
  });

  it('no-show: refused before the start, accepted after it, and the workflow ends NO_SHOW', async () => {
    const b = await bookSoon(3_000, 60_000);
    await waitForStatus(ctx.deps, b.id, 'CONFIRMED');
    const early = await call(ctx.app, 'POST', `/api/bookings/${b.id}/no-show`, { token: coach.user.token });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({
      code: 'invalid_transition',
      message: expect.stringMatching(/not started yet/),
    });

    await new Promise((r) => setTimeout(r, Math.max(0, b.start.getTime() - Date.now()) + 500));
    const cancelLate = await call(ctx.app, 'POST', `/api/bookings/${b.id}/cancel`, {
      token: athlete.token,
      body: {},
    });
    expect(cancelLate.status).toBe(409);
    expect(cancelLate.body.error.message).toMatch(/already started/);
    const marked = await call(ctx.app, 'POST', `/api/bookings/${b.id}/no-show`, { token: coach.user.token });
    expect(marked.status).toBe(200);
    expect(marked.body.booking.status).toBe('NO_SHOW');
    expect(await b.handle.result()).toEqual({ status: 'NO_SHOW' });
    expect((await b.handle.describe()).searchAttributes.DomainStatus).toEqual(['NO_SHOW']);
  });

  it('replays recorded histories deterministically (updates, signals, timers, activities)', async () => {
    const done = [];
    for await (const wf of ctx.deps.temporal.workflow.list({
      query: `WorkflowType = 'bookingWorkflow' AND ExecutionStatus = 'Completed' AND TaskQueue = '${ctx.deps.cfg.TEMPORAL_TASK_QUEUE}'`,
    })) {
      done.push(wf.workflowId);
    }
    expect(done.length).toBeGreaterThanOrEqual(2);
    for (const id of done) {
      const history = await ctx.deps.temporal.workflow.getHandle(id).fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, id);
    }
  });

  it('a completed session can still be marked a no-show within the window, not after it', async () => {
    const b = await bookSoon(1_000, 1_000, { noShowWindowMs: 6_000 });
    await waitForStatus(ctx.deps, b.id, 'COMPLETED');
    // The row turns COMPLETED inside the activity; the workflow's own state follows when it hears back.
    const state = await waitUntil(
      'the workflow to hold COMPLETED',
      () => b.handle.query(bookingStateQuery),
      (s) => s.status === 'COMPLETED',
      10_000,
    );
    expect(state.status).toBe('COMPLETED');
    const marked = await call(ctx.app, 'POST', `/api/bookings/${b.id}/no-show`, { token: coach.user.token });
    expect(marked.status).toBe(200);
    expect(marked.body.booking.status).toBe('NO_SHOW');

    const later = await bookSoon(1_000, 1_000, { noShowWindowMs: 1_000 });
    expect(await later.handle.result()).toEqual({ status: 'COMPLETED' });
    const tooLate = await call(ctx.app, 'POST', `/api/bookings/${later.id}/no-show`, {
      token: coach.user.token,
    });
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.error.code).toBe('invalid_transition');
  });

  it('a workflow whose booking row never committed ends quietly', async () => {
    const id = randomUUID();
    const handle = await ctx.deps.temporal.workflow.start<BookingWorkflow>(bookingWorkflowType, {
      taskQueue: ctx.deps.cfg.TEMPORAL_TASK_QUEUE,
      workflowId: workflowIds.booking(id),
      args: [
        {
          bookingId: id,
          holdTimeoutMs: 1_000,
          reminderLeadMs: 1_000,
          noShowWindowMs: 1_000,
          rowWaitMs: 2_000,
        },
      ],
    });
    expect(await handle.result()).toEqual({ status: 'MISSING' });
  });
});
