import { Context } from '@temporalio/activity';
import type { Deps } from '../../src/infra/deps';
import { paymentsCore, recordOnce, stripeKey, type PaymentRef } from '../payments/stripe';

// The booking's Stripe steps, through the payments core. Each result is recorded on the booking row,
// which is checked first: a retried activity, a replayed workflow or a second workflow run never
// charges, cancels or refunds twice.

const ref = (bookingId: string): PaymentRef => ({ kind: 'booking', id: bookingId });

export const bookingPaymentKeys = {
  paymentIntent: (bookingId: string) => stripeKey(ref(bookingId), 'payment-intent'),
  cancelPaymentIntent: (bookingId: string) => stripeKey(ref(bookingId), 'cancel-payment-intent'),
  refund: (bookingId: string) => stripeKey(ref(bookingId), 'refund'),
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

export function bookingStripeActivities(deps: Pick<Deps, 'db' | 'stripe'>) {
  const { db } = deps;
  const payments = paymentsCore(deps.stripe);
  return {
    /**
     * The booking's PaymentIntent, created once; Stripe's events about it are attributed by the id
     * stored here. The client secret is stored on the row (the athlete's client needs it) and is
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
      const intent = await payments.createIntent(ref(bookingId), {
        amountMinor: b.amountMinor,
        currency: b.currency,
        capture: 'automatic',
        description: `${b.serviceTitle} (booking ${bookingId})`,
        receiptEmail: b.athleteEmail,
        metadata: { kind: 'booking', bookingId, coachId: b.coachId, athleteId: b.athleteId },
      });
      const paymentIntentId = await recordOnce(
        intent.id,
        () =>
          db.booking.updateMany({
            where: { id: bookingId, paymentIntentId: null },
            data: { paymentIntentId: intent.id, paymentClientSecret: intent.clientSecret },
          }),
        async () =>
          (
            await db.booking.findUniqueOrThrow({
              where: { id: bookingId },
              select: { paymentIntentId: true },
            })
          ).paymentIntentId,
      );
      return { paymentIntentId };
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
      return payments.cancelIntent(ref(bookingId), b.paymentIntentId, 'cancel-payment-intent');
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
      const { refundId } = await payments.refund(ref(b.id), {
        paymentIntentId: b.paymentIntentId,
        amountMinor: b.refundDueMinor,
        metadata: { kind: 'booking', bookingId: b.id },
      });
      await db.booking.updateMany({
        where: { id: b.id, refundId: null },
        data: { refundId, refundedMinor: b.refundDueMinor },
      });
      return { refundId, refundedMinor: b.refundDueMinor };
    },
  };
}
