import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  FEATURE_FLAGS,
  LIMIT_NAMES,
  ORG_SEAT_TIER_NAMES,
  ORG_SEAT_TIERS,
  PLAN_CURRENCY,
  effectiveLimits,
  planFor,
} from '../../domain/subscriptions/plans';
import { lookupKeyOf, SUBSCRIBABLE_PLANS } from '../../domain/subscriptions/catalogue';
import { json, listOf, RoleSchema } from '../openapi';

// GET /api/plans (public): the pricing page's data, from the one plan table (src/domain/subscriptions/plans).

const LimitsSchema = z.object(Object.fromEntries(LIMIT_NAMES.map((l) => [l, z.number().nullable()])));

const PlanSchema = z
  .object({
    role: RoleSchema,
    name: z.string(),
    priceMonthlyMinor: z.number().int(),
    currency: z.string(),
    /** The Stripe price's lookup key (npm run stripe:sync). */
    lookupKey: z.string().nullable(),
    support: z.enum(['none', 'basic', 'premium']),
    features: z.array(z.enum(FEATURE_FLAGS)),
    /** null = unlimited. */
    limits: LimitsSchema,
    seatTiers: z
      .array(
        z.object({
          seatTier: z.enum(ORG_SEAT_TIER_NAMES),
          name: z.string(),
          priceMonthlyMinor: z.number().int(),
          lookupKey: z.string(),
          limits: LimitsSchema,
        }),
      )
      .nullable(),
  })
  .openapi('Plan');

function planView(role: (typeof SUBSCRIBABLE_PLANS)[number] | 'free') {
  const p = planFor(role);
  return {
    role,
    name: p.name,
    priceMonthlyMinor: p.priceMonthlyMinor,
    currency: PLAN_CURRENCY.toLowerCase(),
    lookupKey:
      role === 'free' ? null : lookupKeyOf({ plan: role, seatTier: role === 'org_pro' ? 'starter' : null }),
    support: p.support,
    features: FEATURE_FLAGS.filter((f) => p.features[f]),
    limits: { ...effectiveLimits(role) },
    seatTiers:
      role === 'org_pro'
        ? ORG_SEAT_TIER_NAMES.map((seatTier) => ({
            seatTier,
            name: ORG_SEAT_TIERS[seatTier].name,
            priceMonthlyMinor: ORG_SEAT_TIERS[seatTier].priceMonthlyMinor,
            lookupKey: lookupKeyOf({ plan: 'org_pro', seatTier }),
            limits: { ...effectiveLimits('org_pro', seatTier) },
          }))
        : null,
  };
}

export function planRoutes() {
  const app = new OpenAPIHono();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/plans',
      operationId: 'listPlans',
      security: [],
      tags: ['plans'],
      summary: 'Every plan with its features, limits and monthly price (public, for a pricing page)',
      responses: { 200: json(listOf(PlanSchema), 'Plans, Free first') },
    }),
    (c) => {
      c.header('Cache-Control', 'public, max-age=300');
      return c.json({ items: (['free', ...SUBSCRIBABLE_PLANS] as const).map(planView) }, 200);
    },
  );
  return app;
}
