import type pg from 'pg';

// What every reconciliation check reports, and the small helpers the checks share.

export interface Difference {
  check: string;
  reference: string;
  message: string;
}

/** A numeric column as Postgres returns it (bigint sums come back as text). */
export const n = (v: string | number | bigint | null) => Number(v ?? 0);

/** Whether the table exists: a database migrated before a feature has none of its rows to check. */
export async function table(client: pg.ClientBase, name: string): Promise<boolean> {
  const { rows } = await client.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [name]);
  return rows[0]?.t != null;
}

/** The rows a query answers. */
export async function rowsOf<R extends pg.QueryResultRow>(
  client: pg.ClientBase,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  return (await client.query<R>(sql, params)).rows;
}
