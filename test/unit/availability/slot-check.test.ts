import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeSlots, type SlotQuery } from '../../../src/domain/availability/slots';
import { explainUnbookable } from '../../../src/domain/availability/slot-check';

const MIN = 60_000;
const DAY = 86_400_000;
// Monday 2026-11-30 in London (UTC+0 in winter).
const MON = Date.UTC(2026, 10, 30);
const at = (dayOffset: number, hh: number, mm = 0) => new Date(MON + dayOffset * DAY + (hh * 60 + mm) * MIN);

const query = (over: Partial<SlotQuery> = {}): SlotQuery => ({
  timeZone: 'Europe/London',
  windows: [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startTime: '09:00', endTime: '17:00' })),
  overrides: [],
  blackouts: [],
  bookings: [],
  service: {
    durationMin: 60,
    bufferBeforeMin: 0,
    bufferAfterMin: 15,
    minimumNoticeMin: 120,
    horizonDays: 30,
    slotIntervalMin: 30,
  },
  now: at(0, 6),
  ...over,
});

describe('explainUnbookable', () => {
  it('is null for every computed slot', () => {
    const q = query();
    for (const slot of computeSlots({ ...q, from: at(0, 0), to: at(7, 0) }))
      expect(explainUnbookable(q, slot.start)).toBeNull();
  });

  it('names the constraint an unbookable start breaks', () => {
    const q = query({
      blackouts: [{ start: at(1, 12), end: at(1, 14) }],
      bookings: [{ start: at(2, 10), end: at(2, 11), bufferBeforeMin: 0, bufferAfterMin: 15 }],
    });
    expect(explainUnbookable(q, at(0, 5))).toEqual({ code: 'in_past', reason: 'is in the past' });
    expect(explainUnbookable(q, at(0, 7))).toEqual({
      code: 'too_soon',
      reason: 'is sooner than the minimum notice of 2 hours',
    });
    expect(explainUnbookable(q, at(31, 10))).toEqual({
      code: 'too_far',
      reason: 'is more than 30 days ahead',
    });
    expect(explainUnbookable(q, at(5, 10))?.code).toBe('outside_availability'); // Saturday
    expect(explainUnbookable(q, at(0, 9, 10))?.code).toBe('outside_availability'); // off the 30-minute grid
    expect(explainUnbookable(q, at(0, 16, 30))?.code).toBe('outside_availability'); // would run past 17:00
    expect(explainUnbookable(q, at(1, 12, 30))?.code).toBe('blackout');
    expect(explainUnbookable(q, at(2, 10, 30))).toEqual({
      code: 'taken',
      reason: 'overlaps another booking (buffers included)',
    });
    expect(explainUnbookable(q, at(2, 11))?.code).toBe('taken'); // inside the 15-minute buffer after it
    expect(explainUnbookable(q, at(2, 11, 30))).toBeNull();
    expect(explainUnbookable(q, new Date(Number.NaN))?.code).toBe('outside_availability');
  });

  it('reports a reached daily limit', () => {
    const q = query({
      service: { ...query().service, dailyLimit: 1 },
      bookings: [{ start: at(1, 9), end: at(1, 10), bufferBeforeMin: 0, bufferAfterMin: 15 }],
    });
    expect(explainUnbookable(q, at(1, 14))?.code).toBe('limit_reached');
    expect(explainUnbookable(q, at(2, 14))).toBeNull();
  });

  it('agrees with computeSlots for any start on a 5-minute grid (property)', () => {
    const q = query({
      bookings: [{ start: at(1, 13), end: at(1, 14), bufferBeforeMin: 10, bufferAfterMin: 10 }],
    });
    const open = new Set(computeSlots({ ...q, from: at(0, 0), to: at(31, 0) }).map((s) => s.start.getTime()));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 31 * 24 * 12 }), (step) => {
        const t = new Date(MON + step * 5 * MIN);
        return (explainUnbookable(q, t) === null) === open.has(t.getTime());
      }),
    );
  });
});
