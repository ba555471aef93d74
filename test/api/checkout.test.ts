// Over 400 lines on purpose: packages, checkout, credits and refunds on one stack share the coach,
// the package and the purchase they build up, step by step.
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import type { Config } from '../../src/infra/config';
import { workflowIds } from '../../workflows/shared/ids';
import {
  createCoach,
  paymentIntentEvent,
  postStripeEvent,
  recordStripeRequests,
  slotAfter,
  slotsFor,
  terminateOpenBookingWorkflows,
  waitUntil,
  type TestCoach,
} from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { readMessage, waitForMessages } from '../support/mailbox';
import { createUser, type TestUser } from '../support/users';

// Packages → checkout → payment webhook → credits → bookings paid with a credit → cancel → refund,
// on the real stack: Postgres, Temporal with this run's workers, stripe-mock behind the Stripe SDK,
// Mailpit. Stripe's side is driven by signed webhook events, as Stripe would send them.

let ctx: TestContext;
let coach: TestCoach;
beforeAll(async () => {
  ctx = await startTestContext({ workers: true });
  coach = await createCoach(ctx.app, ctx.deps, { service: { title: 'Net session', priceMinor: 4500 } });
  await openShop(coach);
});
afterAll(async () => {
  if (ctx) {
    await terminateOpenBookingWorkflows(ctx.deps);
    for await (const wf of ctx.deps.temporal.workflow.list({
      query: `WorkflowType = 'purchaseWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${ctx.deps.cfg.TEMPORAL_TASK_QUEUE}'`,
    }))
      await ctx.deps.temporal.workflow
        .getHandle(wf.workflowId)
        .terminate('test file finished')
        .catch(() => {});
  }
  await ctx?.close();
});

const appWith = (cfg: Partial<Config>) => createApp({ ...ctx.deps, cfg: { ...ctx.deps.cfg, ...cfg } });

async function openShop(c: TestCoach) {
  const res = await call(ctx.app, 'PUT', '/api/coaches/me/profile', {
    token: c.user.token,
    body: {
      slug: c.slug,
      displayName: 'Shop coach',
      timeZone: 'Europe/London',
      bookingEnabled: true,
      productsEnabled: true,
    },
  });
  expect(res.status).toBe(200);
}

async function createProduct(c: TestCoach, body: Record<string, unknown>) {
  const res = await call(ctx.app, 'POST', '/api/coaches/me/products', {
    token: c.user.token,
    body: { title: 'Product', priceMinor: 2000, currency: 'USD', ...body },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; priceMinor: number; currency: string };
}

async function checkoutOf(
  user: TestUser,
  productId: string,
  kind: 'products' | 'packages' = 'products',
  app = ctx.app,
) {
  return call(app, 'POST', `/api/checkout/${kind}/${productId}`, { token: user.token });
}

/** A signed payment_intent.succeeded for a purchase (amount and currency as given). */
async function payPurchase(
  purchase: { id: string; payment: { paymentIntentId: string } },
  amountMinor: number,
  currency = 'USD',
) {
  const event = paymentIntentEvent('payment_intent.succeeded', {
    id: purchase.id,
    paymentIntentId: purchase.payment.paymentIntentId,
    amountMinor,
    currency,
  });
  event.data.object.metadata = { kind: 'purchase', purchaseId: purchase.id } as never;
  const res = await postStripeEvent(ctx.app, ctx.deps, event);
  expect(res.status).toBe(200);
  return res.body;
}

const purchaseRow = (id: string) => ctx.deps.db.purchase.findUniqueOrThrow({ where: { id } });
const waitForPurchase = (id: string, status: string) =>
  waitUntil(
    `purchase ${id} to be ${status}`,
    () => purchaseRow(id),
    (p) => p.status === status,
  );
const credits = async (user: TestUser) =>
  (await call(ctx.app, 'GET', '/api/me/credits', { token: user.token })).body.items;

/** A package bought and paid: the buyer, the purchase as the API answered it, the credits. */
async function buyPackage(productId: string) {
  const athlete = await createUser(ctx.app, ctx.deps, 'free', 'buyer');
  const started = await checkoutOf(athlete, productId, 'packages');
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const purchase = started.body.purchase;
  await payPurchase(purchase, purchase.price.amountMinor);
  await waitForPurchase(purchase.id, 'PAID');
  return { athlete, purchase };
}

describe('package → checkout → credits → booking with a credit → refund', () => {
  it('sells a package of credits once paid (wrong amount ignored), books with a credit without payment, returns it on a cancellation within policy, and a refund revokes what is unused', async () => {
    const pkg = await createProduct(coach, {
      title: 'Two net sessions',
      priceMinor: 8000,
      type: 'PACKAGE',
      credits: { serviceId: coach.service.id, count: 2, expiryDays: 90 },
    });
    expect(pkg).toMatchObject({ type: 'PACKAGE', credits: { count: 2, expiryDays: 90 }, archived: false });

    const athlete = await createUser(ctx.app, ctx.deps, 'free', 'buyer');
    const stripe = recordStripeRequests(ctx.deps);
    const started = await checkoutOf(athlete, pkg.id, 'packages');
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const purchase = started.body.purchase;
    expect(purchase).toMatchObject({
      status: 'PENDING',
      productType: 'PACKAGE',
      price: { amountMinor: 8000, currency: 'USD' },
      credits: [],
    });
    expect(purchase.payment.paymentIntentId).toMatch(/^pi_/);
    expect(purchase.payment.clientSecret).toBeTruthy();
    // Asking again answers the same open checkout, with no second intent.
    const again = await checkoutOf(athlete, pkg.id);
    expect(again.status).toBe(200);
    expect(again.body.purchase.id).toBe(purchase.id);

    // Amount checked: a success for 1 cent less changes nothing.
    await payPurchase(purchase, 7999);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await purchaseRow(purchase.id)).status).toBe('PENDING');
    await payPurchase(purchase, 8000);
    await waitForPurchase(purchase.id, 'PAID');
    const intentKeys = stripe.seen.filter(
      (r) => r.idempotencyKey === `purchase-${purchase.id}-payment-intent`,
    );
    expect(intentKeys).toHaveLength(1);

    const granted = await waitUntil(
      'credits',
      () => credits(athlete),
      (items) => items.length === 1,
    );
    expect(granted[0]).toMatchObject({
      purchaseId: purchase.id,
      serviceId: coach.service.id,
      total: 2,
      remaining: 2,
      state: 'active',
    });
    const days = (Date.parse(granted[0].expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);

    // The buyer's confirmation lists the credits; the coach hears of the sale; the ledger has the sale.
    const [confirmation] = await waitForMessages(athlete.email, {
      subject: /Your purchase: Two net sessions/,
    });
    expect((await readMessage(confirmation!.ID)).Text).toContain('2 × Net session sessions');
    await waitForMessages(coach.user.email, { subject: /Sold: Two net sessions/ });
    const sale = await waitUntil(
      'ledger purchase',
      () => ctx.deps.db.$queryRaw<{ kind: string; amount_minor: bigint }[]>`
        SELECT kind::text, amount_minor FROM ledger_transactions WHERE key = ${`purchase:purchase:${purchase.id}`}`,
      (rows) => rows.length === 1,
    );
    expect(Number(sale[0]!.amount_minor)).toBe(8000);

    // Book with a credit: confirmed at once, no PaymentIntent, the credit recorded on the booking.
    const slot = await slotAfter(ctx.app, coach.service.id, 60 * 60_000);
    const booked = await call(ctx.app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: coach.service.id, start: slot.start, useCredit: true },
    });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    expect(booked.body.booking).toMatchObject({
      status: 'CONFIRMED',
      creditId: granted[0].id,
      price: { amountMinor: 0 },
      payment: { paymentIntentId: null, clientSecret: null },
    });
    expect((await credits(athlete))[0].remaining).toBe(1);

    // The coach cancels: a coach's cancellation is always within policy, so the credit comes back.
    const cancelled = await call(ctx.app, 'POST', `/api/bookings/${booked.body.booking.id}/cancel`, {
      token: coach.user.token,
      body: { reason: 'rain' },
    });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.booking.refund.rule).toBe('Paid with a package credit: the credit is returned');
    await waitUntil(
      'credit back',
      () => credits(athlete),
      (items) => items[0].remaining === 2,
    );

    // Use one credit for good, then the coach refunds: the unused one is revoked, the booked one kept.
    const slot2 = (
      await slotsFor(ctx.app, coach.service.id, { to: new Date(Date.now() + 2 * 86_400_000).toISOString() })
    ).find((s) => Date.parse(s.start) > Date.parse(slot.start) + 30 * 60_000)!;
    const kept = await call(ctx.app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: coach.service.id, start: slot2.start, creditId: granted[0].id },
    });
    expect(kept.status, JSON.stringify(kept.body)).toBe(201);

    const notMine = await call(ctx.app, 'POST', `/api/purchases/${purchase.id}/refund`, {
      token: athlete.token,
      body: {},
    });
    expect(notMine.status).toBe(404);
    const refunded = await call(ctx.app, 'POST', `/api/purchases/${purchase.id}/refund`, {
      token: coach.user.token,
      body: {},
    });
    expect(refunded.status, JSON.stringify(refunded.body)).toBe(200);
    expect(refunded.body.refund).toEqual({
      refundedMinor: 4000,
      revokedCredits: 1,
      keptCredits: 1,
      note: '4000 USD refunded; 1 unused credit revoked; 1 used session stays booked',
      revokedCourses: [],
    });
    expect(refunded.body.purchase).toMatchObject({ status: 'REFUNDED', refund: { refundedMinor: 4000 } });
    expect(stripe.seen.filter((r) => r.idempotencyKey === `purchase-${purchase.id}-refund`)).toHaveLength(1);
    expect((await credits(athlete))[0]).toMatchObject({ remaining: 0, state: 'revoked' });
    // The booking paid with the used credit stands.
    expect(
      (await ctx.deps.db.booking.findUniqueOrThrow({ where: { id: kept.body.booking.id } })).status,
    ).toBe('CONFIRMED');
    const refundMail = await waitForMessages(athlete.email, { subject: /Refunded: Two net sessions/ });
    expect((await readMessage(refundMail[0]!.ID)).Text).toContain('1 unused session credit was withdrawn');
    // The ledger and the email follow the answer (the workflow's main loop posts them).
    await waitUntil(
      'ledger refund',
      () => ctx.deps.db.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM ledger_transactions WHERE reference = ${`purchase:${purchase.id}`} AND kind::text = 'purchase_refund'`,
      (rows) => Number(rows[0]!.n) === 1,
    );

    // Stripe's charge.refunded echo of our own refund settles nothing new; a second refund is refused.
    const echo = await postStripeEvent(
      ctx.app,
      ctx.deps,
      chargeRefunded(purchase.payment.paymentIntentId, 4000),
    );
    expect(echo.status).toBe(200);
    const twice = await call(ctx.app, 'POST', `/api/purchases/${purchase.id}/refund`, {
      token: coach.user.token,
      body: {},
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_refunded');
    const afterRevoke = await call(ctx.app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: coach.service.id, start: slot.start, creditId: granted[0].id },
    });
    expect(afterRevoke.status).toBe(409);
    expect(afterRevoke.body.error.code).toBe('credit_revoked');
    stripe.stop();

    // The buyer's and the coach's lists.
    const mine = await call(ctx.app, 'GET', '/api/me/purchases', { token: athlete.token });
    expect(mine.body).toMatchObject({ total: 1, items: [{ id: purchase.id, status: 'REFUNDED' }] });
    const sales = await call(ctx.app, 'GET', '/api/coaches/me/sales?status=REFUNDED', {
      token: coach.user.token,
    });
    expect(sales.body.items.map((p: { id: string }) => p.id)).toContain(purchase.id);
    expect(sales.body.items[0].payment.clientSecret).toBeNull();
  });

  it('two concurrent bookings with the last credit: exactly one succeeds, the credit never goes below zero', async () => {
    const pkg = await createProduct(coach, {
      title: 'One session',
      priceMinor: 4000,
      type: 'PACKAGE',
      credits: { serviceId: coach.service.id, count: 1, expiryDays: 30 },
    });
    const { athlete } = await buyPackage(pkg.id);
    await waitUntil(
      'credit',
      () => credits(athlete),
      (items) => items.length === 1,
    );
    const open = (
      await slotsFor(ctx.app, coach.service.id, { to: new Date(Date.now() + 2 * 86_400_000).toISOString() })
    ).filter((s) => Date.parse(s.start) > Date.now() + 6 * 3_600_000);
    const [a, b] = await Promise.all(
      [open[0]!, open[3]!].map((s) =>
        call(ctx.app, 'POST', '/api/bookings', {
          token: athlete.token,
          body: { serviceId: coach.service.id, start: s.start, useCredit: true },
        }),
      ),
    );
    expect([a!.status, b!.status].sort()).toEqual([201, 409]);
    const loser = a!.status === 409 ? a! : b!;
    expect(loser.body.error.code).toBe('no_credit_left');
    const grant = await ctx.deps.db.creditGrant.findFirstOrThrow({ where: { userId: athlete.id } });
    expect(grant.remaining).toBe(0);
    expect(
      await ctx.deps.db.booking.count({ where: { athleteId: athlete.id, creditGrantId: grant.id } }),
    ).toBe(1);
  });
});

/** Stripe's charge.refunded for a PaymentIntent's charge (amount_refunded = the total refunded). */
function chargeRefunded(paymentIntentId: string, amountRefunded: number, currency = 'usd') {
  return {
    id: `evt_${Math.random().toString(36).slice(2)}`,
    object: 'event',
    api_version: '2025-01-27.acacia',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'charge.refunded',
    data: {
      object: {
        id: `ch_${Math.random().toString(36).slice(2)}`,
        object: 'charge',
        amount: amountRefunded,
        amount_refunded: amountRefunded,
        currency,
        payment_intent: paymentIntentId,
        refunded: true,
        refunds: { object: 'list', data: [{ id: `re_${Math.random().toString(36).slice(2)}` }] },
      },
    },
  };
}

describe('refused checkouts and credits: 4xx naming the reason, nothing written', () => {
  it('own product, archived product, empty package, unknown id, a credit for another service', async () => {
    const buyer = await createUser(ctx.app, ctx.deps, 'free', 'buyer');
    const before = await ctx.deps.db.purchase.count();

    const own = await createProduct(coach, { title: 'Own' });
    const ownTry = await checkoutOf(coach.user, own.id);
    expect(ownTry.status).toBe(400);
    expect(ownTry.body.error).toMatchObject({ code: 'own_product', details: [{ field: 'id' }] });

    const empty = await createProduct(coach, { title: 'Empty box', type: 'PACKAGE' });
    const emptyTry = await checkoutOf(buyer, empty.id, 'packages');
    expect(emptyTry.status).toBe(409);
    expect(emptyTry.body.error.code).toBe('empty_package');
    expect(emptyTry.body.error.details[0].reason).toMatch(/no contents/);

    const unknown = await checkoutOf(buyer, '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    const notUuid = await call(ctx.app, 'POST', '/api/checkout/products/x%00y', { token: buyer.token });
    expect(notUuid.status).toBe(400);
    expect(await ctx.deps.db.purchase.count()).toBe(before);

    // Sold, then deleted: archived, not deleted; it can no longer be bought or changed.
    const sold = await createProduct(coach, { title: 'Drill video', priceMinor: 1500 });
    const first = await checkoutOf(buyer, sold.id);
    await payPurchase(first.body.purchase, 1500);
    await waitForPurchase(first.body.purchase.id, 'PAID');
    const del = await call(ctx.app, 'DELETE', `/api/coaches/me/products/${sold.id}`, {
      token: coach.user.token,
    });
    expect(del.status).toBe(204);
    const listed = await call(ctx.app, 'GET', '/api/coaches/me/products', { token: coach.user.token });
    expect(listed.body.items.find((p: { id: string }) => p.id === sold.id)).toMatchObject({
      archived: true,
      active: false,
    });
    const other = await createUser(ctx.app, ctx.deps, 'free', 'buyer');
    const archivedTry = await checkoutOf(other, sold.id);
    expect(archivedTry.status).toBe(409);
    expect(archivedTry.body.error.code).toBe('product_archived');
    const edit = await call(ctx.app, 'PATCH', `/api/coaches/me/products/${sold.id}`, {
      token: coach.user.token,
      body: { priceMinor: 100 },
    });
    expect(edit.status).toBe(409);

    // A package's contents must be the coach's own: another coach's service is refused, naming the field.
    const stranger = await createCoach(ctx.app, ctx.deps);
    const foreign = await call(ctx.app, 'POST', '/api/coaches/me/products', {
      token: coach.user.token,
      body: {
        title: 'Theirs',
        priceMinor: 1000,
        currency: 'USD',
        type: 'PACKAGE',
        credits: { serviceId: stranger.service.id, count: 1, expiryDays: 10 },
      },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.details).toEqual([
      { field: 'credits.serviceId', reason: 'is not one of your active services' },
    ]);

    // A credit for a service the package does not cover.
    const other2 = await call(ctx.app, 'POST', '/api/coaches/me/services', {
      token: coach.user.token,
      body: { title: 'Video review', durationMin: 5, slotIntervalMin: 5, priceMinor: 3000, currency: 'USD' },
    });
    expect(other2.status).toBe(201);
    const pkg = await createProduct(coach, {
      title: 'Nets x1',
      priceMinor: 4000,
      type: 'PACKAGE',
      credits: { serviceId: coach.service.id, count: 1, expiryDays: 30 },
    });
    const { athlete } = await buyPackage(pkg.id);
    const [grant] = await waitUntil(
      'credit',
      () => credits(athlete),
      (items) => items.length === 1,
    );
    const slot = await slotAfter(ctx.app, other2.body.id, 3 * 3_600_000);
    const wrong = await call(ctx.app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: other2.body.id, start: slot.start, creditId: grant.id },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({
      code: 'credit_not_applicable',
      details: [{ field: 'creditId', reason: 'is for another service' }],
    });
    const none = await call(ctx.app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: other2.body.id, start: slot.start, useCredit: true },
    });
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('no_credit_left');
    expect(await ctx.deps.db.booking.count({ where: { athleteId: athlete.id } })).toBe(0);
    expect((await credits(athlete))[0].remaining).toBe(1);
  });
});

describe('credits when the booking cannot start, and expired credits', () => {
  it('a credit booking whose workflow cannot be started answers 503 and gives the credit back; an expired credit is refused', async () => {
    const pkg = await createProduct(coach, {
      title: 'Nets x1 (503)',
      priceMinor: 4000,
      type: 'PACKAGE',
      credits: { serviceId: coach.service.id, count: 1, expiryDays: 30 },
    });
    const { athlete } = await buyPackage(pkg.id);
    const [grant] = await waitUntil(
      'credit',
      () => credits(athlete),
      (items) => items.length === 1,
    );
    // The same API with a Temporal client that reaches no server.
    const down = createApp({
      ...ctx.deps,
      temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:9' }) }),
    });
    const slot = await slotAfter(ctx.app, coach.service.id, 5 * 3_600_000);
    const res = await call(down, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: coach.service.id, start: slot.start, useCredit: true },
    });
    expect(res.status).toBe(503);
    expect(await ctx.deps.db.booking.count({ where: { athleteId: athlete.id } })).toBe(0);
    expect((await credits(athlete))[0].remaining).toBe(1);

    // Expiry is honoured at the instant: the same credit, expired, books nothing.
    await ctx.deps.db.creditGrant.update({
      where: { id: grant.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const named = await call(ctx.app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: coach.service.id, start: slot.start, creditId: grant.id },
    });
    expect(named.status).toBe(409);
    expect(named.body.error.code).toBe('credit_expired');
    const any = await call(ctx.app, 'POST', '/api/bookings', {
      token: athlete.token,
      body: { serviceId: coach.service.id, start: slot.start, useCredit: true },
    });
    expect(any.status).toBe(409);
    expect(any.body.error.code).toBe('no_credit_left');
    expect((await credits(athlete))[0]).toMatchObject({ remaining: 1, state: 'expired' });
  }, 60_000);
});

describe('a package of products', () => {
  it('bundles the coach’s own plain products (not packages, not another coach’s), lists them in the confirmation, and only its buyer and coach see the purchase', async () => {
    const plan = await createProduct(coach, { title: 'Training plan PDF', priceMinor: 1000 });
    const video = await createProduct(coach, { title: 'Drill videos', priceMinor: 1500 });
    const stranger = await createCoach(ctx.app, ctx.deps);
    const theirs = await call(ctx.app, 'POST', '/api/coaches/me/products', {
      token: stranger.user.token,
      body: { title: 'Theirs', priceMinor: 1000, currency: 'USD' },
    });
    const foreign = await call(ctx.app, 'POST', '/api/coaches/me/products', {
      token: coach.user.token,
      body: {
        title: 'Bundle',
        priceMinor: 2000,
        currency: 'USD',
        type: 'PACKAGE',
        productIds: [plan.id, theirs.body.id],
      },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.details).toEqual([
      { field: 'productIds', reason: `${theirs.body.id} is not one of your products` },
    ]);
    const bundle = await createProduct(coach, {
      title: 'Starter bundle',
      priceMinor: 2000,
      type: 'PACKAGE',
      productIds: [plan.id, video.id],
    });
    expect(bundle).toMatchObject({ type: 'PACKAGE', productIds: [plan.id, video.id], credits: null });
    const nested = await call(ctx.app, 'POST', '/api/coaches/me/products', {
      token: coach.user.token,
      body: { title: 'Nested', priceMinor: 2000, currency: 'USD', type: 'PACKAGE', productIds: [bundle.id] },
    });
    expect(nested.status).toBe(400);
    expect(nested.body.error.details[0].reason).toMatch(/packages do not nest/);

    const { athlete, purchase } = await buyPackage(bundle.id);
    const [mail] = await waitForMessages(athlete.email, { subject: /Your purchase: Starter bundle/ });
    const text = (await readMessage(mail!.ID)).Text;
    expect(text).toContain('Included: Training plan PDF');
    expect(text).toContain('Included: Drill videos');
    // A bundled product is archived, not deleted, when the coach removes it.
    expect(
      (await call(ctx.app, 'DELETE', `/api/coaches/me/products/${plan.id}`, { token: coach.user.token }))
        .status,
    ).toBe(204);
    expect(await ctx.deps.db.product.findUnique({ where: { id: plan.id } })).toMatchObject({ active: false });

    const outsider = await createUser(ctx.app, ctx.deps, 'free', 'outsider');
    expect(
      (await call(ctx.app, 'GET', `/api/purchases/${purchase.id}`, { token: outsider.token })).status,
    ).toBe(404);
    expect(
      (await call(ctx.app, 'GET', `/api/purchases/${purchase.id}`, { token: athlete.token })).status,
    ).toBe(200);
    const asCoach = await call(ctx.app, 'GET', `/api/purchases/${purchase.id}`, { token: coach.user.token });
    expect(asCoach.body.purchase).toMatchObject({
      status: 'PAID',
      buyerId: athlete.id,
      payment: { clientSecret: null },
    });
    expect((await call(ctx.app, 'GET', '/api/me/purchases')).status).toBe(401);
  });
});

describe('abandoned checkout and refunds made in Stripe', () => {
  it('an unpaid checkout expires after PURCHASE_CHECKOUT_TIMEOUT and its intent is cancelled; a payment arriving after that is refunded in full', async () => {
    const product = await createProduct(coach, { title: 'Plan', priceMinor: 999 });
    const buyer = await createUser(ctx.app, ctx.deps, 'free', 'buyer');
    const stripe = recordStripeRequests(ctx.deps);
    const started = await checkoutOf(
      buyer,
      product.id,
      'products',
      appWith({ PURCHASE_CHECKOUT_TIMEOUT: 2_000 }),
    );
    expect(started.status).toBe(201);
    const id = started.body.purchase.id;
    const row = await waitForPurchase(id, 'EXPIRED');
    expect(row.expiredAt).not.toBeNull();
    await waitUntil(
      'intent cancelled',
      async () =>
        stripe.seen.filter((r) => r.idempotencyKey === `purchase-${id}-cancel-payment-intent`).length,
      (n) => n === 1,
    );
    const desc = await ctx.deps.temporal.workflow.getHandle(workflowIds.purchase(id)).describe();
    expect(['COMPLETED', 'RUNNING']).toContain(desc.status.name);

    // The payment succeeded while the intent was being cancelled: refunded in full, nothing granted.
    await payPurchase(started.body.purchase, 999);
    const late = await waitUntil(
      'late payment refunded',
      () => purchaseRow(id),
      (p) => p.refundId !== null,
    );
    expect(late).toMatchObject({
      status: 'EXPIRED',
      refundedMinor: 999,
      refundNote: 'Paid after the checkout had expired: refunded in full',
    });
    expect(late.paidAt).not.toBeNull();
    expect(stripe.seen.filter((r) => r.idempotencyKey === `purchase-${id}-refund`)).toHaveLength(1);
    stripe.stop();
    const kinds = await waitUntil(
      'ledger sale and refund',
      () => ctx.deps.db.$queryRaw<{ kind: string }[]>`
        SELECT kind::text AS kind FROM ledger_transactions WHERE reference = ${`purchase:${id}`} ORDER BY kind`,
      (rows) => rows.length === 2,
    );
    expect(kinds.map((k) => k.kind)).toEqual(['purchase', 'purchase_refund']);
  });

  it('charge.refunded from Stripe refunds a plain product', async () => {
    const product = await createProduct(coach, { title: 'Guide', priceMinor: 1200 });
    const { purchase } = await buyPackage(product.id);
    const res = await postStripeEvent(
      ctx.app,
      ctx.deps,
      chargeRefunded(purchase.payment.paymentIntentId, 1200),
    );
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('routed');
    const row = await waitForPurchase(purchase.id, 'REFUNDED');
    expect(row.refundedMinor).toBe(1200);
    expect(row.refundNote).toBe('1200 USD refunded; the purchase had no session credits');
  });
});
