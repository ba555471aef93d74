// One page of a list: the rows asked for and how many match in all (the API answers `{ items, total }`).

export interface PageRequest {
  limit: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** Runs the page query (given Prisma's take/skip) and the count together. */
export async function readPage<T>(
  rows: (page: { take: number; skip: number }) => Promise<T[]>,
  count: () => Promise<number>,
  page: PageRequest,
): Promise<Page<T>> {
  const [items, total] = await Promise.all([rows({ take: page.limit, skip: page.offset }), count()]);
  return { items, total };
}
