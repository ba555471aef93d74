import {
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { DefaultActivities } from '../../activities';
import { ledger, feeSplit, type LedgerTransactionDraft } from '../../src/domain/payments/ledger';
import { settleDeadlineMs } from '../../src/domain/paid-sessions/metering';
import { minorUnits, setSummary } from '../shared/memo';
import { profiles } from '../shared/profiles';
import {
  CoachIdAttr,
  CourseIdAttr,
  DomainStatusAttr,
  PaidSessionIdAttr,
  UserIdAttr,
} from '../shared/search-attributes';
import {
  completePaidSessionUpdate,
  fundsUsedUpSignal,
  PaidSessionFailure,
  paidSessionPaymentSignal,
  paidSessionReadyUpdate,
  paidSessionStateQuery,
  startPaidSessionUpdate,
  type PaidSessionEndReason,
  type PaidSessionPaymentSignal,
  type PaidSessionStatus,
  type PaidSessionWorkflowInput,
  type PaidSessionWorkflowResult,
} from './definitions';

// paid-session-<id>: locked ── start ──> active ── complete | idle | funds used up | auth window ──> completed
//                      └── complete / auth window / Stripe cancels before start ──> cancelled
//
// Heartbeats never enter this history: the heartbeat statement meters in Postgres and signals
// fundsUsedUp once. The idle timeout is a timer re-armed from last_heartbeat_at, read only when the
// timer fires (one activity per idle period, not per heartbeat). Settlement stops the metering,
// reads the frozen totals, captures exactly the cost (or cancels when it is zero), posts the ledger,
// marks the row and emails both sides; every step is idempotent (keys, conditional writes), so a
// worker killed mid-settlement replays to one capture and one set of ledger transactions.

const { paidSessionActivity, closePaidSession, finishPaidSession, recordPaidSessionAuthorised } =
  proxyActivities<DefaultActivities>(profiles.postgres);
const { recordPaidSessionRefund, recordPaidSessionDispute, postLedgerTransactions, recordAnalyticsEvents } =
  proxyActivities<DefaultActivities>(profiles.postgres);
const { createPaidSessionPaymentIntent, capturePaidSession, cancelPaidSessionPaymentIntent } =
  proxyActivities<DefaultActivities>(profiles.stripe);
const { sendEmail } = proxyActivities<DefaultActivities>(profiles.email);
// POST /start waits on it: a conditional UPDATE of milliseconds (docs/adr/0011).
const { startPaidSessionRow } = proxyLocalActivities<DefaultActivities>(profiles.postgresLocal);

/** Runs recorded before it applied an authorisation that arrived after Stripe's cancellation. */
const STALE_AUTHORISATION = 'paid-session-stale-authorisation';
/** Runs recorded before a capture was counted as paid_session_revenue in the coach's analytics. */
const PAID_SESSION_ANALYTICS = 'paid-session-analytics';

export async function paidSessionWorkflow(
  input: PaidSessionWorkflowInput,
): Promise<PaidSessionWorkflowResult> {
  const { sessionId } = input;
  const reference = `paid-session:${sessionId}`;
  const settleByMs = settleDeadlineMs(input.lockedAtMs, input.authWindowMs);

  let status: PaidSessionStatus = input.settled?.status ?? 'locked';
  let paymentIntentId: string | null = input.settled?.paymentIntentId ?? null;
  let authorised = false;
  /** An authorisation event is queued or being applied (the row may already say authorised). */
  const authorising = () => applyingAuthorisation || events.some((e) => e.kind === 'authorised');
  let applyingAuthorisation = false;
  let starting = false;
  let endReason: PaidSessionEndReason | null = null;
  let fundsUsedUp = false;
  let settled = input.settled !== undefined;
  let capturedMinor = input.settled?.capturedMinor ?? 0;
  let releasedMinor = input.settled?.releasedMinor ?? 0;
  let refundedMinor = input.settled?.refundedMinor ?? 0;
  const seenEvents = new Set<string>();
  const events: PaidSessionPaymentSignal[] = [];

  function setStatus(next: PaidSessionStatus) {
    if (next === status) return;
    status = next;
    upsertSearchAttributes([{ key: DomainStatusAttr, value: next }]);
    log.info('paid session status', { sessionId, status: next });
  }
  const result = (): PaidSessionWorkflowResult => ({ status, endReason, capturedMinor, releasedMinor });

  upsertSearchAttributes([
    { key: PaidSessionIdAttr, value: sessionId },
    { key: CourseIdAttr, value: input.courseId },
    { key: CoachIdAttr, value: input.coachId },
    { key: UserIdAttr, value: input.studentId },
    { key: DomainStatusAttr, value: status },
  ]);
  setSummary(
    input.settled
      ? `Paid session ${sessionId} (settled ${input.settled.status}): applying a late refund or dispute; ` +
          `student ${input.studentId}, coach ${input.coachId}, course ${input.courseId}`
      : `Paid session ${sessionId}: ${minorUnits(input.pricePerMinuteMinor, input.currency)} per minute, ` +
          `${minorUnits(input.lockedMinor, input.currency)} locked; student ${input.studentId}, ` +
          `coach ${input.coachId}, course ${input.courseId}`,
    { sessionId, studentId: input.studentId, coachId: input.coachId, courseId: input.courseId },
  );

  setHandler(paidSessionPaymentSignal, (e) => {
    if (seenEvents.has(e.eventId)) return; // Stripe redelivers
    seenEvents.add(e.eventId);
    // Only events about our PaymentIntent, in our currency, count (a forged or misrouted one does not).
    if (paymentIntentId !== null && e.paymentIntentId !== paymentIntentId) return;
    if (e.currency.toLowerCase() !== input.currency) return;
    events.push(e);
  });
  setHandler(fundsUsedUpSignal, () => {
    fundsUsedUp = true;
  });
  setHandler(paidSessionStateQuery, () => ({
    sessionId,
    status,
    paymentIntentId,
    authorised,
    endReason,
    settled,
    capturedMinor,
    releasedMinor,
    refundedMinor,
    settleByMs,
  }));
  setHandler(paidSessionReadyUpdate, async () => {
    await condition(() => paymentIntentId !== null || settled);
    return { paymentIntentId, status };
  });
  setHandler(
    startPaidSessionUpdate,
    async () => {
      starting = true;
      try {
        // The card's authorisation may be on its way in (the API saw it on the row): wait for it.
        await condition(() => authorised || !authorising());
        if (!authorised)
          throw ApplicationFailure.create({
            type: PaidSessionFailure.InvalidTransition,
            message: 'the card has not authorised the locked amount yet',
            nonRetryable: true,
          });
        const { startedAt } = await startPaidSessionRow(sessionId);
        setStatus('active');
        return { startedAt };
      } finally {
        starting = false;
      }
    },
    {
      validator: () => {
        if (status !== 'locked' || endReason !== null)
          throw ApplicationFailure.create({
            type: PaidSessionFailure.InvalidTransition,
            message: `the session is ${status}${endReason ? ` (${endReason})` : ''}; it cannot start`,
            nonRetryable: true,
          });
        if (!authorised && !authorising())
          throw ApplicationFailure.create({
            type: PaidSessionFailure.InvalidTransition,
            message: 'the card has not authorised the locked amount yet',
            nonRetryable: true,
          });
      },
    },
  );
  setHandler(completePaidSessionUpdate, async () => {
    endReason ??= 'completed';
    await condition(() => settled);
    return result();
  });

  /** Applies Stripe's events in arrival order; returns when none is left. */
  async function applyEvents(): Promise<void> {
    while (events.length > 0) {
      const e = events.shift()!;
      // Stripe does not deliver in order: an authorisation arriving after the PaymentIntent's
      // cancellation, or after the session settled, is stale (that hold no longer exists).
      const stale = settled || endReason === 'stripe_canceled';
      if (stale && e.kind === 'authorised' && patched(STALE_AUTHORISATION)) continue;
      if (e.kind === 'authorised' && !authorised && e.amountMinor >= input.lockedMinor) {
        applyingAuthorisation = true;
        await recordPaidSessionAuthorised({ sessionId, amountMinor: e.amountMinor });
        authorised = true;
        applyingAuthorisation = false;
        await postLedgerTransactions([
          ledger.authorisation({
            reference,
            studentId: input.studentId,
            coachId: input.coachId,
            amountMinor: input.lockedMinor,
            currency: input.currency,
            occurredAt: new Date(Date.now()).toISOString(),
          }),
        ]);
      } else if (e.kind === 'canceled' && !settled && endReason === null) {
        endReason = 'stripe_canceled';
      } else if (e.kind === 'refunded' && settled && capturedMinor > 0) {
        // amountMinor is the charge's refunded total so far: post what is new since the last event.
        const amount = Math.min(e.amountMinor, capturedMinor) - refundedMinor;
        if (amount > 0) {
          await postLedgerTransactions([
            ledger.refund({
              reference,
              refundId: e.refundId ?? e.eventId,
              studentId: input.studentId,
              coachId: input.coachId,
              amountMinor: amount,
              currency: input.currency,
              feeBps: input.feeBps,
              occurredAt: new Date(Date.now()).toISOString(),
            }),
          ]);
          refundedMinor += amount;
          await recordPaidSessionRefund({ sessionId, refundedMinor });
        }
      } else if (e.kind === 'dispute') {
        await recordPaidSessionDispute(sessionId);
      }
    }
  }

  async function settle(reason: PaidSessionEndReason): Promise<void> {
    endReason = endReason ?? reason;
    const frozen = await closePaidSession({ sessionId, reason: endReason });
    // Stripe cancelled the hold itself (it lapsed, or was cancelled from the dashboard): there is
    // nothing left to capture, whatever was watched; the lock is released in full.
    const closed =
      endReason === 'stripe_canceled'
        ? { ...frozen, captureMinor: 0, releaseMinor: input.lockedMinor, cancel: true }
        : frozen;
    const occurredAt = new Date(Date.now()).toISOString();
    const parties = {
      reference,
      studentId: input.studentId,
      coachId: input.coachId,
      currency: input.currency,
      occurredAt,
    };
    if (closed.cancel) {
      if (endReason !== 'stripe_canceled') await cancelPaidSessionPaymentIntent(sessionId);
    } else {
      await capturePaidSession({ sessionId, amountMinor: closed.captureMinor });
    }
    const drafts: LedgerTransactionDraft[] = [];
    if (authorised) {
      drafts.push(ledger.authorisation({ ...parties, amountMinor: input.lockedMinor }));
      if (closed.captureMinor > 0)
        drafts.push(ledger.capture({ ...parties, amountMinor: closed.captureMinor, feeBps: input.feeBps }));
      const release = input.lockedMinor - closed.captureMinor;
      if (release > 0) drafts.push(ledger.release({ ...parties, amountMinor: release }));
    }
    if (drafts.length > 0) await postLedgerTransactions(drafts);
    capturedMinor = closed.captureMinor;
    releasedMinor = input.lockedMinor - closed.captureMinor;
    const final = closed.captureMinor > 0 ? 'completed' : 'cancelled';
    await finishPaidSession({ sessionId, status: final, capturedMinor, releasedMinor });
    setStatus(final);
    settled = true;
    // Revenue comes from the workflow, never the browser; keyed paid_session_revenue:<session id>,
    // so a retried or replayed activity counts the capture once.
    if (capturedMinor > 0 && patched(PAID_SESSION_ANALYTICS)) {
      await recordAnalyticsEvents([
        {
          type: 'paid_session_revenue',
          id: sessionId,
          coachId: input.coachId,
          userId: input.studentId,
          occurredAt,
          amountMinor: capturedMinor,
          currency: input.currency,
        },
      ]);
    }
    if (closed.started) {
      const emailRef = `paid-session-${sessionId}`;
      const common = {
        sessionId,
        courseTitle: closed.courseTitle,
        billedSeconds: closed.billedSeconds,
        currency: input.currency,
      };
      await sendEmail({
        reference: emailRef,
        template: 'paid_session_receipt',
        to: closed.student.email,
        data: {
          ...common,
          studentName: closed.student.name,
          coachName: closed.coach.name,
          lectures: closed.lectures,
          lockedMinor: input.lockedMinor,
          capturedMinor,
          releasedMinor,
        },
      });
      if (capturedMinor > 0)
        await sendEmail({
          reference: emailRef,
          template: 'paid_session_coach_notice',
          to: closed.coach.email,
          data: {
            ...common,
            coachName: closed.coach.name,
            studentName: closed.student.name,
            capturedMinor,
            coachEarningsMinor: feeSplit(capturedMinor, input.feeBps).coachMinor,
          },
        });
    }
  }

  // A run started by a late webhook for a settled session only applies what Stripe reported.
  if (input.settled) {
    await applyEvents();
    return result();
  }

  ({ paymentIntentId } = await createPaidSessionPaymentIntent(sessionId));

  // Locked: wait for the card, the start, an end request, or the authorization's deadline.
  while (status === 'locked') {
    await applyEvents();
    if (endReason !== null && !starting) break;
    const remaining = settleByMs - Date.now();
    if (remaining <= 0) {
      endReason = 'auth_window';
      break;
    }
    await condition(
      () => events.length > 0 || (endReason !== null && !starting) || status !== 'locked',
      remaining,
    );
  }

  // Active: metered in Postgres; this loop only decides when it ends.
  // (status and endReason change in handlers: TypeScript's narrowing does not see it.)
  while ((status as PaidSessionStatus) === 'active' && endReason === null) {
    await applyEvents();
    if (endReason !== null) break;
    const { lastHeartbeatAtMs, fundsUsedUp: usedUp } = await paidSessionActivity(sessionId);
    const now = Date.now();
    if (usedUp || fundsUsedUp) endReason = 'funds_used_up';
    else if (now >= settleByMs) endReason = 'auth_window';
    else if (now >= (lastHeartbeatAtMs ?? now) + input.idleTimeoutMs) endReason = 'idle';
    if (endReason !== null) break;
    const wakeAt = Math.min(settleByMs, (lastHeartbeatAtMs ?? now) + input.idleTimeoutMs);
    await condition(() => events.length > 0 || fundsUsedUp || endReason !== null, Math.max(1, wakeAt - now));
  }

  await applyEvents();
  await settle(endReason ?? 'completed');
  // Events that arrived during settlement (a refund is only possible after the capture).
  await applyEvents();
  return result();
}
