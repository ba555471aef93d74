import { log } from '@temporalio/workflow';
import type { DefaultActivities } from '../../activities';
import { ledger, type LedgerTransactionDraft } from '../../src/domain/payments/ledger';
import type { PurchaseSnapshot, PurchaseWorkflowInput, RefundOutcome } from './definitions';
import { db, mail } from './proxies';

// What follows a purchase's money movements once they are settled: the ledger, the analytics facts
// and the emails. Each is keyed (ledger key, analytics key, email reference + template), so a step
// repeated by a retry or a later run changes nothing.

type Delivered = Awaited<ReturnType<DefaultActivities['completePurchase']>>;

const reference = (purchaseId: string) => `purchase:${purchaseId}`;

/**
 * Posts to the ledger (idempotent by key). A draft the ledger refuses is a bug to fix there, not a
 * reason to stop the purchase's lifecycle: logged, and the lifecycle goes on.
 */
async function postToLedger(purchaseId: string, drafts: LedgerTransactionDraft[]): Promise<void> {
  try {
    await db.postLedgerTransactions(drafts);
  } catch (err) {
    log.error('ledger posting failed', { purchaseId, error: String(err) });
  }
}

/** The sale (PAID): in the ledger and in analytics, and the buyer's and the coach's emails. */
export async function announceSale(
  input: PurchaseWorkflowInput,
  s: PurchaseSnapshot,
  delivered: Delivered,
  occurredAt: string,
): Promise<void> {
  const { purchaseId } = input;
  await postToLedger(purchaseId, [
    ledger.purchase({
      reference: reference(purchaseId),
      studentId: s.buyer.id,
      coachId: s.coach.id,
      amountMinor: s.amountMinor,
      currency: s.currency.toLowerCase(),
      feeBps: input.feeBps,
      occurredAt,
    }),
  ]);
  const fact = { id: purchaseId, coachId: s.coach.id, userId: s.buyer.id, occurredAt };
  await db.recordAnalyticsEvents([
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
    mail.sendEmail({
      reference: `purchase-${purchaseId}`,
      template: 'purchase_confirmed',
      to: s.buyer.email,
      data,
    }),
    mail.sendEmail({
      reference: `purchase-${purchaseId}`,
      template: 'purchase_sold',
      to: s.coach.email,
      data,
    }),
  ]);
}

/** A settled refund (the coach's, or one made in Stripe): ledger, analytics, the buyer's email. */
export async function announceRefund(
  input: PurchaseWorkflowInput,
  s: PurchaseSnapshot,
  outcome: RefundOutcome,
  refundId: string,
): Promise<void> {
  const { purchaseId } = input;
  const occurredAt = new Date(Date.now()).toISOString();
  if (outcome.refundedMinor > 0) {
    await postToLedger(purchaseId, [
      ledger.purchaseRefund({
        reference: reference(purchaseId),
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
  await db.recordAnalyticsEvents([
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
  await mail.sendEmail({
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

/** A payment after the checkout expired, refunded in full: both movements in the ledger, so it balances. */
export async function postLatePaymentRefund(
  input: PurchaseWorkflowInput,
  s: PurchaseSnapshot,
  amountMinor: number,
  refundId: string,
): Promise<void> {
  const parties = {
    reference: reference(input.purchaseId),
    studentId: s.buyer.id,
    coachId: s.coach.id,
    amountMinor,
    currency: s.currency.toLowerCase(),
    feeBps: input.feeBps,
    occurredAt: new Date(Date.now()).toISOString(),
  };
  await postToLedger(input.purchaseId, [
    ledger.purchase(parties),
    ledger.purchaseRefund({ ...parties, refundId }),
  ]);
}
