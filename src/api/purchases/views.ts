import type { z } from '@hono/zod-openapi';
import { creditState } from '../../domain/purchases/credits';
import type { Credit, PurchaseDetails } from '../../app/purchases/purchases';
import type { CreditSchema, PurchaseSchema } from './schemas';

export function purchaseView(
  p: PurchaseDetails,
  viewer: { id: string },
  checkoutTimeoutMs: number,
  now = new Date(),
): z.infer<typeof PurchaseSchema> {
  const pending = p.status === 'PENDING';
  return {
    id: p.id,
    status: p.status,
    productId: p.productId,
    productType: p.product.type,
    title: p.title,
    buyerId: p.buyerId,
    coachId: p.coachId,
    price: { amountMinor: p.amountMinor, currency: p.currency },
    payment: {
      paymentIntentId: p.paymentIntentId,
      clientSecret: pending && viewer.id === p.buyerId ? p.paymentClientSecret : null,
      expiresAt: pending ? new Date(p.createdAt.getTime() + checkoutTimeoutMs).toISOString() : null,
      paidAt: p.paidAt?.toISOString() ?? null,
    },
    credits: p.credits.map((c) => ({
      id: c.id,
      serviceId: c.serviceId,
      serviceTitle: c.service.title,
      total: c.total,
      remaining: c.remaining,
      expiresAt: c.expiresAt.toISOString(),
      state: creditState(c, now),
    })),
    refund:
      p.status === 'REFUNDED'
        ? {
            refundedMinor: p.refundedMinor,
            note: p.refundNote ?? '',
            at: p.refundedAt?.toISOString() ?? null,
          }
        : null,
    createdAt: p.createdAt.toISOString(),
  };
}

export const creditView = (c: Credit, now = new Date()): z.infer<typeof CreditSchema> => ({
  id: c.id,
  purchaseId: c.purchaseId,
  packageTitle: c.purchase.title,
  coachId: c.coachId,
  serviceId: c.serviceId,
  serviceTitle: c.service.title,
  total: c.total,
  remaining: c.remaining,
  expiresAt: c.expiresAt.toISOString(),
  state: creditState(c, now),
});
