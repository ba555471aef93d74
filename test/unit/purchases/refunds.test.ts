import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refundAmountProblem, refundPlan, refundRequestProblem } from '../../../src/domain/purchases/refunds';

const credit = (total: number, remaining: number, expired = false) => ({
  serviceTitle: 'Lesson',
  total,
  remaining,
  expired,
});

describe('refundPlan', () => {
  it('a package of 5 for 100.00 with 2 used refunds 60.00 and revokes 3, keeping 2', () => {
    const plan = refundPlan({ amountMinor: 10_000, refundedMinor: 0, credits: [credit(5, 3)] });
    expect(plan).toEqual({
      defaultAmountMinor: 6000,
      revokedCredits: 3,
      keptCredits: 2,
      note: '3 unused credits revoked; 2 used sessions stay booked',
    });
  });

  it('a plain product (no credits) refunds the whole price', () => {
    expect(refundPlan({ amountMinor: 2500, refundedMinor: 0, credits: [] }).defaultAmountMinor).toBe(2500);
  });

  it('expired credits are worth nothing and nothing used is said so', () => {
    const plan = refundPlan({ amountMinor: 9000, refundedMinor: 0, credits: [credit(3, 3, true)] });
    expect(plan.defaultAmountMinor).toBe(0);
    expect(plan.note).toBe('no unused credits to revoke; no sessions had been used');
  });

  it('never refunds more than is left, rounds down, and is exact when nothing is used', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.nat(), fc.boolean()), { maxLength: 4 }),
        fc.nat(),
        (amount, raw, refundedSeed) => {
          const credits = raw.map(([total, used, expired]) =>
            credit(total, total - (used % (total + 1)), expired),
          );
          const refunded = refundedSeed % (amount + 1);
          const plan = refundPlan({ amountMinor: amount, refundedMinor: refunded, credits });
          expect(plan.defaultAmountMinor).toBeGreaterThanOrEqual(0);
          expect(plan.defaultAmountMinor).toBeLessThanOrEqual(amount - refunded);
          const total = credits.reduce((n, c) => n + c.total, 0);
          const usable = credits.reduce((n, c) => n + (c.expired ? 0 : c.remaining), 0);
          if (total > 0) {
            expect(plan.defaultAmountMinor).toBeLessThanOrEqual((amount * usable) / total);
            if (usable === total && refunded === 0) expect(plan.defaultAmountMinor).toBe(amount);
          }
          expect(plan.revokedCredits).toBe(usable);
        },
      ),
    );
  });
});

describe('refundAmountProblem', () => {
  it('accepts up to what is left, refuses zero, fractions and more', () => {
    expect(refundAmountProblem(500, 1000, 500)).toBeNull();
    expect(refundAmountProblem(501, 1000, 500)).toMatch(/more than what is left/);
    expect(refundAmountProblem(0, 1000, 0)).toMatch(/positive/);
    expect(refundAmountProblem(1.5, 1000, 0)).toMatch(/positive/);
    expect(refundAmountProblem(Number.MAX_SAFE_INTEGER + 2, 1000, 0)).toMatch(/positive/);
  });
});

describe('refundRequestProblem', () => {
  const paid = { status: 'PAID', amountMinor: 3000, refundedMinor: 1000 };

  it('lets a paid purchase be refunded, in full or by an amount within what is left', () => {
    expect(refundRequestProblem(paid, {})).toBeNull();
    expect(refundRequestProblem(paid, { amountMinor: 2000 })).toBeNull();
  });
  it('refuses a purchase already refunded, or not paid, as a state conflict', () => {
    expect(refundRequestProblem({ ...paid, status: 'REFUNDED' }, {})).toEqual({
      code: 'invalid_transition',
      message: 'This purchase has already been refunded',
    });
    expect(refundRequestProblem({ ...paid, status: 'PENDING' }, { amountMinor: 1 })).toEqual({
      code: 'invalid_transition',
      message: 'A pending purchase cannot be refunded',
    });
  });
  it('names the amount when it is more than is left or not a positive whole number', () => {
    expect(refundRequestProblem(paid, { amountMinor: 2001 })).toEqual({
      code: 'invalid_request',
      message: 'is more than what is left to refund (2000)',
      field: 'amountMinor',
    });
    expect(refundRequestProblem(paid, { amountMinor: 0 })?.field).toBe('amountMinor');
  });
});
