import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMigrations } from '../../src/infra/migrations';
import { readPrismaSchema } from '../support/prisma-schema';

// Fails when prisma/schema.prisma and the database built by the hand-written migrations disagree.
let client: pg.Client;
beforeAll(async () => {
  client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
});
afterAll(async () => client?.end());

const expected = readPrismaSchema();

describe('schema.prisma matches the migrated database', () => {
  it('has exactly the tables the schema declares', async () => {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'`,
    );
    expect(rows.map((r) => r.table_name).sort()).toEqual(expected.tables.map((t) => t.table).sort());
  });

  it.each(expected.tables.map((t) => [t.table, t] as const))(
    'table %s has the declared columns, types and nullability',
    async (table, t) => {
      const { rows } = await client.query<{
        column_name: string;
        data_type: string;
        udt_name: string;
        is_nullable: string;
      }>(
        `SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
        [table],
      );
      const actual = rows
        .map((r) => ({
          column: r.column_name,
          dataType: r.data_type,
          udtName: r.udt_name,
          nullable: r.is_nullable === 'YES',
        }))
        .sort((a, b) => a.column.localeCompare(b.column));
      expect(actual).toEqual([...t.columns].sort((a, b) => a.column.localeCompare(b.column)));
    },
  );

  it.each(expected.tables.map((t) => [t.table, t] as const))(
    'table %s has the declared keys and indexes',
    async (table, t) => {
      const { rows } = await client.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1`,
        [table],
      );
      const actual = rows.map((r) => r.indexname);
      for (const name of t.indexes) expect(actual, `index ${name}`).toContain(name);
    },
  );

  it('has the declared enums with the same values in the same order', async () => {
    const { rows } = await client.query<{ typname: string; labels: string[] }>(
      `SELECT t.typname, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.typname, r.labels]))).toEqual(expected.enums);
  });

  it('records every migration the way prisma migrate deploy does', async () => {
    const { rows } = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(
      readMigrations().map((m) => [m.name, m.checksum]),
    );
    for (const r of rows) {
      expect(r.finished_at).not.toBeNull();
      expect(r.applied_steps_count).toBe(1);
    }
  });
});
