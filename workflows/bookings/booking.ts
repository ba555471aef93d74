import { allHandlersFinished, condition, log, patched, upsertSearchAttributes } from '@temporalio/workflow';
import { cancellationTerms, capAfterReschedule } from '../../src/domain/bookings/cancellation';
import type { BookingStatus } from '../../src/domain/bookings/lifecycle';
import { isoAt, minorUnits, setSummary } from '../shared/memo';
import { Mutex } from '../shared/mutex';
import { profiles } from '../shared/profiles';
import { activities } from '../shared/proxies';
import { BookingIdAttr, CoachIdAttr, DomainStatusAttr, UserIdAttr } from '../shared/search-attributes';
import type {
  BookingMoved,
  BookingReady,
  BookingWorkflowInput,
  BookingWorkflowResult,
  CancelOutcome,
  CancelRequest,
  NoShowRequest,
  PaymentSignal,
  RescheduleRequest,
} from './definitions';
import { remind, sendInvites } from './emails';
import { createPaymentIntent, drainInbox, failureMessage, refundLatePayments } from './payments';
import { db, dbForCaller, dbLocal } from './proxies';
import {
  checkCancel,
  checkCancelRequest,
  checkNoShow,
  checkReschedule,
  checkRescheduleAttempt,
  checkRescheduleRequest,
  failure,
  updateFailure,
} from './requests';
import { settleCancellation, settleExpiry } from './settlement';
import { BookingState } from './state';

/**
 * Runs started before the confirmation became a local activity replay it as an ordinary activity;
 * the marker this patch writes tells a replay which path the run took.
 */
const LOCAL_CONFIRMATION = 'booking-local-confirmation';
/** Runs that created (then cancelled) a PaymentIntent for a hold already expired replay that way. */
const EXPIRE_BEFORE_INTENT = 'booking-expire-before-intent';

/**
 * One booking's run: its state (BookingState), the handlers the workflow function registers, and the
 * main loop. Handlers only record what arrived (the payment signal) or make one guarded change under
 * the lock (updates); the loop does everything slow and re-reads the state after each step.
 */
export class Booking {
  readonly st: BookingState;
  /** The row is inserted in the same transaction that starts this workflow: a run without it waits briefly. */
  private readonly rows;
  /** One state change at a time, in arrival order: handlers and the main loop never interleave their writes. */
  private readonly lock = new Mutex();

  constructor(input: BookingWorkflowInput) {
    this.st = new BookingState(input);
    this.rows = activities(profiles.postgresRowWait(input.rowWaitMs ?? 60_000));
  }

  // ── Handlers ──────────────────────────────────────────────────────────────────────────────────

  receivePayment(event: PaymentSignal): void {
    this.st.payments.receive(event); // Stripe redelivers; the first copy counts
  }

  async ready(): Promise<BookingReady> {
    this.st.updatesThisRun++;
    await condition(() => this.st.readyForCaller());
    const b = this.st.snapshot!;
    return { status: b.status, paymentIntentId: b.paymentIntentId };
  }

  validateCancel(req: CancelRequest): void {
    checkCancelRequest(req);
    if (this.st.snapshot) checkCancel(this.st.snapshot, Date.now());
  }

  async cancel(req: CancelRequest): Promise<CancelOutcome> {
    const { st } = this;
    st.updatesThisRun++;
    await condition(() => st.snapshot !== undefined);
    return this.exclusive(async () => {
      const s = st.snapshot!;
      await drainInbox(st); // a payment that already arrived counts before the policy is applied
      checkCancel(s, Date.now());
      const atMs = Date.now();
      const { refund, rule } = cancellationTerms({
        policy: s.service.cancellationPolicy,
        start: new Date(s.startMs),
        cancelledAt: new Date(atMs),
        cancelledBy: req.by,
        cap: st.refundCap,
        paidMinor: s.paid ? s.amountPaidMinor : null,
        paidWithCredit: Boolean(s.creditGrantId),
      });
      let result;
      try {
        result = await dbForCaller.transitionBooking({
          bookingId: st.bookingId,
          from: ['PENDING', 'CONFIRMED'],
          to: 'CANCELLED',
          cancellation: {
            by: req.by,
            reason: req.reason.trim(),
            atMs,
            refundDueMinor: refund?.refundMinor ?? 0,
            rule,
          },
        });
      } catch (err) {
        throw updateFailure(err);
      }
      s.sequence = result.sequence;
      s.refundDueMinor = refund?.refundMinor ?? 0;
      s.cancellation = { by: req.by, reason: req.reason.trim(), atMs, rule };
      st.setStatus(result.status);
      st.version++;
      if (result.status !== 'CANCELLED')
        throw failure({
          code: 'invalid_transition',
          message: `The booking is ${result.status.toLowerCase()}`,
        });
      return {
        status: result.status,
        refund: refund
          ? { amountMinor: refund.refundMinor, percent: refund.percent, rule: refund.rule }
          : null,
      };
    });
  }

  validateReschedule(req: RescheduleRequest): void {
    const { st } = this;
    checkRescheduleRequest(req);
    const startMs = Date.parse(req.start);
    if (st.snapshot) checkReschedule(st.snapshot, startMs, Date.now());
    checkRescheduleAttempt(
      { used: st.rescheduleAttempts, max: st.maxRescheduleAttempts },
      startMs,
      Date.now(),
    );
  }

  async reschedule(req: RescheduleRequest): Promise<BookingMoved> {
    const { st } = this;
    st.updatesThisRun++;
    st.rescheduleAttempts++; // before the first await: the next request's validator sees it
    await condition(() => st.snapshot !== undefined);
    return this.exclusive(async () => {
      const s = st.snapshot!;
      const startMs = Date.parse(req.start);
      const movedAt = Date.now();
      checkReschedule(s, startMs, movedAt);
      let moved;
      try {
        moved = await dbForCaller.moveBooking({ bookingId: st.bookingId, startMs });
      } catch (err) {
        throw updateFailure(err);
      }
      if (s.startMs !== moved.startMs) {
        st.previous ??= { startMs: s.startMs, endMs: s.endMs };
        st.refundCap = capAfterReschedule({
          policy: s.service.cancellationPolicy,
          cap: st.refundCap,
          previousStart: new Date(s.startMs),
          movedAt: new Date(movedAt),
          movedBy: req.by,
        });
      }
      s.startMs = moved.startMs;
      s.endMs = moved.endMs;
      s.sequence = moved.sequence;
      s.rescheduleCount = moved.rescheduleCount;
      st.version++;
      return {
        status: s.status,
        start: new Date(s.startMs).toISOString(),
        end: new Date(s.endMs).toISOString(),
        sequence: s.sequence,
      };
    });
  }

  validateNoShow(req: NoShowRequest): void {
    if (this.st.snapshot)
      checkNoShow(this.st.snapshot, req.actorId, Date.now(), this.st.input.noShowWindowMs);
  }

  async noShow(req: NoShowRequest): Promise<{ status: BookingStatus }> {
    const { st } = this;
    st.updatesThisRun++;
    await condition(() => st.snapshot !== undefined);
    return this.exclusive(async () => {
      checkNoShow(st.snapshot!, req.actorId, Date.now(), st.input.noShowWindowMs);
      let result;
      try {
        result = await dbForCaller.transitionBooking({
          bookingId: st.bookingId,
          from: ['CONFIRMED', 'COMPLETED'],
          to: 'NO_SHOW',
        });
      } catch (err) {
        throw updateFailure(err);
      }
      st.setStatus(result.status);
      st.version++;
      return { status: result.status };
    });
  }

  // ── Main loop ─────────────────────────────────────────────────────────────────────────────────

  async run(): Promise<BookingWorkflowResult> {
    const { st } = this;
    const { bookingId, input } = st;
    if (!st.snapshot) {
      try {
        st.snapshot = await this.rows.loadBookingSnapshot(bookingId);
      } catch (err) {
        log.warn('booking not found; nothing to do', { bookingId, error: String(err) });
        return { status: 'MISSING' };
      }
      // A run started for a booking that had already ended (a late webhook) only settles late payments.
      if (st.snapshot.status !== 'PENDING') st.settled = true;
    }
    const s = st.snapshot;
    upsertSearchAttributes([
      { key: BookingIdAttr, value: s.id },
      { key: CoachIdAttr, value: s.coach.id },
      { key: UserIdAttr, value: s.athlete.id },
      { key: DomainStatusAttr, value: s.status },
    ]);
    setSummary(
      `Booking of "${s.service.title}" ${isoAt(s.startMs)}–${isoAt(s.endMs)}, ` +
        `${s.priceMinor > 0 ? minorUnits(s.priceMinor, s.currency) : 'free'}; coach ${s.coach.id}, athlete ${s.athlete.id}`,
      { bookingId: s.id, coachId: s.coach.id, athleteId: s.athlete.id, serviceId: s.service.id },
    );
    for (;;) {
      if (st.continueAsNewDue()) await st.continueAsNew();
      await this.exclusive(() => drainInbox(st));
      if (st.latePayments.length > 0) {
        await refundLatePayments(st);
        continue;
      }
      if (s.status === 'PENDING') {
        if (!st.paymentRequired()) {
          await this.transition(
            ['PENDING'],
            'CONFIRMED',
            patched(LOCAL_CONFIRMATION) ? dbLocal.transitionBooking : db.transitionBooking,
          );
          continue;
        }
        // A hold already past its deadline when the run first gets to it (a run started late, such as
        // the repair of a hold whose workflow never started) is released without creating a
        // PaymentIntent nobody could pay in time.
        if (
          !s.paymentIntentId &&
          s.createdAtMs + input.holdTimeoutMs <= Date.now() &&
          patched(EXPIRE_BEFORE_INTENT)
        ) {
          await this.transition(['PENDING'], 'EXPIRED');
          continue;
        }
        if (!s.paymentIntentId) {
          st.creatingIntent = true;
          try {
            s.paymentIntentId = (await createPaymentIntent(bookingId, s)).paymentIntentId;
          } catch (err) {
            st.lastPaymentError = failureMessage(err);
            log.error('payment could not be set up; releasing the slot', {
              bookingId,
              error: st.lastPaymentError,
            });
            st.creatingIntent = false;
            await this.transition(['PENDING'], 'EXPIRED');
          } finally {
            st.creatingIntent = false;
          }
          continue;
        }
        const left = s.createdAtMs + input.holdTimeoutMs - Date.now();
        if (left > 0) {
          await st.sleepUnlessChanged(left);
          continue;
        }
        await this.transition(['PENDING'], 'EXPIRED');
        continue;
      }
      if (s.status === 'CONFIRMED') {
        if (st.invitedForSequence !== s.sequence) {
          await sendInvites(st);
          continue;
        }
        if (st.remindedForSequence !== s.sequence) {
          const sequence = s.sequence;
          st.reminderDueMs = s.startMs - input.reminderLeadMs;
          const left = st.reminderDueMs - Date.now();
          if (left > 0 && (await st.sleepUnlessChanged(left))) continue;
          if (s.status !== 'CONFIRMED' || s.sequence !== sequence) continue;
          if (Date.now() < s.startMs) await remind(st, sequence);
          else st.remindedForSequence = sequence; // confirmed after the start (a backlog): no point reminding
          continue;
        }
        const left = s.endMs - Date.now();
        if (left > 0) {
          await st.sleepUnlessChanged(left);
          continue;
        }
        await this.transition(['CONFIRMED'], 'COMPLETED');
        continue;
      }
      if (s.status === 'CANCELLED' && !st.settled) {
        await settleCancellation(st);
        st.settled = true;
        continue;
      }
      if (s.status === 'EXPIRED' && !st.settled) {
        await settleExpiry(st);
        st.settled = true;
        continue;
      }
      if (s.status === 'COMPLETED') {
        const left = s.endMs + input.noShowWindowMs - Date.now();
        if (left > 0) {
          await st.sleepUnlessChanged(left);
          continue;
        }
      }
      // CANCELLED / EXPIRED (settled), NO_SHOW, or COMPLETED past the no-show window.
      await condition(allHandlersFinished);
      await this.exclusive(() => drainInbox(st));
      if (st.latePayments.length > 0 || st.payments.length > 0) continue;
      return { status: s.status };
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.runExclusive(fn);
  }

  /** A main-loop transition; payments that arrived first are applied first (a payment beats the hold timer). */
  private async transition(
    from: BookingStatus[],
    target: BookingStatus,
    step: typeof db.transitionBooking = db.transitionBooking,
  ): Promise<void> {
    await this.exclusive(async () => {
      await drainInbox(this.st);
      if (!from.includes(this.st.snapshot!.status)) return;
      const result = await step({ bookingId: this.st.bookingId, from, to: target });
      this.st.setStatus(result.status);
    });
  }
}
