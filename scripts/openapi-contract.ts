// The public contract of /openapi.json, reduced to what clients depend on: for every operation its
// parameters, request body and response schemas per status, plus the named component schemas.
// test/unit/api/openapi-contract.test.ts compares the live document with test/fixtures/openapi/contract.json.
//
//   node --import tsx scripts/openapi-contract.ts <openapi.json>   prints the contract of a document
//
// Regenerate the fixture only for a deliberate contract change, and say so in the commit.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface OperationContract {
  /** `<in>:<name>` → whether it is required and its schema. */
  parameters: Record<string, { required: boolean; schema: Json }>;
  requestBody?: { required: boolean; content: Record<string, Json> };
  /** Status → media type → schema (`{}` for a response without a body). */
  responses: Record<string, Record<string, Json>>;
}

export interface Contract {
  /** `<METHOD> <path>` → operation. */
  operations: Record<string, OperationContract>;
  schemas: Record<string, Json>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** Prose and tooling hints: changing them changes no request or response a client can send or get. */
const DOC_KEYS = new Set([
  'description',
  'summary',
  'title',
  'example',
  'examples',
  'externalDocs',
  '$comment',
]);
/** Keys whose value maps names to schemas (so a property called "title" is kept). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SCHEMA_VALUES = new Set([
  'items',
  'additionalProperties',
  'not',
  'contains',
  'propertyNames',
  'if',
  'then',
  'else',
  'unevaluatedItems',
  'unevaluatedProperties',
]);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
/** Lists whose order carries no meaning. */
const SETS = new Set(['required', 'enum', 'type']);

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function pointer(doc: JsonObject, ref: string): Json | undefined {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported, got ${ref}`);
  let at: Json | undefined = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    at = isObject(at) ? at[key] : undefined;
  }
  return at;
}

/**
 * A schema without prose, with set-like lists sorted and — when `doc` is given — every $ref replaced by
 * what it points to, so moving an inline schema into a component (or back) is no change.
 */
export function normalizeSchema(schema: Json, doc?: JsonObject, seen: string[] = []): Json {
  if (Array.isArray(schema)) return schema.map((s) => normalizeSchema(s, doc, seen));
  if (!isObject(schema)) return schema;
  if (doc && typeof schema.$ref === 'string') {
    const ref = schema.$ref;
    if (seen.includes(ref)) return { $recursive: ref.split('/').pop()! };
    const target = pointer(doc, ref);
    if (target === undefined) return { $unresolved: ref };
    return normalizeSchema(target, doc, [...seen, ref]);
  }
  const out: JsonObject = {};
  for (const key of Object.keys(schema).sort()) {
    const value = schema[key]!;
    if (DOC_KEYS.has(key)) continue;
    if (SCHEMA_MAPS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((name) => [name, normalizeSchema(value[name]!, doc, seen)]),
      );
    } else if (SCHEMA_VALUES.has(key) && isObject(value)) {
      out[key] = normalizeSchema(value, doc, seen);
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map((s) => normalizeSchema(s, doc, seen));
    } else if (SETS.has(key) && Array.isArray(value)) {
      out[key] = [...value].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    } else {
      out[key] = value;
    }
  }
  return out;
}

function resolve(doc: JsonObject, value: Json | undefined): Json | undefined {
  return isObject(value) && typeof value.$ref === 'string' ? resolve(doc, pointer(doc, value.$ref)) : value;
}

function contentSchemas(doc: JsonObject, content: Json | undefined): Record<string, Json> {
  const out: Record<string, Json> = {};
  if (!isObject(content)) return out;
  for (const type of Object.keys(content).sort()) {
    const media = content[type];
    out[type] = normalizeSchema(isObject(media) && media.schema !== undefined ? media.schema : {});
  }
  return out;
}

/** The contract of an OpenAPI 3.x document ($refs kept, prose dropped, keys sorted). */
export function extractContract(doc: JsonObject): Contract {
  const operations: Record<string, OperationContract> = {};
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const path of Object.keys(paths).sort()) {
    const item = paths[path];
    if (!isObject(item)) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const parameters: OperationContract['parameters'] = {};
      for (const p of [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
        const param = resolve(doc, p);
        if (!isObject(param)) continue;
        parameters[`${String(param.in)}:${String(param.name)}`] = {
          required: param.required === true,
          schema: normalizeSchema(param.schema ?? {}),
        };
      }
      const contract: OperationContract = { parameters: {}, responses: {} };
      const body = resolve(doc, op.requestBody);
      if (isObject(body)) {
        contract.requestBody = {
          required: body.required === true,
          content: contentSchemas(doc, body.content),
        };
      }
      const responses = isObject(op.responses) ? op.responses : {};
      for (const status of Object.keys(responses).sort()) {
        const response = resolve(doc, responses[status]);
        contract.responses[status] = contentSchemas(doc, isObject(response) ? response.content : undefined);
      }
      contract.parameters = Object.fromEntries(
        Object.entries(parameters).sort(([a], [b]) => a.localeCompare(b)),
      );
      operations[`${method.toUpperCase()} ${path}`] = contract;
    }
  }
  const components =
    isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
  const schemas = Object.fromEntries(
    Object.keys(components)
      .sort()
      .map((name) => [name, normalizeSchema(components[name]!)]),
  );
  return { operations, schemas };
}

/**
 * How a schema may grow without breaking a client. 'response': new properties (required or not) are
 * fine, since a client ignores what it does not know, but a property it relied on must stay, mean the
 * same and stay required if it was. 'request': new optional properties are fine (old clients do not
 * send them); a newly required one, or a required one that became optional-but-differently-typed, is
 * not. Everything else (types, enums, formats, bounds) must be equal: widening an enum in a response
 * or narrowing a bound in a request both break someone.
 */
type Direction = 'exact' | 'request' | 'response';

function compatible(e: Json, a: Json, direction: Direction): boolean {
  if (direction === 'exact' || !isObject(e) || !isObject(a)) return isDeepStrictEqual(e, a);
  const eProps = isObject(e.properties) ? e.properties : undefined;
  const aProps = isObject(a.properties) ? a.properties : undefined;
  const { properties: _ep, required: eReqRaw, ...eRest } = e;
  const { properties: _ap, required: aReqRaw, ...aRest } = a;
  const eRequired = new Set(Array.isArray(eReqRaw) ? (eReqRaw as string[]) : []);
  const aRequired = new Set(Array.isArray(aReqRaw) ? (aReqRaw as string[]) : []);
  const restSame = Object.keys({ ...eRest, ...aRest }).every((k) =>
    SCHEMA_VALUES.has(k) && isObject(eRest[k]) && isObject(aRest[k])
      ? compatible(eRest[k]!, aRest[k]!, direction)
      : SCHEMA_LISTS.has(k) && Array.isArray(eRest[k]) && Array.isArray(aRest[k])
        ? (eRest[k] as Json[]).length === (aRest[k] as Json[]).length &&
          (eRest[k] as Json[]).every((s, i) => compatible(s, (aRest[k] as Json[])[i]!, direction))
        : isDeepStrictEqual(eRest[k], aRest[k]),
  );
  if (!restSame) return false;
  if (!eProps || !aProps) return isDeepStrictEqual(eProps, aProps) && isDeepStrictEqual(eReqRaw, aReqRaw);
  for (const [name, schema] of Object.entries(eProps)) {
    if (!(name in aProps) || !compatible(schema, aProps[name]!, direction)) return false;
  }
  if (direction === 'response') return [...eRequired].every((n) => aRequired.has(n));
  // request: nothing newly required, and nothing that was accepted is now refused
  return [...aRequired].every((n) => eRequired.has(n));
}

/** A document made of a contract, so $refs inside it resolve against its own schemas. */
const asDoc = (c: Contract): JsonObject => ({ components: { schemas: c.schemas as JsonObject } });

const show = (v: Json | undefined) => JSON.stringify(v);

/**
 * What `actual` breaks of `expected`: every operation, parameter, request body, status, media type and
 * named schema of `expected` must still be there and mean the same. Additions are fine: new paths,
 * methods, statuses, media types, schemas and optional parameters.
 */
export function contractProblems(expected: Contract, actual: Contract): string[] {
  const problems: string[] = [];
  const eDoc = asDoc(expected);
  const aDoc = asDoc(actual);
  const same = (e: Json, a: Json, direction: Direction = 'exact') =>
    compatible(normalizeSchema(e, eDoc), normalizeSchema(a, aDoc), direction);

  for (const [key, e] of Object.entries(expected.operations)) {
    const a = actual.operations[key];
    if (!a) {
      problems.push(`${key}: operation missing`);
      continue;
    }
    for (const [name, param] of Object.entries(e.parameters)) {
      const now = a.parameters[name];
      if (!now) problems.push(`${key}: parameter ${name} missing`);
      else if (now.required !== param.required)
        problems.push(`${key}: parameter ${name} required ${param.required} → ${now.required}`);
      else if (!same(param.schema, now.schema))
        problems.push(
          `${key}: parameter ${name} schema changed: ${show(param.schema)} → ${show(now.schema)}`,
        );
    }
    for (const [name, param] of Object.entries(a.parameters)) {
      if (!e.parameters[name] && param.required) problems.push(`${key}: new required parameter ${name}`);
    }
    if (e.requestBody) {
      if (!a.requestBody) problems.push(`${key}: request body missing`);
      else {
        if (a.requestBody.required !== e.requestBody.required)
          problems.push(
            `${key}: request body required ${e.requestBody.required} → ${a.requestBody.required}`,
          );
        for (const [type, schema] of Object.entries(e.requestBody.content)) {
          const now = a.requestBody.content[type];
          if (now === undefined) problems.push(`${key}: request body ${type} missing`);
          else if (!same(schema, now, 'request'))
            problems.push(`${key}: request body ${type} schema changed: ${show(schema)} → ${show(now)}`);
        }
      }
    } else if (a.requestBody?.required) {
      problems.push(`${key}: new required request body`);
    }
    for (const [status, content] of Object.entries(e.responses)) {
      const now = a.responses[status];
      if (!now) {
        problems.push(`${key}: response ${status} missing`);
        continue;
      }
      for (const [type, schema] of Object.entries(content)) {
        if (now[type] === undefined) problems.push(`${key}: response ${status} ${type} missing`);
        else if (!same(schema, now[type]!, 'response'))
          problems.push(
            `${key}: response ${status} ${type} schema changed: ${show(schema)} → ${show(now[type])}`,
          );
      }
    }
  }
  for (const [name, schema] of Object.entries(expected.schemas)) {
    const now = actual.schemas[name];
    if (now === undefined) problems.push(`components.schemas.${name}: missing`);
    else if (!same(schema, now, 'response'))
      problems.push(`components.schemas.${name}: changed: ${show(schema)} → ${show(now)}`);
  }
  return problems;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node --import tsx scripts/openapi-contract.ts <openapi.json>');
    process.exit(2);
  }
  const doc = JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
  process.stdout.write(JSON.stringify(extractContract(doc), null, 2) + '\n');
}
