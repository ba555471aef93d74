import type { z } from '@hono/zod-openapi';
import type { AccountStatus } from '../../app/payouts/account';
import { payoutReversalState } from '../../domain/payouts/reversals';
import type { Payout } from '../../app/payouts/account';
import type { PayoutAccountSchema, PayoutSchema } from './schemas';

export function payoutAccountView(s: AccountStatus): z.infer<typeof PayoutAccountSchema> {
  const a = s.account;
  return {
    state: s.state,
    stripeAccountId: a?.stripeAccountId ?? null,
    chargesEnabled: a?.chargesEnabled ?? false,
    payoutsEnabled: a?.payoutsEnabled ?? false,
    detailsSubmitted: a?.detailsSubmitted ?? false,
    requirementsDue: a?.requirementsDue ?? [],
    disabledReason: a?.disabledReason ?? null,
    updatedAt: a?.stripeEventAt?.toISOString() ?? null,
    nextPayoutAt: s.nextPayoutAt?.toISOString() ?? null,
  };
}

export function payoutView(p: Payout): z.infer<typeof PayoutSchema> {
  return {
    id: p.id,
    period: p.period,
    amountMinor: p.amountMinor,
    currency: p.currency.trim(),
    status: p.status,
    failureReason: p.failureReason,
    stripeTransferId: p.stripeTransferId,
    createdAt: p.createdAt.toISOString(),
    paidAt: p.paidAt?.toISOString() ?? null,
    failedAt: p.failedAt?.toISOString() ?? null,
    reversal: payoutReversalState(p.amountMinor, p.amountReversedMinor),
    amountReversedMinor: p.amountReversedMinor,
    reversedAt: p.reversedAt?.toISOString() ?? null,
  };
}
