import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import type { SendEmailInput } from '../../activities/email';
import type { LedgerTransactionDraft } from '../../src/domain/payments/ledger';
import type { BookingSnapshot, PaymentSignal } from '../../workflows/bookings/definitions';
import type { ActivityCall, DefaultStubs } from './temporal-env';

// The booking workflow's world for the fast tier: an in-memory booking row per booking stands in
// for Postgres, and Stripe and SMTP are call logs. Activities are registered by name, so these stubs
// replace the real ones one for one.

export const HOUR = 3_600_000;

export const rows = new Map<string, BookingSnapshot>();
export const calls: ActivityCall[] = [];
/** Bookings whose PaymentIntent creation waits until the test lets it finish. */
export const intentGates = new Map<string, Promise<void>>();

function rowOf(bookingId: string): BookingSnapshot {
  const row = rows.get(bookingId);
  if (!row) throw ApplicationFailure.retryable(`booking ${bookingId} is not in the store`, 'BookingNotFound');
  return row;
}

/** Stubs named like the booking workflow's activities, working on `rows`. */
export const bookingStubs = {
  async loadBookingSnapshot(bookingId: string): Promise<BookingSnapshot> {
    return structuredClone(rowOf(bookingId));
  },
  async transitionBooking(input: {
    bookingId: string;
    from: BookingSnapshot['status'][];
    to: BookingSnapshot['status'];
    payment?: { amountMinor: number };
    cancellation?: { refundDueMinor: number };
  }) {
    const row = rowOf(input.bookingId);
    if (input.from.includes(row.status)) {
      row.status = input.to;
      if (input.payment) Object.assign(row, { paid: true, amountPaidMinor: input.payment.amountMinor });
      if (input.cancellation) {
        row.refundDueMinor = input.cancellation.refundDueMinor;
        row.sequence += 1;
      }
    }
    return { status: row.status, sequence: row.sequence };
  },
  async moveBooking(input: { bookingId: string; startMs: number }) {
    const row = rowOf(input.bookingId);
    const length = row.endMs - row.startMs;
    Object.assign(row, {
      startMs: input.startMs,
      endMs: input.startMs + length,
      sequence: row.sequence + 1,
      rescheduleCount: row.rescheduleCount + 1,
    });
    return {
      startMs: row.startMs,
      endMs: row.endMs,
      sequence: row.sequence,
      rescheduleCount: row.rescheduleCount,
    };
  },
  async createBookingPaymentIntent(bookingId: string) {
    await intentGates.get(bookingId);
    const row = rowOf(bookingId);
    row.paymentIntentId ??= `pi_${bookingId}`;
    return { paymentIntentId: row.paymentIntentId };
  },
  async cancelBookingPaymentIntent(_bookingId: string) {
    return { canceled: true };
  },
  async recordLatePayment(input: { bookingId: string; amountMinor: number }) {
    const row = rowOf(input.bookingId);
    if (row.paid) return { recorded: false };
    Object.assign(row, { paid: true, amountPaidMinor: input.amountMinor, refundDueMinor: input.amountMinor });
    return { recorded: true };
  },
  async refundBookingPayment(bookingId: string) {
    const row = rowOf(bookingId);
    row.refundId ??= `re_${bookingId}`;
    row.refundedMinor = row.refundDueMinor;
    return { refundId: row.refundId, refundedMinor: row.refundedMinor };
  },
  async sendEmail(_input: SendEmailInput) {
    return { sent: true, messageId: '<stub@coachflow>' };
  },
  /** The ledger is checked by what the workflow hands it (test/workflows/booking-ledger.test.ts). */
  async postLedgerTransactions(_drafts: LedgerTransactionDraft[]) {},
  /** booking_created analytics (issue 13): recorded per booking, checked by the call log. */
  async recordAnalyticsEvents(events: { id: string }[]) {
    return { recorded: events.length };
  },
  /** A credit booking's credit given back on a cancellation within policy (issue 13). */
  async returnBookingCredit(bookingId: string) {
    const row = rowOf(bookingId);
    const returned = !(row as { creditReturned?: boolean }).creditReturned;
    Object.assign(row, { creditReturned: true });
    return { returned };
  },
} satisfies DefaultStubs;

/** This booking's activity calls, in order, with the wall-clock time each was made. */
export function callsFor(bookingId: string) {
  return calls.filter((c) => {
    const first = c.args[0] as string | { bookingId?: string; reference?: string };
    if (typeof first === 'string') return first === bookingId;
    return first.bookingId === bookingId || first.reference?.startsWith(`booking-${bookingId}`);
  });
}
export const named = (bookingId: string, name: string) => callsFor(bookingId).filter((c) => c.name === name);
export const emails = (bookingId: string, template?: string) =>
  named(bookingId, 'sendEmail')
    .map((c) => ({ ...(c.args[0] as SendEmailInput), at: c.at }))
    .filter((e) => !template || e.template === template);
export const iso = (ms: number) => new Date(ms).toISOString();

/** A booking row in the store: paid (50.00 EUR), moderate policy, two days ahead, unless overridden. */
export function newBooking(over: Partial<BookingSnapshot> = {}): BookingSnapshot {
  const now = Date.now();
  const row: BookingSnapshot = {
    id: randomUUID(),
    status: 'PENDING',
    coach: { id: 'coach-1', name: 'Carla Coach', email: 'carla@example.test', timeZone: 'Europe/Berlin' },
    athlete: { id: 'athlete-1', name: 'Ann Athlete', email: 'ann@example.test' },
    athleteTimeZone: null,
    service: { id: 'service-1', title: 'Serve clinic', cancellationPolicy: { kind: 'moderate' } },
    startMs: now + 48 * HOUR,
    endMs: now + 49 * HOUR,
    priceMinor: 5000,
    currency: 'EUR',
    paymentIntentId: null,
    paid: false,
    amountPaidMinor: 0,
    refundDueMinor: 0,
    refundedMinor: 0,
    refundId: null,
    sequence: 0,
    rescheduleCount: 0,
    createdAtMs: now,
    cancellation: null,
    ...over,
  };
  rows.set(row.id, row);
  return row;
}

/** The Stripe webhook's signal for a successful payment of the booking's price. */
export const succeeded = (row: BookingSnapshot, over: Partial<PaymentSignal> = {}): PaymentSignal => ({
  eventId: `evt_${randomUUID()}`,
  kind: 'succeeded',
  paymentIntentId: `pi_${row.id}`,
  amountMinor: row.priceMinor,
  currency: row.currency.toLowerCase(),
  ...over,
});
