import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RefundCap } from '../../src/domain/bookings/cancellation';
import { MAX_RESCHEDULE_ATTEMPTS, type BookingStatus } from '../../src/domain/bookings/lifecycle';
import { EventInbox } from '../shared/inbox';
import { DomainStatusAttr } from '../shared/search-attributes';
import {
  DEFAULT_BOOKING_FEE_BPS,
  type BookingCarryOver,
  type BookingSnapshot,
  type BookingWorkflow,
  type BookingWorkflowInput,
  type BookingWorkflowState,
  type PaymentSignal,
} from './definitions';

/** Accepted updates per run before continuing as new: well under the server's limit of 2,000. */
const DEFAULT_UPDATES_PER_RUN = 500;

/**
 * What one run of booking-<id> knows. A run that continues an earlier one starts from what that run
 * knew (carried); a booking's first run from the row the API has just committed (input.snapshot); a
 * run the webhook started, from Postgres (the snapshot is loaded by the main loop).
 */
export class BookingState {
  readonly bookingId: string;
  snapshot: BookingSnapshot | undefined;
  /** Stripe's payment events, each once, applied by the main loop or an update under the lock. */
  readonly payments: EventInbox<PaymentSignal>;
  /** Payments that arrived for a booking that had already ended: refunded in full. */
  readonly latePayments: PaymentSignal[];
  lastPaymentError: string | null;
  refundError: string | null;
  invitedForSequence: number | null;
  remindedForSequence: number | null;
  reminderDueMs: number | null = null;
  /** The side effects of CANCELLED / EXPIRED are done. */
  settled: boolean;
  /** The PaymentIntent is being created: events wait for its id rather than be judged against none. */
  creatingIntent = false;
  /** Bumped by every handler change, to wake the main loop. */
  version = 0;
  /** The times before a move whose invites are not sent yet. */
  previous: { startMs: number; endMs: number } | null;
  /** Reschedule requests accepted over the booking's life (failed ones included). */
  rescheduleAttempts: number;
  /** Set by the athlete's moves inside a refund window (docs/adr/0008). */
  refundCap: RefundCap | null;
  readonly maxRescheduleAttempts: number;
  readonly feeBps: number;
  private readonly updatesPerRun: number;
  updatesThisRun = 0;

  constructor(readonly input: BookingWorkflowInput) {
    const { carried } = input;
    this.bookingId = input.bookingId;
    this.snapshot = carried?.snapshot ?? input.snapshot;
    this.payments = new EventInbox({ seen: carried?.seenEvents, waiting: carried?.inbox });
    this.latePayments = [...(carried?.latePayments ?? [])];
    this.lastPaymentError = carried?.lastPaymentError ?? null;
    this.refundError = carried?.refundError ?? null;
    this.invitedForSequence = carried?.invitedForSequence ?? null;
    this.remindedForSequence = carried?.remindedForSequence ?? null;
    this.settled = carried?.settled ?? false;
    this.previous = carried?.previous ?? null;
    this.rescheduleAttempts = carried?.rescheduleAttempts ?? 0;
    this.refundCap = carried?.refundCap ?? null;
    this.maxRescheduleAttempts = input.maxRescheduleAttempts ?? MAX_RESCHEDULE_ATTEMPTS;
    this.updatesPerRun = input.updatesPerRun ?? DEFAULT_UPDATES_PER_RUN;
    this.feeBps = input.platformFeeBps ?? DEFAULT_BOOKING_FEE_BPS;
  }

  paymentRequired(): boolean {
    return this.snapshot ? this.snapshot.priceMinor > 0 : false;
  }

  /** What POST /api/bookings waits for: confirmed (or ended), or a paid booking's PaymentIntent. */
  readyForCaller(): boolean {
    const b = this.snapshot;
    return (
      b !== undefined && (b.status !== 'PENDING' || (this.paymentRequired() && b.paymentIntentId !== null))
    );
  }

  setStatus(status: BookingStatus): void {
    const b = this.snapshot;
    if (!b) return;
    const changed = b.status !== status;
    b.status = status;
    if (changed) {
      upsertSearchAttributes([{ key: DomainStatusAttr, value: status }]);
      log.info('booking status', { bookingId: this.bookingId, status });
    }
  }

  /** The party fields of a payment or refund's ledger draft, at workflow time now. */
  ledgerParties(s: BookingSnapshot, amountMinor: number) {
    return {
      reference: `booking:${s.id}`,
      studentId: s.athlete.id,
      coachId: s.coach.id,
      amountMinor,
      currency: s.currency,
      feeBps: this.feeBps,
      occurredAt: new Date(Date.now()).toISOString(),
    };
  }

  view(): BookingWorkflowState {
    const b = this.snapshot;
    return {
      bookingId: this.bookingId,
      loaded: b !== undefined,
      status: b?.status ?? 'LOADING',
      start: b ? new Date(b.startMs).toISOString() : null,
      end: b ? new Date(b.endMs).toISOString() : null,
      sequence: b?.sequence ?? 0,
      paymentRequired: this.paymentRequired(),
      paymentIntentId: b?.paymentIntentId ?? null,
      paid: b?.paid ?? false,
      lastPaymentError: this.lastPaymentError,
      holdExpiresAt:
        b && b.status === 'PENDING' && this.paymentRequired()
          ? new Date(b.createdAtMs + this.input.holdTimeoutMs).toISOString()
          : null,
      reminderDueAt: this.reminderDueMs === null ? null : new Date(this.reminderDueMs).toISOString(),
      remindedForSequence: this.remindedForSequence,
      invitedForSequence: this.invitedForSequence,
      refund: {
        dueMinor: b?.refundDueMinor ?? 0,
        refundedMinor: b?.refundedMinor ?? 0,
        refundId: b?.refundId ?? null,
        error: this.refundError,
      },
      rescheduleAttempts: this.rescheduleAttempts,
      refundCap: this.refundCap,
    };
  }

  /**
   * Time to hand over to a new run: this run's update budget is used or Temporal suggests it. Never
   * while bookingReady may be waiting for the main loop (the intent or the confirmation), since the
   * hand-over waits for every handler to finish.
   */
  continueAsNewDue(): boolean {
    return (
      (this.updatesThisRun >= this.updatesPerRun || workflowInfo().continueAsNewSuggested) &&
      this.readyForCaller()
    );
  }

  /**
   * Sleeps up to `ms`, waking early on a payment event, a handler's change or when the run should
   * continue as new. True when woken early.
   */
  async sleepUnlessChanged(ms: number): Promise<boolean> {
    const v = this.version;
    return condition(() => this.payments.length > 0 || this.version !== v || this.continueAsNewDue(), ms);
  }

  /** Hands this run's state to a new run once every handler has finished (none is cut off). */
  async continueAsNew(): Promise<never> {
    await condition(allHandlersFinished);
    const { seen, waiting } = this.payments.carryOver();
    const carry: BookingCarryOver = {
      snapshot: this.snapshot!,
      inbox: waiting,
      seenEvents: seen,
      latePayments: this.latePayments,
      lastPaymentError: this.lastPaymentError,
      refundError: this.refundError,
      invitedForSequence: this.invitedForSequence,
      remindedForSequence: this.remindedForSequence,
      previous: this.previous,
      settled: this.settled,
      rescheduleAttempts: this.rescheduleAttempts,
      refundCap: this.refundCap,
    };
    log.info('booking run continues as new', {
      bookingId: this.bookingId,
      updatesThisRun: this.updatesThisRun,
    });
    return continueAsNew<BookingWorkflow>({ ...this.input, snapshot: undefined, carried: carry });
  }
}
