import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCoach,
  bookingRow,
  paymentIntentEvent,
  postStripeEvent,
  slotAfter,
  terminateOpenBookingWorkflows,
  waitForStatus,
} from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { messagesTo, waitForMessages } from '../support/mailbox';
import { createUser } from '../support/users';
import { killWorker, startWorker } from '../support/worker-process';

// The worker is a real separate process (`npm run worker`), killed with SIGKILL: no shutdown hook,
// no draining. The payment arrives while no worker is alive; a new worker process must still
// confirm the booking and send every email exactly once.

let ctx: TestContext;
const children: ChildProcess[] = [];
beforeAll(async () => {
  ctx = await startTestContext(); // API only: the only workers are the child processes below
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) =>
      c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined,
    ),
  );
  if (ctx) await terminateOpenBookingWorkflows(ctx.deps);
  await ctx?.close();
});

const startWorkerProcess = () => startWorker(children);

const kill = killWorker;

describe('worker crash', () => {
  it('a worker killed between payment and confirmation: a new worker confirms and sends each email once', async () => {
    const first = await startWorkerProcess();
    const coach = await createCoach(ctx.app, ctx.deps);
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const slot = await slotAfter(ctx.app, coach.service.id, 60_000);
    const created = await call(ctx.app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: coach.service.id, start: slot.start },
    });
    expect(created.status).toBe(201);
    const booking = created.body.booking;
    expect(booking.payment.paymentIntentId).toMatch(/^pi_/); // the first worker created it

    await kill(first);
    const paid = await postStripeEvent(
      ctx.app,
      ctx.deps,
      paymentIntentEvent('payment_intent.succeeded', {
        id: booking.id,
        paymentIntentId: booking.payment.paymentIntentId,
        amountMinor: booking.price.amountMinor,
        currency: booking.price.currency,
      }),
    );
    expect(paid.body.outcome).toBe('routed'); // recorded by the Temporal server; nobody runs it yet
    await sleep(1500);
    expect((await bookingRow(ctx.deps, booking.id)).status).toBe('PENDING');

    await startWorkerProcess();
    await waitForStatus(ctx.deps, booking.id, 'CONFIRMED', 90_000);
    await waitForMessages(athlete.email, { subject: /^Reminder:/, timeoutMs: 60_000 });
    await waitForMessages(coach.user.email, { subject: /^Reminder:/, timeoutMs: 60_000 });
    await sleep(2000);
    expect((await messagesTo(athlete.email)).map((m) => m.Subject.split(':')[0]).sort()).toEqual([
      'Confirmed',
      'Reminder',
    ]);
    expect((await messagesTo(coach.user.email)).map((m) => m.Subject.split(':')[0]).sort()).toEqual([
      'New booking',
      'Reminder',
    ]);
    const deliveries = await ctx.deps.db.emailDelivery.findMany({
      where: { reference: { startsWith: `booking-${booking.id}` } },
    });
    expect(deliveries).toHaveLength(4);
    expect(deliveries.every((d) => d.sentAt !== null)).toBe(true);
  }, 240_000);
});
