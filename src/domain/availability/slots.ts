// Bookable-slot computation for one coach and one service. Pure: `now` is a parameter, no I/O,
// no process time zone. Availability is built per local calendar date in the coach's zone, so a
// 09:00–17:00 window stays 09:00–17:00 local on both sides of a DST change; all other arithmetic
// (notice, horizon, buffers) is on UTC epoch ms, where DST cannot interfere.

import { merge, type Range } from '../shared/ranges';
import {
  addDaysIso,
  isValidTimeZone,
  localDateOf,
  localDatesBetween,
  localMsToUtc,
  parseHHMM,
  parseIsoDate,
  weekdayOfIso,
} from '../shared/timezone';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export const SLOT_INTERVALS_MIN = [5, 10, 15, 20, 30, 60] as const;

export interface TimeWindow {
  startTime: string; // 'HH:MM'
  endTime: string; // 'HH:MM', '24:00' allowed; must be after startTime
}

export interface WeeklyWindow extends TimeWindow {
  dayOfWeek: number; // 0 = Sunday … 6 = Saturday
}

/** Replaces the weekly windows for one local date; no windows = day off. */
export interface DateOverride {
  date: string; // 'YYYY-MM-DD' in the coach's zone
  windows: TimeWindow[];
}

export interface Blackout {
  start: Date;
  end: Date;
}

/** An existing booking; it blocks [start - bufferBefore, end + bufferAfter). */
export interface BusyBooking {
  start: Date;
  end: Date;
  bufferBeforeMin: number;
  bufferAfterMin: number;
}

export interface ServiceRules {
  durationMin: number;
  bufferBeforeMin: number;
  bufferAfterMin: number;
  minimumNoticeMin: number;
  horizonDays: number;
  /** One of SLOT_INTERVALS_MIN; defaults to durationMin. */
  slotIntervalMin?: number | null;
  /** Max existing bookings per coach-local day; reaching it removes the whole day. null = no limit. */
  dailyLimit?: number | null;
  /** Max existing bookings per coach-local ISO week (Monday start). null = no limit. */
  weeklyLimit?: number | null;
}

export interface ComputeSlotsArgs {
  timeZone: string;
  windows: readonly WeeklyWindow[];
  overrides: readonly DateOverride[];
  blackouts: readonly Blackout[];
  /**
   * The coach's active bookings. For weekly limits to be exact, include every booking in the ISO
   * weeks that [from, to) touches, not only those inside [from, to).
   */
  bookings: readonly BusyBooking[];
  service: ServiceRules;
  /** Slots whose start lies in [from, to) are returned. */
  from: Date;
  to: Date;
  now: Date;
}

export interface Slot {
  start: Date;
  end: Date;
}

export interface Problem {
  field: string;
  reason: string;
}

/** The instant range an existing booking occupies once its own buffers are added. */
export function blockedRange(
  start: Date,
  end: Date,
  bufferBeforeMin: number,
  bufferAfterMin: number,
): { start: Date; end: Date } {
  return {
    start: new Date(start.getTime() - bufferBeforeMin * MINUTE_MS),
    end: new Date(end.getTime() + bufferAfterMin * MINUTE_MS),
  };
}

// ---------------------------------------------------------------------------------------------
// Validation

function validateTimeWindows(
  windows: readonly TimeWindow[],
  path: string,
  dayOf: (i: number) => string,
): Problem[] {
  const problems: Problem[] = [];
  const parsed: { i: number; day: string; start: number; end: number }[] = [];
  windows.forEach((w, i) => {
    const start = parseHHMM(w.startTime);
    const end = parseHHMM(w.endTime);
    if (start === null || start === 24 * 60) {
      problems.push({ field: `${path}[${i}].startTime`, reason: 'must be HH:MM between 00:00 and 23:59' });
    }
    if (end === null) {
      problems.push({ field: `${path}[${i}].endTime`, reason: 'must be HH:MM between 00:00 and 24:00' });
    }
    if (start === null || start === 24 * 60 || end === null) return;
    if (end <= start) {
      problems.push({ field: `${path}[${i}].endTime`, reason: 'must be after startTime' });
      return;
    }
    parsed.push({ i, day: dayOf(i), start, end });
  });
  parsed.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.start - b.start));
  for (let k = 1; k < parsed.length; k++) {
    const prev = parsed[k - 1]!;
    const cur = parsed[k]!;
    // Touching windows (09:00–12:00, 12:00–17:00) are fine; only a real overlap is a mistake.
    if (prev.day === cur.day && cur.start < prev.end) {
      problems.push({ field: `${path}[${cur.i}]`, reason: `overlaps ${path}[${prev.i}]` });
    }
  }
  return problems;
}

/** Problems with a weekly schedule: bad format, end not after start, overlapping windows on a day. */
export function validateWindows(windows: readonly WeeklyWindow[]): Problem[] {
  const problems: Problem[] = [];
  windows.forEach((w, i) => {
    if (!Number.isInteger(w.dayOfWeek) || w.dayOfWeek < 0 || w.dayOfWeek > 6) {
      problems.push({
        field: `windows[${i}].dayOfWeek`,
        reason: 'must be an integer 0 (Sunday) to 6 (Saturday)',
      });
    }
  });
  const valid = problems.length === 0;
  return problems.concat(
    // Overlap detection groups by day, which is meaningless when a day is invalid.
    validateTimeWindows(windows, 'windows', (i) => (valid ? String(windows[i]!.dayOfWeek) : `#${i}`)),
  );
}

/** Problems with date overrides: bad date, duplicate date, and the same window checks as weekly ones. */
export function validateOverrides(overrides: readonly DateOverride[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  overrides.forEach((o, i) => {
    if (!parseIsoDate(o.date)) {
      problems.push({ field: `overrides[${i}].date`, reason: 'must be a valid YYYY-MM-DD date' });
    } else if (seen.has(o.date)) {
      problems.push({ field: `overrides[${i}].date`, reason: `duplicates overrides[${seen.get(o.date)}]` });
    } else {
      seen.set(o.date, i);
    }
    problems.push(...validateTimeWindows(o.windows, `overrides[${i}].windows`, () => ''));
  });
  return problems;
}

function assertService(s: ServiceRules): void {
  const nonNegative = (n: number) => Number.isFinite(n) && n >= 0;
  if (!Number.isInteger(s.durationMin) || s.durationMin <= 0) {
    throw new RangeError(`durationMin must be a positive integer, got ${s.durationMin}`);
  }
  for (const key of ['bufferBeforeMin', 'bufferAfterMin', 'minimumNoticeMin', 'horizonDays'] as const) {
    if (!nonNegative(s[key])) throw new RangeError(`${key} must be a non-negative number, got ${s[key]}`);
  }
  if (s.slotIntervalMin != null && !(SLOT_INTERVALS_MIN as readonly number[]).includes(s.slotIntervalMin)) {
    throw new RangeError(`slotIntervalMin must be one of ${SLOT_INTERVALS_MIN.join(', ')}`);
  }
}

function minutesOf(time: string): number {
  const m = parseHHMM(time);
  if (m === null) throw new RangeError(`Invalid time (expected HH:MM): ${time}`);
  return m;
}

// ---------------------------------------------------------------------------------------------
// Slot computation

interface DatedRange extends Range {
  date: string; // the coach-local date the window belongs to
}

/** Window instances for each local date, resolved to UTC. Overrides replace that date's weekly windows. */
function buildWindowRanges(args: ComputeSlotsArgs, dates: readonly string[]): DatedRange[] {
  const overrideByDate = new Map(args.overrides.map((o) => [o.date, o.windows] as const));
  const weekly: TimeWindow[][] = [[], [], [], [], [], [], []];
  for (const w of args.windows) weekly[w.dayOfWeek]?.push(w);

  const out: DatedRange[] = [];
  for (const date of dates) {
    const windows = overrideByDate.get(date) ?? weekly[weekdayOfIso(date)]!;
    if (windows.length === 0) continue;
    const [y, m, d] = parseIsoDate(date)!;
    const midnightAsUtc = Date.UTC(y, m - 1, d);
    for (const w of windows) {
      // Resolve each wall-clock end separately: a DST day is 23 or 25 hours long.
      const start = localMsToUtc(midnightAsUtc + minutesOf(w.startTime) * MINUTE_MS, args.timeZone);
      const end = localMsToUtc(midnightAsUtc + minutesOf(w.endTime) * MINUTE_MS, args.timeZone);
      if (end > start) out.push({ start, end, date });
    }
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Blocked epoch-ms range. An unreadable booking must not silently free its time, so it throws. */
function busyRange(start: Date, end: Date, bufferBeforeMin: number, bufferAfterMin: number): Range {
  const range = {
    start: start.getTime() - bufferBeforeMin * MINUTE_MS,
    end: end.getTime() + bufferAfterMin * MINUTE_MS,
  };
  if (!Number.isFinite(range.start) || !Number.isFinite(range.end)) {
    throw new RangeError('Busy time (booking or blackout) has an invalid date or buffer');
  }
  return range;
}

/** Monday ('YYYY-MM-DD') of the ISO week containing a date. */
function isoWeekKey(date: string): string {
  return addDaysIso(date, -((weekdayOfIso(date) + 6) % 7));
}

export function computeSlots(args: ComputeSlotsArgs): Slot[] {
  const { service, timeZone } = args;
  if (!isValidTimeZone(timeZone)) throw new RangeError(`Invalid IANA time zone: ${timeZone}`);
  assertService(service);

  const durationMs = service.durationMin * MINUTE_MS;
  const stepMs = (service.slotIntervalMin ?? service.durationMin) * MINUTE_MS;
  const beforeMs = service.bufferBeforeMin * MINUTE_MS;
  const afterMs = service.bufferAfterMin * MINUTE_MS;
  const now = args.now.getTime();
  // Candidate starts must lie in [lower, upper); notice and horizon are elapsed time, not local time.
  const lower = Math.max(args.from.getTime(), now + service.minimumNoticeMin * MINUTE_MS);
  const upper = Math.min(args.to.getTime(), now + service.horizonDays * DAY_MS);
  if (!(upper > lower)) return [];

  // A window lies within its own local date, so the dates of [lower, upper) hold every window a
  // slot can start in; the extra duration adds the windows a late slot may run on into.
  const dates = localDatesBetween(new Date(lower), new Date(upper + durationMs), timeZone);
  const windows = buildWindowRanges(args, dates);
  // A slot must fit the union of windows (09:00–12:00 + 12:00–17:00 behaves as 09:00–17:00), but
  // its start stays aligned to the window it starts in.
  const availability = merge(windows);

  const candidates: { start: number; date: string }[] = [];
  let r = 0;
  for (const w of windows) {
    while (availability[r]!.end < w.end) r++;
    const rangeEnd = availability[r]!.end;
    const first = Math.max(0, Math.ceil((lower - w.start) / stepMs));
    for (
      let s = w.start + first * stepMs;
      s < w.end && s < upper && s + durationMs <= rangeEnd;
      s += stepMs
    ) {
      candidates.push({ start: s, date: w.date });
    }
  }
  candidates.sort((a, b) => a.start - b.start);

  const busy = merge([
    ...args.bookings.map((b) => busyRange(b.start, b.end, b.bufferBeforeMin, b.bufferAfterMin)),
    ...args.blackouts.map((b) => busyRange(b.start, b.end, 0, 0)),
  ]);

  const fullDay = limitReached(args, lower, upper);

  // Sweep: candidates are sorted and busy ranges are disjoint and sorted, so one pointer suffices.
  const slots: Slot[] = [];
  let i = 0;
  let lastStart = Number.NaN;
  for (const c of candidates) {
    if (c.start === lastStart) continue; // overlapping windows can yield the same start twice
    lastStart = c.start;
    const blockStart = c.start - beforeMs;
    const blockEnd = c.start + durationMs + afterMs;
    while (i < busy.length && busy[i]!.end <= blockStart) i++;
    if (i < busy.length && busy[i]!.start < blockEnd) continue;
    if (fullDay(c.date)) continue;
    slots.push({ start: new Date(c.start), end: new Date(c.start + durationMs) });
  }
  return slots;
}

/** Predicate telling whether a coach-local date is closed by the daily or weekly booking limit. */
function limitReached(args: ComputeSlotsArgs, lower: number, upper: number): (date: string) => boolean {
  const { dailyLimit, weeklyLimit } = args.service;
  if (dailyLimit == null && weeklyLimit == null) return () => false;
  const perDay = new Map<string, number>();
  const perWeek = new Map<string, number>();
  for (const b of args.bookings) {
    const t = b.start.getTime();
    // Only bookings within a week of the queried range can share a day or ISO week with a slot.
    if (t < lower - 8 * DAY_MS || t >= upper + 8 * DAY_MS) continue;
    const date = localDateOf(t, args.timeZone);
    const week = isoWeekKey(date);
    perDay.set(date, (perDay.get(date) ?? 0) + 1);
    perWeek.set(week, (perWeek.get(week) ?? 0) + 1);
  }
  return (date) =>
    (dailyLimit != null && (perDay.get(date) ?? 0) >= dailyLimit) ||
    (weeklyLimit != null && (perWeek.get(isoWeekKey(date)) ?? 0) >= weeklyLimit);
}

export type SlotQuery = Omit<ComputeSlotsArgs, 'from' | 'to'>;

/**
 * True when `slotStart` is exactly the start of one of computeSlots' results. Slot generation does
 * not depend on the query range, so only the instant itself is queried.
 */
export function isSlotBookable(args: SlotQuery, slotStart: Date): boolean {
  const t = slotStart.getTime();
  if (!Number.isFinite(t)) return false;
  const slots = computeSlots({ ...args, from: slotStart, to: new Date(t + 1) });
  return slots.length === 1 && slots[0]!.start.getTime() === t;
}
