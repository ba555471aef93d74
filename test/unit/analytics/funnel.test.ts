import { describe, expect, it } from 'vitest';
import {
  clientEventKey,
  duplicateKeyProblems,
  occurredAtProblem,
  serverEventKey,
} from '../../../src/domain/analytics/events';
import { funnelOf, rangeProblem } from '../../../src/domain/analytics/funnel';
import { barHeight, renderAnalyticsSvg } from '../../../src/domain/analytics/svg';

describe('funnel', () => {
  it('rates are the stage over the one before, rounded to 4 places; null with nothing before', () => {
    expect(funnelOf({ views: 12, checkouts: 3, purchases: 2, bookings: 1 }).rates).toEqual({
      viewToCheckout: 0.25,
      checkoutToPurchase: 0.6667,
      viewToPurchase: 0.1667,
      viewToBooking: 0.0833,
    });
    expect(funnelOf({ views: 0, checkouts: 0, purchases: 0, bookings: 0 }).rates.viewToCheckout).toBeNull();
  });

  it('ranges: after from, at most 366 days', () => {
    const d = (s: string) => new Date(`${s}T00:00:00Z`);
    expect(rangeProblem(d('2026-01-01'), d('2026-01-01'))?.field).toBe('to');
    expect(rangeProblem(d('2026-01-01'), d('2027-01-02'))).toBeNull();
    expect(rangeProblem(d('2026-01-01'), d('2027-01-03'))?.reason).toMatch(/366/);
  });
});

describe('events', () => {
  it('client and server keys cannot collide', () => {
    expect(clientEventKey('purchase:1')).toBe('c:purchase:1');
    expect(serverEventKey('purchase', '1')).toBe('purchase:1');
  });

  it('refuses a repeated key in one batch and clocks far off', () => {
    expect(duplicateKeyProblems(['a', 'b', 'a'])).toEqual([
      { field: 'events.2.key', reason: 'repeats events.0.key' },
    ]);
    const now = Date.parse('2026-11-30T12:00:00Z');
    expect(occurredAtProblem(3, now + 6 * 60_000, now)?.field).toBe('events.3.occurredAt');
    expect(occurredAtProblem(0, now - 8 * 86_400_000, now)?.reason).toMatch(/7 days/);
    expect(occurredAtProblem(0, now - 60_000, now)).toBeNull();
  });
});

describe('SVG', () => {
  it('bar heights are proportional, with at least a pixel for anything above zero', () => {
    expect(barHeight(0, 10, 100)).toBe(0);
    expect(barHeight(5, 10, 100)).toBe(50);
    expect(barHeight(1, 100_000, 100)).toBe(1);
    expect(barHeight(10, 10, 100)).toBe(100);
  });

  it('draws one bar per stage and per period carrying the numbers, escapes text', () => {
    const svg = renderAnalyticsSvg({
      funnel: funnelOf({ views: 10, checkouts: 4, purchases: 2, bookings: 0 }),
      series: [
        {
          period: '2026-11-29',
          views: 4,
          ctaClicks: 0,
          checkouts: 1,
          purchases: 1,
          bookings: 0,
          revenue: { USD: 3000 },
        },
        {
          period: '2026-11-30',
          views: 6,
          ctaClicks: 0,
          checkouts: 3,
          purchases: 1,
          bookings: 0,
          revenue: {},
        },
      ],
      currency: 'U<D',
    });
    expect(svg).toContain('data-stage="views" data-value="10"');
    expect(svg).toContain('data-stage="bookings" data-value="0"');
    expect(svg).toMatch(/data-stage="checkouts" data-value="4"[^>]*height="72"/);
    expect(svg).toContain('U&lt;D');
    expect(svg.match(/class="revenue-bar"/g)).toHaveLength(2);
  });
});
