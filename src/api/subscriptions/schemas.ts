import { z } from '@hono/zod-openapi';
import { ORG_SEAT_TIER_NAMES } from '../../domain/subscriptions/plans';
import { SUBSCRIPTION_STATUSES } from '../../domain/subscriptions/state';
import { RoleSchema } from '../openapi';

// The plan is checked by the subscription rules (src/domain/subscriptions/requests.ts parseChoice), not
// by an enum here, so an unknown plan is answered with the plans that can be bought.
const PlanField = z.string().trim().min(1).max(64).openapi({ example: 'coach_pro_plus' });
const SeatTierField = z
  .string()
  .trim()
  .max(32)
  .nullable()
  .optional()
  .openapi({ description: `Org Pro only: ${ORG_SEAT_TIER_NAMES.join(' | ')} (default starter)` });
const WhenField = z
  .enum(['now', 'period_end'])
  .optional()
  .openapi({ description: 'Default: upgrades now (prorated), downgrades at the period end' });

export const SubscribeBody = z.object({ plan: PlanField, seatTier: SeatTierField }).strict();
export const ChangeBody = z.object({ plan: PlanField, seatTier: SeatTierField, when: WhenField }).strict();
export const PreviewBody = ChangeBody;
export const CancelBody = z
  .object({
    /** Operators only: end now instead of at the period end. */
    immediately: z.boolean().optional(),
    /** Operators only: whose subscription (default: your own). */
    userId: z.uuid().optional(),
  })
  .strict();

const SeatTierSchema = z.enum(ORG_SEAT_TIER_NAMES);

export const SubscriptionSchema = z
  .object({
    plan: RoleSchema.nullable(),
    seatTier: SeatTierSchema.nullable(),
    status: z.enum(SUBSCRIPTION_STATUSES),
    /** The role your requests run under now. */
    role: RoleSchema,
    currentPeriodEnd: z.string().nullable(),
    cancelAtPeriodEnd: z.boolean(),
    pendingPlan: RoleSchema.nullable(),
    pendingSeatTier: SeatTierSchema.nullable(),
    /** Stored videos are deleted then, unless a video plan is bought again. */
    graceEndsAt: z.string().nullable(),
    dunning: z.object({ startedAt: z.string(), emailsSent: z.number().int() }).nullable(),
    /** Org Pro: seats held over the seat tier's limits (nobody was removed). */
    seatsOverLimit: z.array(
      z.object({
        orgId: z.uuid(),
        orgName: z.string(),
        role: z.enum(['coach', 'analyst']),
        limit: z.number().int(),
        members: z.array(z.object({ userId: z.uuid(), email: z.string() })),
      }),
    ),
  })
  .openapi('Subscription');

export const OneSubscription = z.object({ subscription: SubscriptionSchema });

export const SubscribeResult = z.object({
  subscription: SubscriptionSchema,
  payment: z.object({
    needsPayment: z.boolean(),
    /** Confirm the first payment with Stripe.js (confirmPayment) using this secret. */
    clientSecret: z.string().nullable(),
  }),
});

export const ChangeResult = z.object({
  subscription: SubscriptionSchema,
  effective: z.enum(['now', 'period_end']),
});

const ChoiceSchema = z.object({ plan: RoleSchema, seatTier: SeatTierSchema.nullable() });

export const PreviewResult = z
  .object({
    from: ChoiceSchema,
    to: ChoiceSchema,
    direction: z.enum(['upgrade', 'downgrade', 'lateral', 'none']),
    effective: z.enum(['now', 'period_end']),
    currency: z.string(),
    proration: z.object({
      creditMinor: z.number().int(),
      chargeMinor: z.number().int(),
      amountDueMinor: z.number().int(),
      remainingPpm: z.number().int(),
    }),
  })
  .openapi('SubscriptionChangePreview');

export const InvoiceSchema = z
  .object({
    id: z.string(),
    status: z.string().nullable(),
    amountDueMinor: z.number().int(),
    amountPaidMinor: z.number().int(),
    currency: z.string(),
    created: z.string(),
    hostedInvoiceUrl: z.string().nullable(),
  })
  .openapi('Invoice');
