import {
  ActivityCancellationType,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import { ANALYSIS_ATTEMPTS } from '../../src/domain/videos/status';
import { StripeFailure } from './failures';

// Named activity options. Every proxy a workflow makes takes one of these, so what a step talks to
// decides its queue, timeouts and retries once, and a heavy activity cannot be called with a quick
// step's options (or the other way round). Each profile carries its task queue in its type, and the
// proxies of workflows/shared/proxies.ts take a profile and type the proxy with that queue's
// activities (activities/index.ts):
//
//   const media = activities(profiles.media(queue).transcode); // MediaActivities: transcodeVideo…
//   const db = activities(profiles.postgres);                   // DefaultActivities: no ffmpeg here
//
// Failure types retrying cannot fix are passed in by the caller: they are part of its family's
// contract (NON_RETRYABLE_TYPES, clipNonRetryableTypes).

/** The task queues activities are registered on: one worker factory each (activities/index.ts). */
export type QueueName = 'default' | 'media';

// Type-only brands (never present at run time: the options objects are the SDK's own).
declare const onQueue: unique symbol;
declare const runsLocally: unique symbol;

/** Options for activities of queue `Q`; only the constructors below make one. */
export type Profile<Q extends QueueName> = ActivityOptions & {
  readonly [onQueue]: Q;
  readonly [runsLocally]?: false;
};

/** Options for a local activity: it runs inside the workflow task, on a default-queue worker. */
export type LocalProfile = LocalActivityOptions & {
  readonly [onQueue]: 'default';
  readonly [runsLocally]: true;
};

/** Steps whose activities are registered on the default queue (the workflow's own queue). */
const onDefaultQueue = <O extends ActivityOptions>(options: O) => options as O & Profile<'default'>;
/** ffmpeg steps: the options name the media queue, and the type says so. */
const onMediaQueue = <O extends ActivityOptions & { taskQueue: string }>(options: O) =>
  options as O & Profile<'media'>;
const local = <O extends LocalActivityOptions>(options: O) => options as O & LocalProfile;

const noRetryOf = (types: readonly string[]) =>
  types.length > 0 ? { nonRetryableErrorTypes: [...types] } : {};

/** A media pipeline's quick Postgres + S3 steps (default queue): a few retries, then the run fails with a reason. */
function pipelineStep(
  startToCloseTimeout: ActivityOptions['startToCloseTimeout'],
  nonRetryable: readonly string[],
) {
  return onDefaultQueue({
    startToCloseTimeout,
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      maximumAttempts: 8,
      ...noRetryOf(nonRetryable),
    },
  } satisfies ActivityOptions);
}

export const profiles = {
  /** Postgres writes of a long-lived workflow's own loop: retried until they succeed. */
  postgres: onDefaultQueue({
    startToCloseTimeout: '20 seconds',
    retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
  } satisfies ActivityOptions),

  /** Postgres writes an API caller waits on (inside an update): bounded, so the caller gets an answer. */
  postgresForCaller: onDefaultQueue({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '30 seconds',
    retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds' },
  } satisfies ActivityOptions),

  /**
   * Reading a row inserted by the transaction that started the workflow: it may not be visible for a
   * moment, so "not found" is retried quickly, for at most `waitMs`.
   */
  postgresRowWait: (waitMs: number) =>
    onDefaultQueue({
      startToCloseTimeout: '10 seconds',
      scheduleToCloseTimeout: waitMs,
      retry: { initialInterval: '200 milliseconds', backoffCoefficient: 1.5, maximumInterval: '5 seconds' },
    } satisfies ActivityOptions),

  /**
   * A short Postgres write an API caller waits on, run as a local activity inside the workflow task
   * (no round trip through the server). Only for conditional, repeatable writes: a worker that dies
   * mid-step re-runs it from the workflow task. Signals and queries wait while it runs, so only steps
   * of milliseconds; a retry whose backoff passes two seconds waits on a timer, not in the task.
   */
  postgresLocal: local({
    startToCloseTimeout: '5 seconds',
    localRetryThreshold: '2 seconds',
    retry: { initialInterval: '100 milliseconds', maximumInterval: '30 seconds' },
  } satisfies LocalActivityOptions),

  /** The video pipeline's Postgres + S3 steps (validation, state changes, deletion). */
  videoStep: (nonRetryable: readonly string[]) => pipelineStep('2 minutes', nonRetryable),

  /** A clip's Postgres + S3 steps around its cut. */
  clipStep: (nonRetryable: readonly string[]) => pipelineStep('1 minute', nonRetryable),

  /** Housekeeping on a schedule: a few tries; the next scheduled run picks up whatever is left. */
  maintenance: onDefaultQueue({
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '5 seconds', maximumAttempts: 5 },
  } satisfies ActivityOptions),

  /**
   * Bringing a coach's payout Schedule in step (a call to the Temporal frontend): like the Postgres
   * steps, retried until it is taken, since a Schedule left out of step would stop or keep paying a coach.
   */
  scheduleSync: onDefaultQueue({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  } satisfies ActivityOptions),

  /** The health check's database probe: fails fast, so a broken stack is reported, not waited on. */
  healthProbe: onDefaultQueue({
    startToCloseTimeout: '10 seconds',
    retry: { maximumAttempts: 5 },
  } satisfies ActivityOptions),

  /**
   * A Stripe call an API caller waits on, run as a local activity inside the workflow task (one
   * round trip through the server fewer: the booking's PaymentIntent, docs/adr/0011). Only for calls
   * with an idempotency key and a conditional record of their result, since a worker that dies
   * mid-task runs the call again. A slow Stripe keeps the task open (the worker heartbeats it); an
   * attempt cut off by its timeout may still be running at Stripe, so the next one can meet
   * idempotency_key_in_use, which activities/payments/stripe-errors.ts retries. Retries after two
   * seconds wait on a timer.
   */
  stripeLocal: local({
    startToCloseTimeout: '20 seconds',
    localRetryThreshold: '2 seconds',
    retry: {
      initialInterval: '500 milliseconds',
      maximumInterval: '2 minutes',
      nonRetryableErrorTypes: [StripeFailure.Rejected],
    },
  } satisfies LocalActivityOptions),

  /** Stripe: every call carries an idempotency key, so retries are safe; permanent rejections are not retried. */
  stripe: onDefaultQueue({
    startToCloseTimeout: '30 seconds',
    retry: {
      initialInterval: '1 second',
      maximumInterval: '2 minutes',
      nonRetryableErrorTypes: [StripeFailure.Rejected],
    },
  } satisfies ActivityOptions),

  /** Email a booking cannot do without: recorded per (reference, template, recipient), retried until SMTP takes it. */
  email: onDefaultQueue({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes' },
  } satisfies ActivityOptions),

  /** A notice about finished work (video ready / failed): retried for hours, then given up. */
  noticeEmail: onDefaultQueue({
    startToCloseTimeout: '1 minute',
    retry: {
      initialInterval: '5 seconds',
      backoffCoefficient: 2,
      maximumInterval: '10 minutes',
      maximumAttempts: 30,
    },
  } satisfies ActivityOptions),

  /**
   * OpenAI analysis. It writes the report to S3, so a cancellation (a deletion) waits for it to stop
   * before the video's objects are removed; its last attempt falls back to the signals-only report.
   */
  analysis: onDefaultQueue({
    startToCloseTimeout: '5 minutes',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '5 seconds', backoffCoefficient: 3, maximumAttempts: ANALYSIS_ATTEMPTS },
  } satisfies ActivityOptions),

  /**
   * ffmpeg and ffprobe on the media task queue. Its name comes from config, through each workflow's
   * input, so these are made per run.
   */
  media: (taskQueue: string, nonRetryable: readonly string[] = []) => {
    const ffmpeg = (startToCloseTimeout: ActivityOptions['startToCloseTimeout']) =>
      onMediaQueue({
        taskQueue,
        startToCloseTimeout,
        // A worker that died mid-encode is noticed within seconds, not at the end of the timeout.
        heartbeatTimeout: '15 seconds',
        // ffmpeg is killed and its temp files handled before the workflow moves on.
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        retry: {
          initialInterval: '2 seconds',
          backoffCoefficient: 2,
          maximumAttempts: 3,
          ...noRetryOf(nonRetryable),
        },
      } satisfies ActivityOptions);
    return {
      /** A whole video through ffmpeg (transcode, signals): hours for a long upload. */
      transcode: ffmpeg('6 hours'),
      /** A clip's seconds through ffmpeg. */
      trim: ffmpeg('1 hour'),
      /** ffprobe over a presigned URL: minutes at most, no heartbeats. */
      probe: onMediaQueue({
        taskQueue,
        startToCloseTimeout: '5 minutes',
        cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        retry: {
          initialInterval: '2 seconds',
          backoffCoefficient: 2,
          maximumAttempts: 3,
          ...noRetryOf(nonRetryable),
        },
      } satisfies ActivityOptions),
      /** Temp-file cleanup is best effort: it must not keep a workflow open when no media worker is up. */
      cleanup: onMediaQueue({
        taskQueue,
        scheduleToCloseTimeout: '10 minutes',
        startToCloseTimeout: '1 minute',
        retry: { maximumAttempts: 2 },
      } satisfies ActivityOptions),
      /** The health check's ffmpeg probe. */
      healthProbe: onMediaQueue({
        taskQueue,
        startToCloseTimeout: '30 seconds',
        retry: { maximumAttempts: 3 },
      } satisfies ActivityOptions),
    };
  },
};
