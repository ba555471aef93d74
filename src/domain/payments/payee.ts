import type { CardPaymentSignal } from './events';

// What a card-payment event (events.ts: succeeded, failed, canceled) means for the thing it pays for,
// a booking or a purchase. The workflows apply events in arrival order and Stripe delivers them in
// any order, more than once: this rule makes the order irrelevant. Only a success for the payee's own
// PaymentIntent, for exactly its amount and currency, ever counts as a payment.

export type PaymentEventEffect =
  /** The payment awaited: record it (a booking is confirmed, a purchase completed). */
  | 'apply'
  /** Paid after the payee ended unpaid (expired, cancelled): the money goes back in full. */
  | 'late'
  /** A failed attempt while payment is awaited: the payer sees the message and may retry. */
  | 'failed_attempt'
  /** Not this payee's intent, amount or currency: logged and ignored. */
  | 'mismatch'
  /** Nothing follows (a cancellation we made, a repeat success, a failure after payment). */
  | 'ignore';

export type PayeeEvent = Pick<CardPaymentSignal, 'kind' | 'paymentIntentId' | 'amountMinor' | 'currency'>;

export interface Payee {
  /** The PaymentIntent the payee created (null before it exists). */
  paymentIntentId: string | null;
  /** What the payee costs, in minor units of `currency`. */
  amountMinor: number;
  currency: string;
  /** Waiting for its payment. */
  awaiting: boolean;
  /** Already recorded as paid. */
  paid: boolean;
  /** Ended without being paid: a success now is a late payment. */
  ended: boolean;
}

export function paymentEventEffect(payee: Payee, event: PayeeEvent): PaymentEventEffect {
  if (event.kind === 'failed') return payee.awaiting && !payee.paid ? 'failed_attempt' : 'ignore';
  if (event.kind === 'canceled') return 'ignore'; // we cancel intents ourselves; nothing follows from it
  const ours =
    event.paymentIntentId === payee.paymentIntentId &&
    event.amountMinor === payee.amountMinor &&
    event.currency.toUpperCase() === payee.currency.toUpperCase();
  if (!ours) return 'mismatch';
  if (payee.paid) return 'ignore';
  if (payee.awaiting) return 'apply';
  if (payee.ended) return 'late';
  return 'ignore';
}
