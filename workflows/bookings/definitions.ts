import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CardPaymentSignal } from '../../src/domain/payments/events';
import type { BookingStatus, CancelledBy } from '../../src/domain/bookings/lifecycle';
import type { SlotProblem } from '../../src/domain/availability/slot-check';
import type { CancellationPolicy, RefundCap } from '../../src/domain/bookings/cancellation';
import { StripeFailure } from '../shared/failures';

// The contract of booking-<id>: what the API, the Stripe webhook and the activities exchange with the
// booking workflow. Importing this module never pulls in the workflow's implementation.

/** The registered workflow type; start it with `client.workflow.start<BookingWorkflow>(bookingWorkflowType, …)`. */
export const bookingWorkflowType = 'bookingWorkflow';
export type BookingWorkflow = (input: BookingWorkflowInput) => Promise<BookingWorkflowResult>;

export interface BookingWorkflowInput {
  bookingId: string;
  holdTimeoutMs: number;
  reminderLeadMs: number;
  noShowWindowMs: number;
  /**
   * The booking as the API has just committed it, so the first run needs no read of its own. Absent
   * when the Stripe webhook starts the run (the booking may have changed since): it is loaded then.
   */
  snapshot?: BookingSnapshot;
  /**
   * How long a run without `snapshot` waits for the booking row to become visible before ending as
   * MISSING (the API now commits before it starts the workflow; a run for an id that never committed
   * still ends); default 1 minute.
   */
  rowWaitMs?: number;
  /** Reschedule requests accepted over the booking's life, failed ones included; default MAX_RESCHEDULE_ATTEMPTS. */
  maxRescheduleAttempts?: number;
  /**
   * Accepted updates after which a run continues as new (also when Temporal suggests it); default
   * 500, well under the server's 2,000 per run.
   */
  updatesPerRun?: number;
  /** What the previous run knew, when this run continues it; absent on a booking's first run. */
  carried?: BookingCarryOver;
  /**
   * Platform fee in basis points for this booking's ledger entries (PLATFORM_FEE_BPS when it
   * started); runs started before it existed use DEFAULT_BOOKING_FEE_BPS.
   */
  platformFeeBps?: number;
}

/** The fee rate of runs started before the rate was part of the input (PLATFORM_FEE_BPS's default). */
export const DEFAULT_BOOKING_FEE_BPS = 1000;

/** A run's state handed to the run that continues it (continue-as-new), so nothing is redone or lost. */
export interface BookingCarryOver {
  snapshot: BookingSnapshot;
  /** Payment events received but not yet applied. */
  inbox: PaymentSignal[];
  /** Stripe event ids already seen (Stripe redelivers). */
  seenEvents: string[];
  latePayments: PaymentSignal[];
  lastPaymentError: string | null;
  refundError: string | null;
  invitedForSequence: number | null;
  remindedForSequence: number | null;
  /** The times before a move whose invites are not sent yet. */
  previous: { startMs: number; endMs: number } | null;
  settled: boolean;
  rescheduleAttempts: number;
  refundCap: RefundCap | null;
}

/** MISSING: the booking row never committed, so there was nothing to run. */
export interface BookingWorkflowResult {
  status: BookingStatus | 'MISSING';
}

/** A Stripe PaymentIntent event for this booking, forwarded by the webhook router (the payments core's card-payment signal). */
export type PaymentSignal = CardPaymentSignal;

export interface CancelRequest {
  by: CancelledBy;
  actorId: string;
  reason: string;
}

export interface RescheduleRequest {
  by: CancelledBy;
  actorId: string;
  /** ISO-8601 instant. */
  start: string;
}

export interface NoShowRequest {
  actorId: string;
}

export interface BookingWorkflowState {
  bookingId: string;
  loaded: boolean;
  status: BookingStatus | 'LOADING';
  start: string | null;
  end: string | null;
  sequence: number;
  paymentRequired: boolean;
  paymentIntentId: string | null;
  paid: boolean;
  lastPaymentError: string | null;
  holdExpiresAt: string | null;
  /** When the reminder for the current time is (or was) due; null once sent or when none is pending. */
  reminderDueAt: string | null;
  remindedForSequence: number | null;
  invitedForSequence: number | null;
  refund: { dueMinor: number; refundedMinor: number; refundId: string | null; error: string | null };
  /** Reschedule requests accepted so far (failed ones included). */
  rescheduleAttempts: number;
  /** The most a cancellation by the athlete may refund after moves inside a refund window; null = no cap. */
  refundCap: RefundCap | null;
}

export interface CancelOutcome {
  status: BookingStatus;
  refund: { amountMinor: number; percent: number; rule: string } | null;
}

export interface BookingMoved {
  status: BookingStatus;
  start: string;
  end: string;
  sequence: number;
}

export interface BookingReady {
  status: BookingStatus;
  paymentIntentId: string | null;
}

export const paymentSignal = defineSignal<[PaymentSignal]>('payment');
/** Resolves once the booking is confirmed, or (paid) its PaymentIntent exists, or it has ended. */
export const bookingReadyUpdate = defineUpdate<BookingReady, []>('bookingReady');
export const cancelUpdate = defineUpdate<CancelOutcome, [CancelRequest]>('cancel');
export const rescheduleUpdate = defineUpdate<BookingMoved, [RescheduleRequest]>('reschedule');
export const noShowUpdate = defineUpdate<{ status: BookingStatus }, [NoShowRequest]>('markNoShow');
export const bookingStateQuery = defineQuery<BookingWorkflowState>('state');

/**
 * Every ApplicationFailure type the booking workflow and its activities raise. Update failures carry
 * one of the first five to the caller (the API maps them to 400 / 409); the rest stay inside.
 */
export const BookingFailure = {
  /** The request itself is wrong (a field and why in the details) → 400. */
  InvalidRequest: 'InvalidRequest',
  /** The booking's state forbids it → 409. */
  InvalidTransition: 'InvalidTransition',
  /** The new time overlaps another booking → 409. */
  SlotTaken: 'SlotTaken',
  /** The new time is not bookable (outside availability, off the grid, the coach stopped taking bookings) → 409. */
  SlotUnavailable: 'SlotUnavailable',
  /** The booking has used its reschedule requests (MAX_RESCHEDULE_ATTEMPTS) → 409. */
  TooManyRescheduleAttempts: 'TooManyRescheduleAttempts',
  /** The row is not (yet) visible; retried until the workflow's wait for it runs out. */
  BookingNotFound: 'BookingNotFound',
  /** Stripe refused for good (e.g. a disputed charge); not retried. */
  StripeRejected: StripeFailure.Rejected,
  /** An activity failed without a type of its own. */
  ActivityFailed: 'ActivityFailed',
} as const;
export type BookingFailureType = (typeof BookingFailure)[keyof typeof BookingFailure];

/** A slot problem as a failure type: in_past is a mistake in the request; taken means someone got there first; the rest are not slots. */
export function slotFailureType(code: SlotProblem['code']): BookingFailureType {
  if (code === 'taken') return BookingFailure.SlotTaken;
  if (code === 'in_past') return BookingFailure.InvalidRequest;
  return BookingFailure.SlotUnavailable;
}

/** Everything the workflow needs about a booking, as plain data (it goes into workflow history). */
export interface BookingSnapshot {
  id: string;
  status: BookingStatus;
  coach: { id: string; name: string; email: string; timeZone: string };
  athlete: { id: string; name: string; email: string };
  /** The zone the athlete asked to see times in; null = the coach's. */
  athleteTimeZone: string | null;
  service: { id: string; title: string; cancellationPolicy: CancellationPolicy };
  startMs: number;
  endMs: number;
  priceMinor: number;
  currency: string;
  paymentIntentId: string | null;
  paid: boolean;
  amountPaidMinor: number;
  refundDueMinor: number;
  refundedMinor: number;
  refundId: string | null;
  sequence: number;
  rescheduleCount: number;
  createdAtMs: number;
  cancellation: { by: CancelledBy; reason: string; atMs: number; rule: string } | null;
  /** Paid with this package credit (issue 13); absent in snapshots taken before credits existed. */
  creditGrantId?: string | null;
}
