import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import {
  DomainError,
  describeProblems,
  type DomainErrorKind,
  type FieldProblem,
} from '../domain/shared/errors';
import { logger } from '../infra/logger';

// One error shape for every failure: { error: { code, message, details? } }, and one mapping from a
// DomainError's kind to an HTTP status. Routes and use cases throw DomainError (src/domain/shared/errors).

const STATUS: Record<DomainErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};

const statusOf = (err: DomainError): ContentfulStatusCode => STATUS[err.kind];

function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Turns zod issues into `{ field, reason }` rows naming each offending field (one row per field). */
function fieldProblems(error: ZodError, prefix?: string): FieldProblem[] {
  const byField = new Map<string, string[]>();
  const add = (field: string, reason: string) => {
    const reasons = byField.get(field) ?? [];
    if (!reasons.includes(reason)) reasons.push(reason);
    byField.set(field, reasons);
  };
  for (const issue of error.issues) {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add([...path, key].join('.'), 'unknown field');
    } else {
      add(path.join('.') || '(body)', issue.message);
    }
  }
  return [...byField].map(([field, reasons]) => ({ field, reason: reasons.join('; ') }));
}

/** defaultHook for OpenAPIHono: validation failures become 400 with every field named. */
export function validationHook(result: { success: boolean; error?: ZodError; target?: string }, c: Context) {
  if (result.success || !result.error) return;
  const details = fieldProblems(result.error, result.target === 'json' ? undefined : result.target);
  return c.json(errorBody('validation_failed', describeProblems('Invalid request', details), details), 400);
}

export function onError(err: Error, c: Context) {
  if (err instanceof DomainError) {
    if (err.retryAfterSeconds !== undefined) c.header('Retry-After', String(err.retryAfterSeconds));
    return c.json(errorBody(err.code, err.message, err.details), statusOf(err));
  }
  if (err instanceof HTTPException) {
    // Hono's JSON validator throws this for an unparsable body.
    const malformed = /malformed json/i.test(err.message);
    const code = malformed ? 'invalid_json' : err.status === 401 ? 'unauthorized' : 'http_error';
    const message = malformed ? 'Request body is not valid JSON' : err.message || 'Request failed';
    return c.json(errorBody(code, message), err.status as ContentfulStatusCode);
  }
  const requestId = c.get('requestId' as never) as string | undefined;
  (c.get('log' as never) ?? logger).error({ err, requestId }, 'unhandled error');
  return c.json(
    errorBody('internal_error', `Something went wrong on our side (request ${requestId ?? 'unknown'})`),
    500,
  );
}

export function onNotFound(c: Context) {
  return c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}`), 404);
}
