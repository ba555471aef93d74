import { priceProblems } from '../payments/charge-limits';
import type { FieldProblem } from '../shared/errors';
import { validatePolicy, type CancellationPolicy } from './cancellation';

// An offering is something bookable a coach offers 1:1 (a lesson, a video call; the BookingService
// row, "services" in the public API). Field-by-field limits are checked by the API schema; these are
// the rules that span fields.

export interface OfferingCrossFields {
  cancellationPolicy?: CancellationPolicy;
  dailyLimit?: number | null;
  weeklyLimit?: number | null;
  /** The price as it will be (an update's new price or currency merged with the stored one). */
  price?: { priceMinor: number; currency: string };
}

/**
 * A custom refund policy's tiers, daily/weekly limits that contradict each other, and a price Stripe
 * cannot charge in its currency.
 */
export function offeringProblems(o: OfferingCrossFields): FieldProblem[] {
  const problems = o.cancellationPolicy
    ? validatePolicy(o.cancellationPolicy).map((p) => ({
        field: `cancellationPolicy.${p.field}`,
        reason: p.reason,
      }))
    : [];
  if (o.price) problems.push(...priceProblems(o.price));
  if (o.dailyLimit != null && o.weeklyLimit != null && o.weeklyLimit < o.dailyLimit) {
    problems.push({ field: 'weeklyLimit', reason: 'must not be below dailyLimit' });
  }
  return problems;
}
