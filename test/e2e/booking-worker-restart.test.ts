import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/dev/services';
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

/** Starts `workers/main.ts` on this run's queues and resolves once it is polling. */
async function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'workers/main.ts')], {
    env: { ...process.env, WORKER_QUEUES: 'default', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('workers running')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${signal ?? code}) before it was ready:\n${output}`));
    });
  });
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

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
