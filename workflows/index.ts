// The worker's workflow bundle entry: every workflow implementation, exported under the type name
// its contract (definitions.ts) gives clients. Nothing outside a family imports its implementation
// (the API and use cases only contracts: .dependency-cruiser.cjs).
import { bookingWorkflowType, type BookingWorkflow } from './bookings/definitions';
import { bookingWorkflow } from './bookings/workflow';
import { clipWorkflowType, type ClipWorkflow } from './clips/definitions';
import { clipWorkflow } from './clips/workflow';
import { healthCheckWorkflowType, type HealthCheckWorkflow } from './health/definitions';
import { healthCheckWorkflow } from './health/workflow';
import {
  pruneRateLimitsWorkflowType,
  resumeDeletionsWorkflowType,
  type PruneRateLimitsWorkflow,
  type ResumeDeletionsWorkflow,
} from './maintenance/definitions';
import { pruneRateLimitsWorkflow, resumeDeletionsWorkflow } from './maintenance/workflow';
import { paidSessionWorkflowType, type PaidSessionWorkflow } from './paid-sessions/definitions';
import { paidSessionWorkflow } from './paid-sessions/workflow';
import {
  payoutAccountWorkflowType,
  payoutReversalWorkflowType,
  payoutWorkflowType,
  type PayoutAccountWorkflow,
  type PayoutReversalWorkflow,
  type PayoutWorkflow,
} from './payouts/definitions';
import { payoutAccountWorkflow, payoutReversalWorkflow, payoutWorkflow } from './payouts/workflow';
import { subscriptionWorkflowType, type SubscriptionWorkflow } from './subscriptions/definitions';
import { subscriptionWorkflow } from './subscriptions/workflow';
import { purchaseWorkflowType, type PurchaseWorkflow } from './purchases/definitions';
import { purchaseWorkflow } from './purchases/workflow';
import { analyticsRollupWorkflowType, type AnalyticsRollupWorkflow } from './analytics/definitions';
import { analyticsRollupWorkflow } from './analytics/workflow';
import { videoWorkflowType, type VideoWorkflow } from './videos/definitions';
import { videoWorkflow } from './videos/workflow';

export {
  analyticsRollupWorkflow,
  bookingWorkflow,
  purchaseWorkflow,
  clipWorkflow,
  healthCheckWorkflow,
  paidSessionWorkflow,
  payoutAccountWorkflow,
  payoutReversalWorkflow,
  payoutWorkflow,
  pruneRateLimitsWorkflow,
  resumeDeletionsWorkflow,
  subscriptionWorkflow,
  videoWorkflow,
};

// Compile-time only: each contract's type name is the export name here and its signature matches.
({
  analyticsRollupWorkflow,
  bookingWorkflow,
  purchaseWorkflow,
  clipWorkflow,
  healthCheckWorkflow,
  paidSessionWorkflow,
  payoutAccountWorkflow,
  payoutReversalWorkflow,
  payoutWorkflow,
  pruneRateLimitsWorkflow,
  resumeDeletionsWorkflow,
  subscriptionWorkflow,
  videoWorkflow,
}) satisfies {
  [analyticsRollupWorkflowType]: AnalyticsRollupWorkflow;
  [bookingWorkflowType]: BookingWorkflow;
  [purchaseWorkflowType]: PurchaseWorkflow;
  [clipWorkflowType]: ClipWorkflow;
  [healthCheckWorkflowType]: HealthCheckWorkflow;
  [paidSessionWorkflowType]: PaidSessionWorkflow;
  [payoutWorkflowType]: PayoutWorkflow;
  [payoutAccountWorkflowType]: PayoutAccountWorkflow;
  [payoutReversalWorkflowType]: PayoutReversalWorkflow;
  [pruneRateLimitsWorkflowType]: PruneRateLimitsWorkflow;
  [resumeDeletionsWorkflowType]: ResumeDeletionsWorkflow;
  [subscriptionWorkflowType]: SubscriptionWorkflow;
  [videoWorkflowType]: VideoWorkflow;
};
