import type { BookingStatus } from './lifecycle';

// Where a booking's money stands, as the athlete and the coach see it. Amounts are integer minor units.

export const PAYMENT_STATES = [
  'not_required',
  'preparing',
  'awaiting_payment',
  'paid',
  'refunded',
  'partially_refunded',
  'not_paid',
] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

export interface PaymentFacts {
  status: BookingStatus;
  priceMinor: number;
  paidAt: Date | null;
  amountPaidMinor: number;
  refundedMinor: number;
  paymentIntentId: string | null;
}

/** Free, paid (and how much came back), or still waiting: preparing until the PaymentIntent exists. */
export function paymentState(b: PaymentFacts): PaymentState {
  if (b.priceMinor === 0) return 'not_required';
  if (b.paidAt) {
    if (b.refundedMinor > 0) return b.refundedMinor >= b.amountPaidMinor ? 'refunded' : 'partially_refunded';
    return 'paid';
  }
  if (b.status !== 'PENDING') return 'not_paid';
  return b.paymentIntentId ? 'awaiting_payment' : 'preparing';
}

/** When an unpaid hold on a paid booking's slot ends (its workflow expires it then); null when none runs. */
export function holdExpiresAt(
  b: { status: BookingStatus; priceMinor: number; createdAt: Date },
  holdTimeoutMs: number,
): Date | null {
  return b.status === 'PENDING' && b.priceMinor > 0 ? new Date(b.createdAt.getTime() + holdTimeoutMs) : null;
}
