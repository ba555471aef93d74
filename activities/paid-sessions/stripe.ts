import { ApplicationFailure, log } from '@temporalio/activity';
import type { Deps } from '../../src/infra/deps';
import { classify } from '../payments/stripe-errors';
import { StripeFailure } from '../../workflows/shared/failures';

// Stripe calls of paid-session-<id>: the manual-capture PaymentIntent for the lock, the capture of
// exactly the final cost (Stripe releases the rest), or the cancellation when nothing is owed. Each
// carries an idempotency key derived from the session and the step, and its result is recorded on
// the row, which is read first: a retried activity or a replayed workflow never charges twice.

export const paidSessionKeys = {
  paymentIntent: (id: string) => `paid-session-${id}-payment-intent`,
  capture: (id: string) => `paid-session-${id}-capture`,
  cancel: (id: string) => `paid-session-${id}-cancel`,
};

export function paidSessionStripeActivities(deps: Pick<Deps, 'db' | 'stripe'>) {
  const { db, stripe } = deps;
  return {
    /** The lock: a PaymentIntent with capture_method=manual; the client secret goes on the row only. */
    async createPaidSessionPaymentIntent(sessionId: string): Promise<{ paymentIntentId: string }> {
      const s = await db.paidSession.findUniqueOrThrow({
        where: { id: sessionId },
        include: { student: { select: { email: true } }, course: { select: { title: true } } },
      });
      if (s.paymentIntentId) return { paymentIntentId: s.paymentIntentId };
      let intent;
      try {
        intent = await stripe.paymentIntents.create(
          {
            amount: s.lockedMinor,
            currency: s.currency,
            capture_method: 'manual',
            automatic_payment_methods: { enabled: true },
            description: `${s.course.title} (paid session ${s.id})`,
            receipt_email: s.student.email,
            metadata: {
              kind: 'paid_session',
              paidSessionId: s.id,
              coachId: s.coachId,
              studentId: s.studentId,
            },
          },
          { idempotencyKey: paidSessionKeys.paymentIntent(s.id) },
        );
      } catch (err) {
        classify(err, 'creating the PaymentIntent failed');
      }
      await db.paidSession.updateMany({
        where: { id: s.id, paymentIntentId: null },
        data: { paymentIntentId: intent.id, paymentClientSecret: intent.client_secret },
      });
      const stored = await db.paidSession.findUniqueOrThrow({
        where: { id: s.id },
        select: { paymentIntentId: true },
      });
      return { paymentIntentId: stored.paymentIntentId! };
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
      try {
        await stripe.paymentIntents.capture(
          s.paymentIntentId,
          { amount_to_capture: input.amountMinor },
          { idempotencyKey: paidSessionKeys.capture(input.sessionId) },
        );
      } catch (err) {
        classify(err, 'capturing the PaymentIntent failed');
      }
      return { capturedMinor: input.amountMinor };
    },

    /** Nothing owed: the hold is cancelled. Already cancelled (or never created) is success. */
    async cancelPaidSessionPaymentIntent(sessionId: string): Promise<{ canceled: boolean }> {
      const s = await db.paidSession.findUniqueOrThrow({
        where: { id: sessionId },
        select: { paymentIntentId: true },
      });
      if (!s.paymentIntentId) return { canceled: false };
      try {
        await stripe.paymentIntents.cancel(
          s.paymentIntentId,
          { cancellation_reason: 'abandoned' },
          { idempotencyKey: paidSessionKeys.cancel(sessionId) },
        );
        return { canceled: true };
      } catch (err) {
        const e = err as { code?: string; message?: string };
        if (e.code === 'payment_intent_unexpected_state') {
          log.warn('paid-session PaymentIntent not cancellable', { sessionId, message: e.message });
          return { canceled: false };
        }
        classify(err, 'cancelling the PaymentIntent failed');
      }
    },
  };
}
