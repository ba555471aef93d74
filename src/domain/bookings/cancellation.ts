// Refund rules for cancelled sessions. "Hours before" is elapsed time between the cancellation and
// the session start (UTC instants), so DST changes never make a 24h window 23 or 25 hours long.
//
// Moving a booking never buys back a refund (docs/adr/0008-cancellation-after-reschedule.md). When
// the athlete reschedules, what cancelling would have refunded at that moment, against the start
// being left, becomes a cap (capAfterReschedule); a later cancellation refunds the lesser of the cap
// and what the policy gives for the new start. So a booking is judged by the time it first entered
// each refund window, whatever its start is now: booked 3 h ahead under "flexible" (50 %), moved 8
// days out and cancelled, it gets 50 %, not 100 %. Rescheduling inside a window stays allowed and
// keeps the entitlement where it was. A move by the coach caps nothing: it is not the athlete's doing.

import { creditReturnedOnCancel } from '../purchases/credits';

const HOUR_MS = 3_600_000;

export interface RefundTier {
  /** The tier applies when the cancellation happens at least this many hours before the start. */
  hoursBefore: number;
  refundPercent: number;
}

export type CancellationPolicy =
  { kind: 'flexible' } | { kind: 'moderate' } | { kind: 'strict' } | { kind: 'custom'; tiers: RefundTier[] };

export type CancelledBy = 'athlete' | 'coach';

/** The most a cancellation may refund after the athlete moved the booking inside a refund window. */
export interface RefundCap {
  percent: number;
  /** Where the booking stood when it was moved, e.g. "moved less than 24 hours before the earlier start". */
  reason: string;
}

export interface RefundInput {
  policy: CancellationPolicy;
  /** Amount paid, in minor currency units (cents). */
  amountMinor: number;
  start: Date;
  cancelledAt: Date;
  cancelledBy: CancelledBy;
  /** Set by earlier moves (capAfterReschedule); none when the booking was never moved inside a window. */
  cap?: RefundCap | null;
}

export interface Refund {
  refundMinor: number;
  percent: number;
  rule: string;
}

// Tiers ordered from most to least generous; anything later than the last tier refunds 0%.
// -Infinity expresses "50% after" for flexible: it holds even for very late cancellations.
const PRESETS: Record<'flexible' | 'moderate' | 'strict', RefundTier[]> = {
  flexible: [
    { hoursBefore: 24, refundPercent: 100 },
    { hoursBefore: -Infinity, refundPercent: 50 },
  ],
  moderate: [
    { hoursBefore: 72, refundPercent: 100 },
    { hoursBefore: 24, refundPercent: 50 },
  ],
  strict: [{ hoursBefore: 7 * 24, refundPercent: 50 }],
};

/** The policy's tiers, sorted by hoursBefore descending. Throws on an invalid custom tier. */
export function policyTiers(policy: CancellationPolicy): RefundTier[] {
  if (policy.kind !== 'custom') return PRESETS[policy.kind].map((t) => ({ ...t }));
  policy.tiers.forEach((t, i) => {
    if (Number.isNaN(t.hoursBefore) || t.hoursBefore === Infinity) {
      throw new RangeError(`tiers[${i}].hoursBefore must be a number`);
    }
    if (!Number.isFinite(t.refundPercent) || t.refundPercent < 0 || t.refundPercent > 100) {
      throw new RangeError(`tiers[${i}].refundPercent must be between 0 and 100`);
    }
  });
  return [...policy.tiers].sort((a, b) => b.hoursBefore - a.hoursBefore);
}

/** Validation problems for a custom policy (empty list when valid), for API input checks. */
export function validatePolicy(policy: CancellationPolicy): { field: string; reason: string }[] {
  if (policy.kind !== 'custom') return [];
  const problems: { field: string; reason: string }[] = [];
  const seen = new Set<number>();
  policy.tiers.forEach((t, i) => {
    if (!Number.isFinite(t.hoursBefore) || t.hoursBefore < 0) {
      problems.push({ field: `tiers[${i}].hoursBefore`, reason: 'must be a non-negative number' });
    } else if (seen.has(t.hoursBefore)) {
      problems.push({ field: `tiers[${i}].hoursBefore`, reason: 'duplicates another tier' });
    }
    seen.add(t.hoursBefore);
    if (!Number.isFinite(t.refundPercent) || t.refundPercent < 0 || t.refundPercent > 100) {
      problems.push({ field: `tiers[${i}].refundPercent`, reason: 'must be between 0 and 100' });
    }
  });
  return problems;
}

function describeHours(h: number): string {
  if (h >= 48 && h % 24 === 0) return `${h / 24} days`;
  return `${h} hour${h === 1 ? '' : 's'}`;
}

function percentOf(amountMinor: number, percent: number): number {
  const raw = (amountMinor * percent) / 100;
  // Guard against binary noise (e.g. 14.000000000000002) before flooring.
  const nearest = Math.round(raw);
  const floored = Math.abs(raw - nearest) < 1e-9 ? nearest : Math.floor(raw);
  return Math.min(amountMinor, Math.max(0, floored));
}

const policyName = (policy: CancellationPolicy) =>
  `${policy.kind[0]!.toUpperCase()}${policy.kind.slice(1)} policy`;

/** The tier that applies `hoursBefore` the start: its percent, and when that is in words. */
function tierAt(
  policy: CancellationPolicy,
  hoursBefore: number,
): { percent: number; when: string; matched: boolean } {
  if (Number.isNaN(hoursBefore)) throw new RangeError('start and the time of the change must be valid dates');
  const tiers = policyTiers(policy);
  const tier = tiers.find((t) => hoursBefore >= t.hoursBefore);
  if (!tier) {
    const last = tiers[tiers.length - 1];
    return {
      percent: 0,
      when: last ? `less than ${describeHours(last.hoursBefore)} before the start` : '',
      matched: false,
    };
  }
  const previous = tiers[tiers.indexOf(tier) - 1];
  const when =
    tier.hoursBefore !== -Infinity
      ? `at least ${describeHours(tier.hoursBefore)} before the start`
      : previous
        ? `less than ${describeHours(previous.hoursBefore)} before the start`
        : 'at any time';
  return { percent: tier.refundPercent, when, matched: true };
}

const describeRefund = (percent: number) => (percent === 100 ? 'full refund' : `${percent}% refund`);

export function refundFor(input: RefundInput): Refund {
  const { policy, amountMinor, cancelledBy, cap } = input;
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
    throw new RangeError(`amountMinor must be a non-negative integer, got ${amountMinor}`);
  }
  if (cancelledBy === 'coach') {
    return { refundMinor: amountMinor, percent: 100, rule: 'Cancelled by the coach: full refund' };
  }

  const hoursBefore = (input.start.getTime() - input.cancelledAt.getTime()) / HOUR_MS;
  const tier = tierAt(policy, hoursBefore);
  const name = policyName(policy);
  if (cap && cap.percent < tier.percent) {
    return {
      refundMinor: percentOf(amountMinor, cap.percent),
      percent: cap.percent,
      rule: `${name}: ${cap.reason}: ${cap.percent === 0 ? 'no refund' : describeRefund(cap.percent)}`,
    };
  }
  const when = tier.when ? `cancelled ${tier.when}` : 'no refund tiers';
  return {
    refundMinor: percentOf(amountMinor, tier.percent),
    percent: tier.percent,
    rule: `${name}: ${when}: ${tier.matched ? describeRefund(tier.percent) : 'no refund'}`,
  };
}

export interface RescheduleInput {
  policy: CancellationPolicy;
  /** The cap left by earlier moves, if any. */
  cap: RefundCap | null;
  /** The start the booking is moved away from. */
  previousStart: Date;
  movedAt: Date;
  movedBy: CancelledBy;
}

/**
 * The refund cap after a move: what cancelling at `movedAt` would have refunded against the start
 * being left, when that is less than a full refund and less than any earlier cap. A move by the
 * coach, or one made outside every window, leaves the cap as it was.
 */
export function capAfterReschedule(input: RescheduleInput): RefundCap | null {
  if (input.movedBy === 'coach') return input.cap;
  const hoursBefore = (input.previousStart.getTime() - input.movedAt.getTime()) / HOUR_MS;
  const tier = tierAt(input.policy, hoursBefore);
  if (tier.percent >= 100 || (input.cap && input.cap.percent <= tier.percent)) return input.cap;
  const where = tier.when ? tier.when.replace('the start', 'the earlier start') : 'with no refund tiers';
  return { percent: tier.percent, reason: `moved ${where}` };
}

/** A cancellation as the workflow judges it: the policy, the start, when and by whom, any cap. */
export interface CancellationFacts {
  policy: CancellationPolicy;
  start: Date;
  cancelledAt: Date;
  cancelledBy: CancelledBy;
  cap?: RefundCap | null;
}

/** A booking paid with a package credit gets it back when the policy would refund anything. */
export function creditComesBack(f: CancellationFacts): boolean {
  return creditReturnedOnCancel(refundFor({ ...f, amountMinor: 100 }).percent);
}

/**
 * What cancelling refunds and the rule both sides are shown: the policy's refund of the money paid
 * (null when nothing was paid), else whether a package credit comes back, else that nothing was paid.
 */
export function cancellationTerms(
  f: CancellationFacts & { paidMinor: number | null; paidWithCredit: boolean },
): { refund: Refund | null; rule: string } {
  const refund =
    f.paidMinor === null
      ? null
      : refundFor({
          policy: f.policy,
          amountMinor: f.paidMinor,
          start: f.start,
          cancelledAt: f.cancelledAt,
          cancelledBy: f.cancelledBy,
          cap: f.cap,
        });
  if (refund) return { refund, rule: refund.rule };
  if (!f.paidWithCredit) return { refund: null, rule: 'Nothing was paid, so nothing is refunded' };
  return {
    refund: null,
    rule: creditComesBack(f)
      ? 'Paid with a package credit: the credit is returned'
      : 'Paid with a package credit: cancelled outside the refund window, the credit is used',
  };
}
