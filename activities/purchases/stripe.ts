import { ApplicationFailure } from '@temporalio/activity';
import type { Deps } from '../../src/infra/deps';
import { paymentsCore, recordOnce, stripeKey, type PaymentRef } from '../payments/stripe';

// Stripe steps of purchase-<id>, through the payments core. Each result is recorded on the purchase
// row (checked first), so a retried activity, a replayed workflow or a second run never charges,
// cancels or refunds twice.

const ref = (purchaseId: string): PaymentRef => ({ kind: 'purchase', id: purchaseId });

export const purchasePaymentKeys = {
  paymentIntent: (purchaseId: string) => stripeKey(ref(purchaseId), 'payment-intent'),
  cancelPaymentIntent: (purchaseId: string) => stripeKey(ref(purchaseId), 'cancel-payment-intent'),
  /** One refund per purchase: a second request with another amount is refused before Stripe. */
  refund: (purchaseId: string) => stripeKey(ref(purchaseId), 'refund'),
};

export function purchaseStripeActivities(deps: Pick<Deps, 'db' | 'stripe'>) {
  const { db } = deps;
  const payments = paymentsCore(deps.stripe);
  return {
    /**
     * The purchase's PaymentIntent, created once; Stripe's events about it are attributed by the id
     * stored here. The client secret goes to the row only (the buyer's client reads it), never into history.
     */
    async createPurchasePaymentIntent(purchaseId: string): Promise<{ paymentIntentId: string }> {
      const p = await db.purchase.findUniqueOrThrow({
        where: { id: purchaseId },
        include: { buyer: { select: { email: true } } },
      });
      if (p.paymentIntentId) return { paymentIntentId: p.paymentIntentId };
      const intent = await payments.createIntent(ref(p.id), {
        amountMinor: p.amountMinor,
        currency: p.currency,
        capture: 'automatic',
        description: `${p.title} (purchase ${p.id})`,
        receiptEmail: p.buyer.email,
        metadata: { kind: 'purchase', purchaseId: p.id, coachId: p.coachId, buyerId: p.buyerId },
      });
      const paymentIntentId = await recordOnce(
        intent.id,
        () =>
          db.purchase.updateMany({
            where: { id: p.id, paymentIntentId: null },
            data: { paymentIntentId: intent.id, paymentClientSecret: intent.clientSecret },
          }),
        async () =>
          (await db.purchase.findUniqueOrThrow({ where: { id: p.id }, select: { paymentIntentId: true } }))
            .paymentIntentId,
      );
      return { paymentIntentId };
    },

    /** An abandoned checkout's intent is cancelled, so the buyer can no longer pay for it. */
    async cancelPurchasePaymentIntent(purchaseId: string): Promise<{ canceled: boolean; reason?: string }> {
      const p = await db.purchase.findUniqueOrThrow({
        where: { id: purchaseId },
        select: { paymentIntentId: true, paidAt: true },
      });
      if (!p.paymentIntentId || p.paidAt) return { canceled: false, reason: 'nothing to cancel' };
      return payments.cancelIntent(ref(purchaseId), p.paymentIntentId, 'cancel-payment-intent');
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
      const { refundId } = await payments.refund(ref(p.id), {
        paymentIntentId: p.paymentIntentId!,
        amountMinor: input.amountMinor,
        metadata: { kind: 'purchase', purchaseId: p.id },
      });
      await db.purchase.updateMany({
        where: { id: p.id, refundId: null },
        data: {
          refundId,
          refundedMinor: input.amountMinor,
          refundedAt: new Date(),
          refundNote: 'Paid after the checkout had expired: refunded in full',
        },
      });
      return { refundId, refundedMinor: input.amountMinor, recorded: marked.count === 1 };
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
      const { refundId } = await payments.refund(ref(p.id), {
        paymentIntentId: p.paymentIntentId,
        amountMinor: input.amountMinor,
        metadata: { kind: 'purchase', purchaseId: p.id },
      });
      const refundIdOnRow = await recordOnce(
        refundId,
        () => db.purchase.updateMany({ where: { id: p.id, refundId: null }, data: { refundId } }),
        async () =>
          (await db.purchase.findUniqueOrThrow({ where: { id: p.id }, select: { refundId: true } })).refundId,
      );
      return { refundId: refundIdOnRow };
    },
  };
}
