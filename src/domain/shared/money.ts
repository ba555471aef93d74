/**
 * Money as an integer count of minor units (cents, pence, yen) plus an ISO 4217 code.
 *
 * Integers only: every operation that could produce a fraction takes an explicit rounding mode and is
 * computed exactly with BigInt, so totals never drift by a cent through float error.
 */

export interface Money {
  readonly amountMinor: number;
  readonly currency: string;
}

/**
 * half_up: halves round away from zero (commercial rounding, symmetric for refunds/negatives).
 * floor: toward negative infinity. ceil: toward positive infinity.
 */
export type RoundingMode = 'half_up' | 'floor' | 'ceil';

/**
 * Supported currencies. `exponent` is ISO 4217's minor-unit count; unknown codes are rejected rather
 * than guessed because a wrong exponent silently mis-prices by 100x.
 * `symbol` is for emails; currencies without a common unambiguous symbol print their code.
 */
export const CURRENCIES = {
  USD: { exponent: 2, symbol: '$' },
  EUR: { exponent: 2, symbol: '€' },
  GBP: { exponent: 2, symbol: '£' },
  AUD: { exponent: 2, symbol: 'A$' },
  NZD: { exponent: 2, symbol: 'NZ$' },
  CAD: { exponent: 2, symbol: 'CA$' },
  INR: { exponent: 2, symbol: '₹' },
  ZAR: { exponent: 2, symbol: 'R' },
  PKR: { exponent: 2, symbol: null },
  LKR: { exponent: 2, symbol: null },
  BDT: { exponent: 2, symbol: '৳' },
  AED: { exponent: 2, symbol: null },
  SGD: { exponent: 2, symbol: 'S$' },
  CHF: { exponent: 2, symbol: null },
  JPY: { exponent: 0, symbol: '¥' },
  KRW: { exponent: 0, symbol: '₩' },
} as const satisfies Record<string, { exponent: number; symbol: string | null }>;

export type CurrencyCode = keyof typeof CURRENCIES;

export function isSupportedCurrency(code: string): code is CurrencyCode {
  return Object.hasOwn(CURRENCIES, code);
}

/** Number of decimal places of the currency's minor unit (2 for USD, 0 for JPY). */
export function currencyExponent(currency: string): number {
  return CURRENCIES[normalizeCurrency(currency)].exponent;
}

/**
 * Builds a validated Money. The code is upper-cased first so values coming from Stripe ("usd") are
 * accepted; anything that is not a supported 3-letter code throws.
 */
export function money(amountMinor: number, currency: string): Money {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new RangeError(`Money amount must be a safe integer of minor units, got ${amountMinor}`);
  }
  // `+ 0` turns -0 into 0 so equal amounts are also Object.is-equal.
  return Object.freeze({ amountMinor: amountMinor + 0, currency: normalizeCurrency(currency) });
}

export function zero(currency: string): Money {
  return money(0, currency);
}

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b, 'add');
  return money(a.amountMinor + b.amountMinor, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b, 'subtract');
  return money(a.amountMinor - b.amountMinor, a.currency);
}

export function negate(m: Money): Money {
  return money(-m.amountMinor, m.currency);
}

/** Sums a list; the currency is explicit so an empty list still has one. */
export function sum(currency: string, items: readonly Money[]): Money {
  return items.reduce(add, zero(currency));
}

/** -1, 0 or 1. Comparing different currencies throws: there is no exchange rate here. */
export function compare(a: Money, b: Money): -1 | 0 | 1 {
  assertSameCurrency(a, b, 'compare');
  return a.amountMinor < b.amountMinor ? -1 : a.amountMinor > b.amountMinor ? 1 : 0;
}

/** Value equality; different currencies are simply unequal. */
export function equals(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.amountMinor === b.amountMinor;
}

/**
 * Multiplies by a decimal factor (e.g. 1.15 for +15%). The factor is read as the exact decimal it
 * prints as, so 10 × 1.15 is 11.5 (→ 12 half-up), not 11.4999… For repeating fractions such as 1/3
 * use `multiplyRatio`.
 */
export function multiply(m: Money, factor: number, rounding: RoundingMode): Money {
  const { num, den } = decimalToRatio(factor, 'factor');
  return scale(m, num, den, rounding);
}

/** m × numerator / denominator, exactly, then rounded once. Both must be integers. */
export function multiplyRatio(
  m: Money,
  numerator: number,
  denominator: number,
  rounding: RoundingMode,
): Money {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator)) {
    throw new RangeError(`Ratio must be integers, got ${numerator}/${denominator}`);
  }
  if (denominator === 0) throw new RangeError('Ratio denominator must not be 0');
  return scale(m, BigInt(numerator), BigInt(denominator), rounding);
}

/** Basis points of an amount: 250 bps = 2.5%. Fractional bps (e.g. 12.5) are allowed. */
export function percentageOf(m: Money, basisPoints: number, rounding: RoundingMode): Money {
  const { num, den } = decimalToRatio(basisPoints, 'basisPoints');
  return scale(m, num, den * 10_000n, rounding);
}

/**
 * Splits `total` into parts proportional to `ratios` that sum to `total` exactly (largest-remainder
 * method). Each part is floor(exact share); the leftover units go one each to the parts with the
 * largest fractional remainders, ties to the earlier index, so the result is deterministic.
 * Negative totals are split by magnitude, then negated. Ratios must be >= 0 with a positive sum.
 */
export function allocate(total: Money, ratios: readonly number[]): Money[] {
  if (ratios.length === 0) throw new RangeError('allocate needs at least one ratio');
  const weights = ratiosToIntegers(ratios);
  const weightSum = weights.reduce((s, w) => s + w, 0n);
  if (weightSum === 0n) throw new RangeError('allocate needs at least one positive ratio');

  const magnitude = BigInt(Math.abs(total.amountMinor));
  const parts = weights.map((w) => (magnitude * w) / weightSum);
  const remainders = weights.map((w) => (magnitude * w) % weightSum);
  let leftover = magnitude - parts.reduce((s, p) => s + p, 0n);

  const order = remainders
    .map((r, index) => ({ r, index }))
    .sort((a, b) => (a.r === b.r ? a.index - b.index : a.r > b.r ? -1 : 1));
  for (const { index } of order) {
    if (leftover === 0n) break;
    parts[index]! += 1n;
    leftover -= 1n;
  }

  const sign = total.amountMinor < 0 ? -1n : 1n;
  return parts.map((p) => money(Number(p * sign), total.currency));
}

export interface FormatOptions {
  /** 'symbol' (default) prints "$19.99"; 'code' prints "USD 19.99" for unambiguous statements. */
  readonly display?: 'symbol' | 'code';
}

/**
 * Human-readable amount for emails and receipts: "$19.99", "€5.00", "¥500", "-$1,234.56",
 * "CHF 5.00". Deterministic by design (no Intl/locale data) so emails and snapshots never change
 * with the runtime's ICU version.
 */
export function format(m: Money, options: FormatOptions = {}): string {
  const code = normalizeCurrency(m.currency);
  const { exponent, symbol } = CURRENCIES[code];
  const digits = Math.abs(m.amountMinor)
    .toString()
    .padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const number = exponent > 0 ? `${whole}.${digits.slice(-exponent)}` : whole;
  const sign = m.amountMinor < 0 ? '-' : '';
  const prefix = options.display === 'code' || symbol === null ? `${code} ` : symbol;
  return `${sign}${prefix}${number}`;
}

// ---------------------------------------------------------------------------------------------------

function normalizeCurrency(currency: string): CurrencyCode {
  const code = typeof currency === 'string' ? currency.toUpperCase() : '';
  if (!/^[A-Z]{3}$/.test(code)) throw new RangeError(`"${currency}" is not an ISO 4217 currency code`);
  if (!isSupportedCurrency(code)) throw new RangeError(`Unsupported currency ${code}`);
  return code;
}

function assertSameCurrency(a: Money, b: Money, op: string): void {
  if (a.currency !== b.currency) {
    throw new RangeError(`Cannot ${op} ${a.currency} and ${b.currency}: currency mismatch`);
  }
}

function scale(m: Money, num: bigint, den: bigint, rounding: RoundingMode): Money {
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  return money(toSafeNumber(divRound(BigInt(m.amountMinor) * num, den, rounding)), m.currency);
}

/** n / d rounded per mode; d > 0. BigInt division truncates toward zero, so fix up from there. */
function divRound(n: bigint, d: bigint, mode: RoundingMode): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const direction = n < 0n ? -1n : 1n;
  switch (mode) {
    case 'floor':
      return n < 0n ? q - 1n : q;
    case 'ceil':
      return n > 0n ? q + 1n : q;
    case 'half_up': {
      const twiceR = r < 0n ? -2n * r : 2n * r;
      return twiceR >= d ? q + direction : q;
    }
  }
}

function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError('Money amount overflows the safe integer range');
  }
  return Number(value);
}

/** The exact decimal a finite number prints as, e.g. 1.15 → 115/100, 2e-7 → 2/10^7. */
function decimalToRatio(value: number, label: string): { num: bigint; den: bigint } {
  if (!Number.isFinite(value)) throw new RangeError(`${label} must be a finite number, got ${value}`);
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/.exec(String(value));
  if (!match) throw new RangeError(`${label} is not a decimal number: ${value}`);
  const [, sign, whole = '0', fraction = '', exp = '0'] = match;
  let num = BigInt(whole + fraction);
  let decimals = fraction.length - Number(exp);
  if (decimals < 0) {
    num *= 10n ** BigInt(-decimals);
    decimals = 0;
  }
  return { num: sign ? -num : num, den: 10n ** BigInt(decimals) };
}

/** Scales decimal ratios to integers over a common power-of-ten denominator, preserving proportions. */
function ratiosToIntegers(ratios: readonly number[]): bigint[] {
  const exact = ratios.map((r) => {
    const ratio = decimalToRatio(r, 'ratio');
    if (ratio.num < 0n) throw new RangeError(`allocate ratios must be >= 0, got ${r}`);
    return ratio;
  });
  const common = exact.reduce((max, { den }) => (den > max ? den : max), 1n);
  return exact.map(({ num, den }) => num * (common / den));
}
