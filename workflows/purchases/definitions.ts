import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CardPaymentSignal } from '../../src/domain/payments/events';

// The contract of purchase-<id>: what the API, the Stripe webhook and the activities exchange with
// the purchase workflow. Importing this module never pulls in the workflow's implementation.

export const purchaseWorkflowType = 'purchaseWorkflow';
export type PurchaseWorkflow = (input: PurchaseWorkflowInput) => Promise<PurchaseWorkflowResult>;

export type PurchaseStatus = 'PENDING' | 'PAID' | 'EXPIRED' | 'REFUNDED';

export interface PurchaseWorkflowInput {
  purchaseId: string;
  /** After this long unpaid (from the row's creation) the checkout expires and its intent is cancelled. */
  checkoutTimeoutMs: number;
  /** Platform fee in basis points for the ledger (never read from env in workflow code). */
  feeBps: number;
  /** The purchase as the API has just committed it; absent when a webhook or a refund starts the run. */
  snapshot?: PurchaseSnapshot;
  /** How long a run without a snapshot waits for its row to become visible; default 1 minute. */
  rowWaitMs?: number;
}

export interface PurchaseWorkflowResult {
  status: PurchaseStatus | 'MISSING';
}

/** Everything the workflow needs about a purchase, as plain data (it goes into history). */
export interface PurchaseSnapshot {
  id: string;
  status: PurchaseStatus;
  buyer: { id: string; name: string; email: string };
  coach: { id: string; name: string; email: string };
  productId: string;
  title: string;
  amountMinor: number;
  currency: string;
  paymentIntentId: string | null;
  createdAtMs: number;
  refundedMinor: number;
}

/** A PaymentIntent event for this purchase, forwarded by the webhook router (the payments core's card-payment signal). */
export type PurchasePaymentSignal = CardPaymentSignal;

/** charge.refunded for this purchase's charge (a refund made in Stripe, or the echo of ours). */
export interface PurchaseRefundedSignal {
  eventId: string;
  paymentIntentId: string;
  /** Stripe's charge.amount_refunded: the total refunded so far. */
  amountRefundedMinor: number;
  currency: string;
  refundId: string | null;
}

export interface RefundRequest {
  actorId: string;
  /** Minor units; absent = the unused credits' share (src/domain/purchases/refunds.ts). */
  amountMinor?: number;
}

export interface RefundOutcome {
  status: PurchaseStatus;
  refundedMinor: number;
  revokedCredits: number;
  keptCredits: number;
  note: string;
  /** Courses whose access the refund withdrew (absent in outcomes recorded before course packages). */
  revokedCourses?: string[];
}

export interface PurchaseReady {
  status: PurchaseStatus;
  paymentIntentId: string | null;
}

export interface PurchaseWorkflowState {
  purchaseId: string;
  status: PurchaseStatus | 'LOADING';
  paymentIntentId: string | null;
  expiresAt: string | null;
  lastPaymentError: string | null;
  settled: boolean;
  refundedMinor: number;
}

export const purchasePaymentSignal = defineSignal<[PurchasePaymentSignal]>('purchasePayment');
export const purchaseRefundedSignal = defineSignal<[PurchaseRefundedSignal]>('purchaseRefunded');
/** Resolves once the PaymentIntent exists (or the checkout has ended). */
export const purchaseReadyUpdate = defineUpdate<PurchaseReady, []>('purchaseReady');
export const refundPurchaseUpdate = defineUpdate<RefundOutcome, [RefundRequest]>('refundPurchase');
export const purchaseStateQuery = defineQuery<PurchaseWorkflowState>('purchaseState');

export const PurchaseFailure = {
  /** The request is wrong (an amount over what is left) → 400. */
  InvalidRequest: 'InvalidRequest',
  /** The purchase's state forbids it (not paid, already refunded) → 409. */
  InvalidTransition: 'InvalidTransition',
  /** The row is not (yet) visible; retried until the workflow's wait runs out. */
  PurchaseNotFound: 'PurchaseNotFound',
} as const;
