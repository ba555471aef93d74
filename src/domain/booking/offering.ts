import type { FieldProblem } from '../shared/errors';
import { validatePolicy, type CancellationPolicy } from './cancellation';

// An offering is something bookable a coach offers 1:1 (a lesson, a video call; the BookingService
// row, "services" in the public API). Field-by-field limits are checked by the API schema; these are
// the rules that span fields.

export interface OfferingCrossFields {
  cancellationPolicy?: CancellationPolicy;
  dailyLimit?: number | null;
  weeklyLimit?: number | null;
}

/** A custom refund policy's tiers, and daily/weekly limits that contradict each other. */
export function offeringProblems(o: OfferingCrossFields): FieldProblem[] {
  const problems = o.cancellationPolicy
    ? validatePolicy(o.cancellationPolicy).map((p) => ({
        field: `cancellationPolicy.${p.field}`,
        reason: p.reason,
      }))
    : [];
  if (o.dailyLimit != null && o.weeklyLimit != null && o.weeklyLimit < o.dailyLimit) {
    problems.push({ field: 'weeklyLimit', reason: 'must not be below dailyLimit' });
  }
  return problems;
}
