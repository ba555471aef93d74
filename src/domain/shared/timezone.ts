// IANA time-zone arithmetic on top of Intl.DateTimeFormat only (no date library).
// Nothing here reads the process time zone: every Date is treated as a UTC instant and only
// UTC accessors / Date.UTC are used, so results do not depend on process.env.TZ.

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface ZonedParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number; // 0-23
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
}

// Formatters are cached per *canonical* zone, so the cache is bounded by the zones ICU knows (~600),
// however a caller spells them: IANA names are case-insensitive and have aliases, and every spelling
// used to get its own formatter (unauthenticated requests could grow the heap without bound).
const formatters = new Map<string, Intl.DateTimeFormat>();
// Lower-cased spelling → canonical zone (or null for invalid), bounded; evicts the oldest when full.
const spellings = new Map<string, string | null>();
export const TIME_ZONE_SPELLING_CACHE_LIMIT = 1_024;

function newFormatter(timeZone: string): Intl.DateTimeFormat {
  // hourCycle 'h23' matters: the default for en-US is a 12-hour clock (Cal.com's bug) and 'h24'
  // would render midnight as 24.
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** The canonical IANA id for any accepted spelling of a zone, or undefined when it is not a zone. */
export function canonicalTimeZone(timeZone: string): string | undefined {
  if (typeof timeZone !== 'string' || timeZone.length === 0 || timeZone.length > 64) return undefined;
  // IANA ids are case-insensitive: every casing of a zone shares one entry, and one construction.
  const key = timeZone.toLowerCase();
  const known = spellings.get(key);
  if (known !== undefined) return known ?? undefined;
  let canonical: string | null = null;
  try {
    const f = newFormatter(timeZone);
    canonical = f.resolvedOptions().timeZone;
    if (!formatters.has(canonical)) formatters.set(canonical, f);
  } catch {
    canonical = null;
  }
  if (spellings.size >= TIME_ZONE_SPELLING_CACHE_LIMIT) spellings.delete(spellings.keys().next().value!);
  spellings.set(key, canonical);
  return canonical ?? undefined;
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  const canonical = canonicalTimeZone(timeZone);
  if (canonical === undefined) throw new RangeError(`Invalid IANA time zone: ${timeZone}`);
  let f = formatters.get(canonical);
  if (!f) {
    f = newFormatter(canonical);
    formatters.set(canonical, f);
  }
  return f;
}

/** Sizes of the internal caches (both bounded): for tests and the memory benchmark. */
export function timeZoneCacheSizes(): { formatters: number; spellings: number } {
  return { formatters: formatters.size, spellings: spellings.size };
}

export function isValidTimeZone(timeZone: string): boolean {
  return canonicalTimeZone(timeZone) !== undefined;
}

function assertTimeZone(timeZone: string): void {
  if (!isValidTimeZone(timeZone)) throw new RangeError(`Invalid IANA time zone: ${timeZone}`);
}

/** Local wall-clock fields of a UTC instant (epoch ms) in `timeZone`. */
function wallClock(epochMs: number, timeZone: string): ZonedParts {
  const parts = formatterFor(timeZone).formatToParts(epochMs);
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const p of parts) {
    switch (p.type) {
      case 'year':
        year = Number(p.value);
        break;
      case 'month':
        month = Number(p.value);
        break;
      case 'day':
        day = Number(p.value);
        break;
      case 'hour':
        hour = Number(p.value);
        break;
      case 'minute':
        minute = Number(p.value);
        break;
      case 'second':
        second = Number(p.value);
        break;
    }
  }
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return { year, month, day, hour, minute, second, weekday };
}

/** UTC offset (local minus UTC, in ms) in effect at an instant. Whole seconds only, as Intl reports. */
function offsetMs(epochMs: number, timeZone: string): number {
  const w = wallClock(epochMs, timeZone);
  const localAsUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return localAsUtc - Math.floor(epochMs / 1000) * 1000;
}

export function utcToZonedParts(date: Date, timeZone: string): ZonedParts {
  assertTimeZone(timeZone);
  return wallClock(date.getTime(), timeZone);
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})$/;

/** Parses 'YYYY-MM-DD' strictly (rejects 2026-02-30). Returns [year, month, day] or null. */
export function parseIsoDate(dateISO: string): [number, number, number] | null {
  const m = DATE_RE.exec(dateISO);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return [y, mo, d];
}

/** Parses 'HH:MM' (00:00-23:59, plus '24:00' meaning end of day) into minutes since midnight, or null. */
export function parseHHMM(time: string): number | null {
  const m = TIME_RE.exec(time);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59) return null;
  if (h === 24 && min === 0) return 24 * 60;
  if (h > 23) return null;
  return h * 60 + min;
}

/**
 * Local wall-clock time (given as "local fields encoded as if UTC", in ms) → UTC instant.
 * Gap (spring-forward): the nonexistent time moves forward by the gap length (02:30 → 03:30).
 * Overlap (fall-back): the earlier of the two instants.
 */
export function localMsToUtc(localAsUtc: number, timeZone: string): number {
  // Offsets a day either side bracket any single transition near this wall-clock time.
  const before = offsetMs(localAsUtc - DAY_MS, timeZone);
  const after = offsetMs(localAsUtc + DAY_MS, timeZone);
  if (before === after) {
    const t = localAsUtc - before;
    if (offsetMs(t, timeZone) === before) return t;
  }
  const candidates = [localAsUtc - before, localAsUtc - after].filter(
    (t, i, all) => all.indexOf(t) === i && t + offsetMs(t, timeZone) === localAsUtc,
  );
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: interpret with the pre-transition offset, which lands after the gap by its length.
  return localAsUtc - before;
}

/** 'YYYY-MM-DD' + 'HH:MM' (or '24:00') in `timeZone` → UTC instant. */
export function zonedDateTimeToUtc(dateISO: string, timeHHMM: string, timeZone: string): Date {
  assertTimeZone(timeZone);
  const ymd = parseIsoDate(dateISO);
  if (!ymd) throw new RangeError(`Invalid date (expected YYYY-MM-DD): ${dateISO}`);
  const minutes = parseHHMM(timeHHMM);
  if (minutes === null) throw new RangeError(`Invalid time (expected HH:MM): ${timeHHMM}`);
  const localAsUtc = Date.UTC(ymd[0], ymd[1] - 1, ymd[2]) + minutes * MINUTE_MS;
  return new Date(localMsToUtc(localAsUtc, timeZone));
}

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

export function isoDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** ISO-8601 local time with numeric offset, e.g. 2026-03-29T09:00:00+02:00. */
export function formatInZone(date: Date, timeZone: string): string {
  assertTimeZone(timeZone);
  const t = date.getTime();
  const w = wallClock(t, timeZone);
  const offMin = Math.round(offsetMs(t, timeZone) / MINUTE_MS);
  const sign = offMin < 0 ? '-' : '+';
  const abs = Math.abs(offMin);
  return (
    `${isoDate(w.year, w.month, w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

/** Adds whole calendar days to 'YYYY-MM-DD' (pure calendar arithmetic, no zone involved). */
export function addDaysIso(dateISO: string, days: number): string {
  const ymd = parseIsoDate(dateISO);
  if (!ymd) throw new RangeError(`Invalid date (expected YYYY-MM-DD): ${dateISO}`);
  const d = new Date(Date.UTC(ymd[0], ymd[1] - 1, ymd[2] + days));
  return isoDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** Day of week (0 = Sunday) of a calendar date. */
export function weekdayOfIso(dateISO: string): number {
  const ymd = parseIsoDate(dateISO);
  if (!ymd) throw new RangeError(`Invalid date (expected YYYY-MM-DD): ${dateISO}`);
  return new Date(Date.UTC(ymd[0], ymd[1] - 1, ymd[2])).getUTCDay();
}

/** Local calendar date 'YYYY-MM-DD' of an instant in `timeZone`. */
export function localDateOf(date: Date | number, timeZone: string): string {
  const w = wallClock(typeof date === 'number' ? date : date.getTime(), timeZone);
  return isoDate(w.year, w.month, w.day);
}

/**
 * Local calendar dates in `timeZone` that intersect the half-open instant range [fromUtc, toUtc),
 * in order. Empty when toUtc <= fromUtc.
 */
export function localDatesBetween(fromUtc: Date, toUtc: Date, timeZone: string): string[] {
  assertTimeZone(timeZone);
  const from = fromUtc.getTime();
  const to = toUtc.getTime();
  if (!(to > from)) return [];
  const last = localDateOf(to - 1, timeZone);
  const dates: string[] = [];
  // Step by calendar date, not by 24h of instants, so 23h/25h DST days are neither skipped nor repeated.
  for (let d = localDateOf(from, timeZone); d <= last; d = addDaysIso(d, 1)) dates.push(d);
  return dates;
}
