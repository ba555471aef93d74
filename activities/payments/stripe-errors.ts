import { ApplicationFailure } from '@temporalio/activity';
import { isPermanentStripeError } from '../../src/domain/payments/stripe-errors';
import { StripeFailure } from '../../workflows/shared/failures';

// One classification of Stripe errors for every Stripe activity (payments, paid sessions, purchases,
// billing): what a retry cannot fix fails the step for good with a clear type; the rest is retried.

export interface StripeErrorShape {
  type?: string;
  code?: string;
  message?: string;
}

export function asStripeError(err: unknown): StripeErrorShape {
  return typeof err === 'object' && err !== null ? (err as StripeErrorShape) : {};
}

/** Permanent Stripe errors become non-retryable failures with a clear type; the rest are rethrown. */
export function classify(err: unknown, what: string): never {
  const e = asStripeError(err);
  if (isPermanentStripeError(e)) {
    throw ApplicationFailure.create({
      type: StripeFailure.Rejected,
      message: `${what}: ${e.message ?? e.type}`,
      details: [{ stripeType: e.type, code: e.code ?? null }],
      nonRetryable: true,
    });
  }
  throw err;
}
