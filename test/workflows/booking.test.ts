// Over 400 lines on purpose: every branch of the booking workflow against the same stub activities.
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CancellationPolicy } from '../../src/domain/bookings/cancellation';
import {
  bookingReadyUpdate,
  bookingStateQuery,
  bookingWorkflowType,
  cancelUpdate,
  paymentSignal,
  rescheduleUpdate,
  type BookingSnapshot,
  type BookingWorkflow,
  type BookingWorkflowInput,
  type PaymentSignal,
} from '../../workflows/bookings/definitions';
import {
  bookingStubs,
  calls,
  callsFor,
  emails,
  HOUR,
  intentGates,
  iso,
  named,
  newBooking,
  rows,
  succeeded,
} from '../support/temporal-booking';
import { eventually, recorded, startWorkflowTestEnv, type WorkflowTestEnv } from '../support/temporal-env';

// The booking workflow against stub activities (test/support/temporal-booking.ts). Every duration
// is a workflow input, so holds, reminders and session ends happen within seconds of real time.

const DomainStatus = defineSearchAttributeKey('DomainStatus', SearchAttributeType.KEYWORD);

let t: WorkflowTestEnv;

beforeAll(async () => {
  t = await startWorkflowTestEnv({ defaultActivities: recorded(bookingStubs, calls) });
});
afterAll(async () => {
  await t?.close();
});

function inputFor(row: BookingSnapshot, over: Partial<BookingWorkflowInput> = {}): BookingWorkflowInput {
  return { bookingId: row.id, holdTimeoutMs: 60_000, reminderLeadMs: HOUR, noShowWindowMs: HOUR, ...over };
}

async function start(row: BookingSnapshot, over: Partial<BookingWorkflowInput> = {}) {
  const handle = await t.env.client.workflow.start<BookingWorkflow>(bookingWorkflowType, {
    taskQueue: t.taskQueue,
    workflowId: `booking-${row.id}`,
    args: [inputFor(row, over)],
  });
  t.track(handle);
  return handle;
}

const state = (h: WorkflowHandle) => h.query(bookingStateQuery);

/** A paid booking's workflow, started as a webhook would with its payment; resolves once confirmed. */
async function startPaid(row: BookingSnapshot, over: Partial<BookingWorkflowInput> = {}) {
  row.paymentIntentId ??= `pi_${row.id}`;
  const h = await t.env.client.workflow.signalWithStart<BookingWorkflow, [PaymentSignal]>(
    bookingWorkflowType,
    {
      taskQueue: t.taskQueue,
      workflowId: `booking-${row.id}`,
      args: [inputFor(row, over)],
      signal: paymentSignal,
      signalArgs: [succeeded(row, { paymentIntentId: row.paymentIntentId })],
    },
  );
  t.track(h);
  await eventually(
    () => state(h),
    (s) => s.status === 'CONFIRMED' && s.paid && s.invitedForSequence === 0,
  );
  return h;
}

describe.concurrent('booking workflow (stub activities)', () => {
  it('an unpaid hold expires: EXPIRED, the PaymentIntent cancelled, the athlete told', async () => {
    const row = newBooking();
    const h = await start(row, { holdTimeoutMs: 1500 });

    expect(await h.executeUpdate(bookingReadyUpdate)).toEqual({
      status: 'PENDING',
      paymentIntentId: `pi_${row.id}`,
    });
    expect(await state(h)).toMatchObject({
      status: 'PENDING',
      paymentRequired: true,
      paid: false,
      holdExpiresAt: iso(row.createdAtMs + 1500),
    });

    expect(await h.result()).toEqual({ status: 'EXPIRED' });
    expect(callsFor(row.id).map((c) => c.name)).toEqual([
      'loadBookingSnapshot',
      'createBookingPaymentIntent',
      'transitionBooking',
      'cancelBookingPaymentIntent',
      'sendEmail',
    ]);
    const [expire] = named(row.id, 'transitionBooking');
    expect(expire!.args[0]).toEqual({ bookingId: row.id, from: ['PENDING'], to: 'EXPIRED' });
    expect(expire!.at).toBeGreaterThanOrEqual(row.createdAtMs + 1500);
    expect(emails(row.id).map((e) => [e.template, e.to])).toEqual([['booking_expired', 'ann@example.test']]);
    expect(rows.get(row.id)!.status).toBe('EXPIRED');
    const described = await eventually(
      () => h.describe(),
      (d) => d.typedSearchAttributes.get(DomainStatus) === 'EXPIRED',
    );
    expect(described.status.name).toBe('COMPLETED');
  });

  it('a payment during the hold confirms the booking, and the hold deadline then passes harmlessly', async () => {
    const row = newBooking();
    let release!: () => void;
    intentGates.set(row.id, new Promise<void>((done) => (release = done)));
    const h = await start(row, { holdTimeoutMs: 2000 });

    // The payment arrives while the PaymentIntent is being created. That is a local activity inside
    // the workflow task (docs/adr/0011), so the signals wait for the task to end, with the intent's
    // id; a query would wait too, so none is made until the gate opens.
    await eventually(
      () => named(row.id, 'createBookingPaymentIntent').length,
      (n) => n === 1,
    );
    // A payment of the wrong amount is not this booking's payment.
    await h.signal(paymentSignal, succeeded(row, { amountMinor: 4000 }));
    const payment = succeeded(row);
    await h.signal(paymentSignal, payment);
    await h.signal(paymentSignal, payment); // Stripe redelivers: the first copy counts
    release();

    const confirmed = await eventually(
      () => state(h),
      (s) => s.status === 'CONFIRMED' && s.invitedForSequence === 0,
    );
    expect(confirmed).toMatchObject({ paid: true, holdExpiresAt: null, lastPaymentError: null });

    await sleep(Math.max(0, row.createdAtMs + 2500 - Date.now()));
    expect((await state(h)).status).toBe('CONFIRMED');
    expect(named(row.id, 'transitionBooking').map((c) => c.args[0])).toEqual([
      { bookingId: row.id, from: ['PENDING'], to: 'CONFIRMED', payment: { amountMinor: 5000 } },
    ]);
    expect(named(row.id, 'cancelBookingPaymentIntent')).toEqual([]);
    expect(
      emails(row.id)
        .map((e) => [e.template, e.to])
        .sort(),
    ).toEqual([
      ['booking_confirmed', 'ann@example.test'],
      ['booking_notification', 'carla@example.test'],
    ]);
  });

  it('a payment already waiting when the hold has run out wins over the expiry', async () => {
    // A retried run: the intent exists and the hold ended long ago; the webhook's signalWithStart
    // puts the payment in front of the workflow's first step.
    const row = newBooking({ paymentIntentId: 'pi_existing', createdAtMs: Date.now() - 10_000 });
    await startPaid(row, { holdTimeoutMs: 1000 });
    expect(named(row.id, 'transitionBooking').map((c) => (c.args[0] as { to: string }).to)).toEqual([
      'CONFIRMED',
    ]);
    expect(named(row.id, 'createBookingPaymentIntent')).toEqual([]);
    expect(named(row.id, 'cancelBookingPaymentIntent')).toEqual([]);
  });

  it('a free booking skips payment and runs to COMPLETED with one reminder', async () => {
    const now = Date.now();
    const row = newBooking({ priceMinor: 0, startMs: now + 5000, endMs: now + 5300 });
    const h = await start(row, { reminderLeadMs: 2000, noShowWindowMs: 200 });

    expect(await h.executeUpdate(bookingReadyUpdate)).toEqual({ status: 'CONFIRMED', paymentIntentId: null });
    expect(await state(h)).toMatchObject({ paymentRequired: false, holdExpiresAt: null, paid: false });
    expect(await h.result()).toEqual({ status: 'COMPLETED' });

    expect(named(row.id, 'createBookingPaymentIntent')).toEqual([]);
    expect(named(row.id, 'transitionBooking').map((c) => c.args[0])).toEqual([
      { bookingId: row.id, from: ['PENDING'], to: 'CONFIRMED' },
      { bookingId: row.id, from: ['CONFIRMED'], to: 'COMPLETED' },
    ]);
    expect(named(row.id, 'transitionBooking')[1]!.at).toBeGreaterThanOrEqual(row.endMs);
    const reminders = emails(row.id, 'booking_reminder');
    expect(reminders.map((e) => e.to).sort()).toEqual(['ann@example.test', 'carla@example.test']);
    for (const r of reminders) expect(r.at).toBeGreaterThanOrEqual(row.startMs - 2000);
    // Each pair is sent in parallel: only the order between pairs is fixed.
    const templates = emails(row.id).map((e) => e.template);
    expect(templates.slice(0, 2).sort()).toEqual(['booking_confirmed', 'booking_notification']);
    expect(templates.slice(2)).toEqual(['booking_reminder', 'booking_reminder']);
  });

  it('a reschedule re-arms the reminder for the new time, not the old one', async () => {
    const now = Date.now();
    // Margins of seconds: the reschedule must land before the old reminder, even on a busy machine.
    const lead = 3000;
    const row = newBooking({ priceMinor: 0, startMs: now + 8000, endMs: now + 8300 });
    const oldStart = row.startMs;
    const newStart = now + 11_000;
    const h = await start(row, { reminderLeadMs: lead, noShowWindowMs: 100 });

    const armed = await eventually(
      () => state(h),
      (s) => s.invitedForSequence === 0 && s.reminderDueAt !== null,
    );
    expect(armed.reminderDueAt).toBe(iso(oldStart - lead));
    expect(Date.now()).toBeLessThan(oldStart - lead); // the old reminder is still ahead

    const moved = await h.executeUpdate(rescheduleUpdate, {
      args: [{ by: 'athlete', actorId: 'athlete-1', start: iso(newStart) }],
    });
    expect(moved).toEqual({
      status: 'CONFIRMED',
      start: iso(newStart),
      end: iso(newStart + 300),
      sequence: 1,
    });
    const rearmed = await eventually(
      () => state(h),
      (s) => s.reminderDueAt === iso(newStart - lead),
    );
    expect(rearmed.invitedForSequence).toBe(1);

    expect(await h.result()).toEqual({ status: 'COMPLETED' });
    const reminders = emails(row.id, 'booking_reminder');
    expect(reminders).toHaveLength(2);
    for (const r of reminders) {
      expect(r.reference).toBe(`booking-${row.id}-v1`);
      expect((r.data as { start: string }).start).toBe(iso(newStart));
      expect(r.at).toBeGreaterThanOrEqual(newStart - lead);
    }
    const rescheduled = emails(row.id, 'booking_rescheduled');
    expect(rescheduled.map((e) => (e.data as { previousStart: string }).previousStart)).toEqual([
      iso(oldStart),
      iso(oldStart),
    ]);
    expect(named(row.id, 'moveBooking').map((c) => c.args[0])).toEqual([
      { bookingId: row.id, startMs: newStart },
    ]);
  });

  it('payment then cancel: the payment counts first, and the refund follows the policy', async () => {
    const row = newBooking({ startMs: Date.now() + 30 * HOUR, endMs: Date.now() + 31 * HOUR });
    const h = await start(row);
    await h.executeUpdate(bookingReadyUpdate);

    await h.signal(paymentSignal, succeeded(row));
    const outcome = await h.executeUpdate(cancelUpdate, {
      args: [{ by: 'athlete', actorId: 'athlete-1', reason: '  changed plans  ' }],
    });
    expect(outcome).toEqual({
      status: 'CANCELLED',
      refund: {
        amountMinor: 2500,
        percent: 50,
        rule: 'Moderate policy: cancelled at least 24 hours before the start: 50% refund',
      },
    });
    expect(await h.result()).toEqual({ status: 'CANCELLED' });

    const transitions = named(row.id, 'transitionBooking').map((c) => c.args[0] as Record<string, unknown>);
    expect(transitions.map((t) => t.to)).toEqual(['CONFIRMED', 'CANCELLED']);
    expect(transitions[1]!.cancellation).toMatchObject({
      by: 'athlete',
      reason: 'changed plans',
      refundDueMinor: 2500,
    });
    expect(named(row.id, 'refundBookingPayment')).toHaveLength(1);
    expect(named(row.id, 'cancelBookingPaymentIntent')).toEqual([]);
    expect((await state(h)).refund).toEqual({
      dueMinor: 2500,
      refundedMinor: 2500,
      refundId: `re_${row.id}`,
      error: null,
    });
    const cancelled = emails(row.id, 'booking_cancelled');
    expect(cancelled.map((e) => (e.data as { refund: unknown }).refund)).toEqual([
      { amountMinor: 2500, rule: outcome.refund!.rule },
      { amountMinor: 2500, rule: outcome.refund!.rule },
    ]);
  });

  it('cancel then payment: the intent is cancelled and the late payment refunded in full', async () => {
    const row = newBooking({ startMs: Date.now() + 30 * HOUR, endMs: Date.now() + 31 * HOUR });
    const h = await start(row);
    await h.executeUpdate(bookingReadyUpdate);

    const outcome = await h.executeUpdate(cancelUpdate, {
      args: [{ by: 'athlete', actorId: 'athlete-1', reason: 'no longer needed' }],
    });
    expect(outcome).toEqual({ status: 'CANCELLED', refund: null });
    // What the Stripe webhook does: signal the run, or start a new one if it has finished.
    const late = await t.env.client.workflow.signalWithStart<BookingWorkflow, [PaymentSignal]>(
      bookingWorkflowType,
      {
        taskQueue: t.taskQueue,
        workflowId: `booking-${row.id}`,
        args: [inputFor(row)],
        signal: paymentSignal,
        signalArgs: [succeeded(row)],
      },
    );
    expect(await late.result()).toEqual({ status: 'CANCELLED' });

    expect(named(row.id, 'cancelBookingPaymentIntent')).toHaveLength(1);
    expect(named(row.id, 'recordLatePayment').map((c) => c.args[0])).toEqual([
      { bookingId: row.id, amountMinor: 5000 },
    ]);
    expect(named(row.id, 'refundBookingPayment')).toHaveLength(1);
    expect(rows.get(row.id)).toMatchObject({
      status: 'CANCELLED',
      refundDueMinor: 5000,
      refundedMinor: 5000,
    });
    expect(named(row.id, 'transitionBooking').map((c) => (c.args[0] as { to: string }).to)).toEqual([
      'CANCELLED',
    ]);
  });

  const policyCases: {
    name: string;
    policy: CancellationPolicy;
    by: 'athlete' | 'coach';
    hoursAhead: number;
    refund: number;
    percent: number;
  }[] = [
    {
      name: 'moderate, 80 h ahead',
      policy: { kind: 'moderate' },
      by: 'athlete',
      hoursAhead: 80,
      refund: 5000,
      percent: 100,
    },
    {
      name: 'flexible, 2 h ahead',
      policy: { kind: 'flexible' },
      by: 'athlete',
      hoursAhead: 2,
      refund: 2500,
      percent: 50,
    },
    {
      name: 'strict, 2 days ahead',
      policy: { kind: 'strict' },
      by: 'athlete',
      hoursAhead: 48,
      refund: 0,
      percent: 0,
    },
    {
      name: 'custom 75 % from 48 h, 50 h ahead',
      policy: { kind: 'custom', tiers: [{ hoursBefore: 48, refundPercent: 75 }] },
      by: 'athlete',
      hoursAhead: 50,
      refund: 3750,
      percent: 75,
    },
    {
      name: 'strict, cancelled by the coach',
      policy: { kind: 'strict' },
      by: 'coach',
      hoursAhead: 48,
      refund: 5000,
      percent: 100,
    },
  ];

  it.each(policyCases)('cancel refund follows the policy: $name', async (c) => {
    const now = Date.now();
    const row = newBooking({
      service: { id: 'service-1', title: 'Serve clinic', cancellationPolicy: c.policy },
      startMs: now + c.hoursAhead * HOUR,
      endMs: now + (c.hoursAhead + 1) * HOUR,
    });
    const h = await startPaid(row);
    const outcome = await h.executeUpdate(cancelUpdate, {
      args: [{ by: c.by, actorId: c.by === 'coach' ? 'coach-1' : 'athlete-1', reason: 'test' }],
    });
    expect(outcome.status).toBe('CANCELLED');
    expect(outcome.refund).toMatchObject({ amountMinor: c.refund, percent: c.percent });
    expect(await h.result()).toEqual({ status: 'CANCELLED' });
    expect(named(row.id, 'refundBookingPayment')).toHaveLength(c.refund > 0 ? 1 : 0);
    expect(rows.get(row.id)!.refundedMinor).toBe(c.refund);
    expect(
      emails(row.id, 'booking_cancelled').map(
        (e) => (e.data as { refund: { amountMinor: number } }).refund.amountMinor,
      ),
    ).toEqual([c.refund, c.refund]);
  });

  it('a cancel after the session started is refused and changes nothing', async () => {
    const now = Date.now();
    const row = newBooking({ status: 'CONFIRMED', priceMinor: 0, startMs: now - 1000, endMs: now + 60_000 });
    const h = await start(row);
    await h.executeUpdate(bookingReadyUpdate);
    const err = await h
      .executeUpdate(cancelUpdate, { args: [{ by: 'athlete', actorId: 'athlete-1', reason: 'late' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('InvalidTransition');
    expect(cause.message).toBe('The session has already started; it can no longer be cancelled');
    expect((await state(h)).status).toBe('CONFIRMED');
    expect(named(row.id, 'transitionBooking')).toEqual([]);
  });
});
