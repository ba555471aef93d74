// Over 400 lines on purpose: the handlers and the main loop share one booking's state (the snapshot,
// the payment inbox, what was sent for which SEQUENCE) in this closure, and read best together.
// Contracts, update checks and emails are in definitions.ts, requests.ts and emails.ts.

import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { DefaultActivities } from '../../activities';
import { MAX_RESCHEDULE_ATTEMPTS, type BookingStatus } from '../../src/domain/bookings/lifecycle';
import { capAfterReschedule, refundFor, type RefundCap } from '../../src/domain/bookings/cancellation';
import { ledger, type LedgerTransactionDraft } from '../../src/domain/payments/ledger';
import { creditReturnedOnCancel } from '../../src/domain/purchases/credits';
import { Mutex } from '../shared/mutex';
import { isoAt, minorUnits, setSummary } from '../shared/memo';
import { profiles } from '../shared/profiles';
import { BookingIdAttr, CoachIdAttr, DomainStatusAttr, UserIdAttr } from '../shared/search-attributes';
import {
  bookingReadyUpdate,
  bookingStateQuery,
  cancelUpdate,
  DEFAULT_BOOKING_FEE_BPS,
  noShowUpdate,
  paymentSignal,
  rescheduleUpdate,
  type BookingCarryOver,
  type BookingSnapshot,
  type BookingWorkflow,
  type BookingWorkflowInput,
  type BookingWorkflowResult,
  type BookingWorkflowState,
  type PaymentSignal,
} from './definitions';
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
import { sendCancelled, sendConfirmation, sendExpired, sendReminders, sendRescheduled } from './emails';

// booking-<id>: one booking from its PENDING insert to COMPLETED / NO_SHOW / CANCELLED / EXPIRED.
//
//   PENDING ── payment signal (or free) ──> CONFIRMED ── invites ── reminder timer ── end ──> COMPLETED
//      │                                        │                                              │
//      └── hold timeout ──> EXPIRED             └── cancel update ──> CANCELLED (refund, CANCEL)  └── no-show update ──> NO_SHOW
//
// Handlers only record what arrived (signals) or make one guarded state change (updates); the main
// loop does everything slow (Stripe, email) and re-reads the state after each step, so a reschedule
// re-arms the reminder and a cancellation stops whatever was next. Every wait is an input, so tests
// run the whole lifecycle with short durations.
//
// Temporal accepts at most 2,000 updates per run. Requests the validators can judge are refused
// before acceptance (they do not count), reschedule requests are bounded per booking, and a run
// that has taken `updatesPerRun` updates (or is told history is long) continues as new with its
// state in the input (BookingCarryOver), so a booking stays changeable however long it lives.

// The main loop's writes are retried until they succeed; an update's are bounded, so its caller gets an answer.
const { transitionBooking } = proxyActivities<DefaultActivities>(profiles.postgres);
const { transitionBooking: transitionForCaller, moveBooking } = proxyActivities<DefaultActivities>(
  profiles.postgresForCaller,
);
const { createBookingPaymentIntent, cancelBookingPaymentIntent, recordLatePayment, refundBookingPayment } =
  proxyActivities<DefaultActivities>(profiles.stripe);
// A free booking's confirmation, which POST /api/bookings waits on, runs inside the workflow task
// (docs/adr/0011): a conditional update, so a re-run after a lost workflow task changes nothing.
const { transitionBooking: transitionLocally } = proxyLocalActivities<DefaultActivities>(
  profiles.postgresLocal,
);
// So does a paid booking's PaymentIntent, which the same request waits on: Stripe's idempotency key
// and the conditional record of the intent make a re-run after a lost task harmless.
const { createBookingPaymentIntent: createPaymentIntentLocally } = proxyLocalActivities<DefaultActivities>(
  profiles.stripeLocal,
);

/**
 * Runs started before the confirmation became a local activity replay it as an ordinary activity;
 * the marker this patch writes tells a replay which path the run took.
 */
const LOCAL_CONFIRMATION = 'booking-local-confirmation';
/** Runs that created the PaymentIntent in an ordinary activity replay it as one. */
const LOCAL_PAYMENT_INTENT = 'booking-local-payment-intent';
/** Runs that created (then cancelled) a PaymentIntent for a hold already expired replay that way. */
const EXPIRE_BEFORE_INTENT = 'booking-expire-before-intent';

// Payments and refunds post to the ledger (docs/adr/0013). Runs started before that replay without it:
// the marker this patch writes says the run takes the ledger steps.
const BOOKING_LEDGER = 'booking-ledger';
const { postLedgerTransactions } = proxyActivities<DefaultActivities>(profiles.postgres);

// Package credits (issue 13): a cancellation within policy gives the credit back; the first
// confirmation records a booking_created analytics event. Runs started before replay without them.
const BOOKING_CREDITS = 'booking-credits';
const BOOKING_ANALYTICS = 'booking-analytics';
const { returnBookingCredit, recordAnalyticsEvents } = proxyActivities<DefaultActivities>(profiles.postgres);

/** Accepted updates per run before continuing as new: well under the server's limit of 2,000. */
const DEFAULT_UPDATES_PER_RUN = 500;

export async function bookingWorkflow(input: BookingWorkflowInput): Promise<BookingWorkflowResult> {
  const { bookingId, carried } = input;

  // The row is inserted in the same transaction that starts this workflow: wait briefly for it.
  const { loadBookingSnapshot } = proxyActivities<DefaultActivities>(
    profiles.postgresRowWait(input.rowWaitMs ?? 60_000),
  );

  // A run that continues an earlier one starts from what that run knew (carried); a booking's first
  // run from the row the API has just committed (input.snapshot); a run the webhook started, from Postgres.
  let b: BookingSnapshot | undefined = carried?.snapshot ?? input.snapshot;
  const inbox: PaymentSignal[] = [...(carried?.inbox ?? [])];
  const seenEvents = new Set<string>(carried?.seenEvents ?? []);
  /** Payments that arrived for a booking that had already ended: refunded in full. */
  const latePayments: PaymentSignal[] = [...(carried?.latePayments ?? [])];
  let lastPaymentError: string | null = carried?.lastPaymentError ?? null;
  let refundError: string | null = carried?.refundError ?? null;
  let invitedForSequence: number | null = carried?.invitedForSequence ?? null;
  let remindedForSequence: number | null = carried?.remindedForSequence ?? null;
  let reminderDueMs: number | null = null;
  let settled = carried?.settled ?? false; // the side effects of CANCELLED / EXPIRED are done
  let creatingIntent = false;
  let version = 0; // bumped by every handler change, to wake the main loop
  let previous: { startMs: number; endMs: number } | null = carried?.previous ?? null;
  /** Reschedule requests accepted over the booking's life (failed ones included). */
  let rescheduleAttempts = carried?.rescheduleAttempts ?? 0;
  /** Set by the athlete's moves inside a refund window (docs/adr/0008). */
  let refundCap: RefundCap | null = carried?.refundCap ?? null;
  const maxRescheduleAttempts = input.maxRescheduleAttempts ?? MAX_RESCHEDULE_ATTEMPTS;
  const updatesPerRun = input.updatesPerRun ?? DEFAULT_UPDATES_PER_RUN;
  let updatesThisRun = 0;

  // One state change at a time, in arrival order: handlers and the main loop never interleave their writes.
  const lock = new Mutex();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => lock.runExclusive(fn);

  const feeBps = input.platformFeeBps ?? DEFAULT_BOOKING_FEE_BPS;
  /**
   * Posts a payment or refund to the ledger (idempotent by key). A draft the ledger refuses is a bug
   * to fix there, not a reason to stop the booking's lifecycle: logged, and the lifecycle goes on.
   */
  async function postToLedger(make: () => LedgerTransactionDraft): Promise<void> {
    if (!patched(BOOKING_LEDGER)) return;
    try {
      await postLedgerTransactions([make()]);
    } catch (err) {
      log.error('ledger posting failed', { bookingId, error: String(err) });
    }
  }
  const ledgerParties = (s: BookingSnapshot, amountMinor: number) => ({
    reference: `booking:${s.id}`,
    studentId: s.athlete.id,
    coachId: s.coach.id,
    amountMinor,
    currency: s.currency,
    feeBps,
    occurredAt: new Date(Date.now()).toISOString(),
  });

  const paymentRequired = () => (b ? b.priceMinor > 0 : false);
  function setStatus(status: BookingStatus) {
    if (!b) return;
    const changed = b.status !== status;
    b.status = status;
    if (changed) {
      upsertSearchAttributes([{ key: DomainStatusAttr, value: status }]);
      log.info('booking status', { bookingId, status });
    }
  }

  function stateView(): BookingWorkflowState {
    return {
      bookingId,
      loaded: b !== undefined,
      status: b?.status ?? 'LOADING',
      start: b ? new Date(b.startMs).toISOString() : null,
      end: b ? new Date(b.endMs).toISOString() : null,
      sequence: b?.sequence ?? 0,
      paymentRequired: paymentRequired(),
      paymentIntentId: b?.paymentIntentId ?? null,
      paid: b?.paid ?? false,
      lastPaymentError,
      holdExpiresAt:
        b && b.status === 'PENDING' && paymentRequired()
          ? new Date(b.createdAtMs + input.holdTimeoutMs).toISOString()
          : null,
      reminderDueAt: reminderDueMs === null ? null : new Date(reminderDueMs).toISOString(),
      remindedForSequence,
      invitedForSequence,
      refund: {
        dueMinor: b?.refundDueMinor ?? 0,
        refundedMinor: b?.refundedMinor ?? 0,
        refundId: b?.refundId ?? null,
        error: refundError,
      },
      rescheduleAttempts,
      refundCap,
    };
  }

  /**
   * Time to hand over to a new run: this run's update budget is used or Temporal suggests it. Never
   * while bookingReady may be waiting for the main loop (the intent or the confirmation), since the
   * hand-over waits for every handler to finish.
   */
  const continueAsNewDue = () =>
    (updatesThisRun >= updatesPerRun || workflowInfo().continueAsNewSuggested) &&
    b !== undefined &&
    !(b.status === 'PENDING' && !(paymentRequired() && b.paymentIntentId !== null));

  /** Hands this run's state to a new run once every handler has finished (none is cut off). */
  async function continueAsNewWithState(): Promise<never> {
    await condition(allHandlersFinished);
    const carry: BookingCarryOver = {
      snapshot: b!,
      inbox,
      seenEvents: [...seenEvents],
      latePayments,
      lastPaymentError,
      refundError,
      invitedForSequence,
      remindedForSequence,
      previous,
      settled,
      rescheduleAttempts,
      refundCap,
    };
    log.info('booking run continues as new', { bookingId, updatesThisRun });
    return continueAsNew<BookingWorkflow>({ ...input, snapshot: undefined, carried: carry });
  }

  // ── Handlers (registered before the first await so nothing sent early is rejected) ─────────────

  setHandler(paymentSignal, (event) => {
    if (seenEvents.has(event.eventId)) return; // Stripe redelivers; the first copy counts
    seenEvents.add(event.eventId);
    inbox.push(event);
  });

  setHandler(bookingStateQuery, stateView);

  setHandler(bookingReadyUpdate, async () => {
    updatesThisRun++;
    await condition(
      () => b !== undefined && (b.status !== 'PENDING' || (paymentRequired() && b.paymentIntentId !== null)),
    );
    return { status: b!.status, paymentIntentId: b!.paymentIntentId };
  });

  setHandler(
    cancelUpdate,
    async (req) => {
      updatesThisRun++;
      await condition(() => b !== undefined);
      return exclusive(async () => {
        const s = b!;
        await drainInbox(); // a payment that already arrived counts before the policy is applied
        checkCancel(s, Date.now());
        const atMs = Date.now();
        const refund = s.paid
          ? refundFor({
              policy: s.service.cancellationPolicy,
              amountMinor: s.amountPaidMinor,
              start: new Date(s.startMs),
              cancelledAt: new Date(atMs),
              cancelledBy: req.by,
              cap: refundCap,
            })
          : null;
        const rule =
          refund?.rule ??
          (s.creditGrantId ? creditRule(s, req.by, atMs) : 'Nothing was paid, so nothing is refunded');
        let result;
        try {
          result = await transitionForCaller({
            bookingId,
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
        setStatus(result.status);
        version++;
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
    },
    {
      validator: (req) => {
        checkCancelRequest(req);
        if (b) checkCancel(b, Date.now());
      },
    },
  );

  setHandler(
    rescheduleUpdate,
    async (req) => {
      updatesThisRun++;
      rescheduleAttempts++; // before the first await: the next request's validator sees it
      await condition(() => b !== undefined);
      return exclusive(async () => {
        const s = b!;
        const startMs = Date.parse(req.start);
        const movedAt = Date.now();
        checkReschedule(s, startMs, movedAt);
        let moved;
        try {
          moved = await moveBooking({ bookingId, startMs });
        } catch (err) {
          throw updateFailure(err);
        }
        if (s.startMs !== moved.startMs) {
          previous ??= { startMs: s.startMs, endMs: s.endMs };
          refundCap = capAfterReschedule({
            policy: s.service.cancellationPolicy,
            cap: refundCap,
            previousStart: new Date(s.startMs),
            movedAt: new Date(movedAt),
            movedBy: req.by,
          });
        }
        s.startMs = moved.startMs;
        s.endMs = moved.endMs;
        s.sequence = moved.sequence;
        s.rescheduleCount = moved.rescheduleCount;
        version++;
        return {
          status: s.status,
          start: new Date(s.startMs).toISOString(),
          end: new Date(s.endMs).toISOString(),
          sequence: s.sequence,
        };
      });
    },
    {
      validator: (req) => {
        checkRescheduleRequest(req);
        const startMs = Date.parse(req.start);
        if (b) checkReschedule(b, startMs, Date.now());
        checkRescheduleAttempt({ used: rescheduleAttempts, max: maxRescheduleAttempts }, startMs, Date.now());
      },
    },
  );

  setHandler(
    noShowUpdate,
    async (req) => {
      updatesThisRun++;
      await condition(() => b !== undefined);
      return exclusive(async () => {
        checkNoShow(b!, req.actorId, Date.now(), input.noShowWindowMs);
        let result;
        try {
          result = await transitionForCaller({
            bookingId,
            from: ['CONFIRMED', 'COMPLETED'],
            to: 'NO_SHOW',
          });
        } catch (err) {
          throw updateFailure(err);
        }
        setStatus(result.status);
        version++;
        return { status: result.status };
      });
    },
    {
      validator: (req) => {
        if (b) checkNoShow(b, req.actorId, Date.now(), input.noShowWindowMs);
      },
    },
  );

  // ── Steps ───────────────────────────────────────────────────────────────────────────────────

  /** Applies payment events in arrival order; the state machine makes the order irrelevant. */
  async function drainInbox(): Promise<void> {
    const s = b!;
    // The intent's id is recorded when its creation returns; events wait for it rather than be
    // judged against an unknown id.
    if (creatingIntent) return;
    while (inbox.length > 0) {
      const event = inbox.shift()!;
      const expected = s.paymentIntentId === event.paymentIntentId;
      const right =
        event.amountMinor === s.priceMinor && event.currency.toUpperCase() === s.currency.toUpperCase();
      if (event.kind === 'failed') {
        if (s.status === 'PENDING' && !s.paid) lastPaymentError = event.message ?? 'The payment failed';
        continue;
      }
      if (event.kind === 'canceled') continue; // we cancel intents ourselves; nothing follows from it
      if (!expected || !right) {
        log.warn('payment event does not match the booking; ignored', {
          bookingId,
          eventId: event.eventId,
          paymentIntentId: event.paymentIntentId,
        });
        continue;
      }
      if (s.paid) continue; // already on record (a second success for one intent changes nothing)
      if (s.status === 'PENDING') {
        const result = await transitionBooking({
          bookingId,
          from: ['PENDING'],
          to: 'CONFIRMED',
          payment: { amountMinor: event.amountMinor },
        });
        if (result.status === 'CONFIRMED') {
          s.paid = true;
          s.amountPaidMinor = event.amountMinor;
          lastPaymentError = null;
          await postToLedger(() => ledger.bookingPayment(ledgerParties(s, event.amountMinor)));
        }
        setStatus(result.status);
      } else if (s.status === 'CANCELLED' || s.status === 'EXPIRED') {
        latePayments.push(event);
      }
    }
  }

  async function refundLatePayments(): Promise<void> {
    const s = b!;
    while (latePayments.length > 0) {
      const event = latePayments.shift()!;
      const { recorded } = await recordLatePayment({ bookingId, amountMinor: event.amountMinor });
      s.paid = true;
      if (recorded) {
        s.amountPaidMinor = event.amountMinor;
        s.refundDueMinor = event.amountMinor;
        await postToLedger(() => ledger.bookingPayment(ledgerParties(s, event.amountMinor)));
      }
      await refundDue();
    }
  }

  async function refundDue(): Promise<void> {
    const s = b!;
    if (s.refundId || s.refundDueMinor <= 0) return;
    try {
      const r = await refundBookingPayment(bookingId);
      s.refundId = r.refundId;
      s.refundedMinor = r.refundedMinor;
      const refundId = r.refundId;
      if (refundId && r.refundedMinor > 0) {
        await postToLedger(() => ledger.bookingRefund({ ...ledgerParties(s, r.refundedMinor), refundId }));
      }
    } catch (err) {
      // Stripe refused for good (e.g. the charge was disputed): operators see it in the query.
      refundError = err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : String(err);
      log.error('refund failed', { bookingId, error: refundError });
    }
  }

  async function sendInvites(): Promise<void> {
    const s = b!;
    const sequence = s.sequence; // a move while these are sent needs invites of its own
    if (invitedForSequence === null) {
      await sendConfirmation(s);
      if (patched(BOOKING_ANALYTICS)) {
        await recordAnalyticsEvents([
          {
            type: 'booking_created',
            id: s.id,
            coachId: s.coach.id,
            userId: s.athlete.id,
            occurredAt: new Date(s.createdAtMs).toISOString(),
            // Revenue only for money paid for this booking (a credit's was counted at its purchase).
            ...(s.paid && s.amountPaidMinor > 0
              ? { amountMinor: s.amountPaidMinor, currency: s.currency }
              : {}),
          },
        ]);
      }
    } else await sendRescheduled(s, previous ?? { startMs: s.startMs, endMs: s.endMs });
    previous = null;
    invitedForSequence = sequence;
  }

  async function remind(sequence: number): Promise<void> {
    await sendReminders(b!, sequence);
    remindedForSequence = sequence;
    reminderDueMs = null;
  }

  /** Whether this credit booking's cancellation gives the credit back (the policy's refund > 0 %). */
  function creditComesBack(s: BookingSnapshot, by: 'athlete' | 'coach', atMs: number): boolean {
    const { percent } = refundFor({
      policy: s.service.cancellationPolicy,
      amountMinor: 100,
      start: new Date(s.startMs),
      cancelledAt: new Date(atMs),
      cancelledBy: by,
      cap: refundCap,
    });
    return creditReturnedOnCancel(percent);
  }

  function creditRule(s: BookingSnapshot, by: 'athlete' | 'coach', atMs: number): string {
    return creditComesBack(s, by, atMs)
      ? 'Paid with a package credit: the credit is returned'
      : 'Paid with a package credit: cancelled outside the refund window, the credit is used';
  }

  async function settleCancellation(): Promise<void> {
    const s = b!;
    if (s.creditGrantId && s.cancellation && patched(BOOKING_CREDITS)) {
      if (creditComesBack(s, s.cancellation.by, s.cancellation.atMs)) await returnBookingCredit(bookingId);
    }
    if (s.paid) await refundDue();
    else if (s.paymentIntentId) await cancelBookingPaymentIntent(bookingId);
    await sendCancelled(s, { withdrawInvite: invitedForSequence !== null });
  }

  async function settleExpiry(): Promise<void> {
    const s = b!;
    if (s.paymentIntentId) await cancelBookingPaymentIntent(bookingId);
    await sendExpired(s);
  }

  /**
   * Sleeps up to `ms`, waking early on a payment event, a handler's change or when the run should
   * continue as new. True when woken early.
   */
  async function sleepUnlessChanged(ms: number): Promise<boolean> {
    const v = version;
    return condition(() => inbox.length > 0 || version !== v || continueAsNewDue(), ms);
  }

  /** A main-loop transition; payments that arrived first are applied first (a payment beats the hold timer). */
  async function transition(
    from: BookingStatus[],
    target: BookingStatus,
    step: typeof transitionBooking = transitionBooking,
  ): Promise<void> {
    await exclusive(async () => {
      await drainInbox();
      if (!from.includes(b!.status)) return;
      const result = await step({ bookingId, from, to: target });
      setStatus(result.status);
    });
  }

  // ── Main loop ────────────────────────────────────────────────────────────────────────────────

  if (!b) {
    try {
      b = await loadBookingSnapshot(bookingId);
    } catch (err) {
      log.warn('booking not found; nothing to do', { bookingId, error: String(err) });
      return { status: 'MISSING' };
    }
    // A run started for a booking that had already ended (a late webhook) only settles late payments.
    if (b.status !== 'PENDING') settled = true;
  }
  const s = b;
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
    if (continueAsNewDue()) await continueAsNewWithState();
    await exclusive(drainInbox);
    if (latePayments.length > 0) {
      await refundLatePayments();
      continue;
    }
    if (s.status === 'PENDING') {
      if (!paymentRequired()) {
        await transition(
          ['PENDING'],
          'CONFIRMED',
          patched(LOCAL_CONFIRMATION) ? transitionLocally : transitionBooking,
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
        await transition(['PENDING'], 'EXPIRED');
        continue;
      }
      if (!s.paymentIntentId) {
        creatingIntent = true;
        try {
          s.paymentIntentId = (
            patched(LOCAL_PAYMENT_INTENT)
              ? await createPaymentIntentLocally(bookingId, {
                  amountMinor: s.priceMinor,
                  currency: s.currency,
                  serviceTitle: s.service.title,
                  athleteEmail: s.athlete.email,
                  coachId: s.coach.id,
                  athleteId: s.athlete.id,
                })
              : await createBookingPaymentIntent(bookingId)
          ).paymentIntentId;
        } catch (err) {
          lastPaymentError =
            err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : String(err);
          log.error('payment could not be set up; releasing the slot', {
            bookingId,
            error: lastPaymentError,
          });
          creatingIntent = false;
          await transition(['PENDING'], 'EXPIRED');
        } finally {
          creatingIntent = false;
        }
        continue;
      }
      const left = s.createdAtMs + input.holdTimeoutMs - Date.now();
      if (left > 0) {
        await sleepUnlessChanged(left);
        continue;
      }
      await transition(['PENDING'], 'EXPIRED');
      continue;
    }
    if (s.status === 'CONFIRMED') {
      if (invitedForSequence !== s.sequence) {
        await sendInvites();
        continue;
      }
      if (remindedForSequence !== s.sequence) {
        const sequence = s.sequence;
        reminderDueMs = s.startMs - input.reminderLeadMs;
        const left = reminderDueMs - Date.now();
        if (left > 0 && (await sleepUnlessChanged(left))) continue;
        if (s.status !== 'CONFIRMED' || s.sequence !== sequence) continue;
        if (Date.now() < s.startMs) await remind(sequence);
        else remindedForSequence = sequence; // confirmed after the start (a backlog): no point reminding
        continue;
      }
      const left = s.endMs - Date.now();
      if (left > 0) {
        await sleepUnlessChanged(left);
        continue;
      }
      await transition(['CONFIRMED'], 'COMPLETED');
      continue;
    }
    if (s.status === 'CANCELLED' && !settled) {
      await settleCancellation();
      settled = true;
      continue;
    }
    if (s.status === 'EXPIRED' && !settled) {
      await settleExpiry();
      settled = true;
      continue;
    }
    if (s.status === 'COMPLETED') {
      const left = s.endMs + input.noShowWindowMs - Date.now();
      if (left > 0) {
        await sleepUnlessChanged(left);
        continue;
      }
    }
    // CANCELLED / EXPIRED (settled), NO_SHOW, or COMPLETED past the no-show window.
    await condition(allHandlersFinished);
    await exclusive(drainInbox);
    if (latePayments.length > 0 || inbox.length > 0) continue;
    return { status: s.status };
  }
}
