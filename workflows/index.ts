// The worker's workflow bundle entry: every workflow implementation, exported under the type name
// its contract (definitions.ts) gives clients. Nothing else imports the implementations.
import { bookingWorkflowType, type BookingWorkflow } from './booking/definitions';
import { bookingWorkflow } from './booking/workflow';
import { clipWorkflowType, type ClipWorkflow } from './clip/definitions';
import { clipWorkflow } from './clip/workflow';
import { healthCheckWorkflowType, type HealthCheckWorkflow } from './health/definitions';
import { healthCheckWorkflow } from './health/workflow';
import {
  pruneRateLimitsWorkflowType,
  resumeDeletionsWorkflowType,
  type PruneRateLimitsWorkflow,
  type ResumeDeletionsWorkflow,
} from './maintenance/definitions';
import { pruneRateLimitsWorkflow, resumeDeletionsWorkflow } from './maintenance/workflow';
import { videoWorkflowType, type VideoWorkflow } from './video/definitions';
import { videoWorkflow } from './video/workflow';

export {
  bookingWorkflow,
  clipWorkflow,
  healthCheckWorkflow,
  pruneRateLimitsWorkflow,
  resumeDeletionsWorkflow,
  videoWorkflow,
};

// Compile-time only: each contract's type name is the export name here and its signature matches.
({
  bookingWorkflow,
  clipWorkflow,
  healthCheckWorkflow,
  pruneRateLimitsWorkflow,
  resumeDeletionsWorkflow,
  videoWorkflow,
}) satisfies {
  [bookingWorkflowType]: BookingWorkflow;
  [clipWorkflowType]: ClipWorkflow;
  [healthCheckWorkflowType]: HealthCheckWorkflow;
  [pruneRateLimitsWorkflowType]: PruneRateLimitsWorkflow;
  [resumeDeletionsWorkflowType]: ResumeDeletionsWorkflow;
  [videoWorkflowType]: VideoWorkflow;
};
