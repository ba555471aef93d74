import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { logger } from '../infra/logger';

// One error shape for every failure: { error: { code, message, details? } }.

export interface FieldProblem {
  field: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After on 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: FieldProblem[]) =>
  new ApiError(400, 'invalid_request', message, details);
export const unauthorized = (message = 'Authentication required') =>
  new ApiError(401, 'unauthorized', message);
export const forbidden = (message: string, code = 'forbidden') => new ApiError(403, code, message);
export const notFound = (what = 'Resource') => new ApiError(404, 'not_found', `${what} not found`);
export const conflict = (message: string, code = 'conflict', details?: unknown) =>
  new ApiError(409, code, message, details);

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Turns zod issues into `{ field, reason }` rows naming each offending field (one row per field). */
export function fieldProblems(error: ZodError, prefix?: string): FieldProblem[] {
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
  const summary = details.map((d) => `${d.field}: ${d.reason}`).join('; ');
  return c.json(errorBody('validation_failed', `Invalid request: ${summary}`, details), 400);
}

export function onError(err: Error, c: Context) {
  if (err instanceof ApiError) {
    for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
    return c.json(errorBody(err.code, err.message, err.details), err.status);
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
