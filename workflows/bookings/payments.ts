import { ActivityFailure, log, patched } from '@temporalio/workflow';
import { ledger, type LedgerTransactionDraft } from '../../src/domain/payments/ledger';
import { paymentEventEffect } from '../../src/domain/payments/payee';
import type { BookingSnapshot } from './definitions';
import { db, stripe, stripeLocal } from './proxies';
import type { BookingState } from './state';

// The booking's money steps: its PaymentIntent, Stripe's payment events, refunds (the policy's, and
// the full refund of a payment that arrived after the booking ended) and their ledger postings.

/** Runs that created the PaymentIntent in an ordinary activity replay it as one. */
const LOCAL_PAYMENT_INTENT = 'booking-local-payment-intent';
// Payments and refunds post to the ledger (docs/adr/0013). Runs started before that replay without it:
// the marker this patch writes says the run takes the ledger steps.
const BOOKING_LEDGER = 'booking-ledger';

/** Creates the booking's PaymentIntent: in the workflow task (local activity), or as runs before did. */
export function createPaymentIntent(bookingId: string, s: BookingSnapshot) {
  return patched(LOCAL_PAYMENT_INTENT)
    ? stripeLocal.createBookingPaymentIntent(bookingId, {
        amountMinor: s.priceMinor,
        currency: s.currency,
        serviceTitle: s.service.title,
        athleteEmail: s.athlete.email,
        coachId: s.coach.id,
        athleteId: s.athlete.id,
      })
    : stripe.createBookingPaymentIntent(bookingId);
}

/** An activity failure as the message operators and the athlete see. */
export const failureMessage = (err: unknown): string =>
  err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : String(err);

/**
 * Posts a payment or refund to the ledger (idempotent by key). A draft the ledger refuses is a bug
 * to fix there, not a reason to stop the booking's lifecycle: logged, and the lifecycle goes on.
 */
async function postToLedger(st: BookingState, make: () => LedgerTransactionDraft): Promise<void> {
  if (!patched(BOOKING_LEDGER)) return;
  try {
    await db.postLedgerTransactions([make()]);
  } catch (err) {
    log.error('ledger posting failed', { bookingId: st.bookingId, error: String(err) });
  }
}

/**
 * Applies payment events in arrival order (src/domain/payments/payee.ts says what each
 * means); the state machine makes the order irrelevant. Runs under the booking's lock.
 */
export async function drainInbox(st: BookingState): Promise<void> {
  const s = st.snapshot!;
  const { bookingId } = st;
  // The intent's id is recorded when its creation returns; events wait for it rather than be
  // judged against an unknown id.
  if (st.creatingIntent) return;
  while (st.payments.length > 0) {
    const event = st.payments.shift()!;
    const effect = paymentEventEffect(
      {
        paymentIntentId: s.paymentIntentId,
        amountMinor: s.priceMinor,
        currency: s.currency,
        awaiting: s.status === 'PENDING',
        paid: s.paid,
        ended: s.status === 'CANCELLED' || s.status === 'EXPIRED',
      },
      event,
    );
    if (effect === 'failed_attempt') st.lastPaymentError = event.message ?? 'The payment failed';
    else if (effect === 'mismatch')
      log.warn('payment event does not match the booking; ignored', {
        bookingId,
        eventId: event.eventId,
        paymentIntentId: event.paymentIntentId,
      });
    else if (effect === 'late') st.latePayments.push(event);
    else if (effect === 'apply') {
      const result = await db.transitionBooking({
        bookingId,
        from: ['PENDING'],
        to: 'CONFIRMED',
        payment: { amountMinor: event.amountMinor },
      });
      if (result.status === 'CONFIRMED') {
        s.paid = true;
        s.amountPaidMinor = event.amountMinor;
        st.lastPaymentError = null;
        await postToLedger(st, () => ledger.bookingPayment(st.ledgerParties(s, event.amountMinor)));
      }
      st.setStatus(result.status);
    }
  }
}

/** Payments for a booking that had already ended: recorded, then refunded in full. */
export async function refundLatePayments(st: BookingState): Promise<void> {
  const s = st.snapshot!;
  while (st.latePayments.length > 0) {
    const event = st.latePayments.shift()!;
    const { recorded } = await stripe.recordLatePayment({
      bookingId: st.bookingId,
      amountMinor: event.amountMinor,
    });
    s.paid = true;
    if (recorded) {
      s.amountPaidMinor = event.amountMinor;
      s.refundDueMinor = event.amountMinor;
      await postToLedger(st, () => ledger.bookingPayment(st.ledgerParties(s, event.amountMinor)));
    }
    await refundDue(st);
  }
}

/** The refund due (the policy's, or a late payment's), once; Stripe's final refusal is kept for operators. */
export async function refundDue(st: BookingState): Promise<void> {
  const s = st.snapshot!;
  if (s.refundId || s.refundDueMinor <= 0) return;
  try {
    const r = await stripe.refundBookingPayment(st.bookingId);
    s.refundId = r.refundId;
    s.refundedMinor = r.refundedMinor;
    const refundId = r.refundId;
    if (refundId && r.refundedMinor > 0) {
      await postToLedger(st, () =>
        ledger.bookingRefund({ ...st.ledgerParties(s, r.refundedMinor), refundId }),
      );
    }
  } catch (err) {
    // Stripe refused for good (e.g. the charge was disputed): operators see it in the query.
    st.refundError = failureMessage(err);
    log.error('refund failed', { bookingId: st.bookingId, error: st.refundError });
  }
}
