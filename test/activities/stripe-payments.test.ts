import { ApplicationFailure } from '@temporalio/common';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { bookingPaymentKeys, bookingStripeActivities } from '../../activities/bookings/stripe';
import type { Deps } from '../../src/infra/deps';
import { profiles } from '../../workflows/shared/profiles';
import { mockActivityEnv } from '../support/temporal-activity';

// How the Stripe activities turn Stripe's answers into Temporal outcomes: a refusal that retrying
// cannot change becomes a non-retryable StripeRejected failure (the workflow's Stripe profile does
// not retry it); network trouble, rate limits and Stripe's own errors are thrown as they are, so
// Temporal retries them with the same idempotency key. Postgres and Stripe are in-memory fakes.

const BOOKING_ID = '7d0c5a48-3b0a-4bd4-9d63-3c1f0f3bd2a1';

interface FakeRow {
  id: string;
  coachId: string;
  athleteId: string;
  priceMinor: number;
  currency: string;
  paymentIntentId: string | null;
  paidAt: Date | null;
  refundId: string | null;
  refundDueMinor: number;
  refundedMinor: number;
  athlete: { email: string };
  service: { title: string };
}

function setup(row: Partial<FakeRow> = {}, stripeError?: unknown) {
  const booking: FakeRow = {
    id: BOOKING_ID,
    coachId: 'coach-1',
    athleteId: 'athlete-1',
    priceMinor: 4500,
    currency: 'EUR',
    paymentIntentId: null,
    paidAt: null,
    refundId: null,
    refundDueMinor: 0,
    refundedMinor: 0,
    athlete: { email: 'ann@example.test' },
    service: { title: 'Serve clinic' },
    ...row,
  };
  const writes: unknown[] = [];
  const stripeCalls: { method: string; args: unknown[] }[] = [];
  const reads = { count: 0 };
  const db = {
    booking: {
      findUniqueOrThrow: async () => {
        reads.count++;
        return { ...booking };
      },
      updateMany: async (q: { where?: Partial<FakeRow>; data: Partial<FakeRow> }) => {
        // The conditional record: only a row with no intent yet takes one.
        if (q.where?.paymentIntentId === null && booking.paymentIntentId) return { count: 0 };
        writes.push(q);
        Object.assign(booking, q.data);
        return { count: 1 };
      },
    },
  };
  const answer =
    (method: string, result: unknown) =>
    async (...args: unknown[]) => {
      stripeCalls.push({ method, args });
      if (stripeError) throw stripeError;
      return result;
    };
  const stripe = {
    paymentIntents: {
      create: answer('paymentIntents.create', { id: 'pi_new', client_secret: 'pi_new_secret' }),
      cancel: answer('paymentIntents.cancel', { id: 'pi_1', status: 'canceled' }),
    },
    refunds: { create: answer('refunds.create', { id: 're_1' }) },
  };
  const activities = bookingStripeActivities({ db, stripe } as unknown as Pick<Deps, 'db' | 'stripe'>);
  return { activities, booking, writes, reads, stripeCalls, ...mockActivityEnv() };
}

const permanent = [
  new Stripe.errors.StripeCardError({ message: 'Your card was declined.', code: 'card_declined' }),
  new Stripe.errors.StripeInvalidRequestError({
    message: 'Invalid currency: eurr',
    code: 'parameter_invalid',
  }),
  new Stripe.errors.StripeAuthenticationError({ message: 'Invalid API Key provided: sk_test_****' }),
  new Stripe.errors.StripePermissionError({ message: 'The provided key does not have access' }),
  new Stripe.errors.StripeIdempotencyError({ message: 'Keys for idempotent requests can only be used once' }),
];
const transient = [
  new Stripe.errors.StripeConnectionError({ message: 'An error occurred with our connection to Stripe.' }),
  new Stripe.errors.StripeRateLimitError({ message: 'Too many requests', code: 'rate_limit' }),
  new Stripe.errors.StripeAPIError({ message: 'Something went wrong on Stripe’s end.' }),
  // An earlier attempt with the same key still running at Stripe (it timed out here, not there).
  new Stripe.errors.StripeInvalidRequestError({
    message: 'There is currently another in-progress request using this Idempotent Key',
    code: 'idempotency_key_in_use',
  }),
  new Error('socket hang up'),
];

/** What the booking workflow's snapshot hands the activity (the same booking as setup()'s row). */
const facts = {
  amountMinor: 4500,
  currency: 'EUR',
  serviceTitle: 'Serve clinic',
  athleteEmail: 'ann@example.test',
  coachId: 'coach-1',
  athleteId: 'athlete-1',
};

async function failureOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (err: unknown) => err,
  );
}

describe('Stripe error classification', () => {
  it('the type the activities raise for a refusal is one the Stripe activity profile does not retry', () => {
    expect(profiles.stripe.retry.nonRetryableErrorTypes).toEqual(['StripeRejected']);
  });

  it.each(permanent.map((e) => [e.type, e] as const))(
    '%s while creating the PaymentIntent → non-retryable StripeRejected, nothing recorded',
    async (type, stripeError) => {
      const t = setup({}, stripeError);
      const err = await failureOf(t.env.run(t.activities.createBookingPaymentIntent, BOOKING_ID));
      expect(err).toBeInstanceOf(ApplicationFailure);
      const failure = err as ApplicationFailure;
      expect(failure.type).toBe('StripeRejected');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toBe(`creating the PaymentIntent failed: ${stripeError.message}`);
      expect(failure.details).toEqual([{ stripeType: type, code: stripeError.code ?? null }]);
      expect(t.writes).toEqual([]);
    },
  );

  it.each(transient.map((e) => [(e as { type?: string }).type ?? 'a plain Error', e] as const))(
    '%s while creating the PaymentIntent is rethrown as is (Temporal retries it)',
    async (_name, stripeError) => {
      const t = setup({}, stripeError);
      const err = await failureOf(t.env.run(t.activities.createBookingPaymentIntent, BOOKING_ID));
      expect(err).toBe(stripeError);
      expect(t.writes).toEqual([]);
    },
  );

  it('a retried creation sends the same idempotency key and records the intent once', async () => {
    const t = setup();
    expect(await t.env.run(t.activities.createBookingPaymentIntent, BOOKING_ID)).toEqual({
      paymentIntentId: 'pi_new',
    });
    expect(await t.env.run(t.activities.createBookingPaymentIntent, BOOKING_ID)).toEqual({
      paymentIntentId: 'pi_new',
    });
    expect(t.stripeCalls).toHaveLength(1);
    const [params, options] = t.stripeCalls[0]!.args as [Record<string, unknown>, Record<string, unknown>];
    expect(params).toMatchObject({
      amount: 4500,
      currency: 'eur',
      metadata: { kind: 'booking', bookingId: BOOKING_ID },
    });
    expect(options).toEqual({ idempotencyKey: bookingPaymentKeys.paymentIntent(BOOKING_ID) });
  });

  it('with the workflow’s facts a first attempt goes straight to Stripe; a retry reads the row first', async () => {
    const t = setup();
    expect(await t.env.run(t.activities.createBookingPaymentIntent, BOOKING_ID, facts)).toEqual({
      paymentIntentId: 'pi_new',
    });
    expect(t.reads.count).toBe(0);
    expect(t.stripeCalls[0]!.args[0]).toMatchObject({
      amount: 4500,
      currency: 'eur',
      description: `Serve clinic (booking ${BOOKING_ID})`,
      receipt_email: 'ann@example.test',
      metadata: { kind: 'booking', bookingId: BOOKING_ID, coachId: 'coach-1', athleteId: 'athlete-1' },
    });
    const retry = mockActivityEnv({ attempt: 2 });
    expect(await retry.env.run(t.activities.createBookingPaymentIntent, BOOKING_ID, facts)).toEqual({
      paymentIntentId: 'pi_new',
    });
    expect(t.reads.count).toBe(1);
    expect(t.stripeCalls).toHaveLength(1);
  });

  it('an intent recorded by an earlier run wins over the one this run got back', async () => {
    const t = setup({ paymentIntentId: 'pi_recorded' });
    expect(await t.env.run(t.activities.createBookingPaymentIntent, BOOKING_ID, facts)).toEqual({
      paymentIntentId: 'pi_recorded',
    });
    expect(t.writes).toEqual([]);
  });

  it('an intent that just succeeded cannot be cancelled: reported and logged, not failed', async () => {
    const stripeError = new Stripe.errors.StripeInvalidRequestError({
      message: 'You cannot cancel this PaymentIntent because it has a status of succeeded.',
      code: 'payment_intent_unexpected_state',
    });
    const t = setup({ paymentIntentId: 'pi_1' }, stripeError);
    expect(await t.env.run(t.activities.cancelBookingPaymentIntent, BOOKING_ID)).toEqual({
      canceled: false,
      reason: stripeError.message,
    });
    expect(t.logs.filter((l) => l.level === 'WARN').map((l) => l.message)).toEqual([
      'PaymentIntent could not be cancelled',
    ]);
  });

  it('any other refusal to cancel is StripeRejected; a rate limit is retried', async () => {
    const refused = setup(
      { paymentIntentId: 'pi_1' },
      new Stripe.errors.StripeAuthenticationError({ message: 'Expired API Key provided' }),
    );
    const err = (await failureOf(
      refused.env.run(refused.activities.cancelBookingPaymentIntent, BOOKING_ID),
    )) as ApplicationFailure;
    expect([err.type, err.nonRetryable, err.message]).toEqual([
      'StripeRejected',
      true,
      'cancelling the PaymentIntent failed: Expired API Key provided',
    ]);

    const limited = new Stripe.errors.StripeRateLimitError({ message: 'Too many requests' });
    const busy = setup({ paymentIntentId: 'pi_1' }, limited);
    expect(await failureOf(busy.env.run(busy.activities.cancelBookingPaymentIntent, BOOKING_ID))).toBe(
      limited,
    );
  });

  it('a paid or intent-less booking is not sent to Stripe for cancellation', async () => {
    const paid = setup({ paymentIntentId: 'pi_1', paidAt: new Date() });
    expect(await paid.env.run(paid.activities.cancelBookingPaymentIntent, BOOKING_ID)).toEqual({
      canceled: false,
      reason: 'nothing to cancel',
    });
    expect(paid.stripeCalls).toEqual([]);
  });

  it('a refund Stripe refuses is StripeRejected; a refund on a connection error is retried', async () => {
    const due = { paymentIntentId: 'pi_1', paidAt: new Date(), refundDueMinor: 2250 };
    const disputed = setup(
      due,
      new Stripe.errors.StripeInvalidRequestError({
        message: 'Charge ch_1 has been disputed.',
        code: 'charge_disputed',
      }),
    );
    const err = (await failureOf(
      disputed.env.run(disputed.activities.refundBookingPayment, BOOKING_ID),
    )) as ApplicationFailure;
    expect([err.type, err.nonRetryable, err.details]).toEqual([
      'StripeRejected',
      true,
      [{ stripeType: 'StripeInvalidRequestError', code: 'charge_disputed' }],
    ]);
    expect(disputed.writes).toEqual([]);

    const offline = new Stripe.errors.StripeConnectionError({ message: 'ECONNRESET' });
    const retried = setup(due, offline);
    expect(await failureOf(retried.env.run(retried.activities.refundBookingPayment, BOOKING_ID))).toBe(
      offline,
    );
  });

  it('a refund is sent once, for the amount due, with the booking’s refund key', async () => {
    const t = setup({ paymentIntentId: 'pi_1', paidAt: new Date(), refundDueMinor: 2250 });
    expect(await t.env.run(t.activities.refundBookingPayment, BOOKING_ID)).toEqual({
      refundId: 're_1',
      refundedMinor: 2250,
    });
    expect(await t.env.run(t.activities.refundBookingPayment, BOOKING_ID)).toEqual({
      refundId: 're_1',
      refundedMinor: 2250,
    });
    expect(t.stripeCalls).toHaveLength(1);
    expect(t.stripeCalls[0]!.args).toEqual([
      {
        payment_intent: 'pi_1',
        amount: 2250,
        reason: 'requested_by_customer',
        metadata: { kind: 'booking', bookingId: BOOKING_ID },
      },
      { idempotencyKey: bookingPaymentKeys.refund(BOOKING_ID) },
    ]);
  });
});
