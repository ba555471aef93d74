import type { Page, PageRequest } from '../domain/shared/pages';

// Reads one page of a list (src/domain/shared/pages.ts) with its total.

/** Runs the page query (given Prisma's take/skip) and the count together. */
export async function readPage<T>(
  rows: (page: { take: number; skip: number }) => Promise<T[]>,
  count: () => Promise<number>,
  page: PageRequest,
): Promise<Page<T>> {
  const [items, total] = await Promise.all([rows({ take: page.limit, skip: page.offset }), count()]);
  return { items, total };
}
