import { ApplicationFailure } from '@temporalio/activity';
import type { Deps } from '../../src/infra/deps';
import { StripeFailure } from '../../workflows/shared/failures';
import { paymentsCore, recordOnce, stripeKey, type PaymentRef } from '../payments/stripe';

// Stripe steps of paid-session-<id>, through the payments core: the manual-capture PaymentIntent for
// the lock, the capture of exactly the final cost (Stripe releases the rest), or the cancellation
// when nothing is owed. Each result is recorded on the row, which is read first: a retried activity
// or a replayed workflow never charges twice.

const ref = (sessionId: string): PaymentRef => ({ kind: 'paid-session', id: sessionId });

export const paidSessionKeys = {
  paymentIntent: (id: string) => stripeKey(ref(id), 'payment-intent'),
  capture: (id: string) => stripeKey(ref(id), 'capture'),
  cancel: (id: string) => stripeKey(ref(id), 'cancel'),
};

export function paidSessionStripeActivities(deps: Pick<Deps, 'db' | 'stripe'>) {
  const { db } = deps;
  const payments = paymentsCore(deps.stripe);
  return {
    /** The lock: a PaymentIntent with capture_method=manual; the client secret goes on the row only. */
    async createPaidSessionPaymentIntent(sessionId: string): Promise<{ paymentIntentId: string }> {
      const s = await db.paidSession.findUniqueOrThrow({
        where: { id: sessionId },
        include: { student: { select: { email: true } }, course: { select: { title: true } } },
      });
      if (s.paymentIntentId) return { paymentIntentId: s.paymentIntentId };
      const intent = await payments.createIntent(ref(s.id), {
        amountMinor: s.lockedMinor,
        currency: s.currency,
        capture: 'manual',
        description: `${s.course.title} (paid session ${s.id})`,
        receiptEmail: s.student.email,
        metadata: { kind: 'paid_session', paidSessionId: s.id, coachId: s.coachId, studentId: s.studentId },
      });
      const paymentIntentId = await recordOnce(
        intent.id,
        () =>
          db.paidSession.updateMany({
            where: { id: s.id, paymentIntentId: null },
            data: { paymentIntentId: intent.id, paymentClientSecret: intent.clientSecret },
          }),
        async () =>
          (await db.paidSession.findUniqueOrThrow({ where: { id: s.id }, select: { paymentIntentId: true } }))
            .paymentIntentId,
      );
      return { paymentIntentId };
    },

    /** Captures exactly `amountMinor` (partial capture: Stripe releases the rest of the hold). */
    async capturePaidSession(input: {
      sessionId: string;
      amountMinor: number;
    }): Promise<{ capturedMinor: number }> {
      const s = await db.paidSession.findUniqueOrThrow({
        where: { id: input.sessionId },
        select: { paymentIntentId: true, capturedMinor: true },
      });
      if (s.capturedMinor !== null) return { capturedMinor: s.capturedMinor };
      if (!s.paymentIntentId)
        throw ApplicationFailure.nonRetryable('no PaymentIntent to capture', StripeFailure.Rejected);
      await payments.captureIntent(ref(input.sessionId), s.paymentIntentId, input.amountMinor);
      return { capturedMinor: input.amountMinor };
    },

    /** Nothing owed: the hold is cancelled. Already cancelled (or never created) is success. */
    async cancelPaidSessionPaymentIntent(sessionId: string): Promise<{ canceled: boolean }> {
      const s = await db.paidSession.findUniqueOrThrow({
        where: { id: sessionId },
        select: { paymentIntentId: true },
      });
      if (!s.paymentIntentId) return { canceled: false };
      const { canceled } = await payments.cancelIntent(ref(sessionId), s.paymentIntentId, 'cancel');
      return { canceled };
    },
  };
}
