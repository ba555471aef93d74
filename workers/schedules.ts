import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { BOOKING_LIMITS } from '../src/domain/bookings/rate-limits';
import { LOGIN_LIMITS } from '../src/domain/identity/rate-limits';
import {
  pruneRateLimitsWorkflowType,
  resumeDeletionsWorkflowType,
  type PruneRateLimitsWorkflow,
  type ResumeDeletionsWorkflow,
} from '../workflows/maintenance/definitions';
import { scheduleIds } from '../workflows/shared/ids';
import { CHECKOUT_LIMITS } from '../src/domain/purchases/limits';
import { ANALYTICS_LIMITS } from '../src/domain/analytics/events';
import {
  analyticsRollupWorkflowType,
  type AnalyticsRollupWorkflow,
} from '../workflows/analytics/definitions';

// The Temporal Schedules the workers keep in place. Created when a worker for the default queue
// starts, and brought up to date (task queue, interval, input) if they already exist, so a deploy
// that changes them needs nothing but a restart. A pause set by an operator is kept.

/**
 * The longest window of any rate-limit rule: a window that started longer ago has ended. Every
 * rule table the API counts hits with must be listed here (they live in src/domain: workers never
 * import src/app).
 */
export const RATE_LIMIT_RETENTION_MS = Math.max(
  ...[LOGIN_LIMITS, BOOKING_LIMITS, CHECKOUT_LIMITS, ANALYTICS_LIMITS].flatMap((table) =>
    Object.values(table).map((rule) => rule.windowMs),
  ),
);

/** Deletions older than this that are still recorded are handed to their workflows again. */
export const DELETION_GRACE_MS = 10 * 60_000;

/** How often the analytics rollup refreshes analytics_daily (GET /api/coaches/me/analytics reads it). */
export const ANALYTICS_ROLLUP_EVERY = '5 minutes';

/** A schedule's row: how often, and the workflow it starts with its input (type-checked against the contract). */
const run = <W extends Workflow>(every: string, workflowType: string, args: Parameters<W>) => ({
  every,
  workflowType,
  args: args as unknown[],
});

/** Every schedule the workers own, by its name in scheduleIds. */
const SCHEDULES = {
  // Hourly: deletes the rate-limit windows that have ended (prune in src/data/rate-limit.ts).
  pruneRateLimits: run<PruneRateLimitsWorkflow>('1 hour', pruneRateLimitsWorkflowType, [
    { retainMs: RATE_LIMIT_RETENTION_MS },
  ]),
  // Finishes deletions Temporal never took (issue 9 #11; resumeDeletionsWorkflow).
  resumeDeletions: run<ResumeDeletionsWorkflow>('15 minutes', resumeDeletionsWorkflowType, [
    { graceMs: DELETION_GRACE_MS },
  ]),
  // The coach analytics' daily rollup (analyticsRollupWorkflow, src/data/analytics.ts).
  analyticsRollup: run<AnalyticsRollupWorkflow>(ANALYTICS_ROLLUP_EVERY, analyticsRollupWorkflowType, []),
};

export type OwnedSchedule = keyof typeof SCHEDULES;

/**
 * Creates the schedule, or brings an existing one up to date (keeping an operator's pause). Its runs
 * go to `taskQueue`; `scheduleId` defaults to the one in workflows/shared/ids (tests pass their own).
 */
export async function ensureSchedule(
  client: Client,
  name: OwnedSchedule,
  opts: { taskQueue: string; scheduleId?: string },
): Promise<void> {
  const { every, workflowType, args } = SCHEDULES[name];
  const scheduleId = opts.scheduleId ?? scheduleIds[name];
  const schedule = {
    spec: { intervals: [{ every }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType,
      taskQueue: opts.taskQueue,
      args,
      // A run that never finds a worker (the queue was renamed, nothing polls it) must not stop
      // the next ones: with overlap SKIP they wait for it to close.
      workflowRunTimeout: '10 minutes',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
  };
  try {
    await client.schedule.create({ scheduleId, ...schedule });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, ...schedule }));
  }
}

/** Every schedule the workers own; `taskQueue` is the default queue, where the workflows run. */
export async function ensureSchedules(client: Client, taskQueue: string): Promise<void> {
  for (const name of Object.keys(SCHEDULES) as OwnedSchedule[])
    await ensureSchedule(client, name, { taskQueue });
}
