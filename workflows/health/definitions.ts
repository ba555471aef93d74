// The contract of health-check-<id>: a round trip through every layer, started by `npm start` and tests.

/** The registered workflow type; start it with `client.workflow.start<HealthCheckWorkflow>(healthCheckWorkflowType, …)`. */
export const healthCheckWorkflowType = 'healthCheckWorkflow';
/** Takes the media task queue (from config) its ffmpeg probe runs on. */
export type HealthCheckWorkflow = (mediaTaskQueue: string) => Promise<HealthCheckResult>;

export interface HealthCheckResult {
  workflowId: string;
  databaseRoundTrip: boolean;
  ffmpegVersion: string;
}
