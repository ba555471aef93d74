import { patched } from '@temporalio/workflow';
import { creditComesBack } from '../../src/domain/bookings/cancellation';
import { sendCancelled, sendExpired } from './emails';
import { refundDue } from './payments';
import { db, stripe } from './proxies';
import type { BookingState } from './state';

// What follows a booking's end without its session: a cancellation gives back the package credit
// (within the policy), refunds what the policy says or cancels the unpaid intent, and tells both
// sides; an expired hold cancels the intent and tells the athlete. Each runs once per booking
// (BookingState.settled), every step keyed, so a retry or a continued run changes nothing.

// Package credits (issue 13): a cancellation within policy gives the credit back. Runs started
// before replay without it.
const BOOKING_CREDITS = 'booking-credits';

export async function settleCancellation(st: BookingState): Promise<void> {
  const s = st.snapshot!;
  if (s.creditGrantId && s.cancellation && patched(BOOKING_CREDITS)) {
    const comesBack = creditComesBack({
      policy: s.service.cancellationPolicy,
      start: new Date(s.startMs),
      cancelledAt: new Date(s.cancellation.atMs),
      cancelledBy: s.cancellation.by,
      cap: st.refundCap,
    });
    if (comesBack) await db.returnBookingCredit(st.bookingId);
  }
  if (s.paid) await refundDue(st);
  else if (s.paymentIntentId) await stripe.cancelBookingPaymentIntent(st.bookingId);
  await sendCancelled(s, { withdrawInvite: st.invitedForSequence !== null });
}

export async function settleExpiry(st: BookingState): Promise<void> {
  const s = st.snapshot!;
  if (s.paymentIntentId) await stripe.cancelBookingPaymentIntent(st.bookingId);
  await sendExpired(s);
}
