import { describe, expect, it } from 'vitest';
import { offeringProblems } from '../../../src/domain/bookings/offering';

describe('offeringProblems', () => {
  it('accepts presets, missing fields and consistent limits', () => {
    expect(offeringProblems({})).toEqual([]);
    expect(
      offeringProblems({ cancellationPolicy: { kind: 'strict' }, dailyLimit: 2, weeklyLimit: 2 }),
    ).toEqual([]);
    expect(offeringProblems({ dailyLimit: 3, weeklyLimit: null })).toEqual([]);
  });

  it('names custom policy tiers under cancellationPolicy', () => {
    const problems = offeringProblems({
      cancellationPolicy: {
        kind: 'custom',
        tiers: [
          { hoursBefore: 24, refundPercent: 100 },
          { hoursBefore: 24, refundPercent: 150 },
        ],
      },
    });
    expect(problems).toEqual([
      { field: 'cancellationPolicy.tiers[1].hoursBefore', reason: 'duplicates another tier' },
      { field: 'cancellationPolicy.tiers[1].refundPercent', reason: 'must be between 0 and 100' },
    ]);
  });

  it('refuses a weekly limit below the daily one', () => {
    expect(offeringProblems({ dailyLimit: 3, weeklyLimit: 2 })).toEqual([
      { field: 'weeklyLimit', reason: 'must not be below dailyLimit' },
    ]);
  });
});
