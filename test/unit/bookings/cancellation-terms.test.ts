import { describe, expect, it } from 'vitest';
import { cancellationTerms, creditComesBack } from '../../../src/domain/bookings/cancellation';

const HOUR = 3_600_000;
const START = new Date('2026-06-15T10:00:00Z');
const facts = (hoursBefore: number, by: 'athlete' | 'coach' = 'athlete') => ({
  policy: { kind: 'moderate' } as const,
  start: START,
  cancelledAt: new Date(START.getTime() - hoursBefore * HOUR),
  cancelledBy: by,
  cap: null,
});

describe('cancellationTerms', () => {
  it('refunds money paid by the policy, and shows the policy rule', () => {
    const terms = cancellationTerms({ ...facts(48), paidMinor: 4000, paidWithCredit: false });
    expect(terms.refund).toEqual({ refundMinor: 2000, percent: 50, rule: terms.rule });
    expect(terms.rule).toMatch(/50% refund/);
  });
  it('follows a cap left by an earlier move', () => {
    const terms = cancellationTerms({
      ...facts(100),
      cap: { percent: 0, reason: 'moved less than 24 hours before the earlier start' },
      paidMinor: 4000,
      paidWithCredit: false,
    });
    expect(terms.refund?.refundMinor).toBe(0);
    expect(terms.rule).toContain('moved less than 24 hours before the earlier start');
  });
  it('says nothing is refunded when nothing was paid and no credit was used', () => {
    expect(cancellationTerms({ ...facts(100), paidMinor: null, paidWithCredit: false })).toEqual({
      refund: null,
      rule: 'Nothing was paid, so nothing is refunded',
    });
  });
  it('a credit booking: the credit comes back inside a refund window, is used outside it', () => {
    expect(cancellationTerms({ ...facts(48), paidMinor: null, paidWithCredit: true })).toEqual({
      refund: null,
      rule: 'Paid with a package credit: the credit is returned',
    });
    expect(cancellationTerms({ ...facts(2), paidMinor: null, paidWithCredit: true })).toEqual({
      refund: null,
      rule: 'Paid with a package credit: cancelled outside the refund window, the credit is used',
    });
  });
  it('money paid takes precedence over a credit (the refund rule is shown)', () => {
    const terms = cancellationTerms({ ...facts(100), paidMinor: 4000, paidWithCredit: true });
    expect(terms.refund?.refundMinor).toBe(4000);
  });
});

describe('creditComesBack', () => {
  it('whenever the policy refunds anything; always when the coach cancels', () => {
    expect(creditComesBack(facts(100))).toBe(true);
    expect(creditComesBack(facts(48))).toBe(true);
    expect(creditComesBack(facts(2))).toBe(false);
    expect(creditComesBack(facts(2, 'coach'))).toBe(true);
  });
  it('not once a move capped the refund at nothing', () => {
    expect(creditComesBack({ ...facts(100), cap: { percent: 0, reason: 'moved late' } })).toBe(false);
  });
});
