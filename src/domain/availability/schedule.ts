import type { FieldProblem } from '../shared/errors';
import type { WeeklyWindow } from './slots';

// Rules for the ranges a coach or a visitor asks about: blackouts and slot searches. Each returns
// the problems (empty when fine) in the API's field names.

const DAY_MS = 86_400_000;

/** A blackout longer than this is almost certainly a typo in the year. */
export const MAX_BLACKOUT_DAYS = 366;
/** One slot search covers at most this many days (a visitor pages through the calendar). */
export const MAX_SLOT_RANGE_DAYS = 62;
/** A slot search without `to` covers a week. */
export const DEFAULT_SLOT_RANGE_DAYS = 7;

export function blackoutProblems(start: Date, end: Date): FieldProblem[] {
  if (!(end > start)) return [{ field: 'end', reason: 'must be after start' }];
  if (end.getTime() - start.getTime() > MAX_BLACKOUT_DAYS * DAY_MS)
    return [{ field: 'end', reason: 'must be within a year of start' }];
  return [];
}

export function slotRangeProblems(from: Date, to: Date): FieldProblem[] {
  if (!(to > from)) return [{ field: 'to', reason: 'must be after from' }];
  if (to.getTime() - from.getTime() > MAX_SLOT_RANGE_DAYS * DAY_MS)
    return [{ field: 'to', reason: `must be within ${MAX_SLOT_RANGE_DAYS} days of from` }];
  return [];
}

/** The slot search range: from defaults to now, to to a week after from. */
export function slotRange(now: Date, from?: Date, to?: Date): { from: Date; to: Date } {
  const start = from ?? now;
  return { from: start, to: to ?? new Date(start.getTime() + DEFAULT_SLOT_RANGE_DAYS * DAY_MS) };
}

/**
 * The first existing window on the same day that a new one overlaps (touching is fine). Times are
 * valid 'HH:MM' strings, which compare correctly as text.
 */
export function overlappingWindow<T extends WeeklyWindow>(
  existing: readonly T[],
  w: WeeklyWindow,
): T | undefined {
  return existing.find(
    (e) => e.dayOfWeek === w.dayOfWeek && e.startTime < w.endTime && w.startTime < e.endTime,
  );
}
