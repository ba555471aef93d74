import { describe, expect, it } from 'vitest';
import { holdExpiresAt, paymentState, type PaymentFacts } from '../../../src/domain/bookings/payment';

const base: PaymentFacts = {
  status: 'PENDING',
  priceMinor: 4500,
  paidAt: null,
  amountPaidMinor: 0,
  refundedMinor: 0,
  paymentIntentId: null,
};
const paid = { ...base, status: 'CONFIRMED' as const, paidAt: new Date(), amountPaidMinor: 4500 };

describe('paymentState', () => {
  it('needs no payment for a free booking, whatever its status', () => {
    expect(paymentState({ ...base, priceMinor: 0 })).toBe('not_required');
    expect(paymentState({ ...base, priceMinor: 0, status: 'CANCELLED' })).toBe('not_required');
  });

  it('is preparing until the PaymentIntent exists, then awaiting payment', () => {
    expect(paymentState(base)).toBe('preparing');
    expect(paymentState({ ...base, paymentIntentId: 'pi_1' })).toBe('awaiting_payment');
  });

  it('says how much of a paid booking came back', () => {
    expect(paymentState(paid)).toBe('paid');
    expect(paymentState({ ...paid, status: 'CANCELLED', refundedMinor: 2250 })).toBe('partially_refunded');
    expect(paymentState({ ...paid, status: 'CANCELLED', refundedMinor: 4500 })).toBe('refunded');
  });

  it('is not paid once an unpaid booking has ended', () => {
    expect(paymentState({ ...base, status: 'EXPIRED', paymentIntentId: 'pi_1' })).toBe('not_paid');
    expect(paymentState({ ...base, status: 'CANCELLED' })).toBe('not_paid');
  });
});

describe('holdExpiresAt', () => {
  const createdAt = new Date('2026-12-01T09:00:00Z');
  it('runs only while a paid booking is pending', () => {
    expect(holdExpiresAt({ status: 'PENDING', priceMinor: 4500, createdAt }, 600_000)).toEqual(
      new Date('2026-12-01T09:10:00Z'),
    );
    expect(holdExpiresAt({ status: 'PENDING', priceMinor: 0, createdAt }, 600_000)).toBeNull();
    expect(holdExpiresAt({ status: 'CONFIRMED', priceMinor: 4500, createdAt }, 600_000)).toBeNull();
  });
});
