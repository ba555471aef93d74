import { ApplicationFailure, log } from '@temporalio/activity';
import type { Deps } from '../../src/infra/deps';
import { asStripeError, classify } from '../payments/stripe-errors';

// Stripe calls of purchase-<id>. Every call carries an idempotency key derived from the purchase and
// the step, and its result is recorded on the purchase row (checked first), so a retried activity,
// a replayed workflow or a second run never charges, cancels or refunds twice.

export const purchasePaymentKeys = {
  paymentIntent: (purchaseId: string) => `purchase-${purchaseId}-payment-intent`,
  cancelPaymentIntent: (purchaseId: string) => `purchase-${purchaseId}-cancel-payment-intent`,
  /** One refund per purchase: a second request with another amount is refused before Stripe. */
  refund: (purchaseId: string) => `purchase-${purchaseId}-refund`,
};

export function purchaseStripeActivities(deps: Pick<Deps, 'db' | 'stripe'>) {
  const { db, stripe } = deps;
  return {
    /**
     * The purchase's PaymentIntent, created once; metadata.kind = 'purchase' routes Stripe's events
     * back here. The client secret goes to the row only (the buyer's client reads it), never into history.
     */
    async createPurchasePaymentIntent(purchaseId: string): Promise<{ paymentIntentId: string }> {
      const p = await db.purchase.findUniqueOrThrow({
        where: { id: purchaseId },
        include: { buyer: { select: { email: true } } },
      });
      if (p.paymentIntentId) return { paymentIntentId: p.paymentIntentId };
      let intent;
      try {
        intent = await stripe.paymentIntents.create(
          {
            amount: p.amountMinor,
            currency: p.currency.toLowerCase(),
            automatic_payment_methods: { enabled: true },
            description: `${p.title} (purchase ${p.id})`,
            receipt_email: p.buyer.email,
            metadata: { kind: 'purchase', purchaseId: p.id, coachId: p.coachId, buyerId: p.buyerId },
          },
          { idempotencyKey: purchasePaymentKeys.paymentIntent(p.id) },
        );
      } catch (err) {
        classify(err, 'creating the PaymentIntent failed');
      }
      await db.purchase.updateMany({
        where: { id: p.id, paymentIntentId: null },
        data: { paymentIntentId: intent.id, paymentClientSecret: intent.client_secret },
      });
      const stored = await db.purchase.findUniqueOrThrow({
        where: { id: p.id },
        select: { paymentIntentId: true },
      });
      return { paymentIntentId: stored.paymentIntentId! };
    },

    /** An abandoned checkout's intent is cancelled, so the buyer can no longer pay for it. */
    async cancelPurchasePaymentIntent(purchaseId: string): Promise<{ canceled: boolean; reason?: string }> {
      const p = await db.purchase.findUniqueOrThrow({
        where: { id: purchaseId },
        select: { paymentIntentId: true, paidAt: true },
      });
      if (!p.paymentIntentId || p.paidAt) return { canceled: false, reason: 'nothing to cancel' };
      try {
        await stripe.paymentIntents.cancel(
          p.paymentIntentId,
          { cancellation_reason: 'abandoned' },
          { idempotencyKey: purchasePaymentKeys.cancelPaymentIntent(purchaseId) },
        );
        return { canceled: true };
      } catch (err) {
        const e = asStripeError(err);
        if (e.code === 'payment_intent_unexpected_state') {
          log.warn('PaymentIntent could not be cancelled', { purchaseId, message: e.message });
          return { canceled: false, reason: e.message ?? 'unexpected state' };
        }
        classify(err, 'cancelling the PaymentIntent failed');
      }
    },

    /**
     * A payment that arrived after the checkout expired (it succeeded while the intent was being
     * cancelled): recorded on the row and refunded in full, once. The purchase stays EXPIRED and
     * grants nothing.
     */
    async refundLatePurchasePayment(input: {
      purchaseId: string;
      amountMinor: number;
    }): Promise<{ refundId: string; refundedMinor: number; recorded: boolean }> {
      const marked = await db.purchase.updateMany({
        where: { id: input.purchaseId, status: 'EXPIRED', paidAt: null },
        data: { paidAt: new Date() },
      });
      const p = await db.purchase.findUniqueOrThrow({ where: { id: input.purchaseId } });
      if (p.refundId)
        return { refundId: p.refundId, refundedMinor: p.refundedMinor, recorded: marked.count === 1 };
      let refund;
      try {
        refund = await stripe.refunds.create(
          {
            payment_intent: p.paymentIntentId!,
            amount: input.amountMinor,
            reason: 'requested_by_customer',
            metadata: { kind: 'purchase', purchaseId: p.id },
          },
          { idempotencyKey: purchasePaymentKeys.refund(p.id) },
        );
      } catch (err) {
        classify(err, 'refunding the late payment failed');
      }
      await db.purchase.updateMany({
        where: { id: p.id, refundId: null },
        data: {
          refundId: refund.id,
          refundedMinor: input.amountMinor,
          refundedAt: new Date(),
          refundNote: 'Paid after the checkout had expired: refunded in full',
        },
      });
      return { refundId: refund.id, refundedMinor: input.amountMinor, recorded: marked.count === 1 };
    },

    /**
     * Refunds `amountMinor` of the purchase at Stripe, once (the refund id on the row is checked
     * first, and the key is per purchase). The credits and the status are settled afterwards by
     * settlePurchaseRefund, so a crash in between only repeats this call, which Stripe answers the same.
     */
    async refundPurchasePayment(input: {
      purchaseId: string;
      amountMinor: number;
    }): Promise<{ refundId: string }> {
      const p = await db.purchase.findUniqueOrThrow({ where: { id: input.purchaseId } });
      if (p.refundId) return { refundId: p.refundId };
      if (!p.paymentIntentId || !p.paidAt)
        throw ApplicationFailure.nonRetryable('The purchase was never paid', 'InvalidTransition');
      let refund;
      try {
        refund = await stripe.refunds.create(
          {
            payment_intent: p.paymentIntentId,
            amount: input.amountMinor,
            reason: 'requested_by_customer',
            metadata: { kind: 'purchase', purchaseId: p.id },
          },
          { idempotencyKey: purchasePaymentKeys.refund(p.id) },
        );
      } catch (err) {
        classify(err, 'refunding the purchase failed');
      }
      await db.purchase.updateMany({ where: { id: p.id, refundId: null }, data: { refundId: refund.id } });
      const stored = await db.purchase.findUniqueOrThrow({ where: { id: p.id }, select: { refundId: true } });
      return { refundId: stored.refundId! };
    },
  };
}
