import { describe, expect, it } from 'vitest';
import { cardPaymentSignal, isCardPayment, readPaymentEvent } from '../../../src/domain/payments/events';

const intent = (over: Record<string, unknown> = {}) => ({
  id: 'pi_123',
  object: 'payment_intent',
  amount: 4500,
  amount_received: 4500,
  amount_capturable: 0,
  currency: 'eur',
  metadata: { kind: 'booking', bookingId: 'b-1' },
  ...over,
});

describe('readPaymentEvent', () => {
  it('reads a succeeded intent: the amount received, the metadata as strings', () => {
    expect(
      readPaymentEvent('payment_intent.succeeded', intent({ metadata: { kind: 'booking', n: 3 } })),
    ).toEqual({
      kind: 'succeeded',
      paymentIntentId: 'pi_123',
      amountMinor: 4500,
      currency: 'eur',
      metadata: { kind: 'booking' },
    });
    // Stripe omits amount_received on some older payloads: the amount counts then.
    expect(readPaymentEvent('payment_intent.succeeded', intent({ amount_received: 0 }))?.amountMinor).toBe(
      4500,
    );
  });

  it('a failed intent carries the decline message; an authorised one the capturable amount', () => {
    expect(
      readPaymentEvent(
        'payment_intent.payment_failed',
        intent({ amount_received: 0, last_payment_error: { message: 'Your card was declined.' } }),
      ),
    ).toMatchObject({ kind: 'failed', amountMinor: 4500, message: 'Your card was declined.' });
    expect(
      readPaymentEvent('payment_intent.amount_capturable_updated', intent({ amount_capturable: 1200 })),
    ).toMatchObject({ kind: 'authorised', amountMinor: 1200 });
  });

  it('charges are read by their PaymentIntent, expanded or not; refunds name the newest refund', () => {
    const charge = {
      id: 'ch_1',
      payment_intent: { id: 'pi_9' },
      amount_refunded: 700,
      currency: 'gbp',
      refunds: { data: [{ id: 're_2' }, { id: 're_1' }] },
    };
    expect(readPaymentEvent('charge.refunded', charge)).toEqual({
      kind: 'refunded',
      paymentIntentId: 'pi_9',
      amountMinor: 700,
      currency: 'gbp',
      metadata: {},
      refundId: 're_2',
    });
    expect(
      readPaymentEvent('charge.dispute.closed', {
        id: 'du_1',
        payment_intent: 'pi_9',
        amount: 700,
        currency: 'gbp',
        status: 'lost',
      }),
    ).toEqual({
      kind: 'dispute_closed',
      paymentIntentId: 'pi_9',
      amountMinor: 700,
      currency: 'gbp',
      metadata: {},
      disputeId: 'du_1',
      disputeStatus: 'lost',
    });
  });

  it.each([
    ['another type', 'customer.created', intent()],
    ['no object', 'payment_intent.succeeded', null],
    ['an id that is not a Stripe id', 'payment_intent.succeeded', intent({ id: "pi_1'; drop table" })],
    ['a negative amount', 'payment_intent.succeeded', intent({ amount_received: -5, amount: -5 })],
    ['a fractional amount', 'payment_intent.canceled', intent({ amount: 10.5 })],
    ['an amount as text', 'payment_intent.canceled', intent({ amount: '4500' })],
    ['no currency', 'payment_intent.canceled', intent({ currency: undefined })],
    ['a charge without its intent', 'charge.refunded', { amount_refunded: 5, currency: 'eur' }],
    ['a refund without an amount', 'charge.refunded', { payment_intent: 'pi_1', currency: 'eur' }],
  ])('is not a payment event: %s', (_why, type, object) => {
    expect(readPaymentEvent(type, object)).toBeUndefined();
  });
});

describe('cardPaymentSignal', () => {
  it('is what booking and purchase workflows take for succeeded / failed / canceled only', () => {
    const ok = readPaymentEvent('payment_intent.succeeded', intent())!;
    expect(isCardPayment(ok)).toBe(true);
    if (isCardPayment(ok))
      expect(cardPaymentSignal(ok, 'evt_1')).toEqual({
        eventId: 'evt_1',
        kind: 'succeeded',
        paymentIntentId: 'pi_123',
        amountMinor: 4500,
        currency: 'eur',
      });
    const held = readPaymentEvent(
      'payment_intent.amount_capturable_updated',
      intent({ amount_capturable: 1 }),
    )!;
    expect(isCardPayment(held)).toBe(false);
  });
});
