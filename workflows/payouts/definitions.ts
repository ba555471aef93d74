import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { AccountReadiness, PayoutFailureCode } from '../../src/domain/payouts/payouts';
import type { ReversalRefusal, TransferReversedReport } from '../../src/domain/payouts/reversals';

// The contracts of the payout family: payout-<coach>-<period> (one run pays the coach's available
// balance), payout-account-<coach> (applies account.updated events in order and keeps the coach's
// payout Schedule in step with them) and payout-reversal-<transfer> (records Stripe's reversals of a
// made payout's transfer). Importing this module never pulls in the implementations.

/** The registered workflow type of one payout run; the coach's Schedule starts it. */
export const payoutWorkflowType = 'payoutWorkflow';
export type PayoutWorkflow = (input: PayoutWorkflowInput) => Promise<PayoutWorkflowResult>;

export interface PayoutWorkflowInput {
  coachId: string;
  /**
   * The period paid for. Absent when the Schedule starts the run: it is then the nominal time the
   * Schedule appended to the workflow id (src/domain/payouts/payouts.ts payoutPeriod).
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

/** The registered type of payout-reversal-<transferId>: Stripe's transfer.reversed for a made payout. */
export const payoutReversalWorkflowType = 'payoutReversalWorkflow';
export type PayoutReversalWorkflow = (
  input: PayoutReversalWorkflowInput,
) => Promise<PayoutReversalWorkflowResult>;

export interface PayoutReversalWorkflowInput {
  payoutId: string;
  coachId: string;
  transferId: string;
}

export interface PayoutReversalWorkflowResult {
  /** Events taken from the inbox (a redelivered event id counts once). */
  events: number;
  /** Reversals posted to the ledger by this run. */
  posted: number;
  /** Events refused: unreadable, or not matching the payout (nothing of them was posted). */
  refused: number;
  /** The payout's reversed total after the last applied event (null when none was applied). */
  reversedMinor: number | null;
}

/** payout-reversal-<transferId>: one per transfer, so its events are applied one at a time. */
export const payoutReversalWorkflowId = (transferId: string) => `payout-reversal-${transferId}`;

/** A transfer.reversed event for one of our payouts' transfers, forwarded by the webhook handler. */
export interface TransferReversedSignal {
  eventId: string;
  /** The event's Transfer, read by readTransferReversed; null when it could not be read (problem says why). */
  report: TransferReversedReport | null;
  problem: string | null;
}

export const transferReversedSignal = defineSignal<[TransferReversedSignal]>('transferReversed');

/** The Query tab of payout-reversal-<transfer>. */
export interface PayoutReversalWorkflowState extends PayoutReversalWorkflowResult {
  payoutId: string;
  waiting: number;
  /** Why the last refused event was refused. */
  lastRefusal: string | null;
}

export const payoutReversalStateQuery = defineQuery<PayoutReversalWorkflowState>('state');

/** One reversal as the coach's notice shows it. */
export interface ReversalNotice {
  reversalId: string;
  amountMinor: number;
}

/** What applyTransferReversals did with one event. */
export type TransferReversalResult =
  | {
      outcome: 'applied';
      /** Posted by this call. */
      posted: ReversalNotice[];
      /** Listed by the event and posted before (each is emailed once: the email is deduplicated). */
      known: ReversalNotice[];
      /** The payout's reversed total now. */
      reversedMinor: number;
      fullyReversed: boolean;
      /** Stripe's amount_reversed beyond every reversal posted: reversals whose events are still to come. */
      unlistedMinor: number;
      payout: { amountMinor: number; currency: string; period: string };
      coach: { email: string; name: string };
      settingsUrl: string;
    }
  | { outcome: 'refused'; code: ReversalRefusal; reason: string };

/** Stripe idempotency keys of the payout family, derived from the business ids. */
export const payoutStripeKeys = {
  account: (coachId: string) => `connect-account-${coachId}`,
};
