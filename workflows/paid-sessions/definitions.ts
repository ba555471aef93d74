import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { StripeFailure } from '../shared/failures';

// The contract of paid-session-<id> (seed 002): what the API, the heartbeat route, the Stripe webhook
// and the activities exchange with the paid-session workflow. Heartbeats never reach it: they are
// metered by one SQL statement (src/data/paid-sessions.ts); the workflow hears only that the funds
// are used up (one signal) and reads the totals from Postgres when it settles.

export const paidSessionWorkflowType = 'paidSessionWorkflow';
export type PaidSessionWorkflow = (input: PaidSessionWorkflowInput) => Promise<PaidSessionWorkflowResult>;

export type PaidSessionStatus = 'locked' | 'active' | 'completed' | 'cancelled';
export type PaidSessionEndReason = 'completed' | 'idle' | 'funds_used_up' | 'auth_window' | 'stripe_canceled';

export interface PaidSessionWorkflowInput {
  sessionId: string;
  studentId: string;
  coachId: string;
  courseId: string;
  lockedMinor: number;
  currency: string;
  pricePerMinuteMinor: number;
  /** When the session was created (the authorization's clock starts then). */
  lockedAtMs: number;
  /** Platform fee in basis points, from config when the session was created (never read in the workflow). */
  feeBps: number;
  /** No heartbeat for this long ends an active session. */
  idleTimeoutMs: number;
  /** The card authorization's lifetime: the session settles before it lapses (metering.settleDeadlineMs). */
  authWindowMs: number;
  /**
   * The row is settled already (a refund or dispute arriving after the end starts a run for it): the
   * run only applies events, from what the settlement recorded.
   */
  settled?: SettledPaidSession;
}

export interface SettledPaidSession {
  status: Extract<PaidSessionStatus, 'completed' | 'cancelled'>;
  paymentIntentId: string | null;
  capturedMinor: number;
  releasedMinor: number;
  refundedMinor: number;
}

export interface PaidSessionWorkflowResult {
  status: PaidSessionStatus;
  endReason: PaidSessionEndReason | null;
  capturedMinor: number;
  releasedMinor: number;
}

/** A Stripe event about this session's PaymentIntent or its charge, forwarded by the webhook router. */
export interface PaidSessionPaymentSignal {
  eventId: string;
  kind: 'authorised' | 'canceled' | 'refunded' | 'dispute';
  paymentIntentId: string;
  amountMinor: number;
  currency: string;
  /** For refunds: the latest refund's id (the ledger key); amountMinor is then the charge's refunded total. */
  refundId?: string;
}

export interface PaidSessionState {
  sessionId: string;
  status: PaidSessionStatus;
  paymentIntentId: string | null;
  authorised: boolean;
  endReason: PaidSessionEndReason | null;
  settled: boolean;
  capturedMinor: number;
  releasedMinor: number;
  refundedMinor: number;
  settleByMs: number;
}

export const paidSessionPaymentSignal = defineSignal<[PaidSessionPaymentSignal]>('paidSessionPayment');
/** Sent once, by the heartbeat whose cost first reaches the lock. */
export const fundsUsedUpSignal = defineSignal<[]>('fundsUsedUp');
/** Resolves once the PaymentIntent exists (its client secret is on the row, never in history). */
export const paidSessionReadyUpdate = defineUpdate<
  { paymentIntentId: string | null; status: PaidSessionStatus },
  []
>('paidSessionReady');
export const startPaidSessionUpdate = defineUpdate<{ startedAt: string }, []>('startPaidSession');
/** Ends the session and resolves when it is settled. */
export const completePaidSessionUpdate = defineUpdate<PaidSessionWorkflowResult, []>('completePaidSession');
export const paidSessionStateQuery = defineQuery<PaidSessionState>('state');

export const PaidSessionFailure = {
  /** The session's state forbids it (start after the end, start before the card is authorised) → 409. */
  InvalidTransition: 'InvalidTransition',
  StripeRejected: StripeFailure.Rejected,
} as const;
