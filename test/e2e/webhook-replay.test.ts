import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCoach,
  paymentIntentEvent,
  postStripeEvent,
  slotsFor,
  terminateOpenBookingWorkflows,
  type TestCoach,
} from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { capturableEvent, createPaidCourse, type PaidCourse } from '../support/paid-sessions';
import { accountUpdatedEvent, connectCoach, payoutSchedule } from '../support/payouts';
import { invoiceObject, stripeEvent, subscribeTo, subscriptionObject } from '../support/subscriptions';
import { createUser } from '../support/users';

// Stripe delivers at least once and in no particular order. For each lifecycle, the sequence of
// events the e2e tests send is played into fresh business objects four ways — in Stripe's order,
// the whole sequence three times (redeliveries keep their event ids), shuffled, and three copies of
// each shuffled together — and the rows that matter (status, money, ledger, credits, role, payout
// readiness, emails) end the same every time.

let ctx: TestContext;
let coach: TestCoach;
let packageId: string;
let course: PaidCourse;

beforeAll(async () => {
  ctx = await startTestContext({ workers: true });
  coach = await createCoach(ctx.app, ctx.deps, { service: { title: 'Replay lesson', priceMinor: 4500 } });
  const shop = await call(ctx.app, 'PUT', '/api/coaches/me/profile', {
    token: coach.user.token,
    body: {
      slug: coach.slug,
      displayName: 'Replay coach',
      timeZone: 'Europe/London',
      bookingEnabled: true,
      productsEnabled: true,
    },
  });
  expect(shop.status).toBe(200);
  const pkg = await call(ctx.app, 'POST', '/api/coaches/me/products', {
    token: coach.user.token,
    body: {
      title: 'Three lessons',
      priceMinor: 12000,
      currency: 'USD',
      type: 'PACKAGE',
      credits: { serviceId: coach.service.id, count: 3, expiryDays: 90 },
    },
  });
  expect(pkg.status, JSON.stringify(pkg.body)).toBe(201);
  packageId = pkg.body.id;
  course = await createPaidCourse(ctx.app, ctx.deps);
});

afterAll(async () => {
  if (ctx) {
    await terminateOpenBookingWorkflows(ctx.deps);
    const q = ctx.deps.cfg.TEMPORAL_TASK_QUEUE;
    for await (const wf of ctx.deps.temporal.workflow.list({
      query: `ExecutionStatus = 'Running' AND TaskQueue = '${q}'`,
    }))
      await ctx.deps.temporal.workflow
        .getHandle(wf.workflowId)
        .terminate('test file finished')
        .catch(() => {});
  }
  await ctx?.close();
});

// ── How a sequence is played and an end state read ───────────────────────────────────────────

type StripeEvent = { id: string; created: number; type: string };

interface Scenario<C> {
  /** Fresh business objects for one run (the sequence is aimed at them). */
  prepare(): Promise<C>;
  /** Stripe's sequence for them, in the order Stripe created it; new event ids on every call. */
  events(c: C): StripeEvent[];
  /** The rows that matter, with the run's own ids replaced by names. */
  state(c: C): Promise<unknown>;
  /** True once the workflows have applied the sequence. */
  done(state: any): boolean;
}

/** A deterministic shuffle (mulberry32), never the identity for two or more items. */
function shuffled<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out.every((x, i) => x === items[i]) ? [...items].reverse() : out;
}

const deliveries: Record<string, (events: StripeEvent[]) => StripeEvent[]> = {
  'in order': (e) => e,
  'three times': (e) => [...e, ...e, ...e],
  shuffled: (e) => shuffled(e, 7),
  'three times, shuffled together': (e) => shuffled([...e, ...e, ...e], 11),
};

async function deliver(events: StripeEvent[]) {
  for (const event of events) {
    const res = await postStripeEvent(ctx.app, ctx.deps, event);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

/** The end state, once `done` and unchanged over three reads a second apart. */
async function settledState<C>(s: Scenario<C>, c: C, what: string) {
  const deadline = Date.now() + 60_000;
  let last = '';
  let same = 0;
  for (;;) {
    const state = await s.state(c);
    const text = JSON.stringify(state);
    same = s.done(state) && text === last ? same + 1 : 0;
    if (same >= 2) return state;
    if (Date.now() > deadline) throw new Error(`${what}: never settled; last state ${text}`);
    last = text;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Replaces every id of the run in `value` (JSON) with its name, so runs compare. */
function named(value: unknown, ids: Record<string, string>): unknown {
  let text = JSON.stringify(value);
  for (const [name, id] of Object.entries(ids)) text = text.replaceAll(id, `<${name}>`);
  return JSON.parse(text);
}

/**
 * The ledger about a business object: every transaction balances, and the balance of each account
 * (non-zero ones; the path that led there may differ, e.g. an authorisation later released versus
 * none at all).
 */
async function ledgerOf(id: string) {
  const txs = await ctx.deps.db.ledgerTransaction.findMany({
    where: { reference: { contains: id } },
    include: { entries: true },
  });
  const balances: Record<string, number> = {};
  for (const tx of txs) {
    expect(
      tx.entries.reduce((sum, e) => sum + e.amountMinor, 0n),
      `${tx.key} balances`,
    ).toBe(0n);
    for (const e of tx.entries) {
      const k = `${e.account} ${e.currency}`;
      balances[k] = (balances[k] ?? 0) + Number(e.amountMinor);
    }
  }
  return Object.fromEntries(Object.entries(balances).filter(([, v]) => v !== 0));
}

/** Emails sent for a business object: template → how many (each must be 1). */
async function emailsAbout(id: string) {
  const rows = await ctx.deps.db.emailDelivery.findMany({ where: { reference: { contains: id } } });
  const count: Record<string, number> = {};
  for (const r of rows) {
    // Test addresses are <tag>-<unique>@example.test: the tag says who it went to.
    const k = `${r.template} → ${r.recipient.split('-')[0]}`;
    count[k] = (count[k] ?? 0) + 1;
  }
  return count;
}

const nowSec = () => Math.floor(Date.now() / 1000);

// ── The lifecycles ────────────────────────────────────────────────────────────────────────────

interface BookingRun {
  id: string;
  athleteId: string;
  paymentIntentId: string;
  amountMinor: number;
  currency: string;
}

let slotCursor = 3 * 86_400_000;
const booking: Scenario<BookingRun> = {
  async prepare() {
    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'athlete');
    // Days ahead, each run its own slot: no reminder or completion timer fires during the test.
    const from = new Date(Date.now() + slotCursor);
    slotCursor += 3_600_000;
    const [slot] = await slotsFor(ctx.app, coach.service.id, {
      from: from.toISOString(),
      to: new Date(from.getTime() + 86_400_000).toISOString(),
    });
    const res = await call(ctx.app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: coach.service.id, start: slot!.start },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // Under load the 201 may come before the PaymentIntent exists ("preparing"): read it back.
    let b = res.body.booking;
    for (let i = 0; !b.payment?.paymentIntentId; i++) {
      if (i > 100) throw new Error(`booking ${b.id}: no PaymentIntent`);
      await new Promise((r) => setTimeout(r, 200));
      b = (await call(ctx.app, 'GET', `/api/bookings/${b.id}`, { token: athlete.token })).body.booking;
    }
    return {
      id: b.id,
      athleteId: athlete.id,
      paymentIntentId: b.payment.paymentIntentId,
      amountMinor: b.price.amountMinor,
      currency: b.price.currency,
    };
  },
  events(b) {
    // A declined card, then a second card that went through (the e2e tests' paid booking).
    const t = nowSec();
    const failed = paymentIntentEvent('payment_intent.payment_failed', b);
    const succeeded = paymentIntentEvent('payment_intent.succeeded', b);
    return [
      { ...failed, created: t },
      { ...succeeded, created: t + 1 },
    ];
  },
  async state(b) {
    const row = await ctx.deps.db.booking.findUniqueOrThrow({ where: { id: b.id } });
    return named(
      {
        status: row.status,
        paid: row.paidAt !== null,
        amountPaidMinor: row.amountPaidMinor,
        refundDueMinor: row.refundDueMinor,
        refundedMinor: row.refundedMinor,
        ledger: await ledgerOf(b.id),
        emails: await emailsAbout(b.id),
      },
      { booking: b.id, athlete: b.athleteId, coach: coach.user.id, intent: b.paymentIntentId },
    );
  },
  done: (s) =>
    s.status === 'CONFIRMED' &&
    Object.keys(s.ledger).length > 0 &&
    'booking_confirmed → athlete' in s.emails &&
    'booking_notification → coach' in s.emails,
};

interface PurchaseRun {
  id: string;
  buyerId: string;
  paymentIntentId: string;
  amountMinor: number;
  currency: string;
}

const purchase: Scenario<PurchaseRun> = {
  async prepare() {
    const buyer = await createUser(ctx.app, ctx.deps, 'free', 'buyer');
    const res = await call(ctx.app, 'POST', `/api/checkout/packages/${packageId}`, { token: buyer.token });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const p = res.body.purchase;
    return {
      id: p.id,
      buyerId: buyer.id,
      paymentIntentId: p.payment.paymentIntentId,
      amountMinor: p.price.amountMinor,
      currency: p.price.currency,
    };
  },
  events(p) {
    const t = nowSec();
    const metadata = { kind: 'purchase', purchaseId: p.id };
    const failed = paymentIntentEvent('payment_intent.payment_failed', p);
    const succeeded = paymentIntentEvent('payment_intent.succeeded', p);
    failed.data.object.metadata = metadata as never;
    succeeded.data.object.metadata = metadata as never;
    return [
      { ...failed, created: t },
      { ...succeeded, created: t + 1 },
    ];
  },
  async state(p) {
    const row = await ctx.deps.db.purchase.findUniqueOrThrow({
      where: { id: p.id },
      include: { credits: true },
    });
    return named(
      {
        status: row.status,
        paid: row.paidAt !== null,
        refundedMinor: row.refundedMinor,
        credits: row.credits.map((g) => ({
          total: g.total,
          remaining: g.remaining,
          revokedCount: g.revokedCount,
        })),
        ledger: await ledgerOf(p.id),
        emails: await emailsAbout(p.id),
      },
      { purchase: p.id, buyer: p.buyerId, coach: coach.user.id, intent: p.paymentIntentId },
    );
  },
  done: (s) =>
    s.status === 'PAID' &&
    s.credits.length > 0 &&
    Object.keys(s.ledger).length > 0 &&
    'purchase_confirmed → buyer' in s.emails &&
    'purchase_sold → coach' in s.emails,
};

interface SubscriptionRun {
  userId: string;
  subscriptionId: string;
}

const subscription: Scenario<SubscriptionRun> = {
  async prepare() {
    const user = await createUser(ctx.app, ctx.deps, 'free', 'subscriber');
    const { subscriptionId } = await subscribeTo(ctx.app, ctx.deps, user, 'coach_pro');
    return { userId: user.id, subscriptionId };
  },
  events(s) {
    // Stripe's order for a new subscription: created (incomplete), the first invoice paid, active.
    const t = nowSec() + 1;
    const choice = { plan: 'coach_pro' as const, seatTier: null };
    const sub = (status: string) =>
      subscriptionObject({ userId: s.userId, subscriptionId: s.subscriptionId, choice, status });
    return [
      stripeEvent('customer.subscription.created', sub('incomplete'), t),
      stripeEvent(
        'invoice.paid',
        invoiceObject({
          userId: s.userId,
          subscriptionId: s.subscriptionId,
          billingReason: 'subscription_create',
        }),
        t + 1,
      ),
      stripeEvent('customer.subscription.updated', sub('active'), t + 2),
    ];
  },
  async state(s) {
    const user = await ctx.deps.db.user.findUniqueOrThrow({
      where: { id: s.userId },
      select: { role: true },
    });
    const row = await ctx.deps.db.subscription.findUniqueOrThrow({ where: { userId: s.userId } });
    return named(
      {
        role: user.role,
        plan: row.plan,
        status: row.status,
        cancelAtPeriodEnd: row.cancelAtPeriodEnd,
        pendingPlan: row.pendingPlan,
        dunning: row.dunningStartedAt !== null,
        grace: row.graceEndsAt !== null,
        // No emails: they follow the path, not the end. A deletion that arrives before the events
        // it postdates leaves a user who never held the plan, so no downgrade email is owed.
      },
      { user: s.userId, subscription: s.subscriptionId },
    );
  },
  done: (s) => s.role === 'coach_pro' && s.status === 'active',
};

const subscriptionRenewalRetried: Scenario<SubscriptionRun> = {
  ...subscription,
  events(s) {
    // The new subscription's events, then a renewal whose first charge fails and whose retry is paid.
    const first = subscription.events(s);
    const t = first[first.length - 1]!.created;
    const renewal = () =>
      invoiceObject({
        userId: s.userId,
        subscriptionId: s.subscriptionId,
        billingReason: 'subscription_cycle',
      });
    return [
      ...first,
      stripeEvent('invoice.payment_failed', renewal(), t + 1),
      stripeEvent('invoice.paid', renewal(), t + 2),
    ];
  },
  done: (s) => s.role === 'coach_pro' && s.status === 'active' && !s.dunning,
};

interface PayoutRun {
  coachId: string;
  stripeAccountId: string;
}

const payoutAccount: Scenario<PayoutRun> = {
  async prepare() {
    const c = await connectCoach(ctx.app, ctx.deps);
    return { coachId: c.user.id, stripeAccountId: c.stripeAccountId };
  },
  events(a) {
    // Onboarding finished, a document asked for (payouts paused), then provided again.
    const t = nowSec();
    const account = { id: a.stripeAccountId, coachId: a.coachId };
    return [
      accountUpdatedEvent(account, { payoutsEnabled: true }, t),
      accountUpdatedEvent(
        account,
        {
          payoutsEnabled: false,
          due: ['individual.verification.document'],
          disabledReason: 'requirements.past_due',
        },
        t + 1,
      ),
      accountUpdatedEvent(account, { payoutsEnabled: true }, t + 2),
    ];
  },
  async state(a) {
    const row = await ctx.deps.db.connectAccount.findUniqueOrThrow({ where: { coachId: a.coachId } });
    const schedule = await payoutSchedule(ctx.deps, a.coachId)
      .describe()
      .then((d) => (d.state.paused ? 'paused' : 'active'))
      .catch(() => 'absent');
    return named(
      {
        chargesEnabled: row.chargesEnabled,
        payoutsEnabled: row.payoutsEnabled,
        detailsSubmitted: row.detailsSubmitted,
        requirementsDue: row.requirementsDue,
        disabledReason: row.disabledReason,
        schedule,
        emails: await emailsAbout(a.coachId),
      },
      { coach: a.coachId, account: a.stripeAccountId },
    );
  },
  done: (s) => s.payoutsEnabled === true && s.schedule === 'active',
};

interface PaidSessionRun {
  id: string;
  studentId: string;
  paymentIntentId: string;
  amount: number;
  currency: string;
}

const paidSession: Scenario<PaidSessionRun> = {
  async prepare() {
    const student = await createUser(ctx.app, ctx.deps, 'free', 'student');
    const amount = course.pricePerMinute * 10;
    const res = await call(ctx.app, 'POST', '/api/sessions/create', {
      token: student.token,
      body: { course_id: course.courseId, locked_amount: amount },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const s = res.body.session;
    return {
      id: s.id,
      studentId: student.id,
      paymentIntentId: s.payment.payment_intent_id,
      amount,
      currency: s.currency,
    };
  },
  events(s) {
    // The card authorised for the locked amount (the e2e tests' only Stripe event before the start).
    return [{ ...capturableEvent(s), created: nowSec() }];
  },
  async state(s) {
    const row = await ctx.deps.db.paidSession.findUniqueOrThrow({ where: { id: s.id } });
    return named(
      {
        status: row.status,
        lockedMinor: row.lockedMinor,
        ledger: await ledgerOf(s.id),
      },
      { session: s.id, student: s.studentId, coach: course.coach.id, intent: s.paymentIntentId },
    );
  },
  done: (s) => Object.keys(s.ledger).length > 0,
};

/** Stripe's charge.refunded for a PaymentIntent's charge (amount_refunded = the total refunded). */
function chargeRefunded(paymentIntentId: string, amountRefunded: number, currency: string, created: number) {
  return {
    ...stripeEvent('charge.refunded', {
      id: `ch_${paymentIntentId.slice(3)}`,
      object: 'charge',
      amount: amountRefunded,
      amount_refunded: amountRefunded,
      currency: currency.toLowerCase(),
      payment_intent: paymentIntentId,
      refunded: true,
      refunds: { object: 'list', data: [{ id: `re_${paymentIntentId.slice(3)}` }] },
    }),
    created,
  };
}

const purchaseRefunded: Scenario<PurchaseRun> = {
  ...purchase,
  events(p) {
    // Paid, then refunded in full from Stripe's dashboard (the checkout e2e test's refund).
    const [, succeeded] = purchase.events(p);
    return [succeeded!, chargeRefunded(p.paymentIntentId, p.amountMinor, p.currency, succeeded!.created + 1)];
  },
  done: (s) => s.refundedMinor > 0 && 'purchase_refunded → buyer' in s.emails,
};

const subscriptionCancelled: Scenario<SubscriptionRun> = {
  ...subscription,
  events(s) {
    // The new subscription's events, then Stripe's deletion (cancelled from the dashboard).
    const first = subscription.events(s);
    const last = first[first.length - 1]!;
    const deleted = stripeEvent(
      'customer.subscription.deleted',
      subscriptionObject({
        userId: s.userId,
        subscriptionId: s.subscriptionId,
        choice: { plan: 'coach_pro', seatTier: null },
        status: 'canceled',
      }),
      last.created + 1,
    );
    return [...first, deleted];
  },
  done: (s) => s.status === 'canceled',
};

const paidSessionCanceled: Scenario<PaidSessionRun> = {
  ...paidSession,
  events(s) {
    // Authorised, then the authorisation canceled at Stripe before the session started.
    const [authorised] = paidSession.events(s);
    const canceled = {
      ...authorised!,
      id: `${authorised!.id}c`,
      type: 'payment_intent.canceled',
      created: authorised!.created + 1,
      data: {
        object: { ...(authorised as any).data.object, status: 'canceled', amount_capturable: 0 },
      },
    };
    return [authorised!, canceled];
  },
  done: (s) => s.status === 'cancelled',
};

const scenarios: [string, Scenario<any>][] = [
  ['booking: declined card, then paid', booking],
  ['purchase of a credit package: declined card, then paid', purchase],
  ['subscription: created, first invoice paid, active', subscription],
  ['payout account: enabled, paused for a document, enabled again', payoutAccount],
  ['paid session: card authorised for the locked amount', paidSession],
  ['purchase: paid, then refunded in full at Stripe', purchaseRefunded],
  ['subscription: active, then deleted at Stripe', subscriptionCancelled],
  ['subscription: a renewal fails once, then its retry is paid', subscriptionRenewalRetried],
  ['paid session: authorised, then the authorisation canceled', paidSessionCanceled],
];

describe('Stripe event sequences replayed 3× and shuffled end in the same state', () => {
  for (const [name, scenario] of scenarios) {
    it(
      name,
      async () => {
        const states: Record<string, unknown> = {};
        for (const [how, order] of Object.entries(deliveries)) {
          const c = await scenario.prepare();
          await deliver(order(scenario.events(c)));
          states[how] = await settledState(scenario, c, `${name} (${how})`);
        }
        const reference = states['in order'];
        if (process.env.WEBHOOK_REPLAY_VERBOSE) console.log(name, JSON.stringify(reference, null, 1));
        for (const [how, state] of Object.entries(states)) expect(state, how).toEqual(reference);
      },
      300_000,
    );
  }
});
