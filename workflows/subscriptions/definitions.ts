import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { OrgSeatTier, Role } from '../../src/domain/subscriptions/plans';
import type { ChangeTiming } from '../../src/domain/subscriptions/requests';
import type { PlanChoice } from '../../src/domain/subscriptions/catalogue';
import type { SubscriptionFacts, SubscriptionStatus } from '../../src/domain/subscriptions/state';

// The contract of subscription-<userId>: what the API, the Stripe webhook router and the activities
// exchange with a user's subscription workflow. Importing this module never pulls in the workflow.

export const subscriptionWorkflowType = 'subscriptionWorkflow';
export type SubscriptionWorkflow = (input: SubscriptionWorkflowInput) => Promise<void>;

/** Durations come from config through the input: workflow code never reads the environment. */
export interface SubscriptionSettings {
  /** SUBSCRIPTION_DUNNING_SCHEDULE in ms after the first failed renewal; the last one downgrades. */
  dunningScheduleMs: number[];
  /** SUBSCRIPTION_GRACE_PERIOD. */
  graceMs: number;
  /** SUBSCRIPTION_GRACE_REMINDERS: leads before the grace period's end. */
  graceRemindersMs: number[];
  /** For the delete-mode video runs the grace period's end starts. */
  mediaTaskQueue: string;
  uploadTimeoutMs: number;
  /** Stripe events after which a run continues as new (also at each period and when suggested); default 500. */
  eventsPerRun?: number;
}

export interface SubscriptionWorkflowInput {
  userId: string;
  settings: SubscriptionSettings;
  /** What the previous run knew, when this run continues it. */
  carried?: SubscriptionCarryOver;
}

export interface Dunning {
  startedAtMs: number;
  /** Dunning emails sent so far (the last one is the downgrade notice). */
  sent: number;
  /** Where the customer pays the open invoice with another card. */
  payUrl: string | null;
}

export interface Grace {
  endsAtMs: number;
  remindersSent: number;
  /** The role the videos were stored under (for the emails). */
  from: Role;
}

export interface SubscriptionCarryOver {
  facts: SubscriptionFacts;
  customerId: string | null;
  subscriptionId: string | null;
  /** Subscriptions created so far: keys each creation's Stripe call. */
  generation: number;
  /** Changes made at Stripe so far (plan, cancel, resume): keys each call. */
  opSeq: number;
  /** A downgrade waiting for the period end. */
  pending: PlanChoice | null;
  seenEvents: string[];
  dunning: Dunning | null;
  grace: Grace | null;
  /** The user's role after billing last wrote (or declined to write) it; null: not yet asked. */
  appliedRole: Role | null;
  /** The role billing last asked for. */
  targetRole: Role | null;
}

/**
 * A Stripe event as the webhook router normalised it. `createdMs` is the event's `created`; absent
 * fields say nothing (an invoice event says nothing about cancel_at_period_end).
 */
export interface StripeSubscriptionEvent {
  eventId: string;
  type: string;
  createdMs: number;
  subscriptionId: string | null;
  status?: SubscriptionStatus;
  plan?: PlanChoice | null;
  periodEndMs?: number | null;
  cancelAtPeriodEnd?: boolean;
  /** invoice.payment_failed: the hosted invoice page, where another card can pay it. */
  payUrl?: string | null;
}

export interface SubscribeRequest {
  choice: PlanChoice;
}
export interface SubscribeOutcome {
  status: SubscriptionStatus;
  subscriptionId: string;
  /** The client confirms the first payment with the secret stored on the subscriptions row. */
  needsPayment: boolean;
}

export interface ChangeRequest {
  choice: PlanChoice;
  when?: ChangeTiming;
}
export interface ChangeOutcome {
  plan: PlanChoice;
  /** now: the plan changed (prorated invoice); period_end: scheduled as `pending`. */
  effective: ChangeTiming;
  pending: PlanChoice | null;
}

export interface CancelRequest {
  immediately: boolean;
  actorIsOperator: boolean;
}

export interface SubscriptionState {
  userId: string;
  status: SubscriptionStatus;
  plan: PlanChoice | null;
  role: Role;
  cancelAtPeriodEnd: boolean;
  currentPeriodEnd: string | null;
  pending: PlanChoice | null;
  watermark: string | null;
  dunning: { startedAt: string; sent: number } | null;
  graceEndsAt: string | null;
  customerId: string | null;
  subscriptionId: string | null;
  seatTier: OrgSeatTier | null;
}

export const stripeSubscriptionEventSignal = defineSignal<[StripeSubscriptionEvent]>('stripeEvent');
export const subscribeUpdate = defineUpdate<SubscribeOutcome, [SubscribeRequest]>('subscribe');
export const changePlanUpdate = defineUpdate<ChangeOutcome, [ChangeRequest]>('changePlan');
export const cancelSubscriptionUpdate = defineUpdate<SubscriptionState, [CancelRequest]>('cancel');
export const resumeSubscriptionUpdate = defineUpdate<SubscriptionState, []>('resume');
export const subscriptionStateQuery = defineQuery<SubscriptionState>('state');

/** Failure types the updates refuse with; `details[0]` is the domain problem code, `details[1]` the field. */
export const SubscriptionFailure = {
  /** The request is wrong (unknown plan, same plan, a field) → 400. */
  InvalidRequest: 'InvalidRequest',
  /** The subscription's state forbids it → 409. */
  InvalidTransition: 'InvalidTransition',
  /** Only operators → 403. */
  Forbidden: 'Forbidden',
} as const;

/** Stripe idempotency keys: derived from the workflow and its step counters, so a retried or replayed step sends the same key. */
export const subscriptionKeys = {
  customer: (userId: string) => `subscription-${userId}-customer`,
  create: (userId: string, generation: number) => `subscription-${userId}-create-${generation}`,
  op: (userId: string, opSeq: number) => `subscription-${userId}-op-${opSeq}`,
};
