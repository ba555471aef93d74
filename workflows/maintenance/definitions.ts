// The contract of the maintenance workflows the workers keep on Temporal Schedules (workers/schedules.ts).

/** The registered workflow type; scheduled as `pruneRateLimitsWorkflowType` with a PruneRateLimitsInput. */
export const pruneRateLimitsWorkflowType = 'pruneRateLimitsWorkflow';
export type PruneRateLimitsWorkflow = (input: PruneRateLimitsInput) => Promise<PruneRateLimitsResult>;

export interface PruneRateLimitsInput {
  /**
   * Rate-limit windows that started longer ago than this are deleted. At least the longest window of
   * any rule, so every deleted window has ended and counts for nothing.
   */
  retainMs: number;
}

export interface PruneRateLimitsResult {
  deleted: number;
  /** ISO instant: windows that started before it were deleted. */
  olderThan: string;
}
