import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyTransferError,
  formatPayoutAmount,
  MAX_TRANSFER_MINOR,
  onboardingState,
  PAYOUT_FAILURE_REASONS,
  payableAmounts,
  payoutPeriod,
  readinessOf,
  scheduleWanted,
} from '../../../src/domain/payouts/payouts';
import { isPermanentStripeError } from '../../../src/domain/payments/stripe-errors';

const COACH = '8d0f4a52-5c1e-4a57-9d7e-3f3b1c2a9e10';

describe('readiness of a Connect account', () => {
  it('reads Stripe’s flags and requirements; anything missing counts as not enabled', () => {
    expect(readinessOf({})).toEqual({
      chargesEnabled: false,
      payoutsEnabled: false,
      detailsSubmitted: false,
      requirementsDue: [],
      disabledReason: null,
    });
    expect(
      readinessOf({
        charges_enabled: true,
        payouts_enabled: true,
        details_submitted: true,
        requirements: { currently_due: ['external_account', 'external_account'], disabled_reason: null },
      }),
    ).toEqual({
      chargesEnabled: true,
      payoutsEnabled: true,
      detailsSubmitted: true,
      requirementsDue: ['external_account'],
      disabledReason: null,
    });
  });

  it('bounds what it keeps of the requirements list', () => {
    const due = Array.from({ length: 500 }, (_, i) => `field_${i}`).concat(['x'.repeat(1000)]);
    const r = readinessOf({ requirements: { currently_due: due } });
    expect(r.requirementsDue).toHaveLength(100);
    expect(r.requirementsDue.every((f) => f.length <= 200)).toBe(true);
  });

  it('onboarding states and when the payout schedule runs', () => {
    const r = readinessOf({
      details_submitted: true,
      requirements: { disabled_reason: 'requirements.past_due' },
    });
    expect(onboardingState(null)).toBe('not_connected');
    expect(onboardingState(readinessOf({}))).toBe('onboarding');
    expect(onboardingState(r)).toBe('restricted');
    expect(onboardingState(readinessOf({ payouts_enabled: true }))).toBe('ready');
    expect(scheduleWanted(null)).toBe(false);
    expect(scheduleWanted(r)).toBe(false);
    expect(scheduleWanted(readinessOf({ payouts_enabled: true }))).toBe(true);
  });
});

describe('payable amounts', () => {
  it('available minus in flight, per currency, positive only, sorted by currency', () => {
    expect(
      payableAmounts([
        { currency: 'usd', availableMinor: 1000, inFlightMinor: 400 },
        { currency: 'GBP', availableMinor: 500, inFlightMinor: 0 },
        { currency: 'eur', availableMinor: 300, inFlightMinor: 300 },
        { currency: 'jpy', availableMinor: 0, inFlightMinor: 50 },
      ]),
    ).toEqual([
      { currency: 'gbp', amountMinor: 500 },
      { currency: 'usd', amountMinor: 600 },
    ]);
  });

  it('caps one transfer at the largest amount Stripe takes; the rest waits for the next run', () => {
    expect(
      payableAmounts([{ currency: 'usd', availableMinor: MAX_TRANSFER_MINOR + 5, inFlightMinor: 0 }]),
    ).toEqual([{ currency: 'usd', amountMinor: MAX_TRANSFER_MINOR }]);
  });

  it('refuses amounts that are not integer minor units', () => {
    expect(() => payableAmounts([{ currency: 'usd', availableMinor: 10.5, inFlightMinor: 0 }])).toThrow(
      RangeError,
    );
    expect(() => payableAmounts([{ currency: 'usd', availableMinor: 2 ** 60, inFlightMinor: 0 }])).toThrow(
      RangeError,
    );
  });

  it('property: never pays more than available − in flight, never a non-positive amount, integers only', () => {
    const balance = fc.record({
      currency: fc.constantFrom('usd', 'gbp', 'eur', 'jpy'),
      availableMinor: fc.integer({ min: 0, max: 10 ** 10 }),
      inFlightMinor: fc.integer({ min: 0, max: 10 ** 10 }),
    });
    fc.assert(
      fc.property(fc.array(balance, { maxLength: 8 }), (balances) => {
        const paid = payableAmounts(balances);
        for (const p of paid) {
          const mine = balances.filter((b) => b.currency === p.currency);
          const owed = mine.reduce((s, b) => s + b.availableMinor - b.inFlightMinor, 0);
          expect(Number.isSafeInteger(p.amountMinor)).toBe(true);
          expect(p.amountMinor).toBeGreaterThan(0);
          expect(p.amountMinor).toBeLessThanOrEqual(Math.min(owed, MAX_TRANSFER_MINOR));
        }
        expect(new Set(paid.map((p) => p.currency)).size).toBe(paid.length);
        // Deterministic: a rerun over the same balances decides the same.
        expect(payableAmounts([...balances].reverse())).toEqual(paid);
      }),
    );
  });
});

describe('payout period', () => {
  it('is the nominal time the Schedule appended to payout-<coach>', () => {
    const started = new Date('2026-11-30T09:00:03.120Z');
    expect(payoutPeriod(`payout-${COACH}-2026-11-30T09:00:00Z`, COACH, started)).toBe('2026-11-30T09:00:00Z');
    expect(payoutPeriod(`payout-${COACH}-2026-W49`, COACH, started)).toBe('2026-W49');
  });

  it('falls back to the start time for any other id (another coach’s, junk, too long)', () => {
    const started = new Date('2026-11-30T09:00:03.120Z');
    for (const id of [
      `payout-${COACH}`,
      `payout-other-2026-11-30`,
      `payout-${COACH}-${'9'.repeat(65)}`,
      `payout-${COACH}-a b`,
    ])
      expect(payoutPeriod(id, COACH, started)).toBe('2026-11-30T09:00:03.120Z');
  });
});

describe('transfer errors', () => {
  it('an insufficient platform balance is permanent, with a reason the coach can read', () => {
    expect(
      classifyTransferError({
        type: 'StripeInvalidRequestError',
        code: 'balance_insufficient',
        message: 'x',
      }),
    ).toEqual({
      permanent: true,
      code: 'insufficient_platform_balance',
      reason: PAYOUT_FAILURE_REASONS.insufficient_platform_balance,
    });
  });

  it('a refused destination is permanent; another invalid request names Stripe’s message', () => {
    expect(classifyTransferError({ type: 'StripePermissionError' })).toMatchObject({
      permanent: true,
      code: 'account_invalid',
    });
    expect(
      classifyTransferError({ type: 'StripeInvalidRequestError', message: 'No such destination' }),
    ).toEqual({
      permanent: true,
      code: 'stripe_rejected',
      reason: 'Stripe refused the transfer: No such destination',
    });
  });

  it('network errors, rate limits and Stripe’s own errors are retried', () => {
    for (const type of ['StripeConnectionError', 'StripeRateLimitError', 'StripeAPIError', undefined])
      expect(classifyTransferError({ type })).toEqual({ permanent: false });
  });
});

describe('amount in the email', () => {
  it('formats known currencies with their symbol and unknown ones without throwing', () => {
    expect(formatPayoutAmount(4_500, 'gbp')).toBe('£45.00');
    expect(formatPayoutAmount(1_234_56, 'sek')).toBe('1234.56 SEK');
  });
});

describe('one rule for Stripe errors', () => {
  it('a key still in use by an earlier attempt is retried, for transfers and every other call', () => {
    const inUse = { type: 'StripeInvalidRequestError', code: 'idempotency_key_in_use', message: 'in use' };
    expect(isPermanentStripeError(inUse)).toBe(false);
    expect(classifyTransferError(inUse)).toEqual({ permanent: false });
    expect(isPermanentStripeError({ type: 'StripeInvalidRequestError', code: 'parameter_missing' })).toBe(
      true,
    );
    expect(isPermanentStripeError({ type: 'StripeIdempotencyError' })).toBe(true);
    expect(isPermanentStripeError({ type: 'StripeAPIError' })).toBe(false);
    expect(isPermanentStripeError({})).toBe(false);
  });
});
