import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { paymentEventEffect } from '../../src/domain/payments/payee';
import { refundRequestProblem } from '../../src/domain/purchases/refunds';
import { minorUnits, setSummary } from '../shared/memo';
import { Mutex } from '../shared/mutex';
import { profiles } from '../shared/profiles';
import { activities } from '../shared/proxies';
import { CoachIdAttr, DomainStatusAttr, PurchaseIdAttr, UserIdAttr } from '../shared/search-attributes';
import {
  PurchaseFailure,
  type PurchasePaymentSignal,
  type PurchaseReady,
  type PurchaseRefundedSignal,
  type PurchaseSnapshot,
  type PurchaseStatus,
  type PurchaseWorkflowInput,
  type PurchaseWorkflowResult,
  type PurchaseWorkflowState,
  type RefundOutcome,
  type RefundRequest,
} from './definitions';
import { announceRefund, announceSale, postLatePaymentRefund } from './effects';
import { db, dbForCaller, stripe } from './proxies';

// One purchase's run: its state, the handlers the workflow function registers, and the main loop.
// Handlers record what arrived (signals) or make one change under the lock (the refund update); the
// loop does the rest and re-reads the state after each step.

const failure = (type: string, message: string, field?: string) =>
  ApplicationFailure.create({
    type,
    message,
    details: field ? [{ field, reason: message }] : [],
    nonRetryable: true,
  });

export class Purchase {
  /** The row (from the API's input, or loaded when a webhook or refund started the run). */
  private p: PurchaseSnapshot | undefined;
  /** The row is inserted in the transaction that starts the run: a run without it waits briefly. */
  private readonly rows;
  private readonly inbox: PurchasePaymentSignal[] = [];
  private readonly refunds: PurchaseRefundedSignal[] = [];
  /** Successes for a checkout that had already expired: refunded in full. */
  private readonly latePayments: PurchasePaymentSignal[] = [];
  /** Refunds settled by the update whose ledger, analytics and email are still to do. */
  private readonly refundEffects: { outcome: RefundOutcome; refundId: string }[] = [];
  private readonly seenEvents = new Set<string>();
  private lastPaymentError: string | null = null;
  private settled = false; // the side effects of PAID (ledger, analytics, emails) are done
  private version = 0;
  private readonly lock = new Mutex();

  constructor(private readonly input: PurchaseWorkflowInput) {
    this.p = input.snapshot;
    this.rows = activities(profiles.postgresRowWait(input.rowWaitMs ?? 60_000));
  }

  // ── Handlers ──

  receivePayment(e: PurchasePaymentSignal): void {
    if (this.seenEvents.has(e.eventId)) return;
    this.seenEvents.add(e.eventId);
    this.inbox.push(e);
  }

  receiveRefund(e: PurchaseRefundedSignal): void {
    if (this.seenEvents.has(e.eventId)) return;
    this.seenEvents.add(e.eventId);
    this.refunds.push(e);
  }

  state(): PurchaseWorkflowState {
    const { p } = this;
    return {
      purchaseId: this.input.purchaseId,
      status: p?.status ?? 'LOADING',
      paymentIntentId: p?.paymentIntentId ?? null,
      expiresAt: p ? new Date(p.createdAtMs + this.input.checkoutTimeoutMs).toISOString() : null,
      lastPaymentError: this.lastPaymentError,
      settled: this.settled,
      refundedMinor: p?.refundedMinor ?? 0,
    };
  }

  /** Resolves once the PaymentIntent exists (or the checkout has ended). */
  async ready(): Promise<PurchaseReady> {
    await condition(
      () => this.p !== undefined && (this.p.status !== 'PENDING' || this.p.paymentIntentId !== null),
    );
    return { status: this.p!.status, paymentIntentId: this.p!.paymentIntentId };
  }

  /** The refund update's check, before acceptance and again under the lock. */
  checkRefundable(req: { amountMinor?: number }): void {
    if (!this.p) return;
    const problem = refundRequestProblem(this.p, req);
    if (!problem) return;
    throw failure(
      problem.code === 'invalid_request' ? PurchaseFailure.InvalidRequest : PurchaseFailure.InvalidTransition,
      problem.message,
      problem.field,
    );
  }

  /** The coach's refund: the money and the credits are settled before the caller hears back. */
  async refund(req: RefundRequest): Promise<RefundOutcome> {
    await condition(() => this.p !== undefined && (this.p.status !== 'PAID' || this.settled));
    return this.lock.runExclusive(async () => {
      const { purchaseId } = this.input;
      this.checkRefundable(req);
      const plan = await dbForCaller.planPurchaseRefund(purchaseId);
      const amount = req.amountMinor ?? plan.defaultAmountMinor;
      if (amount <= 0 && plan.revokedCredits === 0)
        throw failure(
          PurchaseFailure.InvalidTransition,
          'Nothing is left to refund: every credit has been used or has expired',
        );
      const refundId =
        amount > 0
          ? (await stripe.refundPurchasePayment({ purchaseId, amountMinor: amount })).refundId
          : null;
      const outcome = await dbForCaller.settlePurchaseRefund({ purchaseId, refundedMinor: amount, refundId });
      // The caller has its answer once the money and the credits are settled; the ledger, analytics
      // and the email follow in the main loop (an SMTP outage must not hold the coach's request).
      this.setStatus(outcome.status);
      this.p!.refundedMinor = outcome.refundedMinor;
      this.refundEffects.push({ outcome, refundId: refundId ?? `none-${purchaseId}` });
      this.version++;
      return outcome;
    });
  }

  // ── Main loop ──

  async run(): Promise<PurchaseWorkflowResult> {
    const { purchaseId } = this.input;
    if (!this.p) {
      try {
        this.p = await this.rows.loadPurchaseSnapshot(purchaseId);
      } catch (err) {
        log.warn('purchase not found; nothing to do', { purchaseId, error: String(err) });
        return { status: 'MISSING' };
      }
    }
    const s = this.p;
    upsertSearchAttributes([
      { key: PurchaseIdAttr, value: s.id },
      { key: CoachIdAttr, value: s.coach.id },
      { key: UserIdAttr, value: s.buyer.id },
      { key: DomainStatusAttr, value: s.status },
    ]);
    setSummary(
      `Purchase of "${s.title}" for ${minorUnits(s.amountMinor, s.currency)}; buyer ${s.buyer.id}, coach ${s.coach.id}`,
      { purchaseId: s.id, productId: s.productId, buyerId: s.buyer.id, coachId: s.coach.id },
    );
    for (;;) {
      await this.lock.runExclusive(() => this.drainInbox());
      if (s.status === 'PENDING') {
        if (!s.paymentIntentId) {
          await this.createIntent(s);
          continue;
        }
        const left = s.createdAtMs + this.input.checkoutTimeoutMs - Date.now();
        if (left > 0) {
          const v = this.version;
          await condition(() => this.inbox.length > 0 || this.version !== v, left);
          continue;
        }
        await this.lock.runExclusive(async () => {
          await this.drainInbox(); // a payment that arrived with the timer still wins
          if (s.status !== 'PENDING') return;
          this.setStatus((await db.expirePurchase(purchaseId)).status);
          await stripe.cancelPurchasePaymentIntent(purchaseId);
        });
        continue;
      }
      if (s.status === 'PAID' && !this.settled) {
        await this.settlePaid(s);
        continue;
      }
      if (this.refunds.length > 0) {
        await this.lock.runExclusive(() => this.applyRefunds());
        continue;
      }
      if (this.latePayments.length > 0) {
        await this.lock.runExclusive(() => this.refundLatePayments());
        continue;
      }
      if (this.refundEffects.length > 0) {
        const { outcome, refundId } = this.refundEffects.shift()!;
        await this.afterRefund(outcome, refundId);
        continue;
      }
      // Done for now: finish once no handler is running and nothing new has arrived.
      await condition(allHandlersFinished);
      if (this.inbox.length > 0 || this.refunds.length > 0 || this.refundEffects.length > 0) continue;
      return { status: s.status };
    }
  }

  // ── Steps ──

  private setStatus(status: PurchaseStatus): void {
    if (!this.p || this.p.status === status) return;
    this.p.status = status;
    upsertSearchAttributes([{ key: DomainStatusAttr, value: status }]);
  }

  /** The PaymentIntent; a Stripe refusal ends the checkout. */
  private async createIntent(s: PurchaseSnapshot): Promise<void> {
    const { purchaseId } = this.input;
    try {
      s.paymentIntentId = (await stripe.createPurchasePaymentIntent(purchaseId)).paymentIntentId;
      // The checkout has started for real (an intent exists): the funnel's middle stage.
      await db.recordAnalyticsEvents([
        {
          type: 'checkout_started',
          id: purchaseId,
          coachId: s.coach.id,
          userId: s.buyer.id,
          occurredAt: new Date(s.createdAtMs).toISOString(),
        },
      ]);
    } catch (err) {
      this.lastPaymentError =
        err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : String(err);
      log.error('payment could not be set up; the checkout ends', {
        purchaseId,
        error: this.lastPaymentError,
      });
      this.setStatus((await db.expirePurchase(purchaseId)).status);
    }
  }

  /** Payment events in arrival order (src/domain/payments/payee.ts decides what each means). */
  private async drainInbox(): Promise<void> {
    const s = this.p!;
    const { purchaseId } = this.input;
    while (this.inbox.length > 0) {
      const e = this.inbox.shift()!;
      const effect = paymentEventEffect(
        {
          paymentIntentId: s.paymentIntentId,
          amountMinor: s.amountMinor,
          currency: s.currency,
          awaiting: s.status === 'PENDING',
          paid: s.status === 'PAID' || s.status === 'REFUNDED',
          ended: s.status === 'EXPIRED',
        },
        e,
      );
      if (effect === 'failed_attempt') this.lastPaymentError = e.message ?? 'The payment failed';
      else if (effect === 'mismatch')
        log.warn('payment event does not match the purchase; ignored', { purchaseId, eventId: e.eventId });
      else if (effect === 'late') this.latePayments.push(e);
      else if (effect === 'apply') {
        const done = await db.completePurchase({ purchaseId, paidAtMs: Date.now() });
        this.setStatus(done.status);
      }
    }
  }

  /** PAID's side effects: the sale in the ledger and in analytics, the buyer's and the coach's emails. */
  private async settlePaid(s: PurchaseSnapshot): Promise<void> {
    const { purchaseId } = this.input;
    const occurredAt = new Date(Date.now()).toISOString();
    const delivered = await db.completePurchase({ purchaseId, paidAtMs: Date.now() }); // no-op: reads what was granted
    await announceSale(this.input, s, delivered, occurredAt);
    this.settled = true;
  }

  private async afterRefund(outcome: RefundOutcome, refundId: string): Promise<void> {
    const s = this.p!;
    this.setStatus(outcome.status);
    s.refundedMinor = outcome.refundedMinor;
    await announceRefund(this.input, s, outcome, refundId);
  }

  /** charge.refunded: a refund made in Stripe (or the echo of ours, which settles nothing new). */
  private async applyRefunds(): Promise<void> {
    const s = this.p!;
    const { purchaseId } = this.input;
    while (this.refunds.length > 0) {
      const e = this.refunds.shift()!;
      if (e.paymentIntentId !== s.paymentIntentId || e.currency.toUpperCase() !== s.currency.toUpperCase()) {
        log.warn('refund event does not match the purchase; ignored', { purchaseId, eventId: e.eventId });
        continue;
      }
      if (s.status !== 'PAID') continue; // already refunded (our own refund's echo) or never paid
      const amount = Math.min(e.amountRefundedMinor, s.amountMinor);
      const outcome = await db.settlePurchaseRefund({
        purchaseId,
        refundedMinor: amount,
        refundId: e.refundId,
      });
      await this.afterRefund(outcome, e.refundId ?? e.eventId);
    }
  }

  /**
   * The intent succeeded while the expired checkout was cancelling it: the money is returned in full
   * and both movements are in the ledger (so it balances), nothing is granted.
   */
  private async refundLatePayments(): Promise<void> {
    const s = this.p!;
    const { purchaseId } = this.input;
    while (this.latePayments.length > 0) {
      const e = this.latePayments.shift()!;
      const r = await stripe.refundLatePurchasePayment({ purchaseId, amountMinor: e.amountMinor });
      s.refundedMinor = r.refundedMinor;
      await postLatePaymentRefund(this.input, s, e.amountMinor, r.refundId);
      log.warn('payment after the checkout expired: refunded in full', { purchaseId, refundId: r.refundId });
    }
  }
}
