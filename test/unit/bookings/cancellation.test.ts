// Over 400 lines on purpose: every policy (flexible, moderate, strict, custom) at its window edges,
// plus the reschedule cap (issue 9 #3) and properties over all of them.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  capAfterReschedule,
  policyTiers,
  refundFor,
  validatePolicy,
  type CancellationPolicy,
  type RefundCap,
} from '../../../src/domain/bookings/cancellation';
import { zonedDateTimeToUtc } from '../../../src/domain/shared/timezone';

const HOUR = 3_600_000;
const START = new Date('2026-06-15T10:00:00Z');
const hoursBefore = (h: number) => new Date(START.getTime() - h * HOUR);
const athlete = (policy: CancellationPolicy, h: number, amountMinor = 10_000) =>
  refundFor({ policy, amountMinor, start: START, cancelledAt: hoursBefore(h), cancelledBy: 'athlete' });

describe('preset policies', () => {
  it.each([
    // [policy, hours before start, expected percent]
    ['flexible', 100, 100],
    ['flexible', 24, 100], // "until 24h before" is inclusive
    ['flexible', 23.99, 50],
    ['flexible', 0.5, 50],
    ['flexible', -2, 50], // "50% after" — even once the session has started
    ['moderate', 200, 100],
    ['moderate', 72, 100],
    ['moderate', 71.9, 50],
    ['moderate', 24, 50],
    ['moderate', 23.9, 0],
    ['moderate', -1, 0],
    ['strict', 24 * 30, 50],
    ['strict', 168, 50],
    ['strict', 167.9, 0],
    ['strict', 1, 0],
  ] as const)('%s, %s h before → %s%%', (kind, h, percent) => {
    const r = athlete({ kind }, h);
    expect(r.percent).toBe(percent);
    expect(r.refundMinor).toBe((10_000 * percent) / 100);
  });

  it('explains the decision', () => {
    expect(athlete({ kind: 'moderate' }, 100).rule).toBe(
      'Moderate policy: cancelled at least 3 days before the start: full refund',
    );
    expect(athlete({ kind: 'moderate' }, 30).rule).toBe(
      'Moderate policy: cancelled at least 24 hours before the start: 50% refund',
    );
    expect(athlete({ kind: 'moderate' }, 2).rule).toBe(
      'Moderate policy: cancelled less than 24 hours before the start: no refund',
    );
    expect(athlete({ kind: 'flexible' }, 2).rule).toBe(
      'Flexible policy: cancelled less than 24 hours before the start: 50% refund',
    );
    expect(athlete({ kind: 'strict' }, 2).rule).toBe(
      'Strict policy: cancelled less than 7 days before the start: no refund',
    );
  });
});

describe('coach cancellation', () => {
  it('is always a full refund, whatever the policy and timing', () => {
    for (const policy of [
      { kind: 'strict' },
      { kind: 'moderate' },
      { kind: 'custom', tiers: [] },
    ] satisfies CancellationPolicy[]) {
      const r = refundFor({
        policy,
        amountMinor: 4_999,
        start: START,
        cancelledAt: hoursBefore(-3),
        cancelledBy: 'coach',
      });
      expect(r).toEqual({ refundMinor: 4_999, percent: 100, rule: 'Cancelled by the coach: full refund' });
    }
  });
});

describe('custom policies', () => {
  const custom: CancellationPolicy = {
    kind: 'custom',
    // Deliberately unsorted.
    tiers: [
      { hoursBefore: 12, refundPercent: 25 },
      { hoursBefore: 48, refundPercent: 90 },
      { hoursBefore: 24, refundPercent: 33 },
    ],
  };

  it('applies the most generous tier whose threshold is met', () => {
    expect(athlete(custom, 49).percent).toBe(90);
    expect(athlete(custom, 48).percent).toBe(90);
    expect(athlete(custom, 30).percent).toBe(33);
    expect(athlete(custom, 12).percent).toBe(25);
    expect(athlete(custom, 11).percent).toBe(0);
    expect(athlete(custom, 11).rule).toBe(
      'Custom policy: cancelled less than 12 hours before the start: no refund',
    );
    expect(policyTiers(custom).map((t) => t.hoursBefore)).toEqual([48, 24, 12]);
  });

  it('floors fractional minor units and never exceeds the amount', () => {
    expect(athlete(custom, 30, 999).refundMinor).toBe(329); // 329.67
    expect(athlete(custom, 30, 1).refundMinor).toBe(0);
    expect(
      athlete({ kind: 'custom', tiers: [{ hoursBefore: 0, refundPercent: 100 }] }, 1, 12_345).refundMinor,
    ).toBe(12_345);
    // 0.07 * 100 is 7.000000000000001 in floating point; the result must still be exact.
    expect(
      athlete({ kind: 'custom', tiers: [{ hoursBefore: 0, refundPercent: 7 }] }, 1, 100).refundMinor,
    ).toBe(7);
    expect(
      athlete({ kind: 'custom', tiers: [{ hoursBefore: 0, refundPercent: 57 }] }, 1, 100).refundMinor,
    ).toBe(57);
  });

  it('an empty tier list refunds nothing', () => {
    expect(athlete({ kind: 'custom', tiers: [] }, 1000)).toEqual({
      refundMinor: 0,
      percent: 0,
      rule: 'Custom policy: no refund tiers: no refund',
    });
  });

  it('rejects invalid tiers and amounts', () => {
    expect(() => athlete({ kind: 'custom', tiers: [{ hoursBefore: 1, refundPercent: 150 }] }, 5)).toThrow(
      RangeError,
    );
    expect(() =>
      athlete({ kind: 'custom', tiers: [{ hoursBefore: Number.NaN, refundPercent: 50 }] }, 5),
    ).toThrow(RangeError);
    expect(() => athlete({ kind: 'flexible' }, 5, -1)).toThrow(RangeError);
    expect(() => athlete({ kind: 'flexible' }, 5, 10.5)).toThrow(RangeError);
    expect(() =>
      refundFor({
        policy: { kind: 'flexible' },
        amountMinor: 1,
        start: new Date('x'),
        cancelledAt: START,
        cancelledBy: 'athlete',
      }),
    ).toThrow(RangeError);
  });

  it('validatePolicy reports problems for API input', () => {
    expect(validatePolicy({ kind: 'strict' })).toEqual([]);
    expect(validatePolicy(custom)).toEqual([]);
    expect(
      validatePolicy({
        kind: 'custom',
        tiers: [
          { hoursBefore: -1, refundPercent: 50 },
          { hoursBefore: 24, refundPercent: 101 },
          { hoursBefore: 24, refundPercent: 10 },
        ],
      }),
    ).toEqual([
      { field: 'tiers[0].hoursBefore', reason: expect.any(String) },
      { field: 'tiers[1].refundPercent', reason: expect.any(String) },
      { field: 'tiers[2].hoursBefore', reason: 'duplicates another tier' },
    ]);
  });
});

describe('DST', () => {
  it('hours before the start are elapsed hours, not wall-clock hours', () => {
    const tz = 'America/New_York';
    const start = zonedDateTimeToUtc('2026-03-09', '10:00', tz); // EDT
    // Exactly 72 elapsed hours earlier is 09:00 local on 2026-03-06 (EST): 73 wall-clock hours.
    const cancelledAt = new Date(start.getTime() - 72 * HOUR);
    expect(zonedDateTimeToUtc('2026-03-06', '09:00', tz)).toEqual(cancelledAt);
    const r = refundFor({
      policy: { kind: 'moderate' },
      amountMinor: 100,
      start,
      cancelledAt,
      cancelledBy: 'athlete',
    });
    expect(r.percent).toBe(100);
    // One minute later (71h59m elapsed) is already in the 50% tier, although it reads as 09:01 local.
    const later = new Date(cancelledAt.getTime() + 60_000);
    expect(
      refundFor({
        policy: { kind: 'moderate' },
        amountMinor: 100,
        start,
        cancelledAt: later,
        cancelledBy: 'athlete',
      }).percent,
    ).toBe(50);
  });
});

const policyArb: fc.Arbitrary<CancellationPolicy> = fc.oneof(
  fc.constantFrom<CancellationPolicy>({ kind: 'flexible' }, { kind: 'moderate' }, { kind: 'strict' }),
  fc
    .array(
      fc.record({
        hoursBefore: fc.integer({ min: 0, max: 500 }),
        refundPercent: fc.integer({ min: 0, max: 100 }),
      }),
      {
        maxLength: 5,
      },
    )
    .map((tiers): CancellationPolicy => ({ kind: 'custom', tiers })),
);

describe('properties', () => {
  it('refund is an integer within [0, amount] equal to floor(amount × percent / 100)', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: -1000, max: 2000 }),
        (policy, amount, h) => {
          const r = athlete(policy, h, amount);
          expect(Number.isInteger(r.refundMinor)).toBe(true);
          expect(r.refundMinor).toBeGreaterThanOrEqual(0);
          expect(r.refundMinor).toBeLessThanOrEqual(amount);
          expect(r.refundMinor).toBe(Math.floor((amount * r.percent) / 100));
          expect(r.rule.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('for monotone policies, cancelling earlier never refunds less', () => {
    const monotone = policyArb.filter((p) => {
      const tiers = policyTiers(p);
      return tiers.every((t, i) => i === 0 || t.refundPercent <= tiers[i - 1]!.refundPercent);
    });
    fc.assert(
      fc.property(
        monotone,
        fc.integer({ min: -100, max: 1000 }),
        fc.integer({ min: 0, max: 500 }),
        (policy, h, extra) => {
          expect(athlete(policy, h + extra).percent).toBeGreaterThanOrEqual(athlete(policy, h).percent);
        },
      ),
    );
  });

  it('coach cancellations refund everything', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: -1000, max: 2000 }),
        (policy, amount, h) => {
          const r = refundFor({
            policy,
            amountMinor: amount,
            start: START,
            cancelledAt: hoursBefore(h),
            cancelledBy: 'coach',
          });
          expect(r.refundMinor).toBe(amount);
        },
      ),
    );
  });
});

describe('cancellation after a reschedule (issue 9 #3)', () => {
  const DAY = 24 * HOUR;
  // Booked for T0 + 3 h and moved at T0 to T0 + 8 days, then cancelled one hour later.
  const T0 = new Date('2026-06-01T09:00:00Z');
  const at = (ms: number) => new Date(T0.getTime() + ms);
  const moveThenCancel = (kind: CancellationPolicy['kind'], by: 'athlete' | 'coach' = 'athlete') => {
    const policy = { kind } as CancellationPolicy;
    const cap = capAfterReschedule({
      policy,
      cap: null,
      previousStart: at(3 * HOUR),
      movedAt: T0,
      movedBy: by,
    });
    return refundFor({
      policy,
      amountMinor: 4500,
      start: at(8 * DAY),
      cancelledAt: at(HOUR),
      cancelledBy: 'athlete',
      cap,
    });
  };

  it.each([
    ['flexible', 50, 2250, 'Flexible policy: moved less than 24 hours before the earlier start: 50% refund'],
    ['moderate', 0, 0, 'Moderate policy: moved less than 24 hours before the earlier start: no refund'],
    ['strict', 0, 0, 'Strict policy: moved less than 7 days before the earlier start: no refund'],
  ] as const)(
    'issue 9 #3: %s — booked 3 h ahead, moved 8 days out, cancelled: %s %%',
    (kind, percent, refundMinor, rule) => {
      expect(moveThenCancel(kind)).toEqual({ refundMinor, percent, rule });
    },
  );

  it('issue 9 #3: without the move the new start would have refunded more (the hole being closed)', () => {
    const uncapped = (kind: CancellationPolicy['kind']) =>
      refundFor({
        policy: { kind } as CancellationPolicy,
        amountMinor: 4500,
        start: at(8 * DAY),
        cancelledAt: at(HOUR),
        cancelledBy: 'athlete',
      }).percent;
    expect([uncapped('flexible'), uncapped('moderate'), uncapped('strict')]).toEqual([100, 100, 50]);
  });

  it('issue 9 #3: a move made outside every window caps nothing', () => {
    const policy: CancellationPolicy = { kind: 'moderate' };
    expect(
      capAfterReschedule({ policy, cap: null, previousStart: at(10 * DAY), movedAt: T0, movedBy: 'athlete' }),
    ).toBeNull();
  });

  it('issue 9 #3: a move by the coach leaves the entitlement as it was', () => {
    expect(moveThenCancel('strict', 'coach').percent).toBe(50);
    const earlier: RefundCap = { percent: 50, reason: 'moved less than 24 hours before the earlier start' };
    expect(
      capAfterReschedule({
        policy: { kind: 'flexible' },
        cap: earlier,
        previousStart: at(HOUR),
        movedAt: T0,
        movedBy: 'coach',
      }),
    ).toBe(earlier);
  });

  it('issue 9 #3: moving again inside a window keeps the lowest entitlement reached', () => {
    const policy: CancellationPolicy = { kind: 'moderate' };
    // 48 h ahead (50 %), moved to 10 days out: capped at 50 %.
    const first = capAfterReschedule({
      policy,
      cap: null,
      previousStart: at(48 * HOUR),
      movedAt: T0,
      movedBy: 'athlete',
    });
    expect(first).toEqual({ percent: 50, reason: 'moved at least 24 hours before the earlier start' });
    // Moved again from 10 days out (100 % there): the cap stays at 50 %.
    expect(
      capAfterReschedule({
        policy,
        cap: first,
        previousStart: at(10 * DAY),
        movedAt: at(DAY),
        movedBy: 'athlete',
      }),
    ).toBe(first);
    // Moved again from inside the no-refund window: 0 %.
    const second = capAfterReschedule({
      policy,
      cap: first,
      previousStart: at(10 * DAY),
      movedAt: at(10 * DAY - HOUR),
      movedBy: 'athlete',
    });
    expect(second?.percent).toBe(0);
    // The new start's own tier still applies when it is lower than the cap.
    expect(
      refundFor({
        policy,
        amountMinor: 100,
        start: at(DAY),
        cancelledAt: at(2 * HOUR),
        cancelledBy: 'athlete',
        cap: first,
      }).percent,
    ).toBe(0);
    // A coach still refunds in full.
    expect(
      refundFor({
        policy,
        amountMinor: 100,
        start: at(DAY),
        cancelledAt: T0,
        cancelledBy: 'coach',
        cap: second,
      }).percent,
    ).toBe(100);
  });

  it('issue 9 #3: property — a move never raises what cancelling refunds', () => {
    fc.assert(
      fc.property(
        policyArb,
        fc.integer({ min: -10, max: 1000 }), // hours from the move to the start being left
        fc.integer({ min: 1, max: 2000 }), // hours from the move to the new start
        fc.integer({ min: 0, max: 1000 }), // hours from the move to the cancellation
        (policy, leftH, newH, laterH) => {
          const cap = capAfterReschedule({
            policy,
            cap: null,
            previousStart: at(leftH * HOUR),
            movedAt: T0,
            movedBy: 'athlete',
          });
          const atMove = refundFor({
            policy,
            amountMinor: 10_000,
            start: at(leftH * HOUR),
            cancelledAt: T0,
            cancelledBy: 'athlete',
          });
          const later = refundFor({
            policy,
            amountMinor: 10_000,
            start: at(newH * HOUR),
            cancelledAt: at(laterH * HOUR),
            cancelledBy: 'athlete',
            cap,
          });
          expect(later.percent).toBeLessThanOrEqual(Math.max(atMove.percent, cap ? 0 : 100));
          if (cap) expect(later.percent).toBeLessThanOrEqual(cap.percent);
        },
      ),
    );
  });
});
