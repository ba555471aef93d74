import { z } from '@hono/zod-openapi';
import { ROLES } from '../domain/subscriptions/plans';
import { isValidTimeZone } from '../domain/shared/timezone';

// Shapes shared by several routers, defined once: the error body, instants, time zones, pagination
// and the list envelope. Request bodies are .strict(): an unknown field is a mistake the caller
// should hear about, not something silently dropped.

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
    }),
  })
  .openapi('Error');

export const errorResponses = (...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 429 | 503)[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: ERROR_TEXT[s], content: { 'application/json': { schema: ErrorSchema } } },
    ]),
  ) as Record<
    number,
    { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }
  >;

const ERROR_TEXT = {
  400: 'Invalid input (each field and why)',
  401: 'Missing, invalid or expired token',
  403: 'Role or plan does not allow this',
  404: 'Not found (or not visible to you)',
  409: 'Conflicts with the current state',
  413: 'Over quota or size limit',
  429: 'Rate or usage limit reached',
  // Requests that hand work to Temporal, when it cannot take them: repeat after Retry-After.
  503: 'The workflow service could not take the request; repeat it after Retry-After seconds',
} as const;

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** Operations behind a bearer token carry this in their route definition. */
export const secured = { security: [{ bearerAuth: [] }] };

export const RoleSchema = z.enum(ROLES).openapi('Role');
export const IdParam = z.object({ id: z.uuid() });

const FIRST_STORABLE = Date.parse('0001-01-01T00:00:00Z');
const LAST_STORABLE = Date.parse('9999-12-31T23:59:59.999Z');
/**
 * Whether an ISO date or date-time falls within years 1–9999 (UTC). ISO allows year 0000 and zod accepts
 * it, but Postgres has no year 0 and answered such a filter with an error (a 500); no client means one.
 * Unparsable text passes here: the format check names it.
 */
export const withinStorableYears = (iso: string) => {
  const at = Date.parse(iso);
  return Number.isNaN(at) || (at >= FIRST_STORABLE && at <= LAST_STORABLE);
};
export const STORABLE_YEARS_MESSAGE = 'must be between 0001-01-01 and 9999-12-31 (UTC)';

/** A point in time with its offset spelled out, so it cannot be read in the wrong zone. */
export const Instant = z.iso
  .datetime({
    offset: true,
    message: 'must be an ISO-8601 date-time with a zone, e.g. 2026-12-01T09:00:00Z',
  })
  .refine(withinStorableYears, STORABLE_YEARS_MESSAGE);

/** An IANA zone name the runtime knows (validated by src/domain/shared/timezone). */
export const TimeZone = z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/London');

/** Query fields of every paginated list (spread into the route's query object). */
export const pagination = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
};

/** The list envelope: `{ items }` for a complete list… */
export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** …and `{ items, total }` for one page of a paginated list (total counts every match). */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int() });
