// Paged, date-filtered lists of the video family (sessions, shared videos, clips).

export interface PageRequest {
  limit: number;
  offset: number;
}

/** One page of rows and how many match in all. */
export interface Page<T> {
  items: T[];
  total: number;
}

/** Runs the page query and the count together. */
export async function pageOf<T>(
  rows: (page: { take: number; skip: number }) => Promise<T[]>,
  count: () => Promise<number>,
  page: PageRequest,
): Promise<Page<T>> {
  const [items, total] = await Promise.all([rows({ take: page.limit, skip: page.offset }), count()]);
  return { items, total };
}

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
