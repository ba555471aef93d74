import type { PageRequest } from '../../domain/shared/pages';

// Date-filtered lists of the video family (sessions, shared videos, clips); paging is src/data/pages.ts.

/** Library days (YYYY-MM-DD, UTC) as a created_at range; `to` is inclusive. */
export interface DayRange {
  from?: string;
  to?: string;
}

const DAY_MS = 86_400_000;

/** The `createdAt` condition for a day range, or nothing when neither end is given. */
export function createdWithin(days: DayRange): { createdAt?: { gte?: Date; lt?: Date } } {
  if (!days.from && !days.to) return {};
  return {
    createdAt: {
      ...(days.from ? { gte: new Date(`${days.from}T00:00:00.000Z`) } : {}),
      ...(days.to ? { lt: new Date(new Date(`${days.to}T00:00:00.000Z`).getTime() + DAY_MS) } : {}),
    },
  };
}

/** A coach's library (sessions or clips): by the player they name and the days they were made. */
export interface LibraryFilter extends PageRequest, DayRange {
  playerId?: string;
}

/** The coach's rows matching the filter. */
export const inLibrary = (coachId: string, filter: LibraryFilter) => ({
  coachId,
  ...(filter.playerId ? { playerIds: { has: filter.playerId } } : {}),
  ...createdWithin(filter),
});

/** Newest first; the id breaks ties so pages never overlap. */
export const newestFirst = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];
