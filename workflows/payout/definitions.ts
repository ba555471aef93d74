import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AccountReadiness, PayoutFailureCode } from '../../src/domain/billing/payouts';

// The contracts of the payout family: payout-<coach>-<period> (one run pays the coach's available
// balance) and payout-account-<coach> (applies account.updated events in order and keeps the coach's
// payout Schedule in step with them). Importing this module never pulls in the implementations.

/** The registered workflow type of one payout run; the coach's Schedule starts it. */
export const payoutWorkflowType = 'payoutWorkflow';
export type PayoutWorkflow = (input: PayoutWorkflowInput) => Promise<PayoutWorkflowResult>;

export interface PayoutWorkflowInput {
  coachId: string;
  /**
   * The period paid for. Absent when the Schedule starts the run: it is then the nominal time the
   * Schedule appended to the workflow id (src/domain/billing/payouts.ts payoutPeriod).
   */
  period?: string;
}

export type PayoutRunStatus = 'skipped' | 'paid' | 'failed' | 'partly_failed';

export interface PayoutOutcome {
  payoutId: string;
  currency: string;
  amountMinor: number;
  status: 'paid' | 'failed';
  transferId: string | null;
  failureReason: string | null;
}

export interface PayoutWorkflowResult {
  status: PayoutRunStatus;
  period: string;
  payouts: PayoutOutcome[];
}

export interface PayoutWorkflowState {
  coachId: string;
  period: string | null;
  phase: 'preparing' | 'transferring' | 'done';
  payouts: {
    payoutId: string;
    currency: string;
    amountMinor: number;
    status: 'pending' | 'in_transit' | 'paid' | 'failed';
    failureReason: string | null;
  }[];
}

export const payoutStateQuery = defineQuery<PayoutWorkflowState>('state');

/** The Query tab of payout-account-<coach>: events applied so far, waiting, and the Schedule's state. */
export interface PayoutAccountWorkflowState {
  coachId: string;
  applied: number;
  waiting: number;
  schedule: ScheduleSyncOutcome;
}

export const payoutAccountStateQuery = defineQuery<PayoutAccountWorkflowState>('state');

/** A payout the run owns, as preparePayouts recorded (or, on a rerun, found) it. */
export interface PreparedPayout {
  payoutId: string;
  currency: string;
  amountMinor: number;
  status: 'pending' | 'in_transit' | 'paid' | 'failed';
  failureReason: string | null;
}

/** What failPayout hands back for the coach's email. */
export interface PayoutFailureNotice {
  coach: { email: string; name: string };
  /** The row is failed now (just now or before); false when its transfer went through after all. */
  failed: boolean;
  /** Where the coach manages payouts (PUBLIC_APP_URL/coach/payouts), for the email's link. */
  settingsUrl: string;
}

/**
 * ApplicationFailure types of the payout activities. The first three end a payout `failed` (with
 * the reason in the failure's message); anything else is retried with backoff.
 */
export const PayoutFailure = {
  NoAccount: 'PayoutNoAccount',
  PayoutsDisabled: 'PayoutPayoutsDisabled',
  TransferRejected: 'PayoutTransferRejected',
} as const;
export const PAYOUT_NON_RETRYABLE = Object.values(PayoutFailure);

/** The failure's details carry the code (PayoutFailureCode) beside the coach-facing message. */
export interface PayoutFailureDetails {
  code: PayoutFailureCode;
}

/** The registered type of the per-coach account workflow (payout-account-<coach>). */
export const payoutAccountWorkflowType = 'payoutAccountWorkflow';
export type PayoutAccountWorkflow = (
  input: PayoutAccountWorkflowInput,
) => Promise<PayoutAccountWorkflowResult>;

export interface PayoutAccountWorkflowInput {
  coachId: string;
}

export interface PayoutAccountWorkflowResult {
  applied: number;
  schedule: ScheduleSyncOutcome;
}

export type ScheduleSyncOutcome = 'active' | 'paused' | 'absent';

/** An account.updated event for the coach's connected account, forwarded by the webhook handler. */
export interface AccountUpdatedSignal {
  eventId: string;
  stripeAccountId: string;
  /** The event's `created`, epoch ms: an older event than the one applied changes nothing. */
  eventAtMs: number;
  readiness: AccountReadiness;
}

export const accountUpdatedSignal = defineSignal<[AccountUpdatedSignal]>('accountUpdated');

/** payout-account-<coachId>: one per coach, so the coach's events and schedule changes run one at a time. */
export const payoutAccountWorkflowId = (coachId: string) => `payout-account-${coachId}`;

/** Stripe idempotency keys of the payout family, derived from the business ids. */
export const payoutStripeKeys = {
  account: (coachId: string) => `connect-account-${coachId}`,
  transfer: (payoutId: string) => `payout-${payoutId}-transfer`,
};
