import { describe, expect, it } from 'vitest';
import {
  blackoutProblems,
  overlappingWindow,
  slotRange,
  slotRangeProblems,
} from '../../../src/domain/availability/schedule';

const at = (iso: string) => new Date(iso);

describe('blackoutProblems', () => {
  it('needs an end after the start, within a year', () => {
    expect(blackoutProblems(at('2026-12-01T00:00:00Z'), at('2026-12-08T00:00:00Z'))).toEqual([]);
    expect(blackoutProblems(at('2026-12-01T00:00:00Z'), at('2026-12-01T00:00:00Z'))).toEqual([
      { field: 'end', reason: 'must be after start' },
    ]);
    expect(blackoutProblems(at('2026-12-01T00:00:00Z'), at('2027-12-03T00:00:00Z'))).toEqual([
      { field: 'end', reason: 'must be within a year of start' },
    ]);
  });
});

describe('slot search range', () => {
  it('defaults to a week from now', () => {
    const now = at('2026-12-01T10:00:00Z');
    expect(slotRange(now)).toEqual({ from: now, to: at('2026-12-08T10:00:00Z') });
    expect(slotRange(now, at('2026-12-05T00:00:00Z'))).toEqual({
      from: at('2026-12-05T00:00:00Z'),
      to: at('2026-12-12T00:00:00Z'),
    });
  });

  it('is forward and at most 62 days long', () => {
    expect(slotRangeProblems(at('2026-12-01T00:00:00Z'), at('2027-01-31T00:00:00Z'))).toEqual([]);
    expect(slotRangeProblems(at('2026-12-01T00:00:00Z'), at('2026-11-30T00:00:00Z'))).toEqual([
      { field: 'to', reason: 'must be after from' },
    ]);
    expect(slotRangeProblems(at('2026-12-01T00:00:00Z'), at('2027-02-02T00:00:00Z'))).toEqual([
      { field: 'to', reason: 'must be within 62 days of from' },
    ]);
  });
});

describe('overlappingWindow', () => {
  const existing = [
    { id: 'a', dayOfWeek: 1, startTime: '09:00', endTime: '12:00' },
    { id: 'b', dayOfWeek: 2, startTime: '09:00', endTime: '12:00' },
  ];
  it('finds an overlap on the same day only; touching is fine', () => {
    expect(overlappingWindow(existing, { dayOfWeek: 1, startTime: '11:00', endTime: '13:00' })?.id).toBe('a');
    expect(
      overlappingWindow(existing, { dayOfWeek: 1, startTime: '12:00', endTime: '13:00' }),
    ).toBeUndefined();
    expect(
      overlappingWindow(existing, { dayOfWeek: 3, startTime: '10:00', endTime: '11:00' }),
    ).toBeUndefined();
  });
});
