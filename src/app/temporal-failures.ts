import {
  isGrpcServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { conflict, rateLimited, unavailable, type DomainError } from '../domain/shared/errors';

// Every failure a use case can meet when it calls Temporal (start, signal, update, query), turned
// into a DomainError in this one place, so the API answers 4xx/503 and never a bare 500 for them:
//
//   update refused by the workflow (WorkflowUpdateFailedError + ApplicationFailure) → the caller's rule
//   workflow not found / already closed (NOT_FOUND, WorkflowNotFoundError)          → the caller's rule
//   workflow already started (ALREADY_EXISTS)                                        → 409
//   too many updates in flight for one workflow, or rate limited (RESOURCE_EXHAUSTED) → 429
//   per-run update limit reached (FAILED_PRECONDITION; the run continues as new)     → 503
//   server unreachable, overloaded or slow (UNAVAILABLE, DEADLINE_EXCEEDED,
//     CANCELLED, ABORTED, INTERNAL, UNKNOWN, the SDK's update RPC timeout)          → 503
//
// INVALID_ARGUMENT, PERMISSION_DENIED, UNAUTHENTICATED, UNIMPLEMENTED and the like mean our request or
// configuration is wrong, not the caller's or a passing outage: they stay errors (500, logged).

/** gRPC status codes (the numbering is fixed by gRPC; @grpc/grpc-js is not a direct dependency). */
const GRPC = {
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

const PASSING = new Set<number>([
  GRPC.CANCELLED,
  GRPC.UNKNOWN,
  GRPC.DEADLINE_EXCEEDED,
  GRPC.ABORTED,
  GRPC.INTERNAL,
  GRPC.UNAVAILABLE,
]);

/** Seconds a client should wait before retrying after a passing failure. */
const RETRY_AFTER_S = { busy: 2, unavailable: 5 } as const;

/** The gRPC status behind a Temporal client error (ServiceError wraps it as its cause). */
export function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (isGrpcServiceError(e)) return e.code;
  }
  return undefined;
}

export interface TemporalFailureRules {
  /** The workflow refused the update with this failure: what the caller should hear. */
  refused(failure: ApplicationFailure): DomainError;
  /** The workflow does not exist or has closed. */
  closed(): Promise<DomainError> | DomainError;
  /** What is being done, for the messages: "The booking could not be updated". */
  what: string;
}

/** The DomainError for a failed Temporal call, or `err` itself when it is not one of the above. */
export async function temporalFailure(err: unknown, rules: TemporalFailureRules): Promise<unknown> {
  if (err instanceof WorkflowUpdateFailedError) {
    if (err.cause instanceof ApplicationFailure) return rules.refused(err.cause);
    // Cancelled or terminated while the update was running: the workflow is gone.
    return rules.closed();
  }
  if (err instanceof WorkflowNotFoundError || isClosedWorkflowError(err)) return rules.closed();
  if (err instanceof WorkflowExecutionAlreadyStartedError)
    return conflict(`${rules.what}: it is already under way`, 'already_started');
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return passing(rules.what);

  const code = grpcCode(err);
  if (code === GRPC.NOT_FOUND) return rules.closed();
  if (code === GRPC.ALREADY_EXISTS)
    return conflict(`${rules.what}: it is already under way`, 'already_started');
  if (code === GRPC.RESOURCE_EXHAUSTED)
    return rateLimited(
      `${rules.what}: too many changes at once; try again in a moment`,
      RETRY_AFTER_S.busy,
      'rate_limited',
    );
  // The run has taken its share of updates and is about to continue as new.
  if (code === GRPC.FAILED_PRECONDITION) return passing(rules.what);
  if (code !== undefined && PASSING.has(code)) return passing(rules.what);
  // A connection that could not be made before the call's deadline surfaces without a gRPC status.
  if (
    code === undefined &&
    err instanceof Error &&
    /deadline|cancel|connect/i.test(`${err.name} ${err.message}`)
  )
    return passing(rules.what);
  return err;
}

const passing = (what: string) =>
  unavailable(`${what} right now; try again shortly`, 'temporarily_unavailable', RETRY_AFTER_S.unavailable);

function isClosedWorkflowError(err: unknown): boolean {
  return err instanceof Error && /already completed/i.test(err.message);
}
