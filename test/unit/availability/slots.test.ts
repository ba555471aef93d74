// Over 400 lines on purpose: the slot pipeline is one pure function with many interacting rules
// (windows, overrides, buffers, notice, horizon, limits, DST); each rule's cases sit together here.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  blockedRange,
  computeSlots,
  isSlotBookable,
  validateOverrides,
  validateWindows,
  type BusyBooking,
  type ComputeSlotsArgs,
  type ServiceRules,
  type Slot,
  type WeeklyWindow,
} from '../../../src/domain/availability/slots';
import {
  formatInZone,
  localDatesBetween,
  utcToZonedParts,
  zonedDateTimeToUtc,
} from '../../../src/domain/shared/timezone';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const L = (tz: string, date: string, time: string) => zonedDateTimeToUtc(date, time, tz);
const everyDay = (startTime: string, endTime: string): WeeklyWindow[] =>
  [0, 1, 2, 3, 4, 5, 6].map((dayOfWeek) => ({ dayOfWeek, startTime, endTime }));
const service = (over: Partial<ServiceRules> = {}): ServiceRules => ({
  durationMin: 60,
  bufferBeforeMin: 0,
  bufferAfterMin: 0,
  minimumNoticeMin: 0,
  horizonDays: 365,
  ...over,
});
const args = (over: Partial<ComputeSlotsArgs> & Pick<ComputeSlotsArgs, 'from' | 'to'>): ComputeSlotsArgs => ({
  timeZone: 'UTC',
  windows: everyDay('09:00', '17:00'),
  overrides: [],
  blackouts: [],
  bookings: [],
  service: service(),
  now: new Date('2026-01-01T00:00:00Z'),
  ...over,
});
/** Slot starts as local 'YYYY-MM-DD HH:MM'. */
const localStarts = (slots: Slot[], tz: string) =>
  slots.map((s) => formatInZone(s.start, tz).slice(0, 16).replace('T', ' '));
/** Local 'HH:MM' starts on one local date. */
const startsOn = (slots: Slot[], tz: string, date: string) =>
  localStarts(slots, tz)
    .filter((s) => s.startsWith(date))
    .map((s) => s.slice(11));
const hours = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `${String(from + i).padStart(2, '0')}:00`);
const booking = (start: Date, end: Date, bufferBeforeMin = 0, bufferAfterMin = 0): BusyBooking => ({
  start,
  end,
  bufferBeforeMin,
  bufferAfterMin,
});

// A Monday in January (UTC = local for the UTC zone).
const MON = '2026-01-05';
const utcDay = (date: string) => ({ from: new Date(`${date}T00:00:00Z`), to: new Date(`${date}T24:00:00Z`) });

describe('computeSlots — basics', () => {
  it('produces duration-long slots inside the window', () => {
    const slots = computeSlots(args(utcDay(MON)));
    expect(startsOn(slots, 'UTC', MON)).toEqual(hours(9, 17));
    for (const s of slots) expect(s.end.getTime() - s.start.getTime()).toBe(HOUR);
  });

  it('returns nothing for an empty or inverted query range', () => {
    const { from } = utcDay(MON);
    expect(computeSlots(args({ from, to: from }))).toEqual([]);
    expect(computeSlots(args({ from, to: new Date(from.getTime() - DAY) }))).toEqual([]);
  });

  it('returns slots whose start is in [from, to)', () => {
    const slots = computeSlots(
      args({ from: new Date(`${MON}T10:00:00Z`), to: new Date(`${MON}T12:00:00Z`) }),
    );
    expect(startsOn(slots, 'UTC', MON)).toEqual(['10:00', '11:00']);
  });

  it('rejects invalid configuration loudly', () => {
    expect(() => computeSlots(args({ ...utcDay(MON), timeZone: 'Nope/Nope' }))).toThrow(RangeError);
    expect(() => computeSlots(args({ ...utcDay(MON), service: service({ slotIntervalMin: 7 }) }))).toThrow(
      RangeError,
    );
    expect(() => computeSlots(args({ ...utcDay(MON), service: service({ durationMin: 0 }) }))).toThrow(
      RangeError,
    );
    expect(() => computeSlots(args({ ...utcDay(MON), service: service({ bufferAfterMin: -5 }) }))).toThrow(
      RangeError,
    );
    // A booking that cannot be read must not silently free its time.
    const broken = booking(new Date('garbage'), new Date(`${MON}T10:00:00Z`));
    expect(() => computeSlots(args({ ...utcDay(MON), bookings: [broken] }))).toThrow(RangeError);
    const noBuffer = {
      ...booking(new Date(`${MON}T09:00:00Z`), new Date(`${MON}T10:00:00Z`)),
      bufferAfterMin: Number.NaN,
    };
    expect(() => computeSlots(args({ ...utcDay(MON), bookings: [noBuffer] }))).toThrow(RangeError);
  });
});

describe('computeSlots — alignment', () => {
  it('aligns starts to the interval from the window start, not from `from` or the hour', () => {
    const a = args({
      ...utcDay(MON),
      windows: [{ dayOfWeek: 1, startTime: '09:10', endTime: '11:00' }],
      service: service({ durationMin: 30, slotIntervalMin: 30 }),
    });
    expect(startsOn(computeSlots(a), 'UTC', MON)).toEqual(['09:10', '09:40', '10:10']);
    const late = computeSlots({ ...a, from: new Date(`${MON}T09:50:00Z`) });
    expect(startsOn(late, 'UTC', MON)).toEqual(['10:10']);
  });

  it('defaults the interval to the duration and allows overlapping slots with a shorter interval', () => {
    const windows = [{ dayOfWeek: 1, startTime: '09:00', endTime: '11:00' }];
    expect(
      startsOn(
        computeSlots(args({ ...utcDay(MON), windows, service: service({ durationMin: 45 }) })),
        'UTC',
        MON,
      ),
    ).toEqual(['09:00', '09:45']);
    const s15 = computeSlots(
      args({ ...utcDay(MON), windows, service: service({ durationMin: 45, slotIntervalMin: 15 }) }),
    );
    expect(startsOn(s15, 'UTC', MON)).toEqual(['09:00', '09:15', '09:30', '09:45', '10:00', '10:15']);
  });

  it('lets a slot run into a touching window while keeping each window’s own alignment', () => {
    const windows = [
      { dayOfWeek: 1, startTime: '09:30', endTime: '12:00' },
      { dayOfWeek: 1, startTime: '12:00', endTime: '13:00' },
    ];
    expect(startsOn(computeSlots(args({ ...utcDay(MON), windows })), 'UTC', MON)).toEqual([
      '09:30',
      '10:30',
      '11:30',
      '12:00',
    ]);
  });

  it('supports 24:00 and slots that cross midnight into the next day’s window', () => {
    const windows = [
      { dayOfWeek: 1, startTime: '22:00', endTime: '24:00' },
      { dayOfWeek: 2, startTime: '00:00', endTime: '01:00' },
    ];
    const slots = computeSlots(
      args({
        from: new Date(`${MON}T00:00:00Z`),
        to: new Date('2026-01-07T00:00:00Z'),
        windows,
        service: service({ durationMin: 90, slotIntervalMin: 30 }),
      }),
    );
    expect(localStarts(slots, 'UTC')).toEqual([
      '2026-01-05 22:00',
      '2026-01-05 22:30',
      '2026-01-05 23:00',
      '2026-01-05 23:30',
    ]);
  });

  it('sees the next day’s window even when the query ends at midnight', () => {
    const a = args({
      ...utcDay(MON),
      windows: [
        { dayOfWeek: 1, startTime: '22:00', endTime: '24:00' },
        { dayOfWeek: 2, startTime: '00:00', endTime: '01:00' },
      ],
      service: service({ durationMin: 90, slotIntervalMin: 30 }),
    });
    expect(startsOn(computeSlots(a), 'UTC', MON)).toEqual(['22:00', '22:30', '23:00', '23:30']);
    expect(isSlotBookable(a, new Date(`${MON}T23:30:00Z`))).toBe(true);
  });
});

// [zone, spring-forward date, fall-back date] for 2026.
const DST_CASES = [
  ['Europe/London', '2026-03-29', '2026-10-25'],
  ['America/New_York', '2026-03-08', '2026-11-01'],
  ['Australia/Sydney', '2026-10-04', '2026-04-05'],
] as const;

const prevDate = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) - DAY).toISOString().slice(0, 10);
const nextDate = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + DAY).toISOString().slice(0, 10);

describe('computeSlots — DST', () => {
  for (const [tz, spring, fall] of DST_CASES) {
    for (const [label, day] of [
      ['spring-forward', spring],
      ['fall-back', fall],
    ] as const) {
      it(`${tz} ${label} (${day}): 09:00–17:00 local on the day before, the day, and the day after`, () => {
        const slots = computeSlots(
          args({ timeZone: tz, from: L(tz, prevDate(day), '00:00'), to: L(tz, nextDate(day), '24:00') }),
        );
        for (const d of [prevDate(day), day, nextDate(day)]) {
          expect(startsOn(slots, tz, d)).toEqual(hours(9, 17));
        }
        for (const s of slots) {
          expect(s.end.getTime() - s.start.getTime()).toBe(HOUR); // real duration, never 0 or 2 hours
          expect(utcToZonedParts(s.end, tz).minute).toBe(0);
        }
        // The UTC instant of 09:00 local really moves by the offset change across the transition.
        const first = slots[0]!.start.getTime();
        const last9 = slots[16]!.start.getTime();
        expect(Math.abs(last9 - first - 2 * DAY)).toBe(HOUR);
      });
    }

    it(`${tz}: slots at and after 13:00 on the DST day are not shifted (Cal.com 12-hour clock bug)`, () => {
      const windows = everyDay('13:00', '18:00');
      for (const day of [spring, fall]) {
        const slots = computeSlots(
          args({ timeZone: tz, windows, from: L(tz, day, '00:00'), to: L(tz, day, '24:00') }),
        );
        expect(startsOn(slots, tz, day)).toEqual(['13:00', '14:00', '15:00', '16:00', '17:00']);
      }
    });

    it(`${tz}: the offset comes from the slot's own date, not from \`now\``, () => {
      // now is months before the transition, when the other offset was in effect.
      const now = new Date(Date.parse(`${spring}T00:00:00Z`) - 100 * DAY);
      const day = nextDate(spring);
      const slots = computeSlots(
        args({ timeZone: tz, now, from: L(tz, day, '00:00'), to: L(tz, day, '24:00') }),
      );
      expect(startsOn(slots, tz, day)).toEqual(hours(9, 17));
      expect(slots[0]!.start.getTime()).toBe(L(tz, day, '09:00').getTime());
    });
  }

  it('minimum notice landing on a spring-forward day is elapsed time (New York)', () => {
    const tz = 'America/New_York';
    const now = L(tz, '2026-03-07', '20:00'); // EST, 01:00Z
    const slots = computeSlots(
      args({
        timeZone: tz,
        now,
        from: now,
        to: L(tz, '2026-03-09', '00:00'),
        service: service({ minimumNoticeMin: 14 * 60 }),
      }),
    );
    // 20:00 EST + 14h = 11:00 EDT. Wall-clock arithmetic would wrongly allow 10:00.
    expect(startsOn(slots, tz, '2026-03-08')).toEqual(hours(11, 17));
    expect(slots[0]!.start.getTime()).toBe(now.getTime() + 14 * HOUR);
  });

  it('minimum notice landing on a fall-back day is elapsed time (New York, London)', () => {
    {
      const tz = 'America/New_York';
      const now = L(tz, '2026-10-31', '20:00'); // EDT
      const slots = computeSlots(
        args({
          timeZone: tz,
          now,
          from: now,
          to: L(tz, '2026-11-02', '00:00'),
          service: service({ minimumNoticeMin: 14 * 60 }),
        }),
      );
      // 20:00 EDT + 14h = 09:00 EST (wall-clock arithmetic would say 10:00).
      expect(startsOn(slots, tz, '2026-11-01')).toEqual(hours(9, 17));
    }
    {
      const tz = 'Europe/London';
      const now = L(tz, '2026-03-28', '20:00'); // GMT
      const slots = computeSlots(
        args({
          timeZone: tz,
          now,
          from: now,
          to: L(tz, '2026-03-30', '00:00'),
          service: service({ minimumNoticeMin: 14 * 60 }),
        }),
      );
      expect(startsOn(slots, tz, '2026-03-29')).toEqual(hours(11, 17));
    }
  });

  it('a window in the spring-forward gap moves forward; an all-day window is 23 hours long', () => {
    const tz = 'America/New_York';
    const day = '2026-03-08';
    const slots = computeSlots(
      args({
        timeZone: tz,
        windows: everyDay('00:00', '24:00'),
        from: L(tz, day, '00:00'),
        to: L(tz, day, '24:00'),
      }),
    );
    expect(slots).toHaveLength(23);
    expect(startsOn(slots, tz, day)).toEqual(['00:00', '01:00', ...hours(3, 24)]);
    const fallDay = '2026-11-01';
    const fallSlots = computeSlots(
      args({
        timeZone: tz,
        windows: everyDay('00:00', '24:00'),
        from: L(tz, fallDay, '00:00'),
        to: L(tz, fallDay, '24:00'),
      }),
    );
    expect(fallSlots).toHaveLength(25);
    expect(startsOn(fallSlots, tz, fallDay).slice(0, 4)).toEqual(['00:00', '01:00', '01:00', '02:00']);
  });
});

describe('computeSlots — buffers', () => {
  const windows = [{ dayOfWeek: 1, startTime: '09:00', endTime: '17:00' }];
  const b = booking(new Date(`${MON}T12:00:00Z`), new Date(`${MON}T13:00:00Z`), 10, 20); // blocks 11:50–13:20

  it("respects the existing booking's own buffers", () => {
    const slots = computeSlots(
      args({ ...utcDay(MON), windows, bookings: [b], service: service({ slotIntervalMin: 15 }) }),
    );
    const starts = startsOn(slots, 'UTC', MON);
    expect(starts).toContain('10:45'); // ends 11:45 < 11:50
    expect(starts).not.toContain('11:00');
    expect(starts).not.toContain('13:15');
    expect(starts).toContain('13:30');
    expect(starts.filter((s) => s > '10:45' && s < '13:30')).toEqual([]);
  });

  it("adds the new slot's buffers on top", () => {
    const slots = computeSlots(
      args({
        ...utcDay(MON),
        windows,
        bookings: [b],
        service: service({ slotIntervalMin: 15, bufferBeforeMin: 15, bufferAfterMin: 10 }),
      }),
    );
    const starts = startsOn(slots, 'UTC', MON);
    // [s-15, s+70) must avoid [11:50, 13:20): s <= 10:40 or s >= 13:35.
    expect(starts.filter((s) => s >= '10:00' && s <= '14:00')).toEqual([
      '10:00',
      '10:15',
      '10:30',
      '13:45',
      '14:00',
    ]);
    // Buffers may fall outside availability: the 09:00 slot's 15-minute lead-in is before the window.
    expect(starts[0]).toBe('09:00');
  });

  it('back-to-back bookings without buffers are allowed (half-open ranges)', () => {
    const slots = computeSlots(
      args({
        ...utcDay(MON),
        windows,
        bookings: [booking(new Date(`${MON}T10:00:00Z`), new Date(`${MON}T11:00:00Z`))],
      }),
    );
    expect(startsOn(slots, 'UTC', MON)).toEqual(['09:00', ...hours(11, 17)]);
  });

  it('blockedRange adds buffers around a booking', () => {
    expect(blockedRange(b.start, b.end, 10, 20)).toEqual({
      start: new Date(`${MON}T11:50:00Z`),
      end: new Date(`${MON}T13:20:00Z`),
    });
  });
});

describe('computeSlots — blackouts', () => {
  const blackouts = [{ start: new Date(`${MON}T12:00:00Z`), end: new Date(`${MON}T14:00:00Z`) }];

  it('removes slots overlapping a blackout', () => {
    const slots = computeSlots(args({ ...utcDay(MON), blackouts }));
    expect(startsOn(slots, 'UTC', MON)).toEqual(['09:00', '10:00', '11:00', '14:00', '15:00', '16:00']);
  });

  it("compares the slot plus the service's buffers with the blackout", () => {
    const after = computeSlots(args({ ...utcDay(MON), blackouts, service: service({ bufferAfterMin: 15 }) }));
    expect(startsOn(after, 'UTC', MON)).toEqual(['09:00', '10:00', '14:00', '15:00', '16:00']);
    const before = computeSlots(
      args({ ...utcDay(MON), blackouts, service: service({ bufferBeforeMin: 15 }) }),
    );
    expect(startsOn(before, 'UTC', MON)).toEqual(['09:00', '10:00', '11:00', '15:00', '16:00']);
  });

  it('a multi-day blackout (holiday) removes whole days', () => {
    const slots = computeSlots(
      args({
        from: new Date(`${MON}T00:00:00Z`),
        to: new Date('2026-01-10T00:00:00Z'),
        blackouts: [{ start: new Date('2026-01-06T00:00:00Z'), end: new Date('2026-01-09T00:00:00Z') }],
      }),
    );
    expect([...new Set(localStarts(slots, 'UTC').map((s) => s.slice(0, 10)))]).toEqual([
      '2026-01-05',
      '2026-01-09',
    ]);
  });
});

describe('computeSlots — notice and horizon', () => {
  it('drops slots before now + notice and at or after now + horizon', () => {
    const now = new Date(`${MON}T10:00:00Z`);
    const slots = computeSlots(
      args({
        now,
        from: new Date(`${MON}T00:00:00Z`),
        to: new Date('2026-01-10T00:00:00Z'),
        service: service({ horizonDays: 1 }),
      }),
    );
    expect(localStarts(slots, 'UTC')).toEqual([
      ...hours(10, 17).map((h) => `${MON} ${h}`),
      '2026-01-06 09:00', // 10:00 on Tuesday is exactly now + 24h: excluded
    ]);
  });

  it('notice that is not a multiple of the interval skips to the next aligned start', () => {
    const now = new Date(`${MON}T08:50:00Z`);
    const slots = computeSlots(args({ now, ...utcDay(MON), service: service({ minimumNoticeMin: 30 }) }));
    expect(startsOn(slots, 'UTC', MON)[0]).toBe('10:00');
  });

  it('a zero horizon yields nothing', () => {
    expect(computeSlots(args({ ...utcDay(MON), service: service({ horizonDays: 0 }) }))).toEqual([]);
  });
});

describe('computeSlots — daily and weekly limits', () => {
  const tz = 'America/New_York';
  const range = { from: L(tz, '2026-01-04', '00:00'), to: L(tz, '2026-01-13', '00:00') };
  const datesWithSlots = (slots: Slot[]) => [...new Set(localStarts(slots, tz).map((s) => s.slice(0, 10)))];

  it('a day that reached its limit disappears; bookings count on their coach-local date', () => {
    // 23:30 local on Tuesday is already Wednesday in UTC.
    const late = booking(L(tz, '2026-01-06', '23:30'), L(tz, '2026-01-06', '23:59'));
    const slots = computeSlots(
      args({ timeZone: tz, ...range, bookings: [late], service: service({ dailyLimit: 1 }) }),
    );
    expect(datesWithSlots(slots)).not.toContain('2026-01-06');
    expect(datesWithSlots(slots)).toContain('2026-01-07');
    const open = computeSlots(
      args({ timeZone: tz, ...range, bookings: [late], service: service({ dailyLimit: 2 }) }),
    );
    expect(datesWithSlots(open)).toContain('2026-01-06');
  });

  it('a week that reached its limit disappears Monday to Sunday, counting bookings outside [from, to)', () => {
    const bookings = [
      booking(L(tz, '2026-01-05', '07:00'), L(tz, '2026-01-05', '08:00')), // Monday, before `from` below
      booking(L(tz, '2026-01-10', '07:00'), L(tz, '2026-01-10', '08:00')), // Saturday
    ];
    const from = L(tz, '2026-01-07', '00:00');
    const slots = computeSlots(
      args({ timeZone: tz, ...range, from, bookings, service: service({ weeklyLimit: 2 }) }),
    );
    expect(datesWithSlots(slots)).toEqual(['2026-01-12']);
    const sunday = computeSlots(
      args({ timeZone: tz, ...range, bookings, service: service({ weeklyLimit: 2 }) }),
    );
    expect(datesWithSlots(sunday)).toEqual(['2026-01-04', '2026-01-12']); // Sunday belongs to the previous ISO week
    const open = computeSlots(
      args({ timeZone: tz, ...range, bookings, service: service({ weeklyLimit: 3 }) }),
    );
    expect(datesWithSlots(open)).toHaveLength(9);
  });

  it('null limits mean unlimited', () => {
    const bookings = [booking(L(tz, '2026-01-05', '07:00'), L(tz, '2026-01-05', '08:00'))];
    const slots = computeSlots(
      args({ timeZone: tz, ...range, bookings, service: service({ dailyLimit: null, weeklyLimit: null }) }),
    );
    expect(datesWithSlots(slots)).toHaveLength(9);
  });
});

describe('computeSlots — date overrides', () => {
  const weekdays = [1, 2, 3, 4, 5].map((dayOfWeek) => ({ dayOfWeek, startTime: '09:00', endTime: '17:00' }));
  const week = { from: new Date('2026-01-05T00:00:00Z'), to: new Date('2026-01-12T00:00:00Z') };

  it('an empty override is a day off; custom hours replace the weekly ones; overrides can add a day', () => {
    const slots = computeSlots(
      args({
        ...week,
        windows: weekdays,
        overrides: [
          { date: '2026-01-06', windows: [] },
          {
            date: '2026-01-07',
            windows: [
              { startTime: '10:00', endTime: '12:00' },
              { startTime: '14:00', endTime: '15:00' },
            ],
          },
          { date: '2026-01-10', windows: [{ startTime: '08:00', endTime: '09:00' }] },
        ],
      }),
    );
    expect(startsOn(slots, 'UTC', '2026-01-05')).toEqual(hours(9, 17));
    expect(startsOn(slots, 'UTC', '2026-01-06')).toEqual([]);
    expect(startsOn(slots, 'UTC', '2026-01-07')).toEqual(['10:00', '11:00', '14:00']);
    expect(startsOn(slots, 'UTC', '2026-01-10')).toEqual(['08:00']);
    expect(startsOn(slots, 'UTC', '2026-01-11')).toEqual([]);
  });

  it('override dates are coach-local dates', () => {
    const tz = 'Australia/Sydney';
    const slots = computeSlots(
      args({
        timeZone: tz,
        from: L(tz, '2026-01-05', '00:00'),
        to: L(tz, '2026-01-07', '00:00'),
        overrides: [{ date: '2026-01-05', windows: [{ startTime: '07:00', endTime: '08:00' }] }],
      }),
    );
    expect(localStarts(slots, tz)).toEqual([
      '2026-01-05 07:00',
      ...hours(9, 17).map((h) => `2026-01-06 ${h}`),
    ]);
  });
});

describe('validateWindows / validateOverrides', () => {
  it('accepts a sane schedule, including touching windows and 24:00', () => {
    expect(
      validateWindows([
        { dayOfWeek: 1, startTime: '09:00', endTime: '12:00' },
        { dayOfWeek: 1, startTime: '12:00', endTime: '24:00' },
        { dayOfWeek: 2, startTime: '09:00', endTime: '12:00' },
      ]),
    ).toEqual([]);
  });

  it('reports bad formats, end before start and overlaps', () => {
    expect(
      validateWindows([
        { dayOfWeek: 1, startTime: '9:00', endTime: '12:00' },
        { dayOfWeek: 1, startTime: '13:00', endTime: '12:00' },
        { dayOfWeek: 2, startTime: '09:00', endTime: '12:00' },
        { dayOfWeek: 2, startTime: '11:00', endTime: '13:00' },
        { dayOfWeek: 3, startTime: '24:00', endTime: '24:00' },
        { dayOfWeek: 3, startTime: '10:00', endTime: '25:00' },
      ]),
    ).toEqual([
      { field: 'windows[0].startTime', reason: expect.any(String) },
      { field: 'windows[1].endTime', reason: 'must be after startTime' },
      { field: 'windows[4].startTime', reason: expect.any(String) },
      { field: 'windows[5].endTime', reason: expect.any(String) },
      { field: 'windows[3]', reason: 'overlaps windows[2]' },
    ]);
    expect(validateWindows([{ dayOfWeek: 7, startTime: '09:00', endTime: '10:00' }])).toEqual([
      { field: 'windows[0].dayOfWeek', reason: expect.any(String) },
    ]);
  });

  it('checks overrides', () => {
    expect(
      validateOverrides([
        { date: '2026-02-30', windows: [] },
        { date: '2026-03-01', windows: [{ startTime: '10:00', endTime: '09:00' }] },
        { date: '2026-03-01', windows: [] },
      ]),
    ).toEqual([
      { field: 'overrides[0].date', reason: expect.any(String) },
      { field: 'overrides[1].windows[0].endTime', reason: 'must be after startTime' },
      { field: 'overrides[2].date', reason: 'duplicates overrides[1]' },
    ]);
  });
});

describe('isSlotBookable', () => {
  const base = args(utcDay(MON));
  const { from: _f, to: _t, ...query } = base;

  it('accepts exactly the computed slots', () => {
    expect(isSlotBookable(query, new Date(`${MON}T09:00:00Z`))).toBe(true);
    expect(isSlotBookable(query, new Date(`${MON}T16:00:00Z`))).toBe(true);
    expect(isSlotBookable(query, new Date(`${MON}T09:05:00Z`))).toBe(false); // misaligned
    expect(isSlotBookable(query, new Date(`${MON}T17:00:00Z`))).toBe(false); // would end after the window
    expect(isSlotBookable(query, new Date(`${MON}T09:00:00.001Z`))).toBe(false);
    expect(isSlotBookable(query, new Date('invalid'))).toBe(false);
  });

  it('rejects booked, blacked-out, too-soon and too-far slots', () => {
    const at = new Date(`${MON}T10:00:00Z`);
    expect(isSlotBookable({ ...query, bookings: [booking(at, new Date(`${MON}T11:00:00Z`))] }, at)).toBe(
      false,
    );
    expect(
      isSlotBookable({ ...query, blackouts: [{ start: at, end: new Date(at.getTime() + MIN) }] }, at),
    ).toBe(false);
    expect(
      isSlotBookable(
        { ...query, now: new Date(`${MON}T09:30:00Z`), service: service({ minimumNoticeMin: 60 }) },
        at,
      ),
    ).toBe(false);
    expect(
      isSlotBookable(
        { ...query, now: new Date(`${MON}T09:00:00Z`), service: service({ minimumNoticeMin: 60 }) },
        at,
      ),
    ).toBe(true);
    expect(isSlotBookable({ ...query, service: service({ horizonDays: 1 }) }, at)).toBe(false);
  });
});

describe('purity', () => {
  it('domain sources use no local-time Date methods, clock reads, randomness or env', () => {
    const dir = join(import.meta.dirname, '../../../src/domain');
    const forbidden = [
      /\.(get|set)(FullYear|Year|Month|Date|Day|Hours|Minutes|Seconds|Milliseconds)\(/, // local-time accessors
      /getTimezoneOffset|toLocale\w*\(|Date\.parse|Date\.now|new Date\(\s*\)|Math\.random|process\.env|performance\.now/,
    ];
    const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    expect(files).toEqual(
      expect.arrayContaining(['availability/slots.ts', 'shared/timezone.ts', 'shared/ranges.ts']),
    );
    for (const f of [
      'availability/slots.ts',
      'shared/timezone.ts',
      'shared/ranges.ts',
      'bookings/cancellation.ts',
      'bookings/ics.ts',
    ]) {
      const src = readFileSync(join(dir, f), 'utf8').replace(/^\s*\/\/.*$/gm, '');
      for (const re of forbidden) expect(src, `${f} matches ${re}`).not.toMatch(re);
    }
  });

  it('does not read its inputs by mutation', () => {
    const a = args({
      ...utcDay(MON),
      bookings: [booking(new Date(`${MON}T12:00:00Z`), new Date(`${MON}T13:00:00Z`))],
    });
    const snapshot = JSON.stringify(a);
    computeSlots(a);
    expect(JSON.stringify(a)).toBe(snapshot);
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests

const ZONES = [
  'UTC',
  'Europe/London',
  'America/New_York',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'America/Santiago',
  'Asia/Kolkata',
];
const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const fiveMin = (min: number, max: number) =>
  fc.integer({ min: min / 5, max: max / 5 }).map((n) => n * 5 * MIN);
const timeWindowArb = fc
  .tuple(fc.integer({ min: 0, max: 287 }), fc.integer({ min: 1, max: 288 }))
  .map(([s, len]) => ({ startTime: hhmm(s * 5), endTime: hhmm(Math.min(288, s + len) * 5) }));
const weeklyArb = fc
  .tuple(fc.integer({ min: 0, max: 6 }), timeWindowArb)
  .map(([dayOfWeek, w]) => ({ dayOfWeek, ...w }));
const isoOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

// Bases straddle DST changes: March/April (northern spring, Sydney and Santiago autumn),
// September/October (Santiago and Sydney spring, northern autumn).
const scenarioArb = fc
  .record({
    timeZone: fc.constantFrom(...ZONES),
    base: fc.constantFrom(
      Date.UTC(2026, 2, 1),
      Date.UTC(2026, 2, 25),
      Date.UTC(2026, 8, 1),
      Date.UTC(2026, 9, 1),
    ),
    windows: fc.array(weeklyArb, { minLength: 1, maxLength: 10 }),
    overrides: fc.uniqueArray(
      fc.record({ day: fc.integer({ min: 0, max: 25 }), windows: fc.array(timeWindowArb, { maxLength: 2 }) }),
      {
        selector: (o) => o.day,
        maxLength: 4,
      },
    ),
    nowOffset: fiveMin(0, 20 * 24 * 60),
    fromOffset: fiveMin(-24 * 60, 2 * 24 * 60),
    length: fiveMin(24 * 60, 10 * 24 * 60),
    bookings: fc.array(
      fc.record({
        at: fiveMin(-3 * 24 * 60, 32 * 24 * 60),
        len: fiveMin(5, 180),
        bufferBeforeMin: fc.integer({ min: 0, max: 30 }),
        bufferAfterMin: fc.integer({ min: 0, max: 30 }),
      }),
      { maxLength: 40, size: 'max' },
    ),
    blackouts: fc.array(
      fc.record({ at: fiveMin(-3 * 24 * 60, 32 * 24 * 60), len: fiveMin(5, 2 * 24 * 60) }),
      {
        maxLength: 5,
      },
    ),
    service: fc.record({
      durationMin: fc.constantFrom(15, 20, 30, 45, 60, 90),
      slotIntervalMin: fc.option(fc.constantFrom(5, 10, 15, 20, 30, 60), { nil: undefined }),
      bufferBeforeMin: fc.constantFrom(0, 5, 10, 15, 30),
      bufferAfterMin: fc.constantFrom(0, 5, 10, 15, 30),
      minimumNoticeMin: fc.integer({ min: 0, max: 1440 }),
      horizonDays: fc.integer({ min: 1, max: 30 }),
      dailyLimit: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null, freq: 2 }),
      weeklyLimit: fc.option(fc.integer({ min: 2, max: 12 }), { nil: null, freq: 2 }),
    }),
  })
  .map((s): ComputeSlotsArgs => {
    const now = s.base + s.nowOffset;
    const from = now + s.fromOffset;
    return {
      timeZone: s.timeZone,
      windows: s.windows,
      overrides: s.overrides.map((o) => ({ date: isoOf(s.base + o.day * DAY), windows: o.windows })),
      bookings: s.bookings.map((b) => ({
        start: new Date(s.base + b.at),
        end: new Date(s.base + b.at + b.len),
        bufferBeforeMin: b.bufferBeforeMin,
        bufferAfterMin: b.bufferAfterMin,
      })),
      blackouts: s.blackouts.map((b) => ({
        start: new Date(s.base + b.at),
        end: new Date(s.base + b.at + b.len),
      })),
      service: s.service,
      now: new Date(now),
      from: new Date(from),
      to: new Date(from + s.length),
    };
  });

const localDate = (t: number, tz: string) => {
  const p = utcToZonedParts(new Date(t), tz);
  return Date.UTC(p.year, p.month - 1, p.day);
};
const mondayOf = (dayMs: number) => dayMs - ((new Date(dayMs).getUTCDay() + 6) % 7) * DAY;

/** Window instances for the dates around the query, straight from the definitions. */
function windowInstances(a: ComputeSlotsArgs) {
  const out: { start: number; end: number }[] = [];
  const dates = localDatesBetween(
    new Date(a.from.getTime() - 2 * DAY),
    new Date(a.to.getTime() + 2 * DAY),
    a.timeZone,
  );
  for (const date of dates) {
    const override = a.overrides.find((o) => o.date === date);
    const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
    const wins = override ? override.windows : a.windows.filter((w) => w.dayOfWeek === dow);
    for (const w of wins) {
      const start = L(a.timeZone, date, w.startTime).getTime();
      const end = L(a.timeZone, date, w.endTime).getTime();
      if (end > start) out.push({ start, end });
    }
  }
  return out;
}

/** Is [s, e) covered by the union of the instances? (Naive sweep over the sorted union.) */
function covered(s: number, e: number, inst: { start: number; end: number }[]): boolean {
  const sorted = [...inst].sort((x, y) => x.start - y.start);
  let reach = -Infinity;
  let from = -Infinity;
  for (const r of sorted) {
    if (r.start > reach) from = r.start;
    reach = Math.max(reach, r.end);
    if (from <= s && e <= reach) return true;
  }
  return false;
}

/** Deliberately naive O(candidates × busy) reference implementation of the spec. */
function reference(a: ComputeSlotsArgs): number[] {
  const s = a.service;
  const dur = s.durationMin * MIN;
  const step = (s.slotIntervalMin ?? s.durationMin) * MIN;
  const now = a.now.getTime();
  const inst = windowInstances(a);
  const perDay = new Map<number, number>();
  const perWeek = new Map<number, number>();
  for (const b of a.bookings) {
    const d = localDate(b.start.getTime(), a.timeZone);
    perDay.set(d, (perDay.get(d) ?? 0) + 1);
    perWeek.set(mondayOf(d), (perWeek.get(mondayOf(d)) ?? 0) + 1);
  }
  const out = new Set<number>();
  for (const w of inst) {
    for (let t = w.start; t < w.end; t += step) {
      const e = t + dur;
      if (t < a.from.getTime() || t >= a.to.getTime()) continue;
      if (t < now + s.minimumNoticeMin * MIN || t >= now + s.horizonDays * DAY) continue;
      if (!covered(t, e, inst)) continue;
      const bs = t - s.bufferBeforeMin * MIN;
      const be = e + s.bufferAfterMin * MIN;
      const hit = (x: number, y: number) => x < be && bs < y;
      if (
        a.bookings.some((b) =>
          hit(b.start.getTime() - b.bufferBeforeMin * MIN, b.end.getTime() + b.bufferAfterMin * MIN),
        )
      )
        continue;
      if (a.blackouts.some((b) => hit(b.start.getTime(), b.end.getTime()))) continue;
      // Limits go by the coach-local date of the slot start.
      const day = localDate(t, a.timeZone);
      if (s.dailyLimit != null && (perDay.get(day) ?? 0) >= s.dailyLimit) continue;
      if (s.weeklyLimit != null && (perWeek.get(mondayOf(day)) ?? 0) >= s.weeklyLimit) continue;
      out.add(t);
    }
  }
  return [...out].sort((x, y) => x - y);
}

// CPU-bound property runs: their timeout is generous so a loaded machine cannot fail a correct run
// (they assert what the slots are, not how fast they come).
describe('properties', { timeout: 60_000 }, () => {
  it('slots are sorted, timely, inside the windows, and clear of bookings and blackouts (with buffers)', () => {
    fc.assert(
      fc.property(scenarioArb, (a) => {
        const slots = computeSlots(a);
        const s = a.service;
        const inst = windowInstances(a);
        let prev = -Infinity;
        for (const slot of slots) {
          const t = slot.start.getTime();
          const e = slot.end.getTime();
          expect(t).toBeGreaterThan(prev);
          prev = t;
          expect(e - t).toBe(s.durationMin * MIN);
          expect(t).toBeGreaterThanOrEqual(a.now.getTime() + s.minimumNoticeMin * MIN);
          expect(t).toBeLessThan(a.now.getTime() + s.horizonDays * DAY);
          expect(t).toBeGreaterThanOrEqual(a.from.getTime());
          expect(t).toBeLessThan(a.to.getTime());
          expect(covered(t, e, inst)).toBe(true);
          const bs = t - s.bufferBeforeMin * MIN;
          const be = e + s.bufferAfterMin * MIN;
          for (const b of a.bookings) {
            const blocked = blockedRange(b.start, b.end, b.bufferBeforeMin, b.bufferAfterMin);
            expect(blocked.start.getTime() < be && bs < blocked.end.getTime()).toBe(false);
          }
          for (const b of a.blackouts) expect(b.start.getTime() < be && bs < b.end.getTime()).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('matches a naive reference implementation exactly (nothing valid is missing)', () => {
    fc.assert(
      fc.property(scenarioArb, (a) => {
        expect(computeSlots(a).map((s) => s.start.getTime())).toEqual(reference(a));
      }),
      { numRuns: 150 },
    );
  });

  it('isSlotBookable agrees with membership in computeSlots', () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), fc.integer({ min: 0, max: 100 }), (a, pick, jitter) => {
        const slots = computeSlots(a);
        const starts = new Set(slots.map((s) => s.start.getTime()));
        if (slots.length > 0) expect(isSlotBookable(a, slots[pick % slots.length]!.start)).toBe(true);
        // A nearby instant inside the query range is bookable iff it is one of the slots.
        const t = a.from.getTime() + jitter * 5 * MIN;
        if (t < a.to.getTime()) expect(isSlotBookable(a, new Date(t))).toBe(starts.has(t));
      }),
      { numRuns: 100 },
    );
  });

  it('results do not depend on the process time zone', () => {
    const original = process.env.TZ;
    try {
      // Sanity check that switching TZ at runtime takes effect in this Node, so the test means something.
      process.env.TZ = 'UTC';
      const utcHours = new Date(0).getHours();
      process.env.TZ = 'Asia/Kolkata';
      expect(new Date(0).getHours()).not.toBe(utcHours);
      fc.assert(
        fc.property(
          scenarioArb,
          fc.constantFrom('UTC', 'America/Los_Angeles', 'Pacific/Chatham', 'Asia/Kolkata'),
          (a, processTz) => {
            process.env.TZ = 'UTC';
            const expected = computeSlots(a);
            process.env.TZ = processTz;
            expect(computeSlots(a)).toEqual(expected);
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
  });
});

describe('performance', () => {
  it('60 days, 10 weekly windows, 20 blackouts, 500 bookings in well under 50 ms', () => {
    const tz = 'Europe/London';
    const windows: WeeklyWindow[] = [1, 2, 3, 4, 5].flatMap((dayOfWeek) => [
      { dayOfWeek, startTime: '08:00', endTime: '12:00' },
      { dayOfWeek, startTime: '13:00', endTime: '19:00' },
    ]);
    const now = new Date('2026-03-01T00:00:00Z');
    let seed = 42;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const bookings = Array.from({ length: 500 }, () => {
      const start = now.getTime() + Math.floor(rand() * 60 * 24 * 12) * 5 * MIN;
      return booking(new Date(start), new Date(start + 45 * MIN), 5, 10);
    });
    const blackouts = Array.from({ length: 20 }, () => {
      const start = now.getTime() + Math.floor(rand() * 60 * 24) * HOUR;
      return { start: new Date(start), end: new Date(start + 3 * HOUR) };
    });
    const a = args({
      timeZone: tz,
      windows,
      bookings,
      blackouts,
      now,
      from: now,
      to: new Date(now.getTime() + 60 * DAY),
      service: service({
        durationMin: 45,
        slotIntervalMin: 15,
        bufferAfterMin: 10,
        horizonDays: 90,
        dailyLimit: 20,
        weeklyLimit: 100,
      }),
    });
    computeSlots(a); // warm up formatter caches and the JIT
    const times: number[] = [];
    let count = 0;
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      count = computeSlots(a).length;
      times.push(performance.now() - t0);
    }
    times.sort((x, y) => x - y);
    expect(count).toBeGreaterThan(100);
    expect(times[3]).toBeLessThan(50);
  });
});
