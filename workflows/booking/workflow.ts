import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import {
  cancelProblem,
  noShowProblem,
  rescheduleProblem,
  type BookingStatus,
  type CancelledBy,
  type LifecycleFacts,
  type TransitionProblem,
} from '../../src/domain/booking/lifecycle';
import { refundFor } from '../../src/domain/booking/cancellation';
import type { BookingEmailData, Recipient } from '../../src/emails/booking/details';
import { BookingIdAttr, CoachIdAttr, DomainStatusAttr, UserIdAttr } from '../shared/search-attributes';
import {
  BookingFailure,
  bookingReadyUpdate,
  bookingStateQuery,
  cancelUpdate,
  noShowUpdate,
  paymentSignal,
  rescheduleUpdate,
  type BookingSnapshot,
  type BookingWorkflowInput,
  type BookingWorkflowResult,
  type BookingWorkflowState,
  type PaymentSignal,
} from './definitions';

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

const MAX_REASON_LENGTH = 1000;

function failure(p: TransitionProblem): ApplicationFailure {
  return ApplicationFailure.create({
    type: p.code === 'invalid_request' ? BookingFailure.InvalidRequest : BookingFailure.InvalidTransition,
    message: p.field ? `${p.field} ${p.message}` : p.message,
    details: p.field ? [{ field: p.field, reason: p.message }] : [],
    nonRetryable: true,
  });
}

/** An activity's own ApplicationFailure (SlotTaken, InvalidRequest…) becomes the update's failure. */
function updateFailure(err: unknown): unknown {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    const cause = err.cause;
    return ApplicationFailure.create({
      type: cause.type ?? BookingFailure.ActivityFailed,
      message: cause.message,
      details: cause.details ?? [],
      nonRetryable: true,
    });
  }
  return err;
}

export async function bookingWorkflow(input: BookingWorkflowInput): Promise<BookingWorkflowResult> {
  const { bookingId } = input;

  // Quick Postgres writes: retried until they succeed.
  const db = proxyActivities<Activities>({
    startToCloseTimeout: '20 seconds',
    retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
  });
  // Writes made while an API caller waits on an update: bounded, so the caller gets an answer.
  const quick = proxyActivities<Activities>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '30 seconds',
    retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds' },
  });
  // The row is inserted in the same transaction that starts this workflow: wait briefly for it.
  const loader = proxyActivities<Activities>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: input.rowWaitMs ?? 60_000,
    retry: { initialInterval: '200 milliseconds', backoffCoefficient: 1.5, maximumInterval: '5 seconds' },
  });
  // Stripe: keyed by booking and step, so retries are safe; permanent rejections are not retried.
  const stripe = proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: {
      initialInterval: '1 second',
      maximumInterval: '2 minutes',
      nonRetryableErrorTypes: ['StripeRejected'],
    },
  });
  // Email: recorded per (reference, template, recipient), retried until the SMTP server takes it.
  const mail = proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes' },
  });

  let b: BookingSnapshot | undefined;
  const inbox: PaymentSignal[] = [];
  const seenEvents = new Set<string>();
  /** Payments that arrived for a booking that had already ended: refunded in full. */
  const latePayments: PaymentSignal[] = [];
  let lastPaymentError: string | null = null;
  let refundError: string | null = null;
  let invitedForSequence: number | null = null;
  let remindedForSequence: number | null = null;
  let reminderDueMs: number | null = null;
  let settled = false; // the side effects of CANCELLED / EXPIRED are done
  let creatingIntent = false;
  let version = 0; // bumped by every handler change, to wake the main loop
  let previous: { startMs: number; endMs: number } | null = null;

  // One state change at a time: handlers and the main loop never interleave their writes.
  let busy = false;
  async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await condition(() => !busy);
    busy = true;
    try {
      return await fn();
    } finally {
      busy = false;
    }
  }

  const paymentRequired = () => (b ? b.priceMinor > 0 : false);
  const facts = (s: BookingSnapshot): LifecycleFacts => ({
    status: s.status,
    startMs: s.startMs,
    endMs: s.endMs,
    rescheduleCount: s.rescheduleCount,
  });

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
    };
  }

  // ── Handlers (registered before the first await so nothing sent early is rejected) ─────────────

  setHandler(paymentSignal, (event) => {
    if (seenEvents.has(event.eventId)) return; // Stripe redelivers; the first copy counts
    seenEvents.add(event.eventId);
    inbox.push(event);
  });

  setHandler(bookingStateQuery, stateView);

  setHandler(bookingReadyUpdate, async () => {
    await condition(
      () => b !== undefined && (b.status !== 'PENDING' || (paymentRequired() && b.paymentIntentId !== null)),
    );
    return { status: b!.status, paymentIntentId: b!.paymentIntentId };
  });

  setHandler(
    cancelUpdate,
    async (req) => {
      await condition(() => b !== undefined);
      return exclusive(async () => {
        const s = b!;
        await drainInbox(); // a payment that already arrived counts before the policy is applied
        const problem = cancelProblem(facts(s), Date.now());
        if (problem) throw failure(problem);
        const atMs = Date.now();
        const refund = s.paid
          ? refundFor({
              policy: s.service.cancellationPolicy,
              amountMinor: s.amountPaidMinor,
              start: new Date(s.startMs),
              cancelledAt: new Date(atMs),
              cancelledBy: req.by,
            })
          : null;
        const rule = refund?.rule ?? 'Nothing was paid, so nothing is refunded';
        let result;
        try {
          result = await quick.transitionBooking({
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
        if (req.by !== 'athlete' && req.by !== 'coach')
          throw failure({ code: 'invalid_request', field: 'by', message: 'must be athlete or coach' });
        if (typeof req.reason !== 'string' || req.reason.length > MAX_REASON_LENGTH) {
          throw failure({
            code: 'invalid_request',
            field: 'reason',
            message: `must be text of at most ${MAX_REASON_LENGTH} characters`,
          });
        }
        if (b) {
          const problem = cancelProblem(facts(b), Date.now());
          if (problem) throw failure(problem);
        }
      },
    },
  );

  setHandler(
    rescheduleUpdate,
    async (req) => {
      await condition(() => b !== undefined);
      return exclusive(async () => {
        const s = b!;
        const startMs = Date.parse(req.start);
        const problem = rescheduleProblem(facts(s), startMs, Date.now());
        if (problem) throw failure(problem);
        let moved;
        try {
          moved = await quick.moveBooking({ bookingId, startMs });
        } catch (err) {
          throw updateFailure(err);
        }
        if (s.startMs !== moved.startMs) previous ??= { startMs: s.startMs, endMs: s.endMs };
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
        if (req.by !== 'athlete' && req.by !== 'coach')
          throw failure({ code: 'invalid_request', field: 'by', message: 'must be athlete or coach' });
        if (b) {
          const problem = rescheduleProblem(facts(b), Date.parse(req.start), Date.now());
          if (problem) throw failure(problem);
        }
      },
    },
  );

  setHandler(
    noShowUpdate,
    async (req) => {
      await condition(() => b !== undefined);
      return exclusive(async () => {
        const s = b!;
        if (req.actorId !== s.coach.id)
          throw failure({ code: 'invalid_transition', message: 'Only the coach can mark a no-show' });
        const problem = noShowProblem(facts(s), Date.now(), input.noShowWindowMs);
        if (problem) throw failure(problem);
        let result;
        try {
          result = await quick.transitionBooking({
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
        if (!b) return;
        if (req.actorId !== b.coach.id)
          throw failure({ code: 'invalid_transition', message: 'Only the coach can mark a no-show' });
        const problem = noShowProblem(facts(b), Date.now(), input.noShowWindowMs);
        if (problem) throw failure(problem);
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
        const result = await db.transitionBooking({
          bookingId,
          from: ['PENDING'],
          to: 'CONFIRMED',
          payment: { amountMinor: event.amountMinor },
        });
        if (result.status === 'CONFIRMED') {
          s.paid = true;
          s.amountPaidMinor = event.amountMinor;
          lastPaymentError = null;
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
      const { recorded } = await stripe.recordLatePayment({ bookingId, amountMinor: event.amountMinor });
      s.paid = true;
      if (recorded) {
        s.amountPaidMinor = event.amountMinor;
        s.refundDueMinor = event.amountMinor;
      }
      await refundDue();
    }
  }

  async function refundDue(): Promise<void> {
    const s = b!;
    if (s.refundId || s.refundDueMinor <= 0) return;
    try {
      const r = await stripe.refundBookingPayment(bookingId);
      s.refundId = r.refundId;
      s.refundedMinor = r.refundedMinor;
    } catch (err) {
      // Stripe refused for good (e.g. the charge was disputed): operators see it in the query.
      refundError = err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : String(err);
      log.error('refund failed', { bookingId, error: refundError });
    }
  }

  function emailData(s: BookingSnapshot): BookingEmailData {
    return {
      bookingId,
      serviceTitle: s.service.title,
      coach: { name: s.coach.name, email: s.coach.email, timeZone: s.coach.timeZone },
      athlete: { name: s.athlete.name, email: s.athlete.email, timeZone: s.athleteTimeZone },
      start: new Date(s.startMs).toISOString(),
      end: new Date(s.endMs).toISOString(),
      price: s.priceMinor > 0 ? { amountMinor: s.priceMinor, currency: s.currency } : null,
      sequence: s.sequence,
      issuedAt: new Date(Date.now()).toISOString(),
    };
  }

  const to = (s: BookingSnapshot, who: Recipient) => (who === 'athlete' ? s.athlete.email : s.coach.email);

  async function sendInvites(): Promise<void> {
    const s = b!;
    const data = emailData(s);
    if (invitedForSequence === null) {
      await Promise.all([
        mail.sendEmail({
          reference: `booking-${bookingId}`,
          template: 'booking_confirmed',
          to: s.athlete.email,
          data,
        }),
        mail.sendEmail({
          reference: `booking-${bookingId}`,
          template: 'booking_notification',
          to: s.coach.email,
          data,
        }),
      ]);
    } else {
      const before = previous ?? { startMs: s.startMs, endMs: s.endMs };
      const moved = {
        previousStart: new Date(before.startMs).toISOString(),
        previousEnd: new Date(before.endMs).toISOString(),
      };
      await Promise.all(
        (['athlete', 'coach'] as const).map((who) =>
          mail.sendEmail({
            reference: `booking-${bookingId}-v${data.sequence}`,
            template: 'booking_rescheduled',
            to: to(s, who),
            data: { ...data, ...moved, recipient: who },
          }),
        ),
      );
    }
    previous = null;
    invitedForSequence = data.sequence;
  }

  async function sendReminders(sequence: number): Promise<void> {
    const s = b!;
    const data = emailData(s);
    await Promise.all(
      (['athlete', 'coach'] as const).map((who) =>
        mail.sendEmail({
          reference: `booking-${bookingId}-v${sequence}`,
          template: 'booking_reminder',
          to: to(s, who),
          data: { ...data, recipient: who },
        }),
      ),
    );
    remindedForSequence = sequence;
    reminderDueMs = null;
  }

  async function settleCancellation(): Promise<void> {
    const s = b!;
    if (s.paid) await refundDue();
    else if (s.paymentIntentId) await stripe.cancelBookingPaymentIntent(bookingId);
    const c = s.cancellation;
    const data = emailData(s);
    const refund = s.priceMinor > 0 && s.paid ? { amountMinor: s.refundDueMinor, rule: c?.rule ?? '' } : null;
    await Promise.all(
      (['athlete', 'coach'] as const).map((who) =>
        mail.sendEmail({
          reference: `booking-${bookingId}`,
          template: 'booking_cancelled',
          to: to(s, who),
          data: {
            ...data,
            recipient: who,
            cancelledBy: c?.by ?? 'coach',
            reason: c?.reason ?? '',
            refund,
            withdrawInvite: invitedForSequence !== null,
          },
        }),
      ),
    );
  }

  async function settleExpiry(): Promise<void> {
    const s = b!;
    if (s.paymentIntentId) await stripe.cancelBookingPaymentIntent(bookingId);
    await mail.sendEmail({
      reference: `booking-${bookingId}`,
      template: 'booking_expired',
      to: s.athlete.email,
      data: emailData(s),
    });
  }

  /** Sleeps up to `ms`, waking early on a payment event or a handler's change. True when woken early. */
  async function sleepUnlessChanged(ms: number): Promise<boolean> {
    const v = version;
    return condition(() => inbox.length > 0 || version !== v, ms);
  }

  /** A main-loop transition; payments that arrived first are applied first (a payment beats the hold timer). */
  async function transition(from: BookingStatus[], target: BookingStatus): Promise<void> {
    await exclusive(async () => {
      await drainInbox();
      if (!from.includes(b!.status)) return;
      const result = await db.transitionBooking({ bookingId, from, to: target });
      setStatus(result.status);
    });
  }

  // ── Main loop ────────────────────────────────────────────────────────────────────────────────

  try {
    b = await loader.loadBookingSnapshot(bookingId);
  } catch (err) {
    log.warn('booking not found; nothing to do', { bookingId, error: String(err) });
    return { status: 'MISSING' };
  }
  const s = b;
  upsertSearchAttributes([
    { key: BookingIdAttr, value: s.id },
    { key: CoachIdAttr, value: s.coach.id },
    { key: UserIdAttr, value: s.athlete.id },
    { key: DomainStatusAttr, value: s.status },
  ]);
  // A run started for a booking that had already ended (a late webhook) only settles late payments.
  if (s.status !== 'PENDING') settled = true;

  for (;;) {
    await exclusive(drainInbox);
    if (latePayments.length > 0) {
      await refundLatePayments();
      continue;
    }
    if (s.status === 'PENDING') {
      if (!paymentRequired()) {
        await transition(['PENDING'], 'CONFIRMED');
        continue;
      }
      if (!s.paymentIntentId) {
        creatingIntent = true;
        try {
          s.paymentIntentId = (await stripe.createBookingPaymentIntent(bookingId)).paymentIntentId;
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
        if (Date.now() < s.startMs) await sendReminders(sequence);
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
