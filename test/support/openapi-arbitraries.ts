import fc from 'fast-check';

// fast-check arbitraries derived from the API's own OpenAPI 3.1 document (test/api/fuzz-openapi.test.ts).
// Each operation yields requests that mostly follow its schemas (so handlers past validation are
// reached) mixed with the hostile inputs a client can send: wrong types, missing and extra fields,
// huge and odd strings, NUL bytes, extreme numbers and dates, wrong content types, malformed JSON and
// oversized bodies.

export type Schema = Record<string, any>;
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; parameters?: Record<string, Schema> };
  /** Values that make a body field get past lookups (ids of real resources), by field name. */
  known?: (field: string) => readonly string[];
}
export interface Operation {
  parameters?: Schema[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
}
export interface OperationRef {
  key: string;
  method: string;
  path: string;
  op: Operation;
}
export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Which kind of input this is (for failure reports). */
  kind: string;
}
/** Values to use for a path or query parameter, e.g. ids of real resources the caller owns. */
export type KnownValues = (path: string, param: string) => readonly string[];

const HTTP_METHODS = new Set(['get', 'put', 'post', 'patch', 'delete']);
/** The body limit is 1 MiB (src/api/app.ts); one byte more must be a 413. */
export const OVERSIZED_BYTES = 1024 * 1024 + 1;

export function operationsOf(doc: OpenApiDoc): OperationRef[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([method]) => HTTP_METHODS.has(method))
      .map(([method, op]) => ({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        op,
      })),
  );
}

export function deref(doc: OpenApiDoc, schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let hops = 0; typeof s.$ref === 'string' && hops < 20; hops++) {
    const parts = (s.$ref as string).replace(/^#\//, '').split('/');
    s = parts.reduce<any>((node, part) => node?.[part], doc) ?? {};
  }
  return s;
}

/** A raw JSON fragment the serializer writes verbatim (numbers JSON.stringify cannot produce). */
export class RawJson {
  constructor(readonly text: string) {}
}

export function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_k, v) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `\u0001raw${raws.length - 1}\u0001`;
    }
    return v;
  });
  return (text ?? 'null').replace(/"\\u0001raw(\d+)\\u0001"/g, (_m, i) => raws[Number(i)]!);
}

// ── hostile values ──

const hugeString = fc.constantFrom(10_000, 100_000, 300_000).map((n) => 'x'.repeat(n));
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\u0000'.repeat(64),
    '\ud800',
    'a\udfffb',
    '\ufeff',
    '\u202e\u0645\u0631\u062d\u0628\u0627',
    'e\u0301\u0301\u0301',
    '👩‍👩‍👧‍👦🏏',
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    "' OR 1=1 --",
    '"; DROP TABLE users; --',
    '<script>alert(1)</script>',
    '../../etc/passwd',
    '%00',
    '%',
    '\\',
    '\r\n\t',
    'null',
    'undefined',
    'NaN',
    '-1',
    '1e999',
    '0x10',
    '__proto__',
    'constructor',
    'Europe/Nowhere',
    'UTC+25',
    '2026-13-45',
  ),
  hugeString,
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

export const oddNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    -0,
    0.5,
    -0.0001,
    1.0000001,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 53 + 2,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    1e308,
    -1e308,
    5e-324,
  ),
  fc
    .constantFrom('1e999', '-1e999', '1e-999', '123456789012345678901234567890', '-0.0', '1E400')
    .map((t) => new RawJson(t)),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

export const oddDate: fc.Arbitrary<string> = fc.constantFrom(
  '0000-01-01T00:00:00Z',
  '0000-01-01T00:00:00.000Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '9999-12-31T23:59:59+14:00',
  '+275760-09-13T00:00:00.000Z',
  '-000001-01-01T00:00:00Z',
  '2026-02-30T10:00:00Z',
  '2026-12-01T24:00:00Z',
  '2026-12-31T23:59:60Z',
  '2026-12-01T10:00:00',
  '2026-12-01T10:00:00-12:00',
  '2026-12-01T10:00:00+14:00',
  '2026-12-01T10:00:00+99:99',
  '2026-12-01',
  '0000-01-01',
  '9999-12-31',
  '1970-01-01T00:00:00Z',
  '2026-11-30T15:00:00.123456789Z',
);

const wrongType: fc.Arbitrary<unknown> = fc.constantFrom(
  null,
  true,
  false,
  0,
  1,
  '',
  'text',
  [],
  [null],
  {},
  { nested: { deeper: [1, 'two', null] } },
  [[[[[[[[[[[]]]]]]]]]]],
);

/** Any hostile value, regardless of the schema. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(oddString, oddNumber, oddDate, wrongType);

// ── schema-conforming values ──

/** Field names whose schema says only "string" although the handler wants something specific. */
const FIELD_HINTS: Record<string, fc.Arbitrary<unknown>> = {
  email: fc
    .tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,20}$/), fc.constantFrom('example.test', 'example.com'))
    .map(([local, domain]) => `${local.replace(/\.+$/, '')}-${Date.now().toString(36)}@${domain}`),
  password: fc.string({ minLength: 12, maxLength: 40 }),
  timeZone: fc.constantFrom(
    'Europe/London',
    'UTC',
    'Pacific/Kiritimati',
    'Asia/Kathmandu',
    'America/St_Johns',
  ),
  currency: fc.constantFrom('USD', 'GBP', 'EUR', 'usd', 'gbp'),
  startTime: fc.constantFrom('00:00', '06:30', '09:00', '12:15'),
  endTime: fc.constantFrom('13:00', '17:45', '23:59', '24:00'),
  slug: fc.stringMatching(/^[a-z][a-z0-9-]{2,30}[a-z0-9]$/),
  slotIntervalMin: fc.constantFrom(5, 10, 15, 20, 30, 60),
  durationMin: fc.constantFrom(5, 15, 30, 60),
  filename: fc.constantFrom('nets.mp4', 'drive.mov', 'pull shot.m4v'),
  content_type: fc.constantFrom('video/mp4', 'video/quicktime', 'video/x-m4v'),
  // Seconds into a video: the fixtures' videos are 600 s long.
  at_seconds: fc.integer({ min: 0, max: 590 }),
  start_seconds: fc.integer({ min: 0, max: 290 }),
  end_seconds: fc.integer({ min: 300, max: 600 }),
  startSeconds: fc.integer({ min: 0, max: 290 }),
  endSeconds: fc.integer({ min: 300, max: 600 }),
  text: fc.constantFrom('Head still', 'Front elbow up', '👍 nice'),
  occurredAt: fc
    .integer({ min: 1, max: 6 * 86_400_000 })
    .map((ms) => new Date(Date.now() - ms).toISOString()),
};

function hintFor(
  doc: OpenApiDoc,
  name: string,
  schema: Schema | undefined,
): fc.Arbitrary<unknown> | undefined {
  const values = doc.known?.(name) ?? [];
  if (values.length > 0)
    return typesOf(deref(doc, schema)).includes('array')
      ? fc.subarray([...values], { minLength: 1 })
      : fc.constantFrom(...values);
  return FIELD_HINTS[name];
}

const nearFuture = fc
  .integer({ min: -2 * 86_400_000, max: 60 * 86_400_000 })
  .map((ms) => new Date(Math.floor((Date.now() + ms) / 300_000) * 300_000).toISOString());

function stringFor(s: Schema): fc.Arbitrary<string> {
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as string[]));
  switch (s.format) {
    case 'uuid':
      return fc.uuid();
    case 'date-time':
      return nearFuture;
    case 'date':
      return nearFuture.map((d) => d.slice(0, 10));
    case 'email':
      return fc.emailAddress().filter((e) => e.length <= (s.maxLength ?? 254));
    case 'uri':
    case 'url':
      return fc.webUrl();
  }
  if (typeof s.pattern === 'string') {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length <= (s.maxLength ?? 10_000));
    } catch {
      /* a pattern fast-check cannot generate from: fall through to plain strings */
    }
  }
  const minLength = s.minLength ?? 0;
  return fc.string({ minLength, maxLength: Math.max(minLength, Math.min(s.maxLength ?? 40, 60)) });
}

function numberFor(s: Schema, integer: boolean): fc.Arbitrary<number> {
  const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1_000_000);
  const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1_000_000);
  const lo = Math.max(Math.ceil(min), Number.MIN_SAFE_INTEGER);
  const hi = Math.min(Math.floor(max), Number.MAX_SAFE_INTEGER);
  if (integer || lo > hi) return fc.integer({ min: Math.min(lo, hi), max: Math.max(lo, hi) });
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

function typesOf(s: Schema): string[] {
  if (Array.isArray(s.type)) return s.type;
  if (typeof s.type === 'string') return [s.type];
  if (s.properties) return ['object'];
  if (s.items) return ['array'];
  return [];
}

/** A value that follows the schema (as far as its keywords go). */
export function conforming(doc: OpenApiDoc, schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const s = deref(doc, schema);
  if (depth > 6) return fc.constant(null);
  if ('const' in s) return fc.constant(s.const);
  const alternatives = s.anyOf ?? s.oneOf;
  if (Array.isArray(alternatives) && alternatives.length > 0)
    return fc.oneof(...alternatives.map((a: Schema) => conforming(doc, a, depth + 1)));
  if (Array.isArray(s.allOf) && s.allOf.length > 0)
    return conforming(doc, Object.assign({}, ...s.allOf.map((a: Schema) => deref(doc, a))), depth + 1);
  if (Array.isArray(s.enum) && s.enum.length > 0) return fc.constantFrom(...s.enum);
  const types = typesOf(s);
  if (types.length === 0) return fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean());
  return fc.oneof(
    ...types.map((t): fc.Arbitrary<unknown> => {
      switch (t) {
        case 'string':
          return stringFor(s);
        case 'integer':
          return numberFor(s, true);
        case 'number':
          return numberFor(s, false);
        case 'boolean':
          return fc.boolean();
        case 'null':
          return fc.constant(null);
        case 'array':
          return fc.array(conforming(doc, s.items, depth + 1), {
            minLength: s.minItems ?? 0,
            maxLength: Math.min(s.maxItems ?? 4, 4),
          });
        case 'object':
          return objectFor(doc, s, depth, false);
        default:
          return fc.constant(null);
      }
    }),
  );
}

/** Either a conforming value or, less often, a value aimed at this schema's edges or at its type. */
export function fuzzValue(doc: OpenApiDoc, schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const s = deref(doc, schema);
  const types = typesOf(s);
  const edges: fc.Arbitrary<unknown>[] = [hostileValue];
  if (types.includes('integer') || types.includes('number')) {
    edges.push(oddNumber);
    if (s.minimum !== undefined) edges.push(fc.constantFrom(s.minimum - 1, s.minimum - 0.5, s.minimum));
    if (s.maximum !== undefined) edges.push(fc.constantFrom(s.maximum + 1, s.maximum + 0.5, s.maximum));
  }
  if (types.includes('string')) {
    edges.push(oddString);
    if (s.format === 'date-time' || s.format === 'date') edges.push(oddDate);
    if (s.maxLength !== undefined) edges.push(fc.constant('y'.repeat(s.maxLength + 1)));
  }
  if (types.includes('object') && depth < 4) edges.push(objectFor(doc, s, depth, true));
  if (types.includes('array') && depth < 4)
    edges.push(
      fc.array(fuzzValue(doc, s.items, depth + 1), { maxLength: 3 }),
      fc.constant(Array.from({ length: (s.maxItems ?? 1000) + 1 }, () => null)),
    );
  return fc.oneof(
    { weight: 3, arbitrary: conforming(doc, s, depth) },
    { weight: 2, arbitrary: fc.oneof(...edges) },
  );
}

/** An object with all required and some optional properties; hostile: missing, extra, odd values. */
function objectFor(doc: OpenApiDoc, s: Schema, depth: number, hostile: boolean): fc.Arbitrary<unknown> {
  const props: Record<string, Schema> = s.properties ?? {};
  const required = new Set<string>(s.required ?? []);
  const valueOf = (name: string, p: Schema) => {
    const plain = hostile ? fuzzValue(doc, p, depth + 1) : conforming(doc, p, depth + 1);
    const hint = hintFor(doc, name, p);
    return hint ? fc.oneof({ weight: hostile ? 1 : 4, arbitrary: hint }, plain) : plain;
  };
  const fields = Object.keys(props).map((name) =>
    fc.record({ name: fc.constant(name), value: valueOf(name, props[name]!), keep: fc.boolean() }),
  );
  return fc
    .record({
      fields: fc.tuple(...fields),
      dropRequired: hostile ? fc.option(fc.nat(), { freq: 2 }) : fc.constant(null),
      extra: hostile
        ? fc.dictionary(
            fc.oneof(
              fc.constantFrom('__proto__', 'constructor', 'id', 'role', 'coachId', 'userId', ''),
              fc.string(),
            ),
            hostileValue,
            { maxKeys: 2 },
          )
        : fc.constant({}),
    })
    .map(({ fields: fs, dropRequired, extra }) => {
      const out: Record<string, unknown> = {};
      for (const f of fs as { name: string; value: unknown; keep: boolean }[])
        if (required.has(f.name) || f.keep) out[f.name] = f.value;
      if (dropRequired !== null && required.size > 0)
        delete out[[...required][dropRequired % required.size]!];
      for (const [k, v] of Object.entries(extra))
        Object.defineProperty(out, k, { value: v, enumerable: true });
      return out;
    });
}

// ── requests ──

function paramsOf(doc: OpenApiDoc, op: Operation, where: string): Schema[] {
  return (op.parameters ?? []).map((p) => deref(doc, p)).filter((p) => p.in === where);
}

const malformedJson = fc.constantFrom(
  '',
  '{',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '[1,2',
  'nul',
  '\u0000',
  '{"a":"\u0000"}',
  '\ufeff{}',
  '{"a":1}{"b":2}',
  '{"__proto__":{"admin":true}}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}',
  '1e999',
  '"just a string"',
  'null',
  'true',
  '[]',
);

/** Percent-encodes any string; a lone surrogate (which URLs cannot carry) becomes U+FFFD. */
function encodeSegment(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return encodeURIComponent(v.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
}

/** Path-parameter text: known ids, random uuids and hostile strings (encoded, or raw broken escapes). */
function pathValue(path: string, name: string, schema: Schema, doc: OpenApiDoc, known: KnownValues) {
  const ids = known(path, name);
  return fc.oneof(
    ...(ids.length > 0 ? [{ weight: 4, arbitrary: fc.constantFrom(...ids) }] : []),
    { weight: 2, arbitrary: conforming(doc, schema).map((v) => encodeSegment(String(v))) },
    { weight: 2, arbitrary: hostileValue.map((v) => encodeSegment(typeof v === 'string' ? v : toJson(v))) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '%FF%FE', '..', '.', '%2e%2e'),
    },
  );
}

function queryValue(path: string, name: string, schema: Schema, doc: OpenApiDoc, known: KnownValues) {
  const ids = known(path, name);
  return fc.oneof(
    ...(ids.length > 0 ? [{ weight: 2, arbitrary: fc.constantFrom(...ids) }] : []),
    { weight: 3, arbitrary: conforming(doc, schema).map((v) => String(v)) },
    { weight: 2, arbitrary: fuzzValue(doc, schema).map((v) => (typeof v === 'string' ? v : toJson(v))) },
  );
}

export interface Caller {
  name: string;
  /** The Authorization header value, if any. */
  authorization?: string;
}

/** Requests for one operation; `callers` is weighted by the caller (fitting role first). */
export function requestArbitrary(
  doc: OpenApiDoc,
  ref: OperationRef,
  callers: fc.Arbitrary<Caller>,
  known: KnownValues,
): fc.Arbitrary<FuzzRequest> {
  const pathParams = paramsOf(doc, ref.op, 'path');
  const queryParams = paramsOf(doc, ref.op, 'query');
  const headerParams = paramsOf(doc, ref.op, 'header');
  const jsonSchema = ref.op.requestBody?.content?.['application/json']?.schema;
  const bodyDoc: OpenApiDoc = { ...doc, known: (field) => known(ref.path, field) };

  const allKnown = pathParams.map((p) => known(ref.path, p.name));
  const mixed = fc.tuple(...pathParams.map((p) => pathValue(ref.path, p.name, p.schema ?? {}, doc, known)));
  // Mostly every parameter names a real resource (to reach the handler), else each is drawn on its own.
  const path = (
    allKnown.every((ids) => ids.length > 0)
      ? fc.oneof(
          { weight: 3, arbitrary: fc.tuple(...allKnown.map((ids) => fc.constantFrom(...ids))) },
          { weight: 2, arbitrary: mixed },
        )
      : mixed
  ).map((values) =>
    pathParams.reduce((url, p, i) => url.replace(`{${p.name}}`, values[i] as string), ref.path),
  );
  const query = fc
    .tuple(
      ...queryParams.map((p) =>
        fc
          .option(queryValue(ref.path, p.name, p.schema ?? {}, doc, known), { freq: 3 })
          .map((v) => [p.name, v] as const),
      ),
      // Extra keys, or a declared one again (a repeated key reaches the validator as an array).
      fc.array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom(
              'limit',
              'offset',
              'from',
              '__proto__',
              ...queryParams.map((p) => p.name as string),
            ),
            fc.string(),
          ),
          oddString,
        ),
        { maxLength: 2 },
      ),
    )
    .map((parts) => {
      const extra = parts.pop() as [string, string][];
      const qs = new URLSearchParams();
      for (const [k, v] of parts as unknown as [string, string | null][]) if (v !== null) qs.append(k, v);
      for (const [k, v] of extra) qs.append(k, v);
      const s = qs.toString();
      return s ? `?${s}` : '';
    });
  const headers = fc
    .tuple(
      callers,
      ...headerParams.map((p) =>
        fc
          .option(
            fc.string({ unit: fc.constantFrom(...'t=1,v1=abcdef0123456789 '.split('')), maxLength: 80 }),
            {
              freq: 2,
            },
          )
          .map((v) => [p.name, v] as const),
      ),
    )
    .map(([caller, ...hs]) => {
      const h: Record<string, string> = {};
      if (caller.authorization) h.authorization = caller.authorization;
      for (const [k, v] of hs as [string, string | null][]) if (v !== null) h[k] = v;
      return { caller: caller.name, headers: h };
    });

  const jsonBody = jsonSchema
    ? fc.oneof(
        {
          weight: 4,
          arbitrary: conforming(bodyDoc, jsonSchema).map((v) => ({ kind: 'valid', body: toJson(v) })),
        },
        {
          weight: 4,
          arbitrary: fuzzValue(bodyDoc, jsonSchema).map((v) => ({ kind: 'fuzzed', body: toJson(v) })),
        },
      )
    : fc.oneof(
        fc.constant({ kind: 'no-body', body: undefined as string | undefined }),
        hostileValue.map((v) => ({ kind: 'unexpected-body', body: toJson(v) as string | undefined })),
      );
  const body = fc.oneof(
    { weight: 8, arbitrary: jsonBody.map((b) => ({ ...b, contentType: 'application/json' })) },
    {
      weight: 1,
      arbitrary: malformedJson.map((body) => ({
        kind: 'malformed-json',
        body,
        contentType: 'application/json',
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          jsonBody,
          fc.constantFrom(
            undefined,
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=zzz',
            'multipart/form-data',
            'application/xml',
            'application/json; charset=utf-16',
            'application/vnd.api+json',
            'application/octet-stream',
            '*/*',
            'garbage',
          ),
        )
        .map(([b, contentType]) => ({ kind: `content-type:${contentType}`, body: b.body, contentType })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('application/json', 'text/plain').map((contentType) => ({
        kind: `oversized:${contentType}`,
        body: `{"x":"${'z'.repeat(OVERSIZED_BYTES)}"}`,
        contentType: contentType as string | undefined,
      })),
    },
  );

  return fc.record({ path, query, headers, body }).map(({ path: p, query: q, headers: h, body: b }) => {
    const hs = { ...h.headers };
    const hasBody = b.body !== undefined && ref.method !== 'GET';
    if (hasBody && b.contentType) hs['content-type'] = b.contentType;
    return {
      method: ref.method,
      url: p + q,
      headers: hs,
      body: hasBody ? b.body : undefined,
      kind: `${h.caller}/${b.kind}`,
    };
  });
}
