import type { ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestContext, type TestContext } from '../support/harness';
import { payInvoice, roleOf, subscribeTo } from '../support/subscriptions';
import { createUser } from '../support/users';
import { waitFor } from '../support/video';
import { killWorker, startWorker } from '../support/worker-process';

// Issue 12: the worker is killed (SIGKILL, a separate process) while its Stripe call to change the
// plan is in flight — Stripe (stripe-mock) has applied it, the answer never reaches the worker. A new
// worker retries the step; Stripe must see one change: every request carries the same idempotency key.
// A small recording proxy in front of stripe-mock sees the worker's requests and holds the first
// plan change's answer so the kill lands inside the call.

let ctx: TestContext;
let proxy: Server;
let proxyUrl: string;
const children: ChildProcess[] = [];
const seen: { method: string; path: string; key: string | null }[] = [];
let holdNextUpdate = false;
let held: (() => void) | null = null;

const isPlanUpdate = (method: string, path: string) =>
  method === 'POST' && /^\/v1\/subscriptions\/[^/?]+$/.test(path);

beforeAll(async () => {
  ctx = await startTestContext(); // API only: the worker is a child process talking to Stripe through the proxy
  const target = new URL(ctx.deps.cfg.STRIPE_API_URL);
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = (req.url ?? '/').split('?')[0]!;
      const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
      seen.push({ method, path, key });
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        (up) => {
          const body: Buffer[] = [];
          up.on('data', (c: Buffer) => body.push(c));
          up.on('end', () => {
            const answer = () => {
              res.writeHead(up.statusCode ?? 502, up.headers);
              res.end(Buffer.concat(body));
            };
            if (holdNextUpdate && isPlanUpdate(method, path)) {
              holdNextUpdate = false;
              held = answer; // Stripe has done it; the worker waits for an answer that comes too late
            } else answer();
          });
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) =>
      c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined,
    ),
  );
  held?.();
  proxy?.closeAllConnections();
  await new Promise((r) => proxy?.close(r));
  await ctx?.close();
});

const startWorkerProcess = () => startWorker(children, { STRIPE_API_URL: proxyUrl });

const kill = killWorker;

describe('worker killed during a plan change', () => {
  it('the retried step reaches Stripe with the same idempotency key: exactly one subscription update', async () => {
    const first = await startWorkerProcess();
    const user = await createUser(ctx.app, ctx.deps, 'free', 'crash');
    const { subscriptionId } = await subscribeTo(ctx.app, ctx.deps, user, 'coach_pro');
    await payInvoice(ctx.app, ctx.deps, user, subscriptionId);
    await waitFor(
      async () => ((await roleOf(ctx.deps, user.id)) === 'coach_pro' ? true : undefined),
      30_000,
      'coach_pro',
    );

    holdNextUpdate = true;
    const change = call(ctx.app, 'POST', '/api/subscriptions/change', {
      token: user.token,
      body: { plan: 'coach_pro_plus' },
    });
    await waitFor(async () => (held ? true : undefined), 30_000, 'the plan change reached Stripe');
    await kill(first);
    const release = held!;
    held = null;
    release(); // the answer goes nowhere: its worker is gone
    await change; // 503 or 200, whichever came first: the workflow has the change either way

    await startWorkerProcess();
    // The activity's start-to-close timeout (30 s) passes, then the new worker runs it again.
    await waitFor(
      async () => ((await roleOf(ctx.deps, user.id)) === 'coach_pro_plus' ? true : undefined),
      120_000,
      'coach_pro_plus after the retry',
    );
    const updates = seen.filter((r) => isPlanUpdate(r.method, r.path));
    expect(updates.length).toBeGreaterThanOrEqual(2); // the call really was repeated…
    expect(new Set(updates.map((u) => u.key))).toEqual(new Set([`subscription-${user.id}-op-1`])); // …as one request
    const creates = seen.filter((r) => r.method === 'POST' && r.path === '/v1/subscriptions');
    expect(new Set(creates.map((c) => c.key))).toEqual(new Set([`subscription-${user.id}-create-1`]));
  }, 300_000);
});
