import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  addDaysIso,
  formatInZone,
  isValidTimeZone,
  localDatesBetween,
  utcToZonedParts,
  zonedDateTimeToUtc,
} from '../../../src/domain/shared/timezone';

const iso = (d: Date) => d.toISOString();
const Z = (s: string) => new Date(s);

describe('isValidTimeZone', () => {
  it('accepts IANA names and rejects junk', () => {
    expect(isValidTimeZone('Europe/London')).toBe(true);
    expect(isValidTimeZone('America/New_York')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('not a zone')).toBe(false);
  });
});

describe('zonedDateTimeToUtc', () => {
  it('converts ordinary local times', () => {
    expect(iso(zonedDateTimeToUtc('2026-01-15', '09:00', 'Europe/London'))).toBe('2026-01-15T09:00:00.000Z');
    expect(iso(zonedDateTimeToUtc('2026-07-15', '09:00', 'Europe/London'))).toBe('2026-07-15T08:00:00.000Z');
    expect(iso(zonedDateTimeToUtc('2026-07-15', '09:00', 'America/New_York'))).toBe(
      '2026-07-15T13:00:00.000Z',
    );
    expect(iso(zonedDateTimeToUtc('2026-07-15', '09:00', 'Asia/Kolkata'))).toBe('2026-07-15T03:30:00.000Z');
    expect(iso(zonedDateTimeToUtc('2026-07-15', '09:00', 'Australia/Sydney'))).toBe(
      '2026-07-14T23:00:00.000Z',
    );
  });

  it('treats 24:00 as midnight at the end of the day', () => {
    expect(iso(zonedDateTimeToUtc('2026-03-28', '24:00', 'Europe/London'))).toBe('2026-03-29T00:00:00.000Z');
    expect(iso(zonedDateTimeToUtc('2026-12-31', '24:00', 'UTC'))).toBe('2027-01-01T00:00:00.000Z');
  });

  it('moves a nonexistent (spring-forward gap) time forward by the gap length', () => {
    // London 2026-03-29: 01:00 GMT → 02:00 BST. 01:30 does not exist → 02:30 BST.
    expect(iso(zonedDateTimeToUtc('2026-03-29', '01:30', 'Europe/London'))).toBe('2026-03-29T01:30:00.000Z');
    expect(formatInZone(zonedDateTimeToUtc('2026-03-29', '01:30', 'Europe/London'), 'Europe/London')).toBe(
      '2026-03-29T02:30:00+01:00',
    );
    // New York 2026-03-08: 02:00 EST → 03:00 EDT.
    expect(
      formatInZone(zonedDateTimeToUtc('2026-03-08', '02:30', 'America/New_York'), 'America/New_York'),
    ).toBe('2026-03-08T03:30:00-04:00');
    // Sydney 2026-10-04: 02:00 AEST → 03:00 AEDT.
    expect(
      formatInZone(zonedDateTimeToUtc('2026-10-04', '02:00', 'Australia/Sydney'), 'Australia/Sydney'),
    ).toBe('2026-10-04T03:00:00+11:00');
  });

  it('picks the earlier instant for an ambiguous (fall-back) time', () => {
    // London 2026-10-25: 01:30 happens at 00:30Z (BST) and 01:30Z (GMT).
    expect(iso(zonedDateTimeToUtc('2026-10-25', '01:30', 'Europe/London'))).toBe('2026-10-25T00:30:00.000Z');
    // New York 2026-11-01: 01:30 EDT (05:30Z) before 01:30 EST (06:30Z).
    expect(iso(zonedDateTimeToUtc('2026-11-01', '01:30', 'America/New_York'))).toBe(
      '2026-11-01T05:30:00.000Z',
    );
    // Sydney 2026-04-05: 02:30 AEDT (15:30Z the day before) before 02:30 AEST.
    expect(iso(zonedDateTimeToUtc('2026-04-05', '02:30', 'Australia/Sydney'))).toBe(
      '2026-04-04T15:30:00.000Z',
    );
  });

  it('rejects malformed input', () => {
    expect(() => zonedDateTimeToUtc('2026-02-30', '09:00', 'UTC')).toThrow(RangeError);
    expect(() => zonedDateTimeToUtc('2026-2-3', '09:00', 'UTC')).toThrow(RangeError);
    expect(() => zonedDateTimeToUtc('2026-02-03', '9:00', 'UTC')).toThrow(RangeError);
    expect(() => zonedDateTimeToUtc('2026-02-03', '24:01', 'UTC')).toThrow(RangeError);
    expect(() => zonedDateTimeToUtc('2026-02-03', '12:60', 'UTC')).toThrow(RangeError);
    expect(() => zonedDateTimeToUtc('2026-02-03', '09:00', 'Nowhere/Land')).toThrow(RangeError);
  });
});

describe('utcToZonedParts', () => {
  it('uses a 24-hour clock: midnight is hour 0 and the afternoon is 13+', () => {
    expect(utcToZonedParts(Z('2026-01-05T00:30:00Z'), 'Europe/London')).toEqual({
      year: 2026,
      month: 1,
      day: 5,
      hour: 0,
      minute: 30,
      second: 0,
      weekday: 1,
    });
    expect(utcToZonedParts(Z('2026-03-08T17:00:00Z'), 'America/New_York').hour).toBe(13);
  });

  it('reports the local weekday, which may differ from the UTC one', () => {
    // Sunday 23:00 in New York is Monday 04:00 UTC.
    expect(utcToZonedParts(Z('2026-03-09T03:00:00Z'), 'America/New_York').weekday).toBe(0);
    expect(utcToZonedParts(Z('2026-03-08T20:00:00Z'), 'Australia/Sydney').weekday).toBe(1);
  });
});

describe('formatInZone', () => {
  it('renders local time with the offset in effect at that instant', () => {
    expect(formatInZone(Z('2026-03-29T07:00:00Z'), 'Europe/Berlin')).toBe('2026-03-29T09:00:00+02:00');
    expect(formatInZone(Z('2026-03-28T08:00:00Z'), 'Europe/Berlin')).toBe('2026-03-28T09:00:00+01:00');
    expect(formatInZone(Z('2026-01-01T12:00:00Z'), 'UTC')).toBe('2026-01-01T12:00:00+00:00');
    expect(formatInZone(Z('2026-07-01T12:00:00Z'), 'America/New_York')).toBe('2026-07-01T08:00:00-04:00');
    expect(formatInZone(Z('2026-07-01T12:00:00Z'), 'Asia/Kathmandu')).toBe('2026-07-01T17:45:00+05:45');
    expect(formatInZone(Z('2026-07-01T12:00:00Z'), 'America/St_Johns')).toBe('2026-07-01T09:30:00-02:30');
  });

  it('distinguishes the two 01:30s of a fall-back night', () => {
    expect(formatInZone(Z('2026-11-01T05:30:00Z'), 'America/New_York')).toBe('2026-11-01T01:30:00-04:00');
    expect(formatInZone(Z('2026-11-01T06:30:00Z'), 'America/New_York')).toBe('2026-11-01T01:30:00-05:00');
  });
});

describe('localDatesBetween', () => {
  it('lists each local date once across 23h and 25h days', () => {
    const tz = 'Europe/London';
    const from = zonedDateTimeToUtc('2026-03-28', '00:00', tz);
    const to = zonedDateTimeToUtc('2026-03-31', '00:00', tz);
    expect(localDatesBetween(from, to, tz)).toEqual(['2026-03-28', '2026-03-29', '2026-03-30']);
    const from2 = zonedDateTimeToUtc('2026-10-24', '12:00', tz);
    const to2 = zonedDateTimeToUtc('2026-10-26', '00:01', tz);
    expect(localDatesBetween(from2, to2, tz)).toEqual(['2026-10-24', '2026-10-25', '2026-10-26']);
  });

  it('uses local, not UTC, dates', () => {
    // 2026-03-08T22:00Z .. 23:00Z is already March 9th in Sydney.
    expect(
      localDatesBetween(Z('2026-03-08T22:00:00Z'), Z('2026-03-08T23:00:00Z'), 'Australia/Sydney'),
    ).toEqual(['2026-03-09']);
  });

  it('is half-open and empty for empty ranges', () => {
    expect(localDatesBetween(Z('2026-01-01T00:00:00Z'), Z('2026-01-02T00:00:00Z'), 'UTC')).toEqual([
      '2026-01-01',
    ]);
    expect(localDatesBetween(Z('2026-01-02T00:00:00Z'), Z('2026-01-02T00:00:00Z'), 'UTC')).toEqual([]);
    expect(localDatesBetween(Z('2026-01-03T00:00:00Z'), Z('2026-01-02T00:00:00Z'), 'UTC')).toEqual([]);
  });

  it('crosses year ends', () => {
    expect(localDatesBetween(Z('2026-12-30T12:00:00Z'), Z('2027-01-02T12:00:00Z'), 'UTC')).toEqual([
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
      '2027-01-02',
    ]);
    expect(addDaysIso('2028-02-28', 1)).toBe('2028-02-29');
  });
});

const zones = [
  'UTC',
  'Europe/London',
  'America/New_York',
  'Australia/Sydney',
  'Australia/Lord_Howe', // 30-minute DST shift
  'Pacific/Chatham', // +12:45 / +13:45
  'America/Santiago', // transitions at midnight
  'Asia/Kolkata',
];
// Minute-aligned instants across 2024–2028.
const instant = fc.integer({ min: 28_401_120, max: 30_504_960 }).map((m) => new Date(m * 60_000));

describe('properties', () => {
  it('local parts of an instant convert back to that instant, or the earlier one on an ambiguous time', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), (t, tz) => {
        const p = utcToZonedParts(t, tz);
        const date = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
        const time = `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
        const back = zonedDateTimeToUtc(date, time, tz);
        expect(back.getTime()).toBeLessThanOrEqual(t.getTime());
        expect(t.getTime() - back.getTime()).toBeLessThanOrEqual(60 * 60_000);
        expect(utcToZonedParts(back, tz)).toEqual(p);
      }),
      { numRuns: 500 },
    );
  });

  it('any wall-clock time resolves to an instant at or after it (gaps move forward, never back)', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), (t, tz) => {
        // Reinterpret t's UTC fields as a wall-clock time in tz.
        const date = t.toISOString().slice(0, 10);
        const time = t.toISOString().slice(11, 16);
        const resolved = formatInZone(zonedDateTimeToUtc(date, time, tz), tz).slice(0, 16);
        expect(resolved >= `${date}T${time}`).toBe(true);
        // A gap is at most an hour long in these zones.
        const late = Date.parse(`${resolved}Z`) - Date.parse(`${date}T${time}Z`);
        expect(late).toBeLessThanOrEqual(60 * 60_000);
      }),
      { numRuns: 500 },
    );
  });

  it('formatInZone offset is consistent with the instant', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...zones), (t, tz) => {
        expect(Date.parse(formatInZone(t, tz))).toBe(t.getTime());
      }),
      { numRuns: 500 },
    );
  });
});
