import { ApplicationFailure } from '@temporalio/activity';
import { classifyTransferError, PAYOUT_FAILURE_REASONS } from '../../src/domain/payouts/payouts';
import type { StripeErrorInfo } from '../../src/domain/payments/stripe-errors';
import type { Deps } from '../../src/infra/deps';
import { PayoutFailure, type PayoutFailureDetails } from '../../workflows/payouts/definitions';
import { paymentsCore, type PaymentRef } from '../payments/stripe';

// Stripe Connect transfers made by payout-<coach>-<period>, through the payments core. The transfer
// carries the idempotency key payout-<id>-transfer, and its id is stored on the payout row, which is
// checked first: a retried activity, a replayed workflow or a worker killed mid-call never transfers
// twice.

const permanent = (type: string, message: string, details: PayoutFailureDetails) =>
  ApplicationFailure.create({ type, message, details: [details], nonRetryable: true });

export function payoutStripeActivities(deps: Pick<Deps, 'db' | 'stripe'>) {
  const { db } = deps;
  const payments = paymentsCore(deps.stripe);
  return {
    /**
     * Transfers the payout's amount to the coach's connected account, once, and marks it in transit.
     * No account or payouts disabled are final (PayoutNoAccount / PayoutPayoutsDisabled), as are
     * Stripe's permanent refusals (PayoutTransferRejected, e.g. an insufficient platform balance);
     * network errors, rate limits and Stripe's 5xx are thrown as they are and retried with backoff.
     */
    async transferPayout(payoutId: string): Promise<{ transferId: string }> {
      const p = await db.payout.findUniqueOrThrow({ where: { id: payoutId } });
      const ref: PaymentRef = { kind: 'payout', id: p.id };
      if (p.stripeTransferId) return { transferId: p.stripeTransferId };
      if (p.status === 'failed')
        throw permanent(PayoutFailure.TransferRejected, p.failureReason ?? 'payout failed', {
          code: 'stripe_rejected',
        });
      const account = await db.connectAccount.findUnique({ where: { coachId: p.coachId } });
      if (!account)
        throw permanent(PayoutFailure.NoAccount, PAYOUT_FAILURE_REASONS.no_account, { code: 'no_account' });
      if (!account.payoutsEnabled)
        throw permanent(PayoutFailure.PayoutsDisabled, PAYOUT_FAILURE_REASONS.payouts_disabled, {
          code: 'payouts_disabled',
        });
      let transferId;
      try {
        ({ transferId } = await payments.transfer(ref, {
          amountMinor: p.amountMinor,
          currency: p.currency.trim(),
          destination: account.stripeAccountId,
          transferGroup: `payout-${p.id}`,
          description: `CoachFlow payout ${p.period}`,
          metadata: { kind: 'payout', payoutId: p.id, coachId: p.coachId, period: p.period },
        }));
      } catch (err) {
        const e = (typeof err === 'object' && err !== null ? err : {}) as StripeErrorInfo;
        const verdict = classifyTransferError(e);
        if (!verdict.permanent) throw err;
        throw permanent(PayoutFailure.TransferRejected, verdict.reason, { code: verdict.code });
      }
      await db.payout.updateMany({
        where: { id: p.id, stripeTransferId: null },
        data: {
          stripeTransferId: transferId,
          stripeAccountId: account.stripeAccountId,
          status: 'in_transit',
        },
      });
      const stored = await db.payout.findUniqueOrThrow({
        where: { id: p.id },
        select: { stripeTransferId: true },
      });
      return { transferId: stored.stripeTransferId! };
    },
  };
}
