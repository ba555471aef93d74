// How much of a purchase a refund gives back and what the buyer keeps. Credits are the only thing a
// buyer can have "used"; bundled products are delivered at purchase. Pure and exact in minor units.

export interface CreditUse {
  serviceTitle: string;
  total: number;
  remaining: number;
  /** Expired credits count as not used but are not worth anything either. */
  expired: boolean;
}

export interface RefundPlan {
  /** What the coach's refund gives back when no amount is named: the unused credits' share of the price. */
  defaultAmountMinor: number;
  /** Credits taken back by the refund (everything still usable). */
  revokedCredits: number;
  /** Credits used before the refund (the buyer keeps those sessions). */
  keptCredits: number;
  /** In words, for the purchase row, the API answer and the email. */
  note: string;
}

/**
 * A package of N credits for P: each unused, unexpired credit is worth P/N (rounded down, so the
 * refund never exceeds what was paid); no credits at all (a plain product): the whole price.
 */
export function refundPlan(input: {
  amountMinor: number;
  refundedMinor: number;
  credits: CreditUse[];
}): RefundPlan {
  const { amountMinor, credits } = input;
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0)
    throw new RangeError('amountMinor must be a positive integer');
  const left = amountMinor - input.refundedMinor;
  const total = credits.reduce((n, c) => n + c.total, 0);
  const usable = credits.reduce((n, c) => n + (c.expired ? 0 : c.remaining), 0);
  const used = credits.reduce((n, c) => n + (c.total - c.remaining), 0);
  const share = total === 0 ? amountMinor : Math.floor((amountMinor * usable) / total);
  const defaultAmountMinor = Math.max(0, Math.min(left, share));
  const kept =
    used === 0
      ? 'no sessions had been used'
      : `${used} used session${used === 1 ? '' : 's'} ${used === 1 ? 'stays' : 'stay'} booked`;
  const revoked =
    usable === 0
      ? 'no unused credits to revoke'
      : `${usable} unused credit${usable === 1 ? '' : 's'} revoked`;
  return {
    defaultAmountMinor,
    revokedCredits: usable,
    keptCredits: used,
    note: total === 0 ? 'the purchase had no session credits' : `${revoked}; ${kept}`,
  };
}

/** A coach's requested refund amount checked against what is left to refund. */
export function refundAmountProblem(
  requested: number,
  amountMinor: number,
  refundedMinor: number,
): string | null {
  if (!Number.isSafeInteger(requested) || requested <= 0)
    return 'must be a positive whole number of minor units';
  if (requested > amountMinor - refundedMinor)
    return `is more than what is left to refund (${amountMinor - refundedMinor})`;
  return null;
}

export interface RefundRequestProblem {
  code: 'invalid_transition' | 'invalid_request';
  message: string;
  field?: 'amountMinor';
}

/** Whether a coach's refund of a purchase in `status` may go ahead (an amount, when named, is checked too). */
export function refundRequestProblem(
  p: { status: string; amountMinor: number; refundedMinor: number },
  req: { amountMinor?: number },
): RefundRequestProblem | null {
  if (p.status === 'REFUNDED')
    return { code: 'invalid_transition', message: 'This purchase has already been refunded' };
  if (p.status !== 'PAID')
    return { code: 'invalid_transition', message: `A ${p.status.toLowerCase()} purchase cannot be refunded` };
  if (req.amountMinor !== undefined) {
    const problem = refundAmountProblem(req.amountMinor, p.amountMinor, p.refundedMinor);
    if (problem) return { code: 'invalid_request', message: problem, field: 'amountMinor' };
  }
  return null;
}
