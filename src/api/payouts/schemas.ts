import { z } from '@hono/zod-openapi';
import { Instant, pagination } from '../openapi';

// Payouts family: camelCase like the rest of /api/coaches/me.

export const ConnectAccountBody = z
  .object({
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be a 2-letter ISO 3166-1 country code such as GB')
      .default('GB')
      .openapi({
        description: 'Where the coach (or their business) is based; fixed once the account exists',
      }),
  })
  .strict()
  .openapi('ConnectAccountRequest');

export const PayoutAccountSchema = z
  .object({
    state: z.enum(['not_connected', 'onboarding', 'restricted', 'ready']).openapi({
      description:
        'not_connected: no account · onboarding: details not submitted · restricted: Stripe does not allow payouts yet · ready: paid out on schedule',
    }),
    stripeAccountId: z.string().nullable(),
    chargesEnabled: z.boolean(),
    payoutsEnabled: z.boolean(),
    detailsSubmitted: z.boolean(),
    requirementsDue: z.array(z.string()).openapi({ description: 'What Stripe still asks for' }),
    disabledReason: z.string().nullable(),
    updatedAt: Instant.nullable().openapi({ description: 'When Stripe last reported on the account' }),
    nextPayoutAt: Instant.nullable().openapi({
      description: 'When the next payout runs (ready accounts; null when not scheduled or not known)',
    }),
  })
  .openapi('PayoutAccount');

export const OnboardingSchema = z
  .object({
    account: PayoutAccountSchema,
    onboardingUrl: z
      .url()
      .openapi({ description: 'Stripe-hosted onboarding; single use, expires within minutes' }),
    onboardingExpiresAt: Instant,
  })
  .openapi('PayoutOnboarding');

export const PayoutSchema = z
  .object({
    id: z.uuid(),
    period: z.string(),
    amountMinor: z.number().int(),
    currency: z.string(),
    status: z.enum(['pending', 'in_transit', 'paid', 'failed']).openapi({
      description:
        'paid: the transfer was made. A later reversal by Stripe leaves it paid and shows in reversal and amountReversedMinor',
    }),
    failureReason: z.string().nullable(),
    stripeTransferId: z.string().nullable(),
    createdAt: Instant,
    paidAt: Instant.nullable(),
    failedAt: Instant.nullable(),
    reversal: z.enum(['none', 'partial', 'full']).openapi({
      description:
        'How much of the transfer Stripe took back (transfer reversals): none, part of it, or all of it. What is reversed is owed again and included in the next payout',
    }),
    amountReversedMinor: z
      .number()
      .int()
      .openapi({ description: 'Reversed so far, in minor units of currency (0 to amountMinor)' }),
    reversedAt: Instant.nullable().openapi({ description: 'When the last reversal was recorded' }),
  })
  .openapi('Payout');

export const ListPayoutsQuery = z.object({ ...pagination }).strict();
