// The contract of the analytics rollup, run by the Temporal Schedule scheduleIds.analyticsRollup
// (workers/schedules.ts): recomputes analytics_daily for the days touched since its last run.

export const analyticsRollupWorkflowType = 'analyticsRollupWorkflow';
export type AnalyticsRollupWorkflow = () => Promise<{ pairs: number }>;
