import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
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

/** Hourly: deletes the rate-limit windows that have ended (prune in src/data/rate-limit.ts). */
export async function ensureRateLimitPruneSchedule(
  client: Client,
  opts: { taskQueue: string; scheduleId?: string },
): Promise<void> {
  const scheduleId = opts.scheduleId ?? scheduleIds.pruneRateLimits;
  const schedule = {
    spec: { intervals: [{ every: '1 hour' }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: pruneRateLimitsWorkflowType,
      taskQueue: opts.taskQueue,
      args: [{ retainMs: RATE_LIMIT_RETENTION_MS }] as Parameters<PruneRateLimitsWorkflow>,
      // A run that never finds a worker (the queue was renamed, nothing polls it) must not stop
      // the next ones: with overlap SKIP they wait for it to close.
      workflowRunTimeout: '10 minutes',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
  };
  try {
    await client.schedule.create<PruneRateLimitsWorkflow>({ scheduleId, ...schedule });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(scheduleId)
      .update<PruneRateLimitsWorkflow>((previous) => ({ ...previous, ...schedule }));
  }
}

/** Deletions older than this that are still recorded are handed to their workflows again. */
export const DELETION_GRACE_MS = 10 * 60_000;

/** Every 15 minutes: finishes deletions Temporal never took (issue 9 #11; resumeDeletionsWorkflow). */
export async function ensureDeletionSweepSchedule(
  client: Client,
  opts: { taskQueue: string; scheduleId?: string },
): Promise<void> {
  const scheduleId = opts.scheduleId ?? scheduleIds.resumeDeletions;
  const schedule = {
    spec: { intervals: [{ every: '15 minutes' }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: resumeDeletionsWorkflowType,
      taskQueue: opts.taskQueue,
      args: [{ graceMs: DELETION_GRACE_MS }] as Parameters<ResumeDeletionsWorkflow>,
      workflowRunTimeout: '10 minutes',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
  };
  try {
    await client.schedule.create<ResumeDeletionsWorkflow>({ scheduleId, ...schedule });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(scheduleId)
      .update<ResumeDeletionsWorkflow>((previous) => ({ ...previous, ...schedule }));
  }
}

/** Every schedule the workers own; `taskQueue` is the default queue, where the workflows run. */
/** How often the analytics rollup refreshes analytics_daily (GET /api/coaches/me/analytics reads it). */
export const ANALYTICS_ROLLUP_EVERY = '5 minutes';

/** Every 5 minutes: the coach analytics' daily rollup (analyticsRollupWorkflow, src/data/analytics.ts). */
export async function ensureAnalyticsRollupSchedule(
  client: Client,
  opts: { taskQueue: string; scheduleId?: string },
): Promise<void> {
  const scheduleId = opts.scheduleId ?? scheduleIds.analyticsRollup;
  const schedule = {
    spec: { intervals: [{ every: ANALYTICS_ROLLUP_EVERY }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: analyticsRollupWorkflowType,
      taskQueue: opts.taskQueue,
      args: [] as Parameters<AnalyticsRollupWorkflow>,
      workflowRunTimeout: '10 minutes',
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
  };
  try {
    await client.schedule.create<AnalyticsRollupWorkflow>({ scheduleId, ...schedule });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(scheduleId)
      .update<AnalyticsRollupWorkflow>((previous) => ({ ...previous, ...schedule }));
  }
}

export async function ensureSchedules(client: Client, taskQueue: string): Promise<void> {
  await ensureRateLimitPruneSchedule(client, { taskQueue });
  await ensureDeletionSweepSchedule(client, { taskQueue });
  await ensureAnalyticsRollupSchedule(client, { taskQueue });
}
