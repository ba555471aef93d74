import { ApplicationFailure, condition, log, patched, upsertSearchAttributes } from '@temporalio/workflow';
import { ledger } from '../../src/domain/payments/ledger';
import { settleDeadlineMs } from '../../src/domain/paid-sessions/metering';
import {
  activeEndReason,
  newlyRefundedMinor,
  nextActiveCheckInMs,
  settlementAfter,
  settlementPostings,
} from '../../src/domain/paid-sessions/settlement';
import { minorUnits, setSummary } from '../shared/memo';
import { profiles } from '../shared/profiles';
import { activities, localActivities } from '../shared/proxies';
import {
  CoachIdAttr,
  CourseIdAttr,
  DomainStatusAttr,
  PaidSessionIdAttr,
  UserIdAttr,
} from '../shared/search-attributes';
import {
  PaidSessionFailure,
  type PaidSessionEndReason,
  type PaidSessionPaymentSignal,
  type PaidSessionState,
  type PaidSessionStatus,
  type PaidSessionWorkflowInput,
  type PaidSessionWorkflowResult,
} from './definitions';
import { sendSettlementEmails } from './emails';

// One paid session's run: its state, the handlers the workflow function registers, the main loop
// and the settlement (workflow.ts has the lifecycle).

const db = activities(profiles.postgres);
const stripe = activities(profiles.stripe);
// POST /start waits on it: a conditional UPDATE of milliseconds (docs/adr/0011).
const dbLocal = localActivities(profiles.postgresLocal);

/** Runs recorded before it applied an authorisation that arrived after Stripe's cancellation. */
const STALE_AUTHORISATION = 'paid-session-stale-authorisation';
/** Runs recorded before a capture was counted as paid_session_revenue in the coach's analytics. */
const PAID_SESSION_ANALYTICS = 'paid-session-analytics';

const notYetAuthorised = () =>
  ApplicationFailure.create({
    type: PaidSessionFailure.InvalidTransition,
    message: 'the card has not authorised the locked amount yet',
    nonRetryable: true,
  });

export class PaidSession {
  private readonly sessionId: string;
  private readonly reference: string;
  private readonly settleByMs: number;
  private status: PaidSessionStatus;
  private paymentIntentId: string | null;
  private authorised = false;
  private applyingAuthorisation = false;
  private starting = false;
  private endReason: PaidSessionEndReason | null = null;
  private fundsUsedUp = false;
  private settled: boolean;
  private capturedMinor: number;
  private releasedMinor: number;
  private refundedMinor: number;
  private readonly seenEvents = new Set<string>();
  /** Stripe's events about our PaymentIntent, in arrival order. */
  private readonly events: PaidSessionPaymentSignal[] = [];

  constructor(private readonly input: PaidSessionWorkflowInput) {
    this.sessionId = input.sessionId;
    this.reference = `paid-session:${input.sessionId}`;
    this.settleByMs = settleDeadlineMs(input.lockedAtMs, input.authWindowMs);
    this.status = input.settled?.status ?? 'locked';
    this.paymentIntentId = input.settled?.paymentIntentId ?? null;
    this.settled = input.settled !== undefined;
    this.capturedMinor = input.settled?.capturedMinor ?? 0;
    this.releasedMinor = input.settled?.releasedMinor ?? 0;
    this.refundedMinor = input.settled?.refundedMinor ?? 0;
  }

  // ── Handlers ──

  receivePayment(e: PaidSessionPaymentSignal): void {
    if (this.seenEvents.has(e.eventId)) return; // Stripe redelivers
    this.seenEvents.add(e.eventId);
    // Only events about our PaymentIntent, in our currency, count (a forged or misrouted one does not).
    if (this.paymentIntentId !== null && e.paymentIntentId !== this.paymentIntentId) return;
    if (e.currency.toLowerCase() !== this.input.currency) return;
    this.events.push(e);
  }

  noteFundsUsedUp(): void {
    this.fundsUsedUp = true;
  }

  state(): PaidSessionState {
    return {
      sessionId: this.sessionId,
      status: this.status,
      paymentIntentId: this.paymentIntentId,
      authorised: this.authorised,
      endReason: this.endReason,
      settled: this.settled,
      capturedMinor: this.capturedMinor,
      releasedMinor: this.releasedMinor,
      refundedMinor: this.refundedMinor,
      settleByMs: this.settleByMs,
    };
  }

  /** Resolves once the PaymentIntent exists (or the session was settled already). */
  async ready(): Promise<{ paymentIntentId: string | null; status: PaidSessionStatus }> {
    await condition(() => this.paymentIntentId !== null || this.settled);
    return { paymentIntentId: this.paymentIntentId, status: this.status };
  }

  validateStart(): void {
    if (this.status !== 'locked' || this.endReason !== null)
      throw ApplicationFailure.create({
        type: PaidSessionFailure.InvalidTransition,
        message: `the session is ${this.status}${this.endReason ? ` (${this.endReason})` : ''}; it cannot start`,
        nonRetryable: true,
      });
    if (!this.authorised && !this.authorising()) throw notYetAuthorised();
  }

  async start(): Promise<{ startedAt: string }> {
    this.starting = true;
    try {
      // The card's authorisation may be on its way in (the API saw it on the row): wait for it.
      await condition(() => this.authorised || !this.authorising());
      if (!this.authorised) throw notYetAuthorised();
      const { startedAt } = await dbLocal.startPaidSessionRow(this.sessionId);
      this.setStatus('active');
      return { startedAt };
    } finally {
      this.starting = false;
    }
  }

  /** Ends the session (unless something ended it first) and resolves once it is settled. */
  async complete(): Promise<PaidSessionWorkflowResult> {
    this.endReason ??= 'completed';
    await condition(() => this.settled);
    return this.result();
  }

  // ── Lifecycle ──

  /**
   * The run's search attributes and memo. Recorded histories have them before the update that
   * started the run (update-with-start) is accepted, so the workflow function calls this before it
   * registers the handlers.
   */
  announce(): void {
    const { input, sessionId } = this;
    upsertSearchAttributes([
      { key: PaidSessionIdAttr, value: sessionId },
      { key: CourseIdAttr, value: input.courseId },
      { key: CoachIdAttr, value: input.coachId },
      { key: UserIdAttr, value: input.studentId },
      { key: DomainStatusAttr, value: this.status },
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
  }

  async run(): Promise<PaidSessionWorkflowResult> {
    const { input, sessionId } = this;
    // A run started by a late webhook for a settled session only applies what Stripe reported.
    if (input.settled) {
      await this.applyEvents();
      return this.result();
    }

    ({ paymentIntentId: this.paymentIntentId } = await stripe.createPaidSessionPaymentIntent(sessionId));

    // Locked: wait for the card, the start, an end request, or the authorization's deadline.
    while (this.status === 'locked') {
      await this.applyEvents();
      if (this.endReason !== null && !this.starting) break;
      const remaining = this.settleByMs - Date.now();
      if (remaining <= 0) {
        this.endReason = 'auth_window';
        break;
      }
      await condition(
        () =>
          this.events.length > 0 || (this.endReason !== null && !this.starting) || this.status !== 'locked',
        remaining,
      );
    }

    // Active: metered in Postgres; this loop only decides when it ends.
    // (status and endReason change in handlers: TypeScript's narrowing does not see it.)
    while ((this.status as PaidSessionStatus) === 'active' && this.endReason === null) {
      await this.applyEvents();
      if (this.endReason !== null) break;
      const { lastHeartbeatAtMs, fundsUsedUp: usedUp } = await db.paidSessionActivity(sessionId);
      const facts = {
        nowMs: Date.now(),
        settleByMs: this.settleByMs,
        lastHeartbeatAtMs,
        idleTimeoutMs: input.idleTimeoutMs,
      };
      this.endReason =
        activeEndReason({ ...facts, fundsUsedUp: usedUp || this.fundsUsedUp }) ?? this.endReason;
      if (this.endReason !== null) break;
      await condition(
        () => this.events.length > 0 || this.fundsUsedUp || this.endReason !== null,
        nextActiveCheckInMs(facts),
      );
    }

    await this.applyEvents();
    await this.settle(this.endReason ?? 'completed');
    // Events that arrived during settlement (a refund is only possible after the capture).
    await this.applyEvents();
    return this.result();
  }

  /** An authorisation event is queued or being applied (the row may already say authorised). */
  private authorising(): boolean {
    return this.applyingAuthorisation || this.events.some((e) => e.kind === 'authorised');
  }

  private setStatus(next: PaidSessionStatus): void {
    if (next === this.status) return;
    this.status = next;
    upsertSearchAttributes([{ key: DomainStatusAttr, value: next }]);
    log.info('paid session status', { sessionId: this.sessionId, status: next });
  }

  private result(): PaidSessionWorkflowResult {
    return {
      status: this.status,
      endReason: this.endReason,
      capturedMinor: this.capturedMinor,
      releasedMinor: this.releasedMinor,
    };
  }

  /** Applies Stripe's events in arrival order; returns when none is left. */
  private async applyEvents(): Promise<void> {
    const { input, sessionId, reference } = this;
    while (this.events.length > 0) {
      const e = this.events.shift()!;
      // Stripe does not deliver in order: an authorisation arriving after the PaymentIntent's
      // cancellation, or after the session settled, is stale (that hold no longer exists).
      const stale = this.settled || this.endReason === 'stripe_canceled';
      if (stale && e.kind === 'authorised' && patched(STALE_AUTHORISATION)) continue;
      if (e.kind === 'authorised' && !this.authorised && e.amountMinor >= input.lockedMinor) {
        this.applyingAuthorisation = true;
        await db.recordPaidSessionAuthorised({ sessionId, amountMinor: e.amountMinor });
        this.authorised = true;
        this.applyingAuthorisation = false;
        await db.postLedgerTransactions([
          ledger.authorisation({
            reference,
            studentId: input.studentId,
            coachId: input.coachId,
            amountMinor: input.lockedMinor,
            currency: input.currency,
            occurredAt: new Date(Date.now()).toISOString(),
          }),
        ]);
      } else if (e.kind === 'canceled' && !this.settled && this.endReason === null) {
        this.endReason = 'stripe_canceled';
      } else if (e.kind === 'refunded' && this.settled && this.capturedMinor > 0) {
        const amount = newlyRefundedMinor(e.amountMinor, this.capturedMinor, this.refundedMinor);
        if (amount > 0) {
          await db.postLedgerTransactions([
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
          this.refundedMinor += amount;
          await db.recordPaidSessionRefund({ sessionId, refundedMinor: this.refundedMinor });
        }
      } else if (e.kind === 'dispute') {
        await db.recordPaidSessionDispute(sessionId);
      }
    }
  }

  private async settle(reason: PaidSessionEndReason): Promise<void> {
    const { input, sessionId } = this;
    const endReason = (this.endReason = this.endReason ?? reason);
    const frozen = await db.closePaidSession({ sessionId, reason: endReason });
    const closed = settlementAfter(frozen, endReason === 'stripe_canceled', input.lockedMinor);
    const occurredAt = new Date(Date.now()).toISOString();
    if (closed.cancel) {
      if (endReason !== 'stripe_canceled') await stripe.cancelPaidSessionPaymentIntent(sessionId);
    } else {
      await stripe.capturePaidSession({ sessionId, amountMinor: closed.captureMinor });
    }
    const drafts = settlementPostings({
      authorised: this.authorised,
      reference: this.reference,
      studentId: input.studentId,
      coachId: input.coachId,
      currency: input.currency,
      occurredAt,
      lockedMinor: input.lockedMinor,
      captureMinor: closed.captureMinor,
      feeBps: input.feeBps,
    });
    if (drafts.length > 0) await db.postLedgerTransactions(drafts);
    this.capturedMinor = closed.captureMinor;
    this.releasedMinor = input.lockedMinor - closed.captureMinor;
    const final = closed.captureMinor > 0 ? 'completed' : 'cancelled';
    await db.finishPaidSession({
      sessionId,
      status: final,
      capturedMinor: this.capturedMinor,
      releasedMinor: this.releasedMinor,
    });
    this.setStatus(final);
    this.settled = true;
    // Revenue comes from the workflow, never the browser; keyed paid_session_revenue:<session id>,
    // so a retried or replayed activity counts the capture once.
    if (this.capturedMinor > 0 && patched(PAID_SESSION_ANALYTICS)) {
      await db.recordAnalyticsEvents([
        {
          type: 'paid_session_revenue',
          id: sessionId,
          coachId: input.coachId,
          userId: input.studentId,
          occurredAt,
          amountMinor: this.capturedMinor,
          currency: input.currency,
        },
      ]);
    }
    if (closed.started)
      await sendSettlementEmails(input, closed, {
        capturedMinor: this.capturedMinor,
        releasedMinor: this.releasedMinor,
      });
  }
}
