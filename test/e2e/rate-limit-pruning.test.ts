import { ScheduleOverlapPolicy } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_LIMITS } from '../../src/domain/identity/rate-limits';
import { hit } from '../../src/data/rate-limit';
import { BOOKING_LIMITS } from '../../src/domain/bookings/rate-limits';
import { ensureSchedule, RATE_LIMIT_RETENTION_MS } from '../../workers/schedules';
import {
  pruneRateLimitsWorkflowType,
  type PruneRateLimitsWorkflow,
} from '../../workflows/maintenance/definitions';
import { waitUntil } from '../support/bookings';
import { startTestContext, type TestContext } from '../support/harness';

// Rate-limit windows that have ended are pruned by an hourly Temporal Schedule the workers keep in
// place. This test creates the schedule under its own id (the workers' one belongs to whichever
// stack last started on this server), triggers it instead of waiting an hour, and looks at the rows.

const HOUR_MS = 3_600_000;
const scheduleId = `test-prune-rate-limits-${randomUUID()}`;

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext({ workers: true });
});
afterAll(async () => {
  await ctx?.deps.temporal.schedule
    .getHandle(scheduleId)
    .delete()
    .catch(() => undefined);
  await ctx?.close();
});

describe('rate-limit pruning (issue 8: the hits table no longer grows forever)', () => {
  it('an hourly schedule, created idempotently, deletes the windows that have ended and keeps the rest', async () => {
    const { db, temporal, cfg } = ctx.deps;
    // The longest window of every rule table: login throttling and booking attempts (an hour).
    expect(RATE_LIMIT_RETENTION_MS).toBe(
      Math.max(...Object.values(LOGIN_LIMITS).map((r) => r.windowMs), BOOKING_LIMITS.perAthlete.windowMs),
    );

    const key = (name: string) => `test-prune:${scheduleId}:${name}`;
    await db.rateLimitHit.createMany({
      data: [
        { key: key('ended'), windowStart: new Date(Date.now() - 2 * HOUR_MS), count: 5 },
        {
          key: key('ended-just'),
          windowStart: new Date(Date.now() - RATE_LIMIT_RETENTION_MS - 60_000),
          count: 1,
        },
        {
          key: key('open'),
          windowStart: new Date(Date.now() - RATE_LIMIT_RETENTION_MS + 5 * 60_000),
          count: 2,
        },
      ],
    });
    await hit(db, key('current'), LOGIN_LIMITS.perIp);

    // A second start (another worker process, a restart) updates the schedule instead of failing.
    await ensureSchedule(temporal, 'pruneRateLimits', { taskQueue: cfg.TEMPORAL_TASK_QUEUE, scheduleId });
    await ensureSchedule(temporal, 'pruneRateLimits', { taskQueue: cfg.TEMPORAL_TASK_QUEUE, scheduleId });
    const schedule = temporal.schedule.getHandle(scheduleId);
    const described = await schedule.describe();
    expect(described.spec.intervals).toMatchObject([{ every: HOUR_MS }]);
    expect(described.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: pruneRateLimitsWorkflowType,
      taskQueue: cfg.TEMPORAL_TASK_QUEUE,
      args: [{ retainMs: RATE_LIMIT_RETENTION_MS }],
    });
    expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);

    await schedule.trigger();
    const [taken] = await waitUntil(
      'the triggered run',
      async () => (await schedule.describe()).info.recentActions,
      (actions) => actions.length > 0,
    );
    const run = temporal.workflow.getHandle<PruneRateLimitsWorkflow>(
      taken!.action.workflow.workflowId,
      taken!.action.workflow.firstExecutionRunId,
    );
    const result = await run.result();
    expect(result.deleted).toBeGreaterThanOrEqual(2);

    const left = await db.rateLimitHit.findMany({
      where: { key: { startsWith: key('') } },
      orderBy: { key: 'asc' },
    });
    expect(left.map((r) => r.key)).toEqual([key('current'), key('open')]);
  });
});
