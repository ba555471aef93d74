// Over 400 lines on purpose: the booking lifecycle over HTTP (payment, webhooks, cancel, reschedule,
// no-show, contention) shares one stack, coach and set of services.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from '../../src/api/app';
import type { Config } from '../../src/infra/config';
import { bookingStateQuery } from '../../workflows/bookings/definitions';
import { workflowIds } from '../../workflows/shared/ids';
import {
  bookingRow,
  createCoach,
  payBooking,
  paymentIntentEvent,
  postStripeEvent,
  recordStripeRequests,
  slotAfter,
  slotsFor,
  terminateOpenBookingWorkflows,
  waitForStatus,
  waitUntil,
} from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { icsEvent, icsTime } from '../support/ics';
import { messagesTo, readAttachment, readMessage, waitForMessages } from '../support/mailbox';
import { createUser } from '../support/users';

// The booking lifecycle on the real stack: Postgres, the Temporal server with this run's workers,
// stripe-mock behind the real Stripe SDK, and Mailpit as the SMTP sink.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext({ workers: true });
});
afterAll(async () => {
  if (ctx) await terminateOpenBookingWorkflows(ctx.deps);
  await ctx?.close();
});

/** The same API with other booking durations (they are passed into each booking's workflow). */
const appWith = (cfg: Partial<Config>) => createApp({ ...ctx.deps, cfg: { ...ctx.deps.cfg, ...cfg } });

const describeWorkflow = (id: string) =>
  ctx.deps.temporal.workflow.getHandle(workflowIds.booking(id)).describe();

async function icsOf(messageId: string) {
  const message = await readMessage(messageId);
  // nodemailer's icalEvent is a text/calendar alternative plus an invite.ics attachment (listed by Mailpit).
  const parts = (
    message as unknown as { Attachments: { PartID: string; FileName: string; ContentType: string }[] }
  ).Attachments;
  const calendars = parts.filter((p) => p.FileName.endsWith('.ics'));
  expect(calendars).toHaveLength(1);
  const part = calendars[0];
  if (!part) throw new Error(`no .ics attachment in "${message.Subject}"`);
  return { message, ics: icsEvent(await readAttachment(messageId, part.PartID)) };
}

const pay = (app = ctx.app, booking: Parameters<typeof payBooking>[2]) => payBooking(app, ctx.deps, booking);

describe('booking → payment → confirmation → reminder', () => {
  it('holds the slot, confirms on a signed payment webhook, emails both sides with an invite in their own zones, then reminds', async () => {
    const coach = await createCoach(ctx.app, ctx.deps, { timeZone: 'Europe/London' });
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const slot = await slotAfter(ctx.app, coach.service.id, 4 * 60_000);
    // Reminder due ~12 s after booking: the lead is the time to the slot minus 12 s.
    const app = appWith({ BOOKING_REMINDER_LEAD: Date.parse(slot.start) - Date.now() - 12_000 });

    const bookedAt = Date.now();
    const created = await call(app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: {
        serviceId: coach.service.id,
        start: slot.start,
        timeZone: 'America/New_York',
        notes: 'Working on the pull shot',
      },
    });
    expect(created.status).toBe(201);
    const booking = created.body.booking;
    expect(booking).toMatchObject({
      status: 'PENDING',
      start: slot.start,
      end: slot.end,
      price: { amountMinor: 4500, currency: 'USD' },
      local: { timeZone: 'America/New_York' },
      payment: { state: 'awaiting_payment' },
    });
    expect(booking.payment.paymentIntentId).toMatch(/^pi_/);
    expect(booking.payment.clientSecret).toMatch(/^pi_.+_secret_/);
    expect((await describeWorkflow(booking.id)).searchAttributes).toMatchObject({
      DomainStatus: ['PENDING'],
      CoachId: [coach.user.id],
      BookingId: [booking.id],
      UserId: [athlete.id],
    });

    // The held slot is gone from the public list.
    expect((await slotsFor(ctx.app, coach.service.id)).map((s) => s.start)).not.toContain(slot.start);

    await pay(app, booking);
    await waitForStatus(ctx.deps, booking.id, 'CONFIRMED');

    const [toAthlete] = await waitForMessages(athlete.email, { subject: /^Confirmed:/ });
    const [toCoach] = await waitForMessages(coach.user.email, { subject: /^New booking:/ });
    const a = await icsOf(toAthlete!.ID);
    const c = await icsOf(toCoach!.ID);
    expect(a.ics).toMatchObject({
      method: 'REQUEST',
      uid: `booking-${booking.id}@coachflow`,
      sequence: 0,
      status: 'CONFIRMED',
      dtstart: icsTime(slot.start),
      dtend: icsTime(slot.end),
    });
    expect(c.ics.uid).toBe(a.ics.uid);
    expect(a.ics.attendee).toContain(`mailto:${athlete.email}`);
    expect(a.ics.organizer).toContain(`mailto:${coach.user.email}`);
    // Each side reads the time in its own zone, with the zone named.
    const nyTime = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'America/New_York',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(slot.start));
    const londonTime = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(slot.start));
    expect(a.message.Text).toContain(`${nyTime}–`);
    expect(a.message.Text).toContain('(America/New_York, UTC-0');
    expect(c.message.Text).toContain(`${londonTime}–`);
    expect(c.message.Text).toContain('(Europe/London, UTC+0');

    const confirmed = await call(ctx.app, 'GET', `/api/bookings/${booking.id}`, { token: athlete.token });
    expect(confirmed.body.booking).toMatchObject({
      status: 'CONFIRMED',
      payment: { state: 'paid', clientSecret: null },
    });
    expect((await describeWorkflow(booking.id)).searchAttributes.DomainStatus).toEqual(['CONFIRMED']);

    // Not reminded yet; then the reminder arrives on time, to both sides.
    expect((await messagesTo(athlete.email)).filter((m) => /^Reminder:/.test(m.Subject))).toHaveLength(0);
    const [reminder] = await waitForMessages(athlete.email, { subject: /^Reminder:/, timeoutMs: 40_000 });
    expect(Date.parse(reminder!.Created) - bookedAt).toBeGreaterThan(9_000);
    await waitForMessages(coach.user.email, { subject: /^Reminder:/ });
    const state = await ctx.deps.temporal.workflow
      .getHandle(workflowIds.booking(booking.id))
      .query(bookingStateQuery);
    expect(state).toMatchObject({
      status: 'CONFIRMED',
      paid: true,
      remindedForSequence: 0,
      invitedForSequence: 0,
    });

    // Each email exactly once.
    await sleep(500);
    const subjects = (await messagesTo(athlete.email)).map((m) => m.Subject.split(':')[0]).sort();
    expect(subjects).toEqual(['Confirmed', 'Reminder']);
  });
});

describe('cancellation', () => {
  it('refunds by the service policy exactly once, withdraws the invite and tells both sides', async () => {
    const coach = await createCoach(ctx.app, ctx.deps, {
      service: { cancellationPolicy: { kind: 'flexible' } },
    });
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const slot = await slotAfter(ctx.app, coach.service.id, 60_000);
    const booking = (
      await call(ctx.app, 'POST', '/api/bookings', {
        token: athlete.token,
        body: { serviceId: coach.service.id, start: slot.start },
      })
    ).body.booking;
    await pay(ctx.app, booking);
    await waitForStatus(ctx.deps, booking.id, 'CONFIRMED');
    await waitForMessages(athlete.email, { subject: /^Confirmed:/ });

    const stripe = recordStripeRequests(ctx.deps);
    try {
      const res = await call(ctx.app, 'POST', `/api/bookings/${booking.id}/cancel`, {
        token: athlete.token,
        body: { reason: 'Pulled a hamstring' },
      });
      expect(res.status).toBe(200);
      // Flexible policy, less than 24 h before the start: half back.
      expect(res.body.refund).toEqual({
        amountMinor: 2250,
        percent: 50,
        rule: expect.stringMatching(/^Flexible policy: .*50% refund$/),
      });
      expect(res.body.booking).toMatchObject({
        status: 'CANCELLED',
        cancellation: { by: 'athlete', reason: 'Pulled a hamstring' },
        refund: { dueMinor: 2250 },
      });

      const refunded = await waitUntil(
        'the refund',
        () => bookingRow(ctx.deps, booking.id),
        (b) => b.refundedMinor === 2250,
      );
      expect(refunded.refundId).toMatch(/^re_/);
      const [athleteMail] = await waitForMessages(athlete.email, { subject: /^Cancelled:/ });
      const [coachMail] = await waitForMessages(coach.user.email, { subject: /^Cancelled:/ });
      const a = await icsOf(athleteMail!.ID);
      const c = await icsOf(coachMail!.ID);
      expect(a.ics).toMatchObject({
        method: 'CANCEL',
        uid: `booking-${booking.id}@coachflow`,
        sequence: 1,
        status: 'CANCELLED',
      });
      expect(c.ics).toMatchObject({ method: 'CANCEL', uid: `booking-${booking.id}@coachflow`, sequence: 1 });
      expect(a.message.Text).toContain('Refund: $22.50');
      expect(c.message.Text).toContain('cancelled Batting lesson');

      // A second cancellation is refused; the refund call was made once, with the booking's key.
      const again = await call(ctx.app, 'POST', `/api/bookings/${booking.id}/cancel`, {
        token: coach.user.token,
        body: {},
      });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('invalid_transition');
      await sleep(1000);
      const refunds = stripe.seen.filter((r) => r.method === 'POST' && r.path === '/v1/refunds');
      expect(refunds).toEqual([
        { method: 'POST', path: '/v1/refunds', idempotencyKey: `booking-${booking.id}-refund` },
      ]);
    } finally {
      stripe.stop();
    }
    expect((await messagesTo(athlete.email)).filter((m) => /^Cancelled:/.test(m.Subject))).toHaveLength(1);
    // The slot is open again.
    expect((await slotsFor(ctx.app, coach.service.id)).map((s) => s.start)).toContain(slot.start);
    expect((await describeWorkflow(booking.id)).searchAttributes.DomainStatus).toEqual(['CANCELLED']);
  });

  it('a coach cancelling an unpaid hold cancels the PaymentIntent and refunds nothing', async () => {
    const coach = await createCoach(ctx.app, ctx.deps);
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const slot = await slotAfter(ctx.app, coach.service.id, 60_000);
    const booking = (
      await call(ctx.app, 'POST', '/api/bookings', {
        token: athlete.token,
        body: { serviceId: coach.service.id, start: slot.start },
      })
    ).body.booking;
    const stripe = recordStripeRequests(ctx.deps);
    try {
      const res = await call(ctx.app, 'POST', `/api/bookings/${booking.id}/cancel`, {
        token: coach.user.token,
        body: { reason: 'Rain' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        refund: null,
        booking: { status: 'CANCELLED', cancellation: { by: 'coach' }, payment: { state: 'not_paid' } },
      });
      await waitUntil(
        'the PaymentIntent cancel',
        async () => stripe.seen,
        (seen) => seen.some((r) => r.path.endsWith('/cancel')),
      );
      expect(stripe.seen.filter((r) => r.path.endsWith('/cancel'))).toEqual([
        {
          method: 'POST',
          path: `/v1/payment_intents/${booking.payment.paymentIntentId}/cancel`,
          idempotencyKey: `booking-${booking.id}-cancel-payment-intent`,
        },
      ]);
      expect(stripe.seen.filter((r) => r.path === '/v1/refunds')).toEqual([]);
    } finally {
      stripe.stop();
    }
    const [mail] = await waitForMessages(athlete.email, { subject: /^Cancelled:/ });
    const message = await readMessage(mail!.ID);
    expect(message.Text).toContain('cancelled Batting lesson');
    expect(message.Text).not.toContain('Refund');
  });
});

describe('hold timeout', () => {
  it('expires an unpaid booking, cancels its PaymentIntent, frees the slot, and refunds a payment that arrives too late', async () => {
    const coach = await createCoach(ctx.app, ctx.deps);
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const other = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const slot = await slotAfter(ctx.app, coach.service.id, 60_000);
    const stripe = recordStripeRequests(ctx.deps);
    try {
      const app = appWith({ BOOKING_HOLD_TIMEOUT: 2_000 });
      const booking = (
        await call(app, 'POST', '/api/bookings', {
          token: athlete.token,
          body: { serviceId: coach.service.id, start: slot.start },
        })
      ).body.booking;
      expect(booking.status).toBe('PENDING');
      const taken = await call(ctx.app, 'POST', '/api/bookings', {
        token: other.token,
        body: { serviceId: coach.service.id, start: slot.start },
      });
      expect(taken.status).toBe(409);

      await waitForStatus(ctx.deps, booking.id, 'EXPIRED', 20_000);
      await waitForMessages(athlete.email, { subject: /^Not booked:/ });
      expect(stripe.seen.filter((r) => r.path.endsWith('/cancel')).map((r) => r.idempotencyKey)).toEqual([
        `booking-${booking.id}-cancel-payment-intent`,
      ]);
      expect((await describeWorkflow(booking.id)).searchAttributes.DomainStatus).toEqual(['EXPIRED']);

      // The slot is bookable again.
      expect((await slotsFor(ctx.app, coach.service.id)).map((s) => s.start)).toContain(slot.start);
      const rebooked = await call(ctx.app, 'POST', '/api/bookings', {
        token: other.token,
        body: { serviceId: coach.service.id, start: slot.start },
      });
      expect(rebooked.status).toBe(201);

      // The athlete's payment lands after all: it is refunded in full, once, and the booking stays expired.
      await waitUntil(
        'the workflow to close',
        () => describeWorkflow(booking.id),
        (d) => d.status.name === 'COMPLETED',
      );
      await pay(ctx.app, booking);
      const refunded = await waitUntil(
        'the late refund',
        () => bookingRow(ctx.deps, booking.id),
        (b) => b.refundedMinor === 4500,
      );
      expect(refunded).toMatchObject({ status: 'EXPIRED', amountPaidMinor: 4500, refundDueMinor: 4500 });
      expect(stripe.seen.filter((r) => r.path === '/v1/refunds').map((r) => r.idempotencyKey)).toEqual([
        `booking-${booking.id}-refund`,
      ]);
    } finally {
      stripe.stop();
    }
  });
});

describe('reschedule', () => {
  it('moves the booking under the same constraint, sends updated invites, and reminds for the new time only', async () => {
    const coach = await createCoach(ctx.app, ctx.deps, { service: { priceMinor: 0 } });
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const rival = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const slots = (await slotsFor(ctx.app, coach.service.id)).filter(
      (s) => Date.parse(s.start) > Date.now() + 2 * 60_000,
    );
    const [earlier, later, third] = slots as [
      { start: string; end: string },
      { start: string; end: string },
      { start: string; end: string },
    ];
    // Reminder lead such that the reminder for `later` is due 15 s from now; for `earlier` it is
    // already due (5 minutes sooner), so it goes out at once after the move.
    const app = appWith({ BOOKING_REMINDER_LEAD: Date.parse(later.start) - Date.now() - 15_000 });
    const oldReminderDue = Date.now() + 15_000;
    const created = await call(app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: coach.service.id, start: later.start, timeZone: 'Asia/Kolkata' },
    });
    expect(created.status).toBe(201);
    const booking = created.body.booking;
    expect(booking.status).toBe('CONFIRMED'); // free: confirmed while the API waited
    const [confirmation] = await waitForMessages(athlete.email, { subject: /^Confirmed:/ });
    expect((await icsOf(confirmation!.ID)).ics.sequence).toBe(0);

    // A slot someone else holds is refused, naming the field.
    await call(ctx.app, 'POST', '/api/bookings', {
      token: rival.token,
      body: { serviceId: coach.service.id, start: third.start },
    });
    const clash = await call(ctx.app, 'POST', `/api/bookings/${booking.id}/reschedule`, {
      token: athlete.token,
      body: { start: third.start },
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error).toMatchObject({
      code: 'slot_taken',
      details: [{ field: 'start', reason: 'overlaps another booking (buffers included)' }],
    });
    const offGrid = await call(ctx.app, 'POST', `/api/bookings/${booking.id}/reschedule`, {
      token: athlete.token,
      body: { start: new Date(Date.parse(earlier.start) + 60_000).toISOString() },
    });
    expect(offGrid.status).toBe(409);
    expect(offGrid.body.error).toMatchObject({ code: 'slot_unavailable', details: [{ field: 'start' }] });

    const moved = await call(ctx.app, 'POST', `/api/bookings/${booking.id}/reschedule`, {
      token: coach.user.token,
      body: { start: earlier.start },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.booking).toMatchObject({
      status: 'CONFIRMED',
      start: earlier.start,
      end: earlier.end,
      sequence: 1,
      rescheduleCount: 1,
    });

    const [athleteMove] = await waitForMessages(athlete.email, { subject: /^Rescheduled:/ });
    const [coachMove] = await waitForMessages(coach.user.email, { subject: /^Rescheduled:/ });
    for (const m of [athleteMove!, coachMove!]) {
      expect((await icsOf(m.ID)).ics).toMatchObject({
        method: 'REQUEST',
        uid: `booking-${booking.id}@coachflow`,
        sequence: 1,
        dtstart: icsTime(earlier.start),
      });
    }
    expect((await readMessage(athleteMove!.ID)).Text).toContain('(Asia/Kolkata, UTC+05:30)');

    // The new time's reminder goes out; the old time's (due ~15 s after booking) never does.
    const [reminder] = await waitForMessages(athlete.email, { subject: /^Reminder:/ });
    const kolkata = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Kolkata',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    expect((await readMessage(reminder!.ID)).Text).toContain(
      `${kolkata.format(new Date(earlier.start))}–${kolkata.format(new Date(earlier.end))}`,
    );
    await sleep(Math.max(0, oldReminderDue - Date.now()) + 4_000);
    expect((await messagesTo(athlete.email)).filter((m) => /^Reminder:/.test(m.Subject))).toHaveLength(1);
    // (The coach's mailbox also holds the rival booking's reminder, so count this booking's deliveries.)
    const reminders = await ctx.deps.db.emailDelivery.findMany({
      where: { reference: { startsWith: `booking-${booking.id}` }, template: 'booking_reminder' },
    });
    expect(reminders.map((r) => [r.reference, r.recipient]).sort()).toEqual(
      [
        [`booking-${booking.id}-v1`, athlete.email],
        [`booking-${booking.id}-v1`, coach.user.email],
      ].sort(),
    );

    // The old slot is free again, the new one is not.
    const open = (await slotsFor(ctx.app, coach.service.id)).map((s) => s.start);
    expect(open).toContain(later.start);
    expect(open).not.toContain(earlier.start);
  });
});

describe('double booking', () => {
  it('50 concurrent requests for one slot: exactly 1 booking, 49 × 409, and no overlapping active bookings in the database', async () => {
    const coach = await createCoach(ctx.app, ctx.deps);
    const athletes = [];
    for (let i = 0; i < 50; i += 10)
      athletes.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, () => createUser(ctx.app, ctx.deps, 'free', 'athlete')),
        )),
      );
    const slot = await slotAfter(ctx.app, coach.service.id, 60_000);

    const results = await Promise.all(
      athletes.map((a) =>
        call(ctx.app, 'POST', '/api/bookings', {
          token: a.token,
          body: { serviceId: coach.service.id, start: slot.start },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.body.error).toMatchObject({
        code: 'slot_taken',
        details: [{ field: 'start', reason: 'overlaps another booking (buffers included)' }],
      });
    }
    expect(await ctx.deps.db.booking.count({ where: { coachId: coach.user.id } })).toBe(1);

    const overlaps = await ctx.deps.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM bookings a JOIN bookings b
        ON a.coach_id = b.coach_id AND a.id < b.id
       AND a.status IN ('PENDING', 'CONFIRMED') AND b.status IN ('PENDING', 'CONFIRMED')
       AND tstzrange(a.blocked_start, a.blocked_end) && tstzrange(b.blocked_start, b.blocked_end)`;
    expect(Number(overlaps[0]!.n)).toBe(0);
  });

  it('Postgres itself refuses an overlapping active booking (buffers included), but not next to a cancelled one', async () => {
    const coach = await createCoach(ctx.app, ctx.deps, { service: { bufferAfterMin: 10 } });
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const base = {
      coachId: coach.user.id,
      athleteId: athlete.id,
      serviceId: coach.service.id,
      bufferBeforeMin: 0,
      bufferAfterMin: 10,
      priceMinor: 0,
      currency: 'USD',
    };
    const row = (
      start: string,
      end: string,
      blockedEnd: string,
      status: 'CONFIRMED' | 'CANCELLED' = 'CONFIRMED',
    ) => ({
      ...base,
      status,
      startsAt: new Date(start),
      endsAt: new Date(end),
      blockedStart: new Date(start),
      blockedEnd: new Date(blockedEnd),
    });
    await ctx.deps.db.booking.create({
      data: row('2031-01-06T10:00:00Z', '2031-01-06T11:00:00Z', '2031-01-06T11:10:00Z'),
    });
    // Starts inside the first booking's 10-minute buffer.
    await expect(
      ctx.deps.db.booking.create({
        data: row('2031-01-06T11:05:00Z', '2031-01-06T11:35:00Z', '2031-01-06T11:45:00Z'),
      }),
    ).rejects.toMatchObject({ meta: { driverAdapterError: { cause: { originalCode: '23P01' } } } });
    // Back to back with the buffer is fine; a cancelled booking blocks nothing.
    await ctx.deps.db.booking.create({
      data: row('2031-01-06T11:10:00Z', '2031-01-06T11:40:00Z', '2031-01-06T11:50:00Z'),
    });
    await ctx.deps.db.booking.create({
      data: row('2031-01-06T10:00:00Z', '2031-01-06T11:00:00Z', '2031-01-06T11:10:00Z', 'CANCELLED'),
    });
    expect(await ctx.deps.db.booking.count({ where: { coachId: coach.user.id } })).toBe(3);
  });
});

describe('Stripe webhooks', () => {
  async function pendingBooking() {
    const coach = await createCoach(ctx.app, ctx.deps);
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const slot = await slotAfter(ctx.app, coach.service.id, 60_000);
    const booking = (
      await call(ctx.app, 'POST', '/api/bookings', {
        token: athlete.token,
        body: { serviceId: coach.service.id, start: slot.start },
      })
    ).body.booking;
    return { coach, athlete, booking };
  }
  const details = (b: {
    id: string;
    payment: { paymentIntentId: string };
    price: { amountMinor: number; currency: string };
  }) => ({
    id: b.id,
    paymentIntentId: b.payment.paymentIntentId,
    amountMinor: b.price.amountMinor,
    currency: b.price.currency,
  });
  async function endState(x: Awaited<ReturnType<typeof pendingBooking>>) {
    const row = await bookingRow(ctx.deps, x.booking.id);
    const state = await ctx.deps.temporal.workflow
      .getHandle(workflowIds.booking(x.booking.id))
      .query(bookingStateQuery);
    const athleteMail = (await messagesTo(x.athlete.email)).map((m) => m.Subject.split(':')[0]).sort();
    const coachMail = (await messagesTo(x.coach.user.email)).map((m) => m.Subject.split(':')[0]).sort();
    return {
      status: row.status,
      paid: row.paidAt !== null,
      amountPaidMinor: row.amountPaidMinor,
      workflow: { status: state.status, paid: state.paid, lastPaymentError: state.lastPaymentError },
      athleteMail,
      coachMail,
    };
  }

  it('the same event three times is stored once and confirms once', async () => {
    const x = await pendingBooking();
    const event = paymentIntentEvent('payment_intent.succeeded', details(x.booking));
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await postStripeEvent(ctx.app, ctx.deps, event)).body.outcome);
    expect(outcomes).toEqual(['routed', 'duplicate', 'duplicate']);
    expect(await ctx.deps.db.stripeWebhookEvent.count({ where: { id: event.id } })).toBe(1);
    await waitForStatus(ctx.deps, x.booking.id, 'CONFIRMED');
    await waitForMessages(x.athlete.email, { subject: /^Reminder:/ });
    await sleep(1000);
    expect(await endState(x)).toEqual({
      status: 'CONFIRMED',
      paid: true,
      amountPaidMinor: 4500,
      workflow: { status: 'CONFIRMED', paid: true, lastPaymentError: null },
      athleteMail: ['Confirmed', 'Reminder'],
      coachMail: ['New booking', 'Reminder'],
    });
  });

  it('a set of events in shuffled order ends in the same state as in order; unknown types are acknowledged', async () => {
    const inOrder = await pendingBooking();
    const shuffled = await pendingBooking();
    const events = (b: typeof inOrder.booking) => [
      paymentIntentEvent('payment_intent.payment_failed', details(b)),
      paymentIntentEvent('payment_intent.succeeded', details(b)),
      { ...paymentIntentEvent('payment_intent.succeeded', details(b)), type: 'charge.succeeded' },
      paymentIntentEvent('payment_intent.payment_failed', details(b)),
    ];
    for (const e of events(inOrder.booking))
      expect((await postStripeEvent(ctx.app, ctx.deps, e)).status).toBe(200);
    const outOfOrder = events(shuffled.booking);
    const outcomes = [];
    for (const i of [3, 1, 2, 0])
      outcomes.push((await postStripeEvent(ctx.app, ctx.deps, outOfOrder[i])).body.outcome);
    expect(outcomes).toEqual(['routed', 'routed', 'ignored', 'routed']);

    await waitForStatus(ctx.deps, inOrder.booking.id, 'CONFIRMED');
    await waitForStatus(ctx.deps, shuffled.booking.id, 'CONFIRMED');
    await waitForMessages(inOrder.athlete.email, { subject: /^Reminder:/ });
    await waitForMessages(shuffled.athlete.email, { subject: /^Reminder:/ });
    await sleep(1000);
    const a = await endState(inOrder);
    expect(a).toEqual(await endState(shuffled));
    expect(a).toMatchObject({ status: 'CONFIRMED', paid: true, workflow: { lastPaymentError: null } });
  });

  it('refuses a bad signature and stores nothing', async () => {
    const event = paymentIntentEvent('payment_intent.succeeded', {
      id: crypto.randomUUID(),
      paymentIntentId: 'pi_x',
      amountMinor: 100,
      currency: 'usd',
    });
    const res = await postStripeEvent(ctx.app, ctx.deps, event, { secret: 'whsec_not_ours' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_signature');
    const unsigned = await call(ctx.app, 'POST', '/api/webhooks/stripe', { body: event });
    expect(unsigned.status).toBe(400);
    expect(await ctx.deps.db.stripeWebhookEvent.count({ where: { id: event.id } })).toBe(0);
  });
});

describe('bad input', () => {
  it('answers 400/409 naming the field and writes nothing', async () => {
    const coach = await createCoach(ctx.app, ctx.deps, {
      timeZone: 'Europe/London',
      windows: [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startTime: '09:00', endTime: '17:00' })),
      service: { durationMin: 60, slotIntervalMin: 30 },
    });
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const book = (body: Record<string, unknown>) =>
      call(ctx.app, 'POST', '/api/bookings', {
        token: athlete.token,
        body: { serviceId: coach.service.id, ...body },
      });

    const past = await book({ start: '2020-01-06T10:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.details).toEqual([{ field: 'start', reason: 'is in the past' }]);

    // Next Saturday 10:00 London: outside the Monday–Friday windows.
    const saturday = new Date();
    saturday.setUTCDate(saturday.getUTCDate() + ((6 - saturday.getUTCDay() + 7) % 7 || 7));
    saturday.setUTCHours(10, 0, 0, 0);
    const weekend = await book({ start: saturday.toISOString() });
    expect(weekend.status).toBe(409);
    expect(weekend.body.error).toMatchObject({
      code: 'slot_unavailable',
      details: [
        { field: 'start', reason: 'is not a slot start within the coach’s availability for this service' },
      ],
    });

    const zone = await book({ start: saturday.toISOString(), timeZone: 'Mars/Olympus_Mons' });
    expect(zone.status).toBe(400);
    expect(zone.body.error.details).toEqual([
      { field: 'timeZone', reason: 'must be an IANA time zone such as Europe/London' },
    ]);

    const noZone = await book({ start: '2030-01-07 10:00' });
    expect(noZone.status).toBe(400);
    expect(noZone.body.error.details[0].field).toBe('start');

    const extra = await book({ start: saturday.toISOString(), price: 0 });
    expect(extra.status).toBe(400);
    expect(extra.body.error.details).toEqual([{ field: 'price', reason: 'unknown field' }]);

    const own = await call(ctx.app, 'POST', '/api/bookings', {
      token: coach.user.token,
      body: { serviceId: coach.service.id, start: saturday.toISOString() },
    });
    expect(own.status).toBe(400);
    expect(own.body.error.details).toEqual([{ field: 'serviceId', reason: 'is your own service' }]);

    const unknown = await book({ serviceId: crypto.randomUUID(), start: saturday.toISOString() });
    expect(unknown.status).toBe(404);

    const blackout = await call(ctx.app, 'POST', '/api/availability/blackouts', {
      token: coach.user.token,
      body: { start: '2030-01-07T12:00:00Z', end: '2030-01-07T09:00:00Z' },
    });
    expect(blackout.status).toBe(400);
    expect(blackout.body.error.details).toEqual([{ field: 'end', reason: 'must be after start' }]);

    const slotsBackwards = await call(
      ctx.app,
      'GET',
      `/api/availability/slots?serviceId=${coach.service.id}&from=2030-01-08T00:00:00Z&to=2030-01-07T00:00:00Z`,
    );
    expect(slotsBackwards.status).toBe(400);
    expect(slotsBackwards.body.error.details).toEqual([{ field: 'to', reason: 'must be after from' }]);
    const slotsZone = await call(
      ctx.app,
      'GET',
      `/api/availability/slots?serviceId=${coach.service.id}&timeZone=Nowhere/Special`,
    );
    expect(slotsZone.status).toBe(400);
    expect(slotsZone.body.error.details[0].field).toBe('query.timeZone');

    // A coach who stops taking bookings: the request is refused as a conflict, not an error.
    const off = await call(ctx.app, 'PUT', '/api/coaches/me/profile', {
      token: coach.user.token,
      body: { slug: coach.slug, displayName: 'Closed', timeZone: 'Europe/London', bookingEnabled: false },
    });
    expect(off.status).toBe(200);
    const closed = await book({ start: saturday.toISOString() });
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe('bookings_closed');

    expect(await ctx.deps.db.booking.count({ where: { coachId: coach.user.id } })).toBe(0);
    expect(await ctx.deps.db.availabilityBlackout.count({ where: { coachId: coach.user.id } })).toBe(0);
  });

  it('keeps bookings private to their athlete and coach', async () => {
    const coach = await createCoach(ctx.app, ctx.deps, { service: { priceMinor: 0 } });
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const stranger = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    const slot = await slotAfter(ctx.app, coach.service.id, 60_000);
    const booking = (
      await call(ctx.app, 'POST', '/api/bookings', {
        token: athlete.token,
        body: { serviceId: coach.service.id, start: slot.start },
      })
    ).body.booking;

    expect(
      (await call(ctx.app, 'GET', `/api/bookings/${booking.id}`, { token: stranger.token })).status,
    ).toBe(404);
    expect(
      (await call(ctx.app, 'POST', `/api/bookings/${booking.id}/cancel`, { token: stranger.token, body: {} }))
        .status,
    ).toBe(404);
    const byCoach = await call(ctx.app, 'GET', `/api/bookings/${booking.id}`, { token: coach.user.token });
    expect(byCoach.body.booking).toMatchObject({
      id: booking.id,
      local: { timeZone: 'Europe/London' },
      payment: { state: 'not_required', clientSecret: null },
    });
    const noShow = await call(ctx.app, 'POST', `/api/bookings/${booking.id}/no-show`, {
      token: athlete.token,
    });
    expect(noShow.status).toBe(403);
    const early = await call(ctx.app, 'POST', `/api/bookings/${booking.id}/no-show`, {
      token: coach.user.token,
    });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/not started yet/);

    const mine = await call(ctx.app, 'GET', '/api/bookings?as=coach', { token: coach.user.token });
    expect(mine.body.items.map((b: { id: string }) => b.id)).toEqual([booking.id]);
    expect((await call(ctx.app, 'GET', '/api/bookings', { token: stranger.token })).body).toEqual({
      items: [],
      total: 0,
    });
  });
});
