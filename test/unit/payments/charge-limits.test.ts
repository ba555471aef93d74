import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chargeableProblem,
  STRIPE_MAXIMUM_CHARGE_MINOR,
  STRIPE_MINIMUM_CHARGE_MINOR,
} from '../../../src/domain/payments/charge-limits';
import { CURRENCIES, type CurrencyCode } from '../../../src/domain/shared/money';

describe('Stripe charge limits (issue 9 #13)', () => {
  it('refuses USD prices Stripe cannot charge, naming the minimum', () => {
    expect(chargeableProblem(1, 'USD')).toMatch(/at least \$0\.50/);
    expect(chargeableProblem(49, 'USD')).toMatch(/at least \$0\.50/);
    expect(chargeableProblem(50, 'USD')).toBeUndefined();
    expect(chargeableProblem(0, 'USD')).toBeUndefined();
  });

  it('uses each currency its own minimum', () => {
    expect(chargeableProblem(29, 'GBP')).toMatch(/£0\.30/);
    expect(chargeableProblem(30, 'GBP')).toBeUndefined();
    expect(chargeableProblem(49, 'JPY')).toMatch(/¥50/);
    expect(chargeableProblem(199, 'AED')).toBeDefined();
  });

  it('refuses amounts over the largest single charge', () => {
    expect(chargeableProblem(STRIPE_MAXIMUM_CHARGE_MINOR, 'USD')).toBeUndefined();
    expect(chargeableProblem(STRIPE_MAXIMUM_CHARGE_MINOR + 1, 'USD')).toMatch(/at most/);
  });

  it('has a minimum for every supported currency, and accepts exactly the amounts in range', () => {
    const codes = Object.keys(CURRENCIES) as CurrencyCode[];
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.integer({ min: 0, max: 2e8 }), (code, amount) => {
        const min = STRIPE_MINIMUM_CHARGE_MINOR[code];
        const ok = amount === 0 || (amount >= min && amount <= STRIPE_MAXIMUM_CHARGE_MINOR);
        expect(chargeableProblem(amount, code) === undefined).toBe(ok);
      }),
    );
  });
});
