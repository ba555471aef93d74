import { z } from '@hono/zod-openapi';
import { PRODUCT_TYPES } from '../../domain/purchases/packages';
import { pagination } from '../openapi';

const PURCHASE_STATUSES = ['PENDING', 'PAID', 'EXPIRED', 'REFUNDED'] as const;
const CREDIT_STATES = ['active', 'used_up', 'expired', 'revoked'] as const;

export const CreditSchema = z
  .object({
    id: z.uuid(),
    purchaseId: z.uuid(),
    packageTitle: z.string(),
    coachId: z.uuid(),
    serviceId: z.uuid(),
    serviceTitle: z.string(),
    total: z.number().int(),
    remaining: z.number().int(),
    expiresAt: z.string(),
    state: z.enum(CREDIT_STATES),
  })
  .openapi('Credit');

export const PurchaseSchema = z
  .object({
    id: z.uuid(),
    status: z.enum(PURCHASE_STATUSES),
    productId: z.uuid(),
    productType: z.enum(PRODUCT_TYPES),
    title: z.string(),
    buyerId: z.uuid(),
    coachId: z.uuid(),
    price: z.object({ amountMinor: z.number().int(), currency: z.string() }),
    payment: z.object({
      paymentIntentId: z.string().nullable(),
      /** For Stripe.js; only the buyer sees it, only while PENDING. */
      clientSecret: z.string().nullable(),
      /** When an unpaid checkout expires (PENDING only). */
      expiresAt: z.string().nullable(),
      paidAt: z.string().nullable(),
    }),
    credits: z.array(CreditSchema.omit({ packageTitle: true, purchaseId: true, coachId: true })),
    refund: z
      .object({ refundedMinor: z.number().int(), note: z.string(), at: z.string().nullable() })
      .nullable(),
    createdAt: z.string(),
  })
  .openapi('Purchase');

export const OnePurchase = z.object({ purchase: PurchaseSchema });

export const ListPurchasesQuery = z.object({ status: z.enum(PURCHASE_STATUSES).optional(), ...pagination });

export const RefundBody = z
  .object({
    /** Minor units; absent = the unused credits' share of the price (the whole price without credits). */
    amountMinor: z.number().int().min(1).max(100_000_000).optional(),
  })
  .strict();

export const RefundedPurchase = z.object({
  purchase: PurchaseSchema,
  refund: z.object({
    refundedMinor: z.number().int(),
    revokedCredits: z.number().int(),
    keptCredits: z.number().int(),
    note: z.string(),
    /** Titles of the courses the refund withdrew access to (bought with a package). */
    revokedCourses: z.array(z.string()),
  }),
});
