// Package credits: one credit books one session of the service the package covers.

export type CreditState = 'active' | 'used_up' | 'expired' | 'revoked';

export function creditState(
  g: { remaining: number; expiresAt: Date; revokedAt: Date | null },
  now: Date,
): CreditState {
  if (g.revokedAt) return 'revoked';
  if (g.expiresAt.getTime() <= now.getTime()) return 'expired';
  return g.remaining > 0 ? 'active' : 'used_up';
}

/**
 * Whether cancelling a booking paid with a credit gives the credit back: wherever a paid booking
 * would get money back under the service's policy (any refund percentage above 0, and always when
 * the coach cancels), the credit comes back whole. A credit cannot be split.
 */
export const creditReturnedOnCancel = (refundPercent: number): boolean => refundPercent > 0;
