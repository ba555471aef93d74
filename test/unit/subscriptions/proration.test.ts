import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prorate } from '../../../src/domain/subscriptions/proration';

const DAY = 86_400_000;
const start = Date.UTC(2026, 10, 1);
const end = Date.UTC(2026, 11, 1); // 30 days

describe('proration (issue 12: preview of a plan change)', () => {
  it('half way through the period: half the new price minus half the old one', () => {
    const p = prorate({
      fromPriceMinor: 999,
      toPriceMinor: 1999,
      periodStartMs: start,
      periodEndMs: end,
      atMs: start + 15 * DAY,
    });
    expect(p).toEqual({ creditMinor: -500, chargeMinor: 1000, amountDueMinor: 500, remainingPpm: 500_000 });
  });

  it('a change at the very start costs the full difference; at the end nothing', () => {
    expect(
      prorate({
        fromPriceMinor: 999,
        toPriceMinor: 1999,
        periodStartMs: start,
        periodEndMs: end,
        atMs: start,
      }).amountDueMinor,
    ).toBe(1000);
    expect(
      prorate({ fromPriceMinor: 999, toPriceMinor: 1999, periodStartMs: start, periodEndMs: end, atMs: end })
        .amountDueMinor,
    ).toBe(0);
  });

  it('a move to a cheaper plan gives a credit (negative amount due)', () => {
    const p = prorate({
      fromPriceMinor: 2999,
      toPriceMinor: 2499,
      periodStartMs: start,
      periodEndMs: end,
      atMs: start + 10 * DAY,
    });
    expect(p.amountDueMinor).toBeLessThan(0);
    expect(p.creditMinor + p.chargeMinor).toBe(p.amountDueMinor);
  });

  it('clamps a change outside the period and refuses nonsense', () => {
    expect(
      prorate({
        fromPriceMinor: 100,
        toPriceMinor: 200,
        periodStartMs: start,
        periodEndMs: end,
        atMs: start - DAY,
      }).amountDueMinor,
    ).toBe(100);
    expect(() =>
      prorate({ fromPriceMinor: -1, toPriceMinor: 200, periodStartMs: start, periodEndMs: end, atMs: start }),
    ).toThrow(/fromPriceMinor/);
    expect(() =>
      prorate({
        fromPriceMinor: 1,
        toPriceMinor: 2 ** 60,
        periodStartMs: start,
        periodEndMs: end,
        atMs: start,
      }),
    ).toThrow(/toPriceMinor/);
    expect(() =>
      prorate({ fromPriceMinor: 1, toPriceMinor: 2, periodStartMs: end, periodEndMs: start, atMs: start }),
    ).toThrow(/period/);
    expect(() =>
      prorate({
        fromPriceMinor: 1,
        toPriceMinor: 2,
        periodStartMs: start,
        periodEndMs: end,
        atMs: Number.NaN,
      }),
    ).toThrow(/atMs/);
  });

  it('property: integers, each part bounded by its price, the parts sum to the amount due, monotone in time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 366 * DAY }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (from, to, length, f1, f2) => {
          const at1 = start + Math.floor(length * Math.min(f1, f2));
          const at2 = start + Math.floor(length * Math.max(f1, f2));
          const a = prorate({
            fromPriceMinor: from,
            toPriceMinor: to,
            periodStartMs: start,
            periodEndMs: start + length,
            atMs: at1,
          });
          const b = prorate({
            fromPriceMinor: from,
            toPriceMinor: to,
            periodStartMs: start,
            periodEndMs: start + length,
            atMs: at2,
          });
          for (const p of [a, b]) {
            expect(Number.isInteger(p.amountDueMinor)).toBe(true);
            expect(p.chargeMinor).toBeLessThanOrEqual(to);
            expect(-p.creditMinor).toBeLessThanOrEqual(from);
            expect(p.creditMinor + p.chargeMinor).toBe(p.amountDueMinor);
          }
          // Later changes charge (and credit) no more than earlier ones.
          expect(b.chargeMinor).toBeLessThanOrEqual(a.chargeMinor);
          expect(-b.creditMinor).toBeLessThanOrEqual(-a.creditMinor);
        },
      ),
    );
  });
});
