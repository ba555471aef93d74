import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// A small reader for prisma/schema.prisma, enough to compare it with the migrated database
// (Prisma's own differ needs the schema engine, which cannot be downloaded here).

export interface ExpectedColumn {
  column: string;
  /** information_schema data_type, or the enum / array element name for USER-DEFINED / ARRAY. */
  dataType: string;
  udtName: string;
  nullable: boolean;
}

export interface ExpectedTable {
  model: string;
  table: string;
  columns: ExpectedColumn[];
  /** Index names Prisma would create: <table>_pkey, <table>_<cols>_key, <table>_<cols>_idx. */
  indexes: string[];
}

export interface ExpectedSchema {
  tables: ExpectedTable[];
  enums: Record<string, string[]>;
}

const SCALARS: Record<string, { dataType: string; udtName: string }> = {
  String: { dataType: 'text', udtName: 'text' },
  Int: { dataType: 'integer', udtName: 'int4' },
  BigInt: { dataType: 'bigint', udtName: 'int8' },
  Boolean: { dataType: 'boolean', udtName: 'bool' },
  DateTime: { dataType: 'timestamp without time zone', udtName: 'timestamp' },
  Json: { dataType: 'jsonb', udtName: 'jsonb' },
  Float: { dataType: 'double precision', udtName: 'float8' },
  Decimal: { dataType: 'numeric', udtName: 'numeric' },
  Bytes: { dataType: 'bytea', udtName: 'bytea' },
};

const NATIVE: Record<string, { dataType: string; udtName: string }> = {
  Uuid: { dataType: 'uuid', udtName: 'uuid' },
  Text: { dataType: 'text', udtName: 'text' },
  Timestamptz: { dataType: 'timestamp with time zone', udtName: 'timestamptz' },
  Timestamp: { dataType: 'timestamp without time zone', udtName: 'timestamp' },
  Date: { dataType: 'date', udtName: 'date' },
  VarChar: { dataType: 'character varying', udtName: 'varchar' },
  Char: { dataType: 'character', udtName: 'bpchar' },
  Integer: { dataType: 'integer', udtName: 'int4' },
  SmallInt: { dataType: 'smallint', udtName: 'int2' },
  BigInt: { dataType: 'bigint', udtName: 'int8' },
  JsonB: { dataType: 'jsonb', udtName: 'jsonb' },
  Inet: { dataType: 'inet', udtName: 'inet' },
};

function mapArg(attrs: string): string | undefined {
  return /@map\("([^"]+)"\)/.exec(attrs)?.[1];
}

function fieldList(text: string): string[] {
  return text
    .split(',')
    .map((f) => f.trim().replace(/\(.*$/, ''))
    .filter(Boolean);
}

export function readPrismaSchema(
  path = join(import.meta.dirname, '../../prisma/schema.prisma'),
): ExpectedSchema {
  const source = readFileSync(path, 'utf8').replace(/\/\/.*$/gm, '');
  const enums: Record<string, string[]> = {};
  for (const [, name, body] of source.matchAll(/enum\s+(\w+)\s*\{([^}]*)\}/g)) {
    enums[name!] = body!
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('@'));
  }
  const modelNames = new Set([...source.matchAll(/model\s+(\w+)\s*\{/g)].map((m) => m[1]!));
  const tables: ExpectedTable[] = [];
  for (const [, model, body] of source.matchAll(/model\s+(\w+)\s*\{([^}]*)\}/g)) {
    const table = /@@map\("([^"]+)"\)/.exec(body!)?.[1] ?? model!;
    const columns: ExpectedColumn[] = [];
    const byField = new Map<string, string>();
    const indexes: string[] = [];
    const uniqueFields: string[] = [];
    for (const raw of body!.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('@@')) continue;
      const m = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!m) continue;
      const [, field, type, list, optional, attrs] = m as unknown as [
        string,
        string,
        string,
        string | undefined,
        string | undefined,
        string,
      ];
      if (modelNames.has(type) || attrs.includes('@relation')) continue;
      const column = mapArg(attrs) ?? field;
      byField.set(field, column);
      const native = /@db\.(\w+)/.exec(attrs)?.[1];
      let t = native
        ? NATIVE[native]
        : enums[type]
          ? { dataType: 'USER-DEFINED', udtName: type }
          : SCALARS[type];
      if (!t)
        throw new Error(
          `schema reader: unknown type ${type}${native ? ` @db.${native}` : ''} on ${model}.${field}`,
        );
      if (list) t = { dataType: 'ARRAY', udtName: `_${t.udtName}` };
      // Prisma creates scalar-list columns without NOT NULL (a list cannot be optional in the schema).
      columns.push({
        column,
        dataType: t.dataType,
        udtName: t.udtName,
        nullable: Boolean(optional) || Boolean(list),
      });
      if (/@id\b/.test(attrs)) indexes.push(`${table}_pkey`);
      if (/@unique\b/.test(attrs)) uniqueFields.push(field);
    }
    for (const f of uniqueFields) indexes.push(`${table}_${byField.get(f)}_key`);
    for (const [, kind, fields, rest] of body!.matchAll(/@@(id|unique|index)\(\[([^\]]+)\]([^)]*)/g)) {
      if (/map:/.test(rest!)) continue; // named explicitly: the loop below takes the name
      const cols = fieldList(fields!).map((f) => byField.get(f) ?? f);
      indexes.push(
        kind === 'id' ? `${table}_pkey` : `${table}_${cols.join('_')}_${kind === 'unique' ? 'key' : 'idx'}`,
      );
    }
    for (const [, kind, name] of body!.matchAll(/@@(unique|index)\([^)]*map:\s*"([^"]+)"/g)) {
      void kind;
      indexes.push(name!);
    }
    tables.push({ model: model!, table, columns, indexes });
  }
  return { tables, enums };
}
