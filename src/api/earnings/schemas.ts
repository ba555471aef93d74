import { z } from '@hono/zod-openapi';
import { LEDGER_KINDS } from '../../domain/payments/ledger';
import { Instant, pageOf, pagination } from '../openapi';

export const EarningsQuery = z
  .object({
    /** Start of the period (inclusive). */
    from: Instant.optional(),
    /** End of the period (exclusive); balances are as of this instant (or now, if it is later). */
    to: Instant.optional(),
    ...pagination,
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) < Date.parse(q.to), {
    path: ['to'],
    message: 'must be after from',
  });

const Minor = z.number().int();

export const BalanceSchema = z
  .object({
    currency: z.string(),
    pendingMinor: Minor,
    availableMinor: Minor,
    paidOutMinor: Minor,
    earnedMinor: Minor,
  })
  .openapi('EarningsBalance');

export const PeriodTotalSchema = z
  .object({
    currency: z.string(),
    earnedMinor: Minor,
    refundedMinor: Minor,
    platformFeeMinor: Minor,
    paidOutMinor: Minor,
  })
  .openapi('EarningsPeriodTotal');

export const MovementSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(LEDGER_KINDS as [string, ...string[]]),
    reference: z.string(),
    occurredAt: z.string(),
    currency: z.string(),
    amountMinor: Minor,
    coachMinor: Minor,
    platformFeeMinor: Minor,
    memo: z.string().nullable(),
  })
  .openapi('LedgerMovement');

export const EarningsSchema = z
  .object({
    asOf: z.string(),
    holdPeriodSeconds: z.number().int(),
    feeBps: z.number().int(),
    balances: z.array(BalanceSchema),
    period: z.object({
      from: z.string().nullable(),
      to: z.string().nullable(),
      totals: z.array(PeriodTotalSchema),
    }),
    movements: pageOf(MovementSchema),
  })
  .openapi('Earnings');
