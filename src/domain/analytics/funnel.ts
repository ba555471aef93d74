// The coach's numbers: per period counts and revenue, and the funnel's conversion rates. The sums are
// computed in Postgres (src/data/analytics.ts); this only names and divides them.

export const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export const MAX_RANGE_DAYS = 366;

export interface PeriodTotals {
  period: string; // YYYY-MM-DD, the first day of the period (UTC)
  views: number;
  ctaClicks: number;
  checkouts: number;
  purchases: number;
  bookings: number;
  /** Per currency (upper case), in minor units: purchases + paid bookings + paid sessions − refunds. */
  revenue: Record<string, number>;
}

export interface Funnel {
  views: number;
  checkouts: number;
  purchases: number;
  bookings: number;
  /** Fractions in [0, 1] rounded to 4 places; null when the stage before had nothing. */
  rates: {
    viewToCheckout: number | null;
    checkoutToPurchase: number | null;
    viewToPurchase: number | null;
    viewToBooking: number | null;
  };
}

export const rate = (num: number, den: number): number | null =>
  den <= 0 ? null : Math.round((num / den) * 10_000) / 10_000;

export function funnelOf(t: {
  views: number;
  checkouts: number;
  purchases: number;
  bookings: number;
}): Funnel {
  return {
    views: t.views,
    checkouts: t.checkouts,
    purchases: t.purchases,
    bookings: t.bookings,
    rates: {
      viewToCheckout: rate(t.checkouts, t.views),
      checkoutToPurchase: rate(t.purchases, t.checkouts),
      viewToPurchase: rate(t.purchases, t.views),
      viewToBooking: rate(t.bookings, t.views),
    },
  };
}

/** A [from, to) range of whole UTC days: from ≤ to, at most MAX_RANGE_DAYS. */
export function rangeProblem(from: Date, to: Date): { field: string; reason: string } | null {
  if (to.getTime() <= from.getTime()) return { field: 'to', reason: 'must be after from' };
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000)
    return { field: 'to', reason: `the range may span at most ${MAX_RANGE_DAYS} days` };
  return null;
}
