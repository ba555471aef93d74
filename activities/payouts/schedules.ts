import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { scheduleWanted } from '../../src/domain/payouts/payouts';
import { connectAccountOf, readinessOfRow } from '../../src/data/payouts';
import type { Deps } from '../../src/infra/deps';
import {
  payoutWorkflowType,
  type PayoutWorkflow,
  type ScheduleSyncOutcome,
} from '../../workflows/payouts/definitions';
import { scheduleIds } from '../../workflows/shared/ids';

// Each coach's payout Schedule, kept in step with their Connect account as Postgres records it. The
// account workflow (payout-account-<coach>) calls this after every account.updated event, one at a
// time per coach; the step itself is create-or-update, so repeating it is harmless.

/** The Schedule's definition: PAYOUT_SCHEDULE apart, one run at a time, starting payout-<coach>-<time>. */
export function payoutSchedule(cfg: Deps['cfg'], coachId: string) {
  return {
    spec: { intervals: [{ every: cfg.PAYOUT_SCHEDULE }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: payoutWorkflowType,
      // The server appends the nominal time: payout-<coach>-<RFC 3339 time>, the run's period.
      workflowId: `payout-${coachId}`,
      taskQueue: cfg.TEMPORAL_TASK_QUEUE,
      args: [{ coachId }] as Parameters<PayoutWorkflow>,
    },
    // A run still retrying Stripe keeps the next one from paying the same balance beside it; a
    // schedule missed while the cluster was down runs once when it is back, within a day.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  };
}

export function payoutScheduleActivities(deps: Pick<Deps, 'db' | 'cfg' | 'temporal'>) {
  const { db, cfg, temporal } = deps;
  return {
    /**
     * Active Schedule while the account can take payouts (created, or updated and unpaused), paused
     * while it cannot (with Stripe's reason in the note), absent for a coach who never had one.
     */
    async syncPayoutSchedule(coachId: string): Promise<ScheduleSyncOutcome> {
      const readiness = readinessOfRow(await connectAccountOf(db, coachId));
      const scheduleId = scheduleIds.coachPayouts(coachId);
      const handle = temporal.schedule.getHandle(scheduleId);
      if (scheduleWanted(readiness)) {
        const schedule = payoutSchedule(cfg, coachId);
        const state = { paused: false, note: 'Connect account can take payouts' };
        try {
          await temporal.schedule.create<PayoutWorkflow>({ scheduleId, ...schedule, state });
        } catch (err) {
          if (!(err instanceof ScheduleAlreadyRunning)) throw err;
          await handle.update<PayoutWorkflow>((previous) => ({ ...previous, ...schedule, state }));
        }
        return 'active';
      }
      const note = `Payouts not enabled on the Connect account${
        readiness?.disabledReason ? ` (${readiness.disabledReason})` : ''
      }`;
      try {
        const description = await handle.describe();
        if (!description.state.paused) await handle.pause(note);
        return 'paused';
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) return 'absent';
        throw err;
      }
    },
  };
}
