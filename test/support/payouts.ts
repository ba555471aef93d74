import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postLedgerDrafts } from '../../src/data/ledger';
import { ledger } from '../../src/domain/payments/ledger';
import type { App } from '../../src/api/app';
import type { Deps } from '../../src/infra/deps';
import { scheduleIds } from '../../workflows/shared/ids';
import { postStripeEvent, waitUntil } from './bookings';
import { loadConfig } from '../../src/infra/config';
import { call, startTestContext, type TestContext } from './harness';
import { createUser, type TestUser } from './users';

// Payout tests' world: a recording proxy in front of stripe-mock, signed account.updated and
// transfer.reversed events, a coach with earnings in the ledger and a Connect account Stripe says can
// take payouts.

export interface StripeCall {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  status: number;
  /** True when the proxy answered from its idempotency cache (Stripe's replay) instead of stripe-mock. */
  replayed: boolean;
}

export interface StripeProxy {
  url: string;
  calls: StripeCall[];
  /** Answer instead of stripe-mock when it returns a response (e.g. a Stripe error). */
  intercept?: (req: {
    method: string;
    path: string;
    body: string;
  }) => { status: number; body: unknown } | undefined;
  /** Hold matching requests' answers back (stripe-mock has already answered) until the promise settles. */
  holdAnswer?: (req: { method: string; path: string }) => Promise<void> | undefined;
  /** Resolves the next time a request matching `match` arrives. */
  next(match: (c: { method: string; path: string }) => boolean): Promise<void>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

/**
 * An HTTP proxy to stripe-mock that records every request with its idempotency key. stripe-mock is
 * stateless, so the proxy also plays Stripe's idempotency rule: a POST repeating a key gets the first
 * answer again instead of a new object (https://stripe.com/docs/api/idempotent_requests). A second
 * transfer therefore shows up as a second key, which is what the tests count.
 */
export async function startStripeProxy(target: string): Promise<StripeProxy> {
  const upstream = new URL(target);
  const replies = new Map<string, { status: number; headers: Record<string, string>; body: string }>();
  const waiters: { match: (c: { method: string; path: string }) => boolean; resolve: () => void }[] = [];
  const proxy: StripeProxy = {
    url: '',
    calls: [],
    next(match) {
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer(async (req, res) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    const body = await readBody(req);
    const key = req.headers['idempotency-key'] as string | undefined;
    for (const w of [...waiters])
      if (w.match({ method, path })) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    const cacheKey = key && method === 'POST' ? `${path} ${key}` : undefined;
    const cached = cacheKey ? replies.get(cacheKey) : undefined;
    const send = async (
      reply: { status: number; headers: Record<string, string>; body: string },
      replayed: boolean,
    ) => {
      proxy.calls.push({ method, path, idempotencyKey: key, status: reply.status, replayed });
      await proxy.holdAnswer?.({ method, path });
      res.writeHead(reply.status, reply.headers).end(reply.body);
    };
    if (cached) return send(cached, true);
    const intercepted = proxy.intercept?.({ method, path, body });
    if (intercepted) {
      const reply = {
        status: intercepted.status,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(intercepted.body),
      };
      // Stripe saves no result for a request it never ran (a rate limit): a repeat is tried afresh.
      if (cacheKey && reply.status !== 429) replies.set(cacheKey, reply);
      return send(reply, false);
    }
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      async (up) => {
        const text = await readBody(up);
        const headers: Record<string, string> = {
          'content-type': up.headers['content-type'] ?? 'application/json',
        };
        for (const h of ['request-id', 'stripe-version'])
          if (typeof up.headers[h] === 'string') headers[h] = up.headers[h] as string;
        const reply = { status: up.statusCode ?? 502, headers, body: text };
        if (cacheKey && reply.status < 500) replies.set(cacheKey, reply);
        await send(reply, false);
      },
    );
    forwarded.on('error', () => res.writeHead(502).end());
    forwarded.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** POSTs to `path` that reached stripe-mock (not replays), by idempotency key. */
export function stripeWrites(proxy: StripeProxy, path: string): StripeCall[] {
  return proxy.calls.filter((c) => c.method === 'POST' && c.path === path && !c.replayed && c.status < 400);
}

let eventSeq = 0;
/** Stripe's event envelope around `object` (what both payout events share). */
function stripeEvent<T extends object>(
  type: string,
  idPrefix: string,
  createdSec: number,
  object: T,
  extra: object = {},
) {
  eventSeq++;
  return {
    id: `${idPrefix}_${Date.now().toString(36)}_${eventSeq}_${Math.random().toString(36).slice(2, 8)}`,
    object: 'event',
    api_version: '2025-01-27.acacia',
    created: createdSec,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    ...extra,
    data: { object },
  };
}

export function accountUpdatedEvent(
  account: { id: string; coachId: string },
  state: {
    payoutsEnabled: boolean;
    detailsSubmitted?: boolean;
    disabledReason?: string | null;
    due?: string[];
  },
  createdSec = Math.floor(Date.now() / 1000) + eventSeq,
) {
  return stripeEvent(
    'account.updated',
    'evt_acct',
    createdSec,
    {
      id: account.id,
      object: 'account',
      type: 'express',
      charges_enabled: state.payoutsEnabled,
      payouts_enabled: state.payoutsEnabled,
      details_submitted: state.detailsSubmitted ?? true,
      requirements: { currently_due: state.due ?? [], disabled_reason: state.disabledReason ?? null },
      metadata: { coachId: account.coachId },
    },
    { account: account.id },
  );
}

/**
 * A signed-ready transfer.reversed event: `transfer` is the Transfer as Stripe (here stripe-mock)
 * answers it, with the amounts, currency and reversals list the event reports. `amount_reversed`
 * defaults to the sum of the listed reversals (Stripe's cumulative figure).
 */
export function transferReversedEvent(
  transfer: Record<string, unknown> & { id: string },
  state: {
    amount: number;
    currency: string;
    reversals: { id: string; amount: number; currency?: string }[];
    amountReversed?: number;
  },
  createdSec = Math.floor(Date.now() / 1000) + eventSeq,
) {
  const amountReversed = state.amountReversed ?? state.reversals.reduce((s, r) => s + r.amount, 0);
  return stripeEvent('transfer.reversed', 'evt_tr', createdSec, {
    ...transfer,
    amount: state.amount,
    amount_reversed: amountReversed,
    currency: state.currency,
    reversed: amountReversed >= state.amount,
    reversals: {
      object: 'list',
      url: `/v1/transfers/${transfer.id}/reversals`,
      has_more: false,
      total_count: state.reversals.length,
      data: state.reversals.map((r, i) => ({
        id: r.id,
        object: 'transfer_reversal',
        amount: r.amount,
        currency: r.currency ?? state.currency,
        balance_transaction: null,
        created: createdSec - i,
        destination_payment_refund: null,
        metadata: {},
        source_refund: null,
        transfer: transfer.id,
      })),
    },
  });
}

/**
 * The payout suites' real stack: stripe-mock behind the recording proxy, earnings available at once
 * (no hold), and a schedule interval long enough that tests trigger runs themselves. `workers: false`
 * starts the API only (a test that runs its own worker process).
 */
export const PAYOUT_TEST_ENV = { EARNINGS_HOLD_PERIOD: '0s', PAYOUT_SCHEDULE: '1h' };

export async function startPayoutWorld(opts: { workers: boolean; env?: Record<string, string> }) {
  const proxy = await startStripeProxy(loadConfig().STRIPE_API_URL);
  const ctx = await startTestContext({
    ...(opts.workers ? { workers: true } : {}),
    env: { ...PAYOUT_TEST_ENV, ...opts.env, STRIPE_API_URL: proxy.url },
  });
  return { proxy, ctx };
}

/** This run's database holds only this run's coaches: remove their Schedules from the shared server, then stop. */
export async function closePayoutWorld(ctx: TestContext | undefined, proxy: StripeProxy | undefined) {
  for (const a of (await ctx?.deps.db.connectAccount.findMany({ select: { coachId: true } })) ?? [])
    await payoutSchedule(ctx!.deps, a.coachId)
      .delete()
      .catch(() => undefined);
  await ctx?.close();
  await proxy?.close();
}

/** Earnings the coach has made: a booking paid, posted to the real ledger (fee 10 %). */
export async function giveEarnings(
  deps: Deps,
  coachId: string,
  grossMinor: number,
  currency = 'gbp',
  occurredAt = new Date(Date.now() - 60_000),
) {
  const bookingId = crypto.randomUUID();
  await postLedgerDrafts(deps.db, [
    ledger.bookingPayment({
      reference: `booking:${bookingId}`,
      studentId: crypto.randomUUID(),
      coachId,
      amountMinor: grossMinor,
      currency,
      feeBps: 1000,
      occurredAt: occurredAt.toISOString(),
    }),
  ]);
}

export interface PayoutCoach {
  user: TestUser;
  stripeAccountId: string;
}

/** A Coach Pro who connected a Stripe account through the API (onboarding not yet finished). */
export async function connectCoach(app: App, deps: Deps): Promise<PayoutCoach> {
  const user = await createUser(app, deps, 'coach_pro', 'payout-coach');
  const res = await call(app, 'POST', '/api/coaches/me/payouts/account', {
    token: user.token,
    body: { country: 'GB' },
  });
  if (res.status !== 200) throw new Error(`connect: ${res.status} ${JSON.stringify(res.body)}`);
  return { user, stripeAccountId: res.body.account.stripeAccountId };
}

export const payoutSchedule = (deps: Deps, coachId: string) =>
  deps.temporal.schedule.getHandle(scheduleIds.coachPayouts(coachId));

/** Sends the signed account.updated and waits for the Schedule to be in the state it implies. */
export async function setPayoutsEnabled(app: App, deps: Deps, coach: PayoutCoach, enabled: boolean) {
  const event = accountUpdatedEvent(
    { id: coach.stripeAccountId, coachId: coach.user.id },
    { payoutsEnabled: enabled },
  );
  const res = await postStripeEvent(app, deps, event);
  if (res.status !== 200 || res.body.outcome !== 'routed')
    throw new Error(`account.updated: ${res.status} ${JSON.stringify(res.body)}`);
  await waitUntil(
    `payout schedule ${enabled ? 'active' : 'paused'}`,
    () =>
      payoutSchedule(deps, coach.user.id)
        .describe()
        .then((d) => d.state.paused)
        .catch(() => 'absent' as const),
    (paused) => paused === !enabled,
    60_000,
  );
  return event;
}

export const payoutsOf = (deps: Deps, coachId: string) =>
  deps.db.payout.findMany({ where: { coachId }, orderBy: { createdAt: 'asc' } });
