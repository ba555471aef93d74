import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

// The booking benchmark's floor (bench/booking-requests.ts): a workflow that answers at once. Bundled
// for a worker of the benchmark's own, on a task queue of its own; never part of workers/.

export const benchFloorWorkflowType = 'benchFloorWorkflow';
/** Answered by the first workflow task, as bookingReady is at best. */
export const floorReadyUpdate = defineUpdate<'ready'>('floorReady');

/** Waits for floorReady when `awaitReady` (update-with-start), otherwise completes at once. */
export async function benchFloorWorkflow(awaitReady: boolean): Promise<void> {
  let answered = false;
  setHandler(floorReadyUpdate, () => {
    answered = true;
    return 'ready' as const;
  });
  if (awaitReady) await condition(() => answered);
}
