import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CURRENCIES,
  add,
  allocate,
  compare,
  currencyExponent,
  equals,
  format,
  isSupportedCurrency,
  money,
  multiply,
  multiplyRatio,
  negate,
  percentageOf,
  subtract,
  sum,
  zero,
  type Money,
  type RoundingMode,
} from '../../../src/domain/shared/money';

const CODES = Object.keys(CURRENCIES);
const usd = (minor: number) => money(minor, 'USD');
const amounts = (max = 1_000_000_000_000) => fc.integer({ min: -max, max });
const currencies = fc.constantFrom(...CODES);
const moneyArb = (max?: number) =>
  fc.tuple(amounts(max), currencies).map(([amount, code]) => money(amount, code));

describe('money()', () => {
  it('builds a frozen value with the minor amount and currency', () => {
    const m = money(1999, 'USD');
    expect(m).toEqual({ amountMinor: 1999, currency: 'USD' });
    expect(Object.isFrozen(m)).toBe(true);
  });

  it('upper-cases currency codes (Stripe sends "usd")', () => {
    expect(money(5, 'usd').currency).toBe('USD');
    expect(money(5, 'eUr').currency).toBe('EUR');
  });

  it.each([1.5, 0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])(
    'rejects non-integer or unsafe amount %s',
    (amount) => {
      expect(() => money(amount, 'USD')).toThrow(RangeError);
    },
  );

  it.each(['', 'US', 'USDD', 'U$D', '123', 'XXX', 'ABC'])(
    'rejects invalid or unsupported currency "%s"',
    (code) => {
      expect(() => money(1, code)).toThrow(RangeError);
    },
  );

  it('normalises -0 to 0', () => {
    expect(Object.is(money(-0, 'USD').amountMinor, 0)).toBe(true);
    expect(Object.is(negate(zero('USD')).amountMinor, 0)).toBe(true);
  });

  it('knows minor-unit exponents, including zero-decimal currencies', () => {
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('GBP')).toBe(2);
    expect(currencyExponent('INR')).toBe(2);
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('krw')).toBe(0);
    expect(isSupportedCurrency('NZD')).toBe(true);
    expect(isSupportedCurrency('usd')).toBe(false); // the guard is exact; money() normalises
    expect(() => currencyExponent('XYZ')).toThrow(RangeError);
  });

  it('every table entry is a 3-letter upper-case code with a sane exponent', () => {
    for (const [code, { exponent }] of Object.entries(CURRENCIES)) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3]).toContain(exponent);
    }
  });
});

describe('add / subtract / sum / compare', () => {
  it('adds and subtracts same-currency amounts', () => {
    expect(add(usd(199), usd(300))).toEqual(usd(499));
    expect(subtract(usd(199), usd(300))).toEqual(usd(-101));
    expect(sum('USD', [usd(1), usd(2), usd(3)])).toEqual(usd(6));
    expect(sum('EUR', [])).toEqual(money(0, 'EUR'));
  });

  it('throws on currency mismatch', () => {
    expect(() => add(usd(1), money(1, 'EUR'))).toThrow(/currency mismatch/);
    expect(() => subtract(usd(1), money(1, 'GBP'))).toThrow(/currency mismatch/);
    expect(() => compare(usd(1), money(1, 'JPY'))).toThrow(/currency mismatch/);
    expect(() => sum('USD', [money(1, 'EUR')])).toThrow(/currency mismatch/);
  });

  it('throws on overflow beyond safe integers instead of losing cents', () => {
    expect(() => add(usd(Number.MAX_SAFE_INTEGER), usd(1))).toThrow(RangeError);
  });

  it('compares and tests equality', () => {
    expect(compare(usd(1), usd(2))).toBe(-1);
    expect(compare(usd(2), usd(2))).toBe(0);
    expect(compare(usd(3), usd(2))).toBe(1);
    expect(equals(usd(2), usd(2))).toBe(true);
    expect(equals(usd(2), money(2, 'EUR'))).toBe(false);
  });

  it('property: add then subtract is the identity, and vice versa', () => {
    fc.assert(
      fc.property(amounts(), amounts(), currencies, (a, b, code) => {
        const x = money(a, code);
        const y = money(b, code);
        expect(subtract(add(x, y), y)).toEqual(x);
        expect(add(subtract(x, y), y)).toEqual(x);
      }),
    );
  });

  it('property: add is commutative and subtract(x, x) is zero', () => {
    fc.assert(
      fc.property(amounts(), amounts(), currencies, (a, b, code) => {
        const x = money(a, code);
        const y = money(b, code);
        expect(add(x, y)).toEqual(add(y, x));
        expect(subtract(x, x)).toEqual(zero(code));
        expect(add(x, negate(x))).toEqual(zero(code));
      }),
    );
  });

  it('property: any arithmetic across different currencies throws', () => {
    fc.assert(
      fc.property(moneyArb(), moneyArb(), (x, y) => {
        fc.pre(x.currency !== y.currency);
        expect(() => add(x, y)).toThrow(RangeError);
        expect(() => subtract(x, y)).toThrow(RangeError);
        expect(() => compare(x, y)).toThrow(RangeError);
      }),
    );
  });
});

describe('multiply / multiplyRatio / percentageOf', () => {
  const cases: [amount: number, factor: number, mode: RoundingMode, expected: number][] = [
    [199, 2, 'half_up', 398],
    [199, 1.5, 'half_up', 299], // 298.5 -> 299
    [199, 1.5, 'floor', 298],
    [199, 1.5, 'ceil', 299],
    [10, 1.15, 'half_up', 12], // exactly 11.5, not float's 11.4999...
    [10, 1.15, 'floor', 11],
    [-199, 1.5, 'half_up', -299], // half away from zero
    [-199, 1.5, 'floor', -299], // toward -infinity
    [-199, 1.5, 'ceil', -298],
    [1000, 0.333, 'half_up', 333],
    [1999, 0, 'half_up', 0],
    [1999, -1, 'floor', -1999],
    [5, 1e-7, 'ceil', 1],
    [5, 1e-7, 'half_up', 0],
    [3, 1e21, 'floor', 3e21], // exceeds safe range
  ];
  it.each(cases)('%s × %s (%s) = %s', (amount, factor, mode, expected) => {
    if (!Number.isSafeInteger(expected)) {
      expect(() => multiply(usd(amount), factor, mode)).toThrow(RangeError);
    } else {
      expect(multiply(usd(amount), factor, mode)).toEqual(usd(expected));
    }
  });

  it('rejects non-finite factors', () => {
    expect(() => multiply(usd(1), Number.NaN, 'half_up')).toThrow(RangeError);
    expect(() => multiply(usd(1), Number.POSITIVE_INFINITY, 'half_up')).toThrow(RangeError);
  });

  it('multiplies by exact integer ratios', () => {
    expect(multiplyRatio(usd(1000), 1, 3, 'half_up')).toEqual(usd(333));
    expect(multiplyRatio(usd(1000), 2, 3, 'half_up')).toEqual(usd(667));
    expect(multiplyRatio(usd(1000), 2, 3, 'floor')).toEqual(usd(666));
    expect(multiplyRatio(usd(1000), 1, -3, 'floor')).toEqual(usd(-334));
    expect(multiplyRatio(usd(1), 1, 2, 'half_up')).toEqual(usd(1));
    expect(multiplyRatio(usd(-1), 1, 2, 'half_up')).toEqual(usd(-1));
    expect(() => multiplyRatio(usd(1), 1, 0, 'floor')).toThrow(RangeError);
    expect(() => multiplyRatio(usd(1), 1.5, 2, 'floor')).toThrow(RangeError);
  });

  it('takes basis-point percentages', () => {
    expect(percentageOf(usd(1999), 10_000, 'half_up')).toEqual(usd(1999)); // 100%
    expect(percentageOf(usd(1999), 1_500, 'half_up')).toEqual(usd(300)); // 15% of 19.99 = 299.85
    expect(percentageOf(usd(1999), 1_500, 'floor')).toEqual(usd(299));
    expect(percentageOf(usd(1000), 250, 'half_up')).toEqual(usd(25)); // 2.5%
    expect(percentageOf(usd(1000), 12.5, 'half_up')).toEqual(usd(1)); // 0.125% of 10.00 = 1.25
    expect(percentageOf(money(5000, 'JPY'), 290, 'half_up')).toEqual(money(145, 'JPY'));
  });

  it('property: rounding modes bracket the exact value and differ by at most one unit', () => {
    fc.assert(
      fc.property(amounts(1e9), fc.integer({ min: 0, max: 20_000 }), (amount, bps) => {
        const m = usd(amount);
        const lo = percentageOf(m, bps, 'floor').amountMinor;
        const hi = percentageOf(m, bps, 'ceil').amountMinor;
        const mid = percentageOf(m, bps, 'half_up').amountMinor;
        const exact = (amount * bps) / 10_000;
        expect(lo).toBeLessThanOrEqual(exact);
        expect(hi).toBeGreaterThanOrEqual(exact);
        expect(hi - lo).toBeLessThanOrEqual(1);
        expect(mid === lo || mid === hi).toBe(true);
        expect(Math.abs(mid - exact)).toBeLessThanOrEqual(0.5 + 1e-9);
      }),
    );
  });

  it('property: half_up is symmetric around zero', () => {
    fc.assert(
      fc.property(
        amounts(1e9),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1000 }),
        (a, n, d) => {
          expect(multiplyRatio(usd(-a), n, d, 'half_up')).toEqual(
            negate(multiplyRatio(usd(a), n, d, 'half_up')),
          );
        },
      ),
    );
  });
});

describe('allocate', () => {
  it('splits with the largest remainder, ties to the earlier part', () => {
    expect(allocate(usd(100), [1, 1, 1]).map((m) => m.amountMinor)).toEqual([34, 33, 33]);
    expect(allocate(usd(5), [1, 1, 1, 1, 1, 1]).map((m) => m.amountMinor)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(allocate(usd(1999), [70, 30]).map((m) => m.amountMinor)).toEqual([1399, 600]); // 1399.3 / 599.7
    expect(allocate(usd(1000), [0.7, 0.2, 0.1]).map((m) => m.amountMinor)).toEqual([700, 200, 100]);
    expect(allocate(usd(10), [0.5, 0.25, 0.25]).map((m) => m.amountMinor)).toEqual([5, 3, 2]);
  });

  it('gives zero-ratio parts nothing and keeps currency', () => {
    const parts = allocate(money(7, 'JPY'), [0, 1, 0, 2]);
    expect(parts.map((m) => m.amountMinor)).toEqual([0, 2, 0, 5]);
    expect(parts.every((m) => m.currency === 'JPY')).toBe(true);
  });

  it('splits negative totals by magnitude (refunds)', () => {
    expect(allocate(usd(-100), [1, 1, 1]).map((m) => m.amountMinor)).toEqual([-34, -33, -33]);
  });

  it('rejects empty, negative, non-finite or all-zero ratios', () => {
    expect(() => allocate(usd(1), [])).toThrow(RangeError);
    expect(() => allocate(usd(1), [1, -1])).toThrow(RangeError);
    expect(() => allocate(usd(1), [0, 0])).toThrow(RangeError);
    expect(() => allocate(usd(1), [1, Number.NaN])).toThrow(RangeError);
  });

  const ratio = fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 0, max: 100, noNaN: true }));
  const ratioList = fc.array(ratio, { minLength: 1, maxLength: 12 }).filter((rs) => rs.some((r) => r > 0));

  it('property: parts always sum exactly to the total', () => {
    fc.assert(
      fc.property(moneyArb(), ratioList, (total, ratios) => {
        const parts = allocate(total, ratios);
        expect(parts).toHaveLength(ratios.length);
        expect(sum(total.currency, parts)).toEqual(total);
        for (const part of parts) expect(Number.isSafeInteger(part.amountMinor)).toBe(true);
      }),
    );
  });

  it('property: each part is within one unit of its exact share, and zero ratios get zero', () => {
    fc.assert(
      fc.property(
        amounts(1e9),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 10 }),
        (amount, ratios) => {
          fc.pre(ratios.some((r) => r > 0));
          const total = ratios.reduce((s, r) => s + r, 0);
          allocate(usd(amount), ratios).forEach((part, i) => {
            const exact = (amount * ratios[i]!) / total;
            expect(Math.abs(part.amountMinor - exact)).toBeLessThan(1 + 1e-6);
            if (ratios[i] === 0) expect(part.amountMinor).toBe(0);
          });
        },
      ),
    );
  });

  it('property: equal ratios give parts differing by at most one unit, larger ones first', () => {
    fc.assert(
      fc.property(
        moneyArb(),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 100 }),
        (total, n, w) => {
          const parts = allocate(
            total,
            Array.from({ length: n }, () => w),
          ).map((m) => m.amountMinor);
          expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
          const magnitudes = parts.map(Math.abs);
          expect([...magnitudes].sort((a, b) => b - a)).toEqual(magnitudes);
        },
      ),
    );
  });

  it('property: scaling all ratios by a constant does not change the split', () => {
    fc.assert(
      fc.property(
        moneyArb(),
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 2, max: 1000 }),
        (total, ratios, k) => {
          fc.pre(ratios.some((r) => r > 0));
          expect(
            allocate(
              total,
              ratios.map((r) => r * k),
            ),
          ).toEqual(allocate(total, ratios));
        },
      ),
    );
  });
});

describe('format', () => {
  const cases: [Money, string][] = [
    [money(1999, 'USD'), '$19.99'],
    [money(500, 'EUR'), '€5.00'],
    [money(5, 'GBP'), '£0.05'],
    [money(0, 'USD'), '$0.00'],
    [money(500, 'JPY'), '¥500'],
    [money(1_234_567, 'JPY'), '¥1,234,567'],
    [money(123_456_789, 'USD'), '$1,234,567.89'],
    [money(-123_456, 'USD'), '-$1,234.56'],
    [money(99_900, 'INR'), '₹999.00'],
    [money(2999, 'AUD'), 'A$29.99'],
    [money(2999, 'NZD'), 'NZ$29.99'],
    [money(2999, 'CAD'), 'CA$29.99'],
    [money(2999, 'ZAR'), 'R29.99'],
    [money(500, 'CHF'), 'CHF 5.00'],
    [money(-500, 'PKR'), '-PKR 5.00'],
  ];
  it.each(cases)('%o -> %s', (m, expected) => {
    expect(format(m)).toBe(expected);
  });

  it('can print the code instead of the symbol', () => {
    expect(format(money(1999, 'USD'), { display: 'code' })).toBe('USD 19.99');
    expect(format(money(500, 'JPY'), { display: 'code' })).toBe('JPY 500');
  });

  it('property: formatting round-trips the amount for every currency', () => {
    fc.assert(
      fc.property(moneyArb(), (m) => {
        const text = format(m, { display: 'code' });
        const numeric = text
          .replace(/^-?[A-Z]{3} /, '')
          .replaceAll(',', '')
          .replace('.', '');
        const sign = text.startsWith('-') ? -1 : 1;
        expect(sign * Number(numeric)).toBe(m.amountMinor);
        const decimals = text.includes('.') ? text.split('.')[1]!.length : 0;
        expect(decimals).toBe(currencyExponent(m.currency));
      }),
    );
  });
});
