import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { DefaultActivities } from '../../activities';
import { ledger } from '../../src/domain/payments/ledger';
import { refundAmountProblem } from '../../src/domain/purchases/refunds';
import { minorUnits, setSummary } from '../shared/memo';
import { Mutex } from '../shared/mutex';
import { profiles } from '../shared/profiles';
import { CoachIdAttr, DomainStatusAttr, PurchaseIdAttr, UserIdAttr } from '../shared/search-attributes';
import {
  PurchaseFailure,
  purchasePaymentSignal,
  purchaseReadyUpdate,
  purchaseRefundedSignal,
  purchaseStateQuery,
  refundPurchaseUpdate,
  type PurchasePaymentSignal,
  type PurchaseRefundedSignal,
  type PurchaseSnapshot,
  type PurchaseStatus,
  type PurchaseWorkflowInput,
  type PurchaseWorkflowResult,
  type RefundOutcome,
} from './definitions';

// purchase-<id>: one checkout from its PENDING insert to PAID (credits granted, ledger, emails) or
// EXPIRED (abandoned: the intent is cancelled), and a later refund (the coach's update or Stripe's
// charge.refunded) to REFUNDED with unused credits revoked.
//
//   PENDING ── payment_intent.succeeded (amount + currency checked) ──> PAID ── refund ──> REFUNDED
//      └── checkout timeout ──> EXPIRED
//
// A run ends once its work is done; a webhook or refund for a finished purchase starts a new run
// (signalWithStart / update-with-start), which loads the row and carries on. Every step is keyed
// (status-guarded writes, Stripe idempotency keys, email and ledger and analytics keys), so a run
// that repeats a step of an earlier one changes nothing.

const { completePurchase, expirePurchase, settlePurchaseRefund } = proxyActivities<DefaultActivities>(
  profiles.postgres,
);
const { postLedgerTransactions, recordAnalyticsEvents } = proxyActivities<DefaultActivities>(
  profiles.postgres,
);
const { planPurchaseRefund: planForCaller, settlePurchaseRefund: settleForCaller } =
  proxyActivities<DefaultActivities>(profiles.postgresForCaller);
const {
  createPurchasePaymentIntent,
  cancelPurchasePaymentIntent,
  refundPurchasePayment,
  refundLatePurchasePayment,
} = proxyActivities<DefaultActivities>(profiles.stripe);
const { sendEmail } = proxyActivities<DefaultActivities>(profiles.email);

const failure = (type: string, message: string, field?: string) =>
  ApplicationFailure.create({
    type,
    message,
    details: field ? [{ field, reason: message }] : [],
    nonRetryable: true,
  });

export async function purchaseWorkflow(input: PurchaseWorkflowInput): Promise<PurchaseWorkflowResult> {
  const { purchaseId } = input;
  const { loadPurchaseSnapshot } = proxyActivities<DefaultActivities>(
    profiles.postgresRowWait(input.rowWaitMs ?? 60_000),
  );
  let p: PurchaseSnapshot | undefined = input.snapshot;
  const inbox: PurchasePaymentSignal[] = [];
  const refunds: PurchaseRefundedSignal[] = [];
  /** Successes for a checkout that had already expired: refunded in full. */
  const latePayments: PurchasePaymentSignal[] = [];
  /** Refunds settled by the update whose ledger, analytics and email are still to do. */
  const refundEffects: { outcome: RefundOutcome; refundId: string }[] = [];
  const seenEvents = new Set<string>();
  let lastPaymentError: string | null = null;
  let settled = false; // the side effects of PAID (ledger, analytics, emails) are done
  let version = 0;
  const lock = new Mutex();
  const reference = () => `purchase:${purchaseId}`;

  function setStatus(status: PurchaseStatus) {
    if (!p || p.status === status) return;
    p.status = status;
    upsertSearchAttributes([{ key: DomainStatusAttr, value: status }]);
  }

  setHandler(purchasePaymentSignal, (e) => {
    if (seenEvents.has(e.eventId)) return;
    seenEvents.add(e.eventId);
    inbox.push(e);
  });
  setHandler(purchaseRefundedSignal, (e) => {
    if (seenEvents.has(e.eventId)) return;
    seenEvents.add(e.eventId);
    refunds.push(e);
  });
  setHandler(purchaseStateQuery, () => ({
    purchaseId,
    status: p?.status ?? 'LOADING',
    paymentIntentId: p?.paymentIntentId ?? null,
    expiresAt: p ? new Date(p.createdAtMs + input.checkoutTimeoutMs).toISOString() : null,
    lastPaymentError,
    settled,
    refundedMinor: p?.refundedMinor ?? 0,
  }));
  setHandler(purchaseReadyUpdate, async () => {
    await condition(() => p !== undefined && (p.status !== 'PENDING' || p.paymentIntentId !== null));
    return { status: p!.status, paymentIntentId: p!.paymentIntentId };
  });

  const checkRefundable = (req: { amountMinor?: number }) => {
    if (!p) return;
    if (p.status === 'REFUNDED')
      throw failure(PurchaseFailure.InvalidTransition, 'This purchase has already been refunded');
    if (p.status !== 'PAID')
      throw failure(
        PurchaseFailure.InvalidTransition,
        `A ${p.status.toLowerCase()} purchase cannot be refunded`,
      );
    if (req.amountMinor !== undefined) {
      const problem = refundAmountProblem(req.amountMinor, p.amountMinor, p.refundedMinor);
      if (problem) throw failure(PurchaseFailure.InvalidRequest, problem, 'amountMinor');
    }
  };

  setHandler(
    refundPurchaseUpdate,
    async (req): Promise<RefundOutcome> => {
      await condition(() => p !== undefined && (p.status !== 'PAID' || settled));
      return lock.runExclusive(async () => {
        checkRefundable(req);
        const plan = await planForCaller(purchaseId);
        const amount = req.amountMinor ?? plan.defaultAmountMinor;
        if (amount <= 0 && plan.revokedCredits === 0)
          throw failure(
            PurchaseFailure.InvalidTransition,
            'Nothing is left to refund: every credit has been used or has expired',
          );
        const refundId =
          amount > 0 ? (await refundPurchasePayment({ purchaseId, amountMinor: amount })).refundId : null;
        const outcome = await settleForCaller({ purchaseId, refundedMinor: amount, refundId });
        // The caller has its answer once the money and the credits are settled; the ledger, analytics
        // and the email follow in the main loop (an SMTP outage must not hold the coach's request).
        setStatus(outcome.status);
        p!.refundedMinor = outcome.refundedMinor;
        refundEffects.push({ outcome, refundId: refundId ?? `none-${purchaseId}` });
        version++;
        return outcome;
      });
    },
    { validator: (req) => checkRefundable(req) },
  );

  /**
   * Posts to the ledger (idempotent by key). A draft the ledger refuses is a bug to fix there, not a
   * reason to stop the purchase's lifecycle: logged, and the lifecycle goes on.
   */
  async function postToLedger(drafts: Parameters<typeof postLedgerTransactions>[0]): Promise<void> {
    try {
      await postLedgerTransactions(drafts);
    } catch (err) {
      log.error('ledger posting failed', { purchaseId, error: String(err) });
    }
  }

  async function afterRefund(
    outcome: {
      status: PurchaseStatus;
      refundedMinor: number;
      revokedCredits: number;
      keptCredits: number;
      note: string;
      revokedCourses?: string[];
    },
    refundId: string,
  ) {
    const s = p!;
    setStatus(outcome.status);
    s.refundedMinor = outcome.refundedMinor;
    const occurredAt = new Date(Date.now()).toISOString();
    if (outcome.refundedMinor > 0) {
      await postToLedger([
        ledger.purchaseRefund({
          reference: reference(),
          refundId,
          studentId: s.buyer.id,
          coachId: s.coach.id,
          amountMinor: outcome.refundedMinor,
          currency: s.currency.toLowerCase(),
          feeBps: input.feeBps,
          occurredAt,
        }),
      ]);
    }
    await recordAnalyticsEvents([
      {
        type: 'purchase_refund',
        id: purchaseId,
        coachId: s.coach.id,
        userId: s.buyer.id,
        occurredAt,
        amountMinor: outcome.refundedMinor,
        currency: s.currency,
      },
    ]);
    await sendEmail({
      reference: `purchase-${purchaseId}`,
      template: 'purchase_refunded',
      to: s.buyer.email,
      data: {
        purchaseId,
        title: s.title,
        refundedMinor: outcome.refundedMinor,
        currency: s.currency,
        buyer: { name: s.buyer.name, email: s.buyer.email },
        coach: { name: s.coach.name },
        revokedCredits: outcome.revokedCredits,
        keptCredits: outcome.keptCredits,
        note: outcome.note,
        // Email data only (no new command): what the activity's recorded outcome says.
        revokedCourses: outcome.revokedCourses ?? [],
      },
    });
  }

  /** Payment events in arrival order: only a success for our intent with the right amount counts. */
  async function drainInbox(): Promise<void> {
    const s = p!;
    while (inbox.length > 0) {
      const e = inbox.shift()!;
      if (e.kind === 'failed') {
        if (s.status === 'PENDING') lastPaymentError = e.message ?? 'The payment failed';
        continue;
      }
      if (e.kind === 'canceled') continue;
      const right =
        e.paymentIntentId === s.paymentIntentId &&
        e.amountMinor === s.amountMinor &&
        e.currency.toUpperCase() === s.currency.toUpperCase();
      if (!right) {
        log.warn('payment event does not match the purchase; ignored', { purchaseId, eventId: e.eventId });
        continue;
      }
      if (s.status === 'EXPIRED') {
        latePayments.push(e);
        continue;
      }
      if (s.status !== 'PENDING') continue; // already paid: a second success for one intent changes nothing
      const done = await completePurchase({ purchaseId, paidAtMs: Date.now() });
      setStatus(done.status);
    }
  }

  /** PAID's side effects: the sale in the ledger and in analytics, the buyer's and the coach's emails. */
  async function settlePaid(): Promise<void> {
    const s = p!;
    const occurredAt = new Date(Date.now()).toISOString();
    const delivered = await completePurchase({ purchaseId, paidAtMs: Date.now() }); // no-op: reads what was granted
    await postToLedger([
      ledger.purchase({
        reference: reference(),
        studentId: s.buyer.id,
        coachId: s.coach.id,
        amountMinor: s.amountMinor,
        currency: s.currency.toLowerCase(),
        feeBps: input.feeBps,
        occurredAt,
      }),
    ]);
    const fact = { id: purchaseId, coachId: s.coach.id, userId: s.buyer.id, occurredAt };
    await recordAnalyticsEvents([
      { ...fact, type: 'checkout_completed' },
      { ...fact, type: 'purchase', amountMinor: s.amountMinor, currency: s.currency },
    ]);
    const data = {
      purchaseId,
      title: s.title,
      amountMinor: s.amountMinor,
      currency: s.currency,
      buyer: { name: s.buyer.name, email: s.buyer.email },
      coach: { name: s.coach.name, email: s.coach.email },
      credits: delivered.credits,
      products: delivered.products,
      courses: delivered.courses ?? [],
    };
    await Promise.all([
      sendEmail({
        reference: `purchase-${purchaseId}`,
        template: 'purchase_confirmed',
        to: s.buyer.email,
        data,
      }),
      sendEmail({ reference: `purchase-${purchaseId}`, template: 'purchase_sold', to: s.coach.email, data }),
    ]);
    settled = true;
  }

  /** charge.refunded: a refund made in Stripe (or the echo of ours, which settles nothing new). */
  async function applyRefunds(): Promise<void> {
    const s = p!;
    while (refunds.length > 0) {
      const e = refunds.shift()!;
      if (e.paymentIntentId !== s.paymentIntentId || e.currency.toUpperCase() !== s.currency.toUpperCase()) {
        log.warn('refund event does not match the purchase; ignored', { purchaseId, eventId: e.eventId });
        continue;
      }
      if (s.status !== 'PAID') continue; // already refunded (our own refund's echo) or never paid
      const amount = Math.min(e.amountRefundedMinor, s.amountMinor);
      const outcome = await settlePurchaseRefund({ purchaseId, refundedMinor: amount, refundId: e.refundId });
      await afterRefund(outcome, e.refundId ?? e.eventId);
    }
  }

  /**
   * The intent succeeded while the expired checkout was cancelling it: the money is returned in full
   * and both movements are in the ledger (so it balances), nothing is granted.
   */
  async function refundLatePayments(): Promise<void> {
    const s = p!;
    while (latePayments.length > 0) {
      const e = latePayments.shift()!;
      const r = await refundLatePurchasePayment({ purchaseId, amountMinor: e.amountMinor });
      s.refundedMinor = r.refundedMinor;
      const occurredAt = new Date(Date.now()).toISOString();
      const parties = {
        reference: reference(),
        studentId: s.buyer.id,
        coachId: s.coach.id,
        amountMinor: e.amountMinor,
        currency: s.currency.toLowerCase(),
        feeBps: input.feeBps,
        occurredAt,
      };
      await postToLedger([
        ledger.purchase(parties),
        ledger.purchaseRefund({ ...parties, refundId: r.refundId }),
      ]);
      log.warn('payment after the checkout expired: refunded in full', { purchaseId, refundId: r.refundId });
    }
  }

  // ── Main loop ──
  if (!p) {
    try {
      p = await loadPurchaseSnapshot(purchaseId);
    } catch (err) {
      log.warn('purchase not found; nothing to do', { purchaseId, error: String(err) });
      return { status: 'MISSING' };
    }
  }
  const s = p;
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
    await lock.runExclusive(drainInbox);
    if (s.status === 'PENDING') {
      if (!s.paymentIntentId) {
        try {
          s.paymentIntentId = (await createPurchasePaymentIntent(purchaseId)).paymentIntentId;
          // The checkout has started for real (an intent exists): the funnel's middle stage.
          await recordAnalyticsEvents([
            {
              type: 'checkout_started',
              id: purchaseId,
              coachId: s.coach.id,
              userId: s.buyer.id,
              occurredAt: new Date(s.createdAtMs).toISOString(),
            },
          ]);
        } catch (err) {
          lastPaymentError =
            err instanceof ActivityFailure ? (err.cause?.message ?? err.message) : String(err);
          log.error('payment could not be set up; the checkout ends', {
            purchaseId,
            error: lastPaymentError,
          });
          setStatus((await expirePurchase(purchaseId)).status);
        }
        continue;
      }
      const left = s.createdAtMs + input.checkoutTimeoutMs - Date.now();
      if (left > 0) {
        const v = version;
        await condition(() => inbox.length > 0 || version !== v, left);
        continue;
      }
      await lock.runExclusive(async () => {
        await drainInbox(); // a payment that arrived with the timer still wins
        if (s.status !== 'PENDING') return;
        setStatus((await expirePurchase(purchaseId)).status);
        await cancelPurchasePaymentIntent(purchaseId);
      });
      continue;
    }
    if (s.status === 'PAID' && !settled) {
      await settlePaid();
      continue;
    }
    if (refunds.length > 0) {
      await lock.runExclusive(applyRefunds);
      continue;
    }
    if (latePayments.length > 0) {
      await lock.runExclusive(refundLatePayments);
      continue;
    }
    if (refundEffects.length > 0) {
      const { outcome, refundId } = refundEffects.shift()!;
      await afterRefund(outcome, refundId);
      continue;
    }
    // Done for now: finish once no handler is running and nothing new has arrived.
    await condition(allHandlersFinished);
    if (inbox.length > 0 || refunds.length > 0 || refundEffects.length > 0) continue;
    return { status: s.status };
  }
}
