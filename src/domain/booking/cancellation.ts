// Refund rules for cancelled sessions. "Hours before" is elapsed time between the cancellation and
// the session start (UTC instants), so DST changes never make a 24h window 23 or 25 hours long.

const HOUR_MS = 3_600_000;

export interface RefundTier {
  /** The tier applies when the cancellation happens at least this many hours before the start. */
  hoursBefore: number;
  refundPercent: number;
}

export type CancellationPolicy =
  { kind: 'flexible' } | { kind: 'moderate' } | { kind: 'strict' } | { kind: 'custom'; tiers: RefundTier[] };

export type CancelledBy = 'athlete' | 'coach';

export interface RefundInput {
  policy: CancellationPolicy;
  /** Amount paid, in minor currency units (cents). */
  amountMinor: number;
  start: Date;
  cancelledAt: Date;
  cancelledBy: CancelledBy;
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

export function refundFor(input: RefundInput): Refund {
  const { policy, amountMinor, cancelledBy } = input;
  if (!Number.isSafeInteger(amountMinor) || amountMinor < 0) {
    throw new RangeError(`amountMinor must be a non-negative integer, got ${amountMinor}`);
  }
  if (cancelledBy === 'coach') {
    return { refundMinor: amountMinor, percent: 100, rule: 'Cancelled by the coach: full refund' };
  }

  const hoursBefore = (input.start.getTime() - input.cancelledAt.getTime()) / HOUR_MS;
  if (Number.isNaN(hoursBefore)) throw new RangeError('start and cancelledAt must be valid dates');
  const tiers = policyTiers(policy);
  const tier = tiers.find((t) => hoursBefore >= t.hoursBefore);
  const name = `${policy.kind[0]!.toUpperCase()}${policy.kind.slice(1)} policy`;

  if (!tier) {
    const last = tiers[tiers.length - 1];
    const reason = last
      ? `cancelled less than ${describeHours(last.hoursBefore)} before the start`
      : 'no refund tiers';
    return { refundMinor: 0, percent: 0, rule: `${name}: ${reason}: no refund` };
  }
  const previous = tiers[tiers.indexOf(tier) - 1];
  const when =
    tier.hoursBefore !== -Infinity
      ? `cancelled at least ${describeHours(tier.hoursBefore)} before the start`
      : previous
        ? `cancelled less than ${describeHours(previous.hoursBefore)} before the start`
        : 'cancelled at any time';
  const what = tier.refundPercent === 100 ? 'full refund' : `${tier.refundPercent}% refund`;
  return {
    refundMinor: percentOf(amountMinor, tier.refundPercent),
    percent: tier.refundPercent,
    rule: `${name}: ${when}: ${what}`,
  };
}
