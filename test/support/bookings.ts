import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '../../src/api/app';
import type { Deps } from '../../src/infra/deps';
import { call } from './harness';
import { createUser, type TestUser } from './users';

// Builders for booking tests: a coach who takes bookings, signed Stripe events, and polling.

export interface TestCoach {
  user: TestUser;
  slug: string;
  service: { id: string; durationMin: number; priceMinor: number; currency: string };
}

export interface CoachOptions {
  timeZone?: string;
  /** Weekly windows; default: every day 00:00–24:00, so tests always find slots minutes away. */
  windows?: { dayOfWeek: number; startTime: string; endTime: string }[];
  service?: Record<string, unknown>;
}

export const allDayEveryDay = () =>
  [0, 1, 2, 3, 4, 5, 6].map((dayOfWeek) => ({ dayOfWeek, startTime: '00:00', endTime: '24:00' }));

/** A Coach Pro with a public profile taking bookings, weekly windows and one service. */
export async function createCoach(app: App, deps: Deps, opts: CoachOptions = {}): Promise<TestCoach> {
  const user = await createUser(app, deps, 'coach_pro', 'coach');
  const slug = `coach-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
  const profile = await call(app, 'PUT', '/api/coaches/me/profile', {
    token: user.token,
    body: {
      slug,
      displayName: `Coach ${slug.slice(-5)}`,
      timeZone: opts.timeZone ?? 'Europe/London',
      bookingEnabled: true,
    },
  });
  if (profile.status !== 200) throw new Error(`profile: ${profile.status} ${JSON.stringify(profile.body)}`);
  const windows = await call(app, 'PUT', '/api/availability/windows', {
    token: user.token,
    body: { windows: opts.windows ?? allDayEveryDay() },
  });
  if (windows.status !== 200) throw new Error(`windows: ${windows.status} ${JSON.stringify(windows.body)}`);
  const service = await call(app, 'POST', '/api/coaches/me/services', {
    token: user.token,
    body: {
      title: 'Batting lesson',
      durationMin: 5,
      slotIntervalMin: 5,
      priceMinor: 4500,
      currency: 'USD',
      ...opts.service,
    },
  });
  if (service.status !== 201) throw new Error(`service: ${service.status} ${JSON.stringify(service.body)}`);
  return { user, slug, service: service.body };
}

export async function slotsFor(
  app: App,
  serviceId: string,
  query: Record<string, string> = {},
): Promise<{ start: string; end: string }[]> {
  const qs = new URLSearchParams({ serviceId, ...query });
  const res = await call(app, 'GET', `/api/availability/slots?${qs}`);
  if (res.status !== 200) throw new Error(`slots: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.slots;
}

/** The first open slot starting at least `minLeadMs` from now. */
export async function slotAfter(
  app: App,
  serviceId: string,
  minLeadMs: number,
): Promise<{ start: string; end: string }> {
  const slots = await slotsFor(app, serviceId, { to: new Date(Date.now() + 2 * 86_400_000).toISOString() });
  const slot = slots.find((s) => Date.parse(s.start) >= Date.now() + minLeadMs);
  if (!slot) throw new Error('no open slot found');
  return slot;
}

export function paymentIntentEvent(
  type: 'payment_intent.succeeded' | 'payment_intent.payment_failed' | 'payment_intent.canceled',
  booking: { id: string; paymentIntentId: string; amountMinor: number; currency: string },
  eventId = `evt_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`,
) {
  const status =
    type === 'payment_intent.succeeded'
      ? 'succeeded'
      : type === 'payment_intent.canceled'
        ? 'canceled'
        : 'requires_payment_method';
  return {
    id: eventId,
    object: 'event',
    api_version: '2025-01-27.acacia',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: {
      object: {
        id: booking.paymentIntentId,
        object: 'payment_intent',
        amount: booking.amountMinor,
        amount_received: type === 'payment_intent.succeeded' ? booking.amountMinor : 0,
        currency: booking.currency.toLowerCase(),
        status,
        metadata: { kind: 'booking', bookingId: booking.id },
        last_payment_error:
          type === 'payment_intent.payment_failed' ? { message: 'Your card was declined.' } : null,
      },
    },
  };
}

/** Posts an event to the webhook endpoint signed with the configured secret, as Stripe would. */
export async function postStripeEvent(app: App, deps: Deps, event: unknown, opts: { secret?: string } = {}) {
  const payload = JSON.stringify(event);
  const header = deps.stripe.webhooks.generateTestHeaderString({
    payload,
    secret: opts.secret ?? deps.cfg.STRIPE_WEBHOOK_SECRET,
  });
  return call(app, 'POST', '/api/webhooks/stripe', { raw: payload, headers: { 'stripe-signature': header } });
}

/** Posts a signed `payment_intent.succeeded` for a booking as the API answered it; returns the event. */
export async function payBooking(
  app: App,
  deps: Deps,
  booking: {
    id: string;
    payment: { paymentIntentId: string };
    price: { amountMinor: number; currency: string };
  },
) {
  const event = paymentIntentEvent('payment_intent.succeeded', {
    id: booking.id,
    paymentIntentId: booking.payment.paymentIntentId,
    amountMinor: booking.price.amountMinor,
    currency: booking.price.currency,
  });
  const res = await postStripeEvent(app, deps, event);
  if (res.status !== 200) throw new Error(`payment webhook: ${res.status} ${JSON.stringify(res.body)}`);
  return event;
}

export async function waitUntil<T>(
  what: string,
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await sleep(200);
    last = await read();
  }
  return last;
}

export const bookingRow = (deps: Deps, id: string) => deps.db.booking.findUniqueOrThrow({ where: { id } });

export async function waitForStatus(deps: Deps, id: string, status: string, timeoutMs = 30_000) {
  return waitUntil(
    `booking ${id} to be ${status}`,
    () => bookingRow(deps, id),
    (b) => b.status === status,
    timeoutMs,
  );
}

/** Counts Stripe API requests made through this Stripe client (the worker shares it in-process). */
export function recordStripeRequests(deps: Deps) {
  const seen: { method: string; path: string; idempotencyKey?: string }[] = [];
  const listener = (e: { method: string; path: string; idempotency_key?: string }) =>
    seen.push({ method: e.method, path: e.path, idempotencyKey: e.idempotency_key });
  deps.stripe.on('request', listener);
  return { seen, stop: () => deps.stripe.off('request', listener) };
}

/** Ends this run's still-open booking workflows (timers days out) so they do not outlive the test file. */
export async function terminateOpenBookingWorkflows(deps: Deps): Promise<number> {
  let n = 0;
  const query = `WorkflowType = 'bookingWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${deps.cfg.TEMPORAL_TASK_QUEUE}'`;
  for await (const wf of deps.temporal.workflow.list({ query })) {
    await deps.temporal.workflow
      .getHandle(wf.workflowId, wf.runId)
      .terminate('test file finished')
      .catch(() => undefined);
    n++;
  }
  return n;
}
