import { createMiddleware } from 'hono/factory';
import { invalidFields, type FieldProblem } from '../../domain/shared/errors';

// Postgres text cannot hold U+0000, so a NUL in any field would fail deep inside a query (a 500) or,
// worse, after part of a request was written. Refusing it at the door, with the field named, keeps
// every route's "bad input is a 400 and changes nothing" promise without each schema repeating it.

const REASON = 'must not contain NUL (U+0000) characters';
// JSON can also spell half of a UTF-16 surrogate pair (\ud800); a jsonb column refuses it (a 500).
const SURROGATE_REASON = 'must be well-formed Unicode (no unpaired surrogate \\uD800–\\uDFFF escapes)';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

function nulFields(value: unknown, path: string, out: FieldProblem[]): void {
  if (out.length >= 20) return;
  if (typeof value === 'string') {
    if (value.includes('\0')) out.push({ field: path || '(body)', reason: REASON });
    else if (LONE_SURROGATE.test(value)) out.push({ field: path || '(body)', reason: SURROGATE_REASON });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nulFields(v, path ? `${path}.${i}` : String(i), out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const field = path ? `${path}.${k}` : k;
      if (k.includes('\0')) out.push({ field, reason: REASON });
      else if (LONE_SURROGATE.test(k)) out.push({ field, reason: SURROGATE_REASON });
      nulFields(v, field, out);
    }
  }
}

export const rejectNul = createMiddleware(async (c, next) => {
  const problems: FieldProblem[] = [];
  const url = new URL(c.req.url);
  if (/%00/i.test(url.pathname)) problems.push({ field: 'path', reason: REASON });
  for (const [name, value] of url.searchParams) {
    if (name.includes('\0') || value.includes('\0'))
      problems.push({ field: `query.${name}`, reason: REASON });
  }
  if (c.req.header('content-type')?.includes('json') && !['GET', 'HEAD'].includes(c.req.method)) {
    const text = await c.req.text();
    if (text.includes('\\u0000') || text.includes('\0') || SURROGATE_ESCAPE.test(text)) {
      try {
        nulFields(JSON.parse(text), '', problems);
      } catch {
        // Malformed JSON: the route's validator answers 400 invalid_json.
      }
    }
  }
  if (problems.length > 0) throw invalidFields(problems);
  await next();
});
