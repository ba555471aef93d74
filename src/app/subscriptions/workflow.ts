import { WithStartWorkflowOperation } from '@temporalio/client';
import type { Config } from '../../infra/config';
import type { Deps } from '../../infra/deps';
import {
  subscriptionWorkflowType,
  type SubscriptionWorkflow,
  type SubscriptionWorkflowInput,
} from '../../../workflows/subscriptions/definitions';
import { workflowIds } from '../../../workflows/shared/ids';
import { DomainStatusAttr, UserIdAttr } from '../../../workflows/shared/search-attributes';

// How the API and the Stripe webhook reach subscription-<userId>: every call starts the user's
// workflow if it is not running yet (update-with-start / signal-with-start), so the first subscribe
// and an event for a user whose run has not started both land in one place.

type Cfg = Pick<
  Config,
  | 'SUBSCRIPTION_DUNNING_SCHEDULE'
  | 'SUBSCRIPTION_GRACE_PERIOD'
  | 'SUBSCRIPTION_GRACE_REMINDERS'
  | 'TEMPORAL_MEDIA_TASK_QUEUE'
  | 'VIDEO_UPLOAD_TIMEOUT'
  | 'TEMPORAL_TASK_QUEUE'
>;

export function subscriptionWorkflowInput(cfg: Cfg, userId: string): SubscriptionWorkflowInput {
  return {
    userId,
    settings: {
      dunningScheduleMs: [...cfg.SUBSCRIPTION_DUNNING_SCHEDULE],
      graceMs: cfg.SUBSCRIPTION_GRACE_PERIOD,
      graceRemindersMs: [...cfg.SUBSCRIPTION_GRACE_REMINDERS].sort((a, b) => b - a),
      mediaTaskQueue: cfg.TEMPORAL_MEDIA_TASK_QUEUE,
      uploadTimeoutMs: cfg.VIDEO_UPLOAD_TIMEOUT,
    },
  };
}

/** Start options of subscription-<userId>: findable by UserId in the Temporal UI. */
export function subscriptionStartOptions(cfg: Cfg, userId: string) {
  return {
    taskQueue: cfg.TEMPORAL_TASK_QUEUE,
    workflowId: workflowIds.subscription(userId),
    args: [subscriptionWorkflowInput(cfg, userId)] as [SubscriptionWorkflowInput],
    typedSearchAttributes: [
      { key: UserIdAttr, value: userId },
      { key: DomainStatusAttr, value: 'NONE' },
    ],
  };
}

/** The start half of an update-with-start: joins the user's running workflow, or starts it. */
export function subscriptionStartOperation(deps: Pick<Deps, 'cfg'>, userId: string) {
  return new WithStartWorkflowOperation<SubscriptionWorkflow>(subscriptionWorkflowType, {
    ...subscriptionStartOptions(deps.cfg, userId),
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}
