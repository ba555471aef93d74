// What a plan change costs mid-period, the way Stripe prorates by default: the unused share of the
// old price is credited, the same share of the new price is charged, both to the second. Pure and
// exact (BigInt), so the preview the API shows is the amount the workflow asks Stripe to invoice.

export interface ProrationInput {
  /** Monthly price of the current plan, in minor units. */
  fromPriceMinor: number;
  /** Monthly price of the target plan, in minor units. */
  toPriceMinor: number;
  periodStartMs: number;
  periodEndMs: number;
  /** When the change takes effect. */
  atMs: number;
}

export interface Proration {
  /** Credit for the unused time on the old plan (≤ 0). */
  creditMinor: number;
  /** Charge for the remaining time on the new plan (≥ 0). */
  chargeMinor: number;
  /** What the customer is invoiced now; negative = a credit carried to the next invoice. */
  amountDueMinor: number;
  /** Share of the period left, in parts per million (for display). */
  remainingPpm: number;
}

function assertMinor(label: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${label} must be a non-negative integer, got ${value}`);
}

/** Half-up rounding of a * num / den for non-negative integers. */
function mulDivHalfUp(a: number, num: bigint, den: bigint): number {
  const n = BigInt(a) * num * 2n + den;
  return Number(n / (den * 2n));
}

export function prorate(input: ProrationInput): Proration {
  assertMinor('fromPriceMinor', input.fromPriceMinor);
  assertMinor('toPriceMinor', input.toPriceMinor);
  for (const [label, v] of [
    ['periodStartMs', input.periodStartMs],
    ['periodEndMs', input.periodEndMs],
    ['atMs', input.atMs],
  ] as const) {
    if (!Number.isSafeInteger(v)) throw new RangeError(`${label} must be an integer, got ${v}`);
  }
  if (input.periodEndMs <= input.periodStartMs) throw new RangeError('the period must end after it starts');
  // Stripe prorates to the second; clamp a change outside the period to its edges.
  const start = Math.floor(input.periodStartMs / 1000);
  const end = Math.floor(input.periodEndMs / 1000);
  const at = Math.min(Math.max(Math.floor(input.atMs / 1000), start), end);
  const total = BigInt(Math.max(end - start, 1));
  const left = BigInt(end - at);
  const creditMinor = -mulDivHalfUp(input.fromPriceMinor, left, total);
  const chargeMinor = mulDivHalfUp(input.toPriceMinor, left, total);
  return {
    creditMinor: creditMinor === 0 ? 0 : creditMinor,
    chargeMinor,
    amountDueMinor: chargeMinor + creditMinor,
    remainingPpm: Number((left * 1_000_000n) / total),
  };
}
