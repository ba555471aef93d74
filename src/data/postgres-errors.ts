import { Prisma } from '../generated/prisma/client';

/**
 * The SQLSTATE behind a Prisma error raised through the pg driver adapter (e.g. '23P01' for an
 * exclusion-constraint violation, which Prisma has no error code of its own for).
 */
function postgresErrorCode(err: unknown): string | undefined {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  const cause = (err.meta as { driverAdapterError?: { cause?: { originalCode?: unknown } } } | undefined)
    ?.driverAdapterError?.cause;
  return typeof cause?.originalCode === 'string' ? cause.originalCode : undefined;
}

const EXCLUSION_VIOLATION = '23P01';

/** A unique index refused the row (Prisma's own code for it). */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';
}

export function isExclusionViolation(err: unknown): boolean {
  return postgresErrorCode(err) === EXCLUSION_VIOLATION;
}
