import { Context, log } from '@temporalio/activity';
import type { Deps } from '../../src/infra/deps';
import { asStripeError, classify } from '../payments/stripe-errors';

// Stripe calls made by workflows. Every call carries an idempotency key derived from the booking
// and the step, and its result is recorded on the booking row, which is checked first: a retried
// activity, a replayed workflow or a second workflow run never charges, cancels or refunds twice.

export const bookingPaymentKeys = {
  paymentIntent: (bookingId: string) => `booking-${bookingId}-payment-intent`,
  cancelPaymentIntent: (bookingId: string) => `booking-${bookingId}-cancel-payment-intent`,
  refund: (bookingId: string) => `booking-${bookingId}-refund`,
};

/** What a booking's PaymentIntent is made of, as the workflow's snapshot holds it. */
export interface BookingIntentFacts {
  amountMinor: number;
  currency: string;
  serviceTitle: string;
  athleteEmail: string;
  coachId: string;
  athleteId: string;
}

export function stripeActivities(deps: Pick<Deps, 'db' | 'stripe'>) {
  const { db, stripe } = deps;
  return {
    /**
     * The booking's PaymentIntent, created once. Routed back by `metadata.bookingId` when Stripe
     * reports on it. The client secret is stored on the row (the athlete's client needs it) and is
     * deliberately not returned, so it never enters workflow history.
     *
     * `known` is what the workflow already holds about the booking (docs/adr/0011: no re-reads on the
     * path a caller waits on). A first attempt with it goes straight to Stripe; a retry, or a run
     * without it, reads the row first and returns an intent already recorded. Either way the
     * idempotency key makes a repeated create return the same intent, and the record is conditional.
     */
    async createBookingPaymentIntent(
      bookingId: string,
      known?: BookingIntentFacts,
    ): Promise<{ paymentIntentId: string }> {
      let b: BookingIntentFacts;
      if (known && Context.current().info.attempt === 1) b = known;
      else {
        const row = await db.booking.findUniqueOrThrow({
          where: { id: bookingId },
          include: { athlete: { select: { email: true } }, service: { select: { title: true } } },
        });
        if (row.paymentIntentId) return { paymentIntentId: row.paymentIntentId };
        b = {
          amountMinor: row.priceMinor,
          currency: row.currency,
          serviceTitle: row.service.title,
          athleteEmail: row.athlete.email,
          coachId: row.coachId,
          athleteId: row.athleteId,
        };
      }
      let intent;
      try {
        intent = await stripe.paymentIntents.create(
          {
            amount: b.amountMinor,
            currency: b.currency.toLowerCase(),
            automatic_payment_methods: { enabled: true },
            description: `${b.serviceTitle} (booking ${bookingId})`,
            receipt_email: b.athleteEmail,
            metadata: { kind: 'booking', bookingId, coachId: b.coachId, athleteId: b.athleteId },
          },
          { idempotencyKey: bookingPaymentKeys.paymentIntent(bookingId) },
        );
      } catch (err) {
        classify(err, 'creating the PaymentIntent failed');
      }
      const recorded = await db.booking.updateMany({
        where: { id: bookingId, paymentIntentId: null },
        data: { paymentIntentId: intent.id, paymentClientSecret: intent.client_secret },
      });
      if (recorded.count === 1) return { paymentIntentId: intent.id };
      // Recorded before (a repeated run): the row's intent is the booking's.
      const stored = await db.booking.findUniqueOrThrow({
        where: { id: bookingId },
        select: { paymentIntentId: true },
      });
      return { paymentIntentId: stored.paymentIntentId! };
    },

    /**
     * Cancels an unpaid PaymentIntent so the athlete can no longer pay for a released slot. When
     * Stripe says it can no longer be cancelled (it just succeeded), the success webhook follows and
     * the workflow refunds it; that is reported, not retried.
     */
    async cancelBookingPaymentIntent(bookingId: string): Promise<{ canceled: boolean; reason?: string }> {
      const b = await db.booking.findUniqueOrThrow({
        where: { id: bookingId },
        select: { paymentIntentId: true, paidAt: true },
      });
      if (!b.paymentIntentId || b.paidAt) return { canceled: false, reason: 'nothing to cancel' };
      try {
        await stripe.paymentIntents.cancel(
          b.paymentIntentId,
          { cancellation_reason: 'abandoned' },
          { idempotencyKey: bookingPaymentKeys.cancelPaymentIntent(bookingId) },
        );
        return { canceled: true };
      } catch (err) {
        const e = asStripeError(err);
        if (e.code === 'payment_intent_unexpected_state') {
          log.warn('PaymentIntent could not be cancelled', { bookingId, message: e.message });
          return { canceled: false, reason: e.message ?? 'unexpected state' };
        }
        classify(err, 'cancelling the PaymentIntent failed');
      }
    },

    /**
     * Records a payment that arrived after the booking had already been cancelled or had expired,
     * and marks all of it due for refund. Returns false when the payment was already on record.
     */
    async recordLatePayment(input: {
      bookingId: string;
      amountMinor: number;
    }): Promise<{ recorded: boolean }> {
      const updated = await db.booking.updateMany({
        where: { id: input.bookingId, paidAt: null, status: { in: ['CANCELLED', 'EXPIRED'] } },
        data: {
          paidAt: new Date(),
          amountPaidMinor: input.amountMinor,
          refundDueMinor: input.amountMinor,
          refundRule: 'Payment arrived after the booking had ended: full refund',
        },
      });
      return { recorded: updated.count === 1 };
    },

    /** Refunds what is due on the booking, once (the refund id on the row is checked first). */
    async refundBookingPayment(
      bookingId: string,
    ): Promise<{ refundId: string | null; refundedMinor: number }> {
      const b = await db.booking.findUniqueOrThrow({ where: { id: bookingId } });
      if (b.refundId) return { refundId: b.refundId, refundedMinor: b.refundedMinor };
      if (b.refundDueMinor <= 0 || !b.paymentIntentId || !b.paidAt)
        return { refundId: null, refundedMinor: 0 };
      let refund;
      try {
        refund = await stripe.refunds.create(
          {
            payment_intent: b.paymentIntentId,
            amount: b.refundDueMinor,
            reason: 'requested_by_customer',
            metadata: { kind: 'booking', bookingId: b.id },
          },
          { idempotencyKey: bookingPaymentKeys.refund(b.id) },
        );
      } catch (err) {
        classify(err, 'refunding the booking failed');
      }
      await db.booking.updateMany({
        where: { id: b.id, refundId: null },
        data: { refundId: refund.id, refundedMinor: b.refundDueMinor },
      });
      return { refundId: refund.id, refundedMinor: b.refundDueMinor };
    },
  };
}
