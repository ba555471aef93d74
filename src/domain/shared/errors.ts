// The one way any layer below HTTP reports a failure a caller can act on. The API maps `kind` to a
// status in exactly one place (src/api/errors.ts); use cases, data helpers and domain rules never
// mention HTTP statuses.

export interface FieldProblem {
  field: string;
  reason: string;
}

export type DomainErrorKind =
  | 'invalid' // 400: the input is wrong; details name each field and why
  | 'unauthenticated' // 401: no or bad credentials
  | 'forbidden' // 403: wrong role, missing feature, not yours to act on
  | 'not_found' // 404: does not exist (or is not visible to the caller)
  | 'conflict' // 409: the state does not allow it (slot taken, transition not allowed)
  | 'too_large' // 413: over a size or storage quota
  | 'rate_limited' // 429: too many attempts; retryAfterSeconds says when to come back
  | 'unavailable'; // 503: a dependency is down; safe to retry

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Stable, machine-readable code clients branch on (e.g. `slot_unavailable`). */
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** For `rate_limited` and `unavailable`: seconds until a retry may succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** "<prefix>: field: reason; field: reason" — the one way a list of field problems is summarised. */
export function describeProblems(prefix: string, problems: readonly FieldProblem[]): string {
  return `${prefix}: ${problems.map((p) => `${p.field}: ${p.reason}`).join('; ')}`;
}

export const invalid = (message: string, details?: FieldProblem[], code = 'invalid_request') =>
  new DomainError('invalid', code, message, details);
/** 400 built from field problems alone, with the standard summary message. */
export const invalidFields = (
  problems: FieldProblem[],
  code = 'invalid_request',
  prefix = 'Invalid request',
) => new DomainError('invalid', code, describeProblems(prefix, problems), problems);
/** The usual end of a validation: nothing when there is no problem, else one 400 naming them all. */
export function rejectProblems(
  problems: FieldProblem[],
  prefix = 'Invalid request',
  code = 'invalid_request',
): void {
  if (problems.length > 0) throw invalidFields(problems, code, prefix);
}
export const unauthenticated = (message = 'Authentication required', code = 'unauthorized') =>
  new DomainError('unauthenticated', code, message);
export const forbidden = (message: string, code = 'forbidden', details?: unknown) =>
  new DomainError('forbidden', code, message, details);
export const notFound = (what = 'Resource', details?: unknown) =>
  new DomainError('not_found', 'not_found', `${what} not found`, details);
export const conflict = (message: string, code = 'conflict', details?: unknown) =>
  new DomainError('conflict', code, message, details);
export const tooLarge = (message: string, code = 'payload_too_large', details?: unknown) =>
  new DomainError('too_large', code, message, details);
export const rateLimited = (message: string, retryAfterSeconds: number, code = 'rate_limited') =>
  new DomainError('rate_limited', code, message, undefined, retryAfterSeconds);
export const unavailable = (message: string, code = 'unavailable', retryAfterSeconds?: number) =>
  new DomainError('unavailable', code, message, undefined, retryAfterSeconds);
