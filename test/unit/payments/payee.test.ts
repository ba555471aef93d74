import { describe, expect, it } from 'vitest';
import { paymentEventEffect, type PayeeEvent, type Payee } from '../../../src/domain/payments/payee';

const awaiting: Payee = {
  paymentIntentId: 'pi_1',
  amountMinor: 4500,
  currency: 'usd',
  awaiting: true,
  paid: false,
  ended: false,
};
const success: PayeeEvent = {
  kind: 'succeeded',
  paymentIntentId: 'pi_1',
  amountMinor: 4500,
  currency: 'USD',
};

describe('what a payment event means for its payee', () => {
  it('a success for the awaited intent, amount and currency (any case) is applied', () => {
    expect(paymentEventEffect(awaiting, success)).toBe('apply');
  });
  it('another intent, another amount or another currency is a mismatch, whatever the state', () => {
    expect(paymentEventEffect(awaiting, { ...success, paymentIntentId: 'pi_2' })).toBe('mismatch');
    expect(paymentEventEffect(awaiting, { ...success, amountMinor: 4499 })).toBe('mismatch');
    expect(paymentEventEffect(awaiting, { ...success, currency: 'eur' })).toBe('mismatch');
    expect(paymentEventEffect({ ...awaiting, paymentIntentId: null }, success)).toBe('mismatch');
    expect(
      paymentEventEffect({ ...awaiting, awaiting: false, ended: true }, { ...success, amountMinor: 1 }),
    ).toBe('mismatch');
  });
  it('a second success after the payment is recorded changes nothing, even once the payee ended', () => {
    expect(paymentEventEffect({ ...awaiting, awaiting: false, paid: true }, success)).toBe('ignore');
    expect(paymentEventEffect({ ...awaiting, awaiting: false, paid: true, ended: true }, success)).toBe(
      'ignore',
    );
  });
  it('a success after the payee ended unpaid is late (refunded in full)', () => {
    expect(paymentEventEffect({ ...awaiting, awaiting: false, ended: true }, success)).toBe('late');
  });
  it('a success for a payee neither awaiting nor ended (confirmed by other means) is ignored', () => {
    expect(paymentEventEffect({ ...awaiting, awaiting: false }, success)).toBe('ignore');
  });
  it('a failure counts only while payment is awaited and not yet made; its intent is not checked', () => {
    const failed: PayeeEvent = { ...success, kind: 'failed', paymentIntentId: 'pi_other' };
    expect(paymentEventEffect(awaiting, failed)).toBe('failed_attempt');
    expect(paymentEventEffect({ ...awaiting, paid: true }, failed)).toBe('ignore');
    expect(paymentEventEffect({ ...awaiting, awaiting: false, ended: true }, failed)).toBe('ignore');
  });
  it('a cancellation never changes anything (the workflows cancel their own intents)', () => {
    expect(paymentEventEffect(awaiting, { ...success, kind: 'canceled' })).toBe('ignore');
  });
});
