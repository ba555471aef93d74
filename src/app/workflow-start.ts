import { WithStartWorkflowOperation, type WorkflowStartOptions } from '@temporalio/client';
import type { UpdateDefinition, Workflow } from '@temporalio/common';
import type { Deps } from '../infra/deps';

// The one way a use case starts a workflow for a row it has just committed and waits for the
// workflow's first answer (docs/adr/0011): update-with-start in one round trip, joining a run that
// is already there. Features supply only their options and their "ready" update.

/** How long a request waits for a workflow's first answer (e.g. its PaymentIntent) before answering without it. */
export const READY_WAIT_MS = 5_000;

/**
 * `ready`: the workflow answered the update in time. `waiting`: the workflow runs but has not
 * answered yet (the client reads the rest from the row later). `not_started`: no workflow runs for
 * the row, so the caller must undo what it committed.
 */
export type StartOutcome = 'ready' | 'waiting' | 'not_started';

export async function startAndAwait<W extends Workflow>(
  deps: Pick<Deps, 'temporal'>,
  workflowType: string,
  options: WorkflowStartOptions<W>,
  readyUpdate: UpdateDefinition<unknown, []>,
  timeoutMs = READY_WAIT_MS,
): Promise<StartOutcome> {
  // A repeated call (the plain start below) joins the run the first one started.
  const joining = { ...options, workflowIdConflictPolicy: 'USE_EXISTING' as const };
  const startOp = new WithStartWorkflowOperation<W>(workflowType, joining);
  try {
    await deps.temporal.withDeadline(Date.now() + timeoutMs, () =>
      deps.temporal.workflow.executeUpdateWithStart(readyUpdate, { startWorkflowOperation: startOp }),
    );
    return 'ready';
  } catch {
    const started = await startOp.workflowHandle().then(
      () => true,
      () => false,
    );
    if (started) return 'waiting';
    // The answer was lost (a deadline, a dropped connection): the start may or may not have happened.
    try {
      await deps.temporal.withDeadline(Date.now() + READY_WAIT_MS, () =>
        deps.temporal.workflow.start<W>(workflowType, joining),
      );
      return 'waiting';
    } catch {
      return 'not_started';
    }
  }
}
