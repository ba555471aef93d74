import { log } from '@temporalio/activity';
import type { Stripe } from '../../src/infra/stripe';
import { asStripeError, classify } from './stripe-errors';

// The payments core on the activity side: every PaymentIntent, capture, cancellation, refund and
// Connect transfer any feature makes goes through here, each with the idempotency key
// `${kind}-${id}-${step}`. Features keep their own Postgres steps (what a row holds, the conditional
// record of a result), so a retried activity first finds a result already recorded, and a call that
// does reach Stripe again is answered from Stripe's idempotency cache: never two charges, refunds
// or transfers for one business event.

/** Who a Stripe object is for: the kind of our row and its id (booking-<id>, purchase-<id>, …). */
export interface PaymentRef {
  kind: 'booking' | 'purchase' | 'paid-session' | 'payout';
  id: string;
}

/** The one idempotency-key shape: `${kind}-${id}-${step}` (e.g. booking-<id>-refund). */
export const stripeKey = (ref: PaymentRef, step: string) => `${ref.kind}-${ref.id}-${step}`;

/** What a PaymentIntent is made of. Automatic capture charges on confirmation; manual holds funds. */
export interface IntentRequest {
  amountMinor: number;
  currency: string;
  capture: 'automatic' | 'manual';
  description: string;
  receiptEmail: string;
  /** Echoed on every event about the intent; attribution still goes by the id we store. */
  metadata: Record<string, string>;
}

export interface RefundRequest {
  paymentIntentId: string;
  amountMinor: number;
  /** The key's step: one refund per distinct step (default 'refund'). */
  step?: string;
  metadata: Record<string, string>;
}

export interface TransferRequest {
  amountMinor: number;
  currency: string;
  /** The connected account (acct_…). */
  destination: string;
  transferGroup: string;
  description: string;
  metadata: Record<string, string>;
}

export function paymentsCore(stripe: Stripe) {
  return {
    /** Creates the intent once per ref; the client secret is returned for the row only, never for history. */
    async createIntent(
      ref: PaymentRef,
      req: IntentRequest,
    ): Promise<{ id: string; clientSecret: string | null }> {
      try {
        const intent = await stripe.paymentIntents.create(
          {
            amount: req.amountMinor,
            currency: req.currency.toLowerCase(),
            ...(req.capture === 'manual' ? { capture_method: 'manual' as const } : {}),
            automatic_payment_methods: { enabled: true },
            description: req.description,
            receipt_email: req.receiptEmail,
            metadata: req.metadata,
          },
          { idempotencyKey: stripeKey(ref, 'payment-intent') },
        );
        return { id: intent.id, clientSecret: intent.client_secret };
      } catch (err) {
        classify(err, 'creating the PaymentIntent failed');
      }
    },

    /**
     * Cancels an intent nobody may pay any more (an abandoned hold or checkout, a hold with nothing
     * owed). When Stripe says it can no longer be cancelled (it has just succeeded), the success event
     * follows and its owner settles it: reported, not retried.
     */
    async cancelIntent(
      ref: PaymentRef,
      paymentIntentId: string,
      step: string,
    ): Promise<{ canceled: boolean; reason?: string }> {
      try {
        await stripe.paymentIntents.cancel(
          paymentIntentId,
          { cancellation_reason: 'abandoned' },
          { idempotencyKey: stripeKey(ref, step) },
        );
        return { canceled: true };
      } catch (err) {
        const e = asStripeError(err);
        if (e.code === 'payment_intent_unexpected_state') {
          log.warn('PaymentIntent could not be cancelled', { ...ref, message: e.message });
          return { canceled: false, reason: e.message ?? 'unexpected state' };
        }
        classify(err, 'cancelling the PaymentIntent failed');
      }
    },

    /** Captures exactly `amountMinor` of a manual-capture intent; Stripe releases the rest of the hold. */
    async captureIntent(ref: PaymentRef, paymentIntentId: string, amountMinor: number): Promise<void> {
      try {
        await stripe.paymentIntents.capture(
          paymentIntentId,
          { amount_to_capture: amountMinor },
          { idempotencyKey: stripeKey(ref, 'capture') },
        );
      } catch (err) {
        classify(err, 'capturing the PaymentIntent failed');
      }
    },

    /** Refunds `amountMinor` of a paid intent, once per (ref, step). */
    async refund(ref: PaymentRef, req: RefundRequest): Promise<{ refundId: string }> {
      try {
        const refund = await stripe.refunds.create(
          {
            payment_intent: req.paymentIntentId,
            amount: req.amountMinor,
            reason: 'requested_by_customer',
            metadata: req.metadata,
          },
          { idempotencyKey: stripeKey(ref, req.step ?? 'refund') },
        );
        return { refundId: refund.id };
      } catch (err) {
        classify(err, `refunding the ${ref.kind} failed`);
      }
    },

    /**
     * A Connect transfer to a coach's account, once per ref. Stripe's errors are thrown as they are:
     * which refusals are final depends on the caller's failure catalogue (payouts classify them).
     */
    async transfer(ref: PaymentRef, req: TransferRequest): Promise<{ transferId: string }> {
      const transfer = await stripe.transfers.create(
        {
          amount: req.amountMinor,
          currency: req.currency,
          destination: req.destination,
          transfer_group: req.transferGroup,
          description: req.description,
          metadata: req.metadata,
        },
        { idempotencyKey: stripeKey(ref, 'transfer') },
      );
      return { transferId: transfer.id };
    },
  };
}

export type PaymentsCore = ReturnType<typeof paymentsCore>;

/**
 * Records a Stripe result on its owner row at most once (a write conditional on the column being
 * empty) and returns what the row holds: this attempt's result, or an earlier attempt's.
 */
export async function recordOnce<T>(
  fresh: T,
  write: () => Promise<{ count: number }>,
  stored: () => Promise<T | null>,
): Promise<T> {
  if ((await write()).count === 1) return fresh;
  return (await stored()) ?? fresh;
}
