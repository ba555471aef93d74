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

/** Hands deletions the API recorded but Temporal never took (or never finished) back to their workflows. */
export const resumeDeletionsWorkflowType = 'resumeDeletionsWorkflow';
export type ResumeDeletionsWorkflow = (input: ResumeDeletionsInput) => Promise<ResumeDeletionsResult>;

export interface ResumeDeletionsInput {
  /**
   * Only rows marked deleted longer ago than this are swept: a deletion the API just handed over is
   * still being worked on by its own workflow.
   */
  graceMs: number;
}

export interface ResumeDeletionsResult {
  /** Video workflows started in delete mode (none was running). */
  started: number;
  /** Running video workflows signalled to delete. */
  signalled: number;
  /** Sessions marked deleted with no videos left, removed. */
  sessionsPurged: number;
}

/** What findStrandedDeletions reports, with the settings a delete-mode video run needs. */
export interface StrandedDeletions {
  videos: { id: string; coachId: string }[];
  mediaTaskQueue: string;
  uploadTimeoutMs: number;
}
