import type { ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/dev/services';
import { waitUntil } from '../support/bookings';
import { call, startTestContext, type TestContext } from '../support/harness';
import { messagesTo, waitForMessages } from '../support/mailbox';
import { createPaidCourse, openActiveSession } from '../support/paid-sessions';
import { createUser } from '../support/users';
import { startWorker } from '../support/worker-process';

// The worker is a real separate process killed with SIGKILL in the middle of settlement: after
// stripe-mock has taken the capture and before the worker hears the answer (the worst moment: Stripe
// captured, we recorded nothing). A recording proxy in front of stripe-mock sees every Stripe request
// of the worker and does the kill. A new worker must finish the settlement with the same capture
// (same idempotency key, same amount), one set of ledger transactions and one receipt.

interface Seen {
  method: string;
  path: string;
  key: string | undefined;
  body: string;
}

let ctx: TestContext;
let proxy: Server;
let proxyUrl: string;
const seen: Seen[] = [];
let onCaptured: ((path: string) => Promise<void>) | null = null;
const children: ChildProcess[] = [];

beforeAll(async () => {
  ctx = await startTestContext(); // API only: the worker is the child process
  const upstream = new URL(ctx.deps.cfg.STRIPE_API_URL);
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const key = req.headers['idempotency-key'];
      seen.push({
        method: req.method!,
        path: req.url!,
        key: typeof key === 'string' ? key : undefined,
        body: body.toString(),
      });
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (up) => {
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            const hook = onCaptured;
            if (hook && req.url!.endsWith('/capture')) {
              onCaptured = null;
              // Stripe has captured; the worker dies before it learns so.
              void hook(req.url!).then(() => res.destroy());
              return;
            }
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(Buffer.concat(parts));
          });
        },
      );
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) =>
      c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined,
    ),
  );
  if (ctx) {
    const query = `WorkflowType = 'paidSessionWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${ctx.deps.cfg.TEMPORAL_TASK_QUEUE}'`;
    for await (const wf of ctx.deps.temporal.workflow.list({ query }))
      await ctx.deps.temporal.workflow
        .getHandle(wf.workflowId)
        .terminate('test file finished')
        .catch(() => {});
  }
  proxy?.close();
  await ctx?.close();
});

const startWorkerProcess = () => startWorker(children, { STRIPE_API_URL: proxyUrl });

describe('worker killed during settlement', () => {
  it('SIGKILL after Stripe captured: a new worker ends with one capture (one key, one amount), a balanced ledger, one receipt', async () => {
    const first = await startWorkerProcess();
    const course = await createPaidCourse(ctx.app, ctx.deps, { pricePerMinute: 60 });
    const student = await createUser(ctx.app, ctx.deps, 'free', 'student');
    const s = await openActiveSession(ctx.app, ctx.deps, student, course, 500);
    // The start moves back so 90 s are plausible; the last heartbeat stays (moved back by the idle
    // timeout, the workflow could read it first and rightly end the session as idle: CI saw that).
    await ctx.deps.db
      .$executeRaw`UPDATE paid_sessions SET started_at = started_at - interval '5 minutes' WHERE id = ${s.id}::uuid`;
    const beat = await call(ctx.app, 'PATCH', `/api/sessions/${s.id}/metrics`, {
      token: student.token,
      body: { seq: 1, duration_seconds: 90, completion_pct: 15, current_lecture: 1, position_seconds: 90 },
    });
    expect(beat.body.running_cost).toBe(90);

    let killed = false;
    onCaptured = async () => {
      const exited = new Promise((r) => first.once('exit', r));
      first.kill('SIGKILL');
      await exited;
      killed = true;
    };
    const completing = call(ctx.app, 'POST', `/api/sessions/${s.id}/complete`, { token: student.token });
    await waitUntil(
      'the kill',
      async () => killed,
      (k) => k,
      60_000,
    );
    const row = () => ctx.deps.db.paidSession.findUniqueOrThrow({ where: { id: s.id } });
    expect((await row()).settledAt).toBeNull();

    await startWorkerProcess();
    // The capture's attempt on the dead worker times out (startToCloseTimeout 30 s), then retries.
    const settled = await waitUntil('settled', row, (r) => r.settledAt !== null, 120_000);
    expect(settled).toMatchObject({
      status: 'completed',
      capturedMinor: 90,
      releasedMinor: 410,
      endReason: 'completed',
    });
    expect((await completing).status).toBe(200);

    const captures = seen.filter((r) => r.path.endsWith('/capture'));
    expect(captures.length).toBeGreaterThanOrEqual(2); // the one the dead worker sent, and its retry
    expect(new Set(captures.map((c) => c.key))).toEqual(new Set([`paid-session-${s.id}-capture`]));
    expect(new Set(captures.map((c) => new URLSearchParams(c.body).get('amount_to_capture')))).toEqual(
      new Set(['90']),
    );
    expect(seen.filter((r) => r.path.endsWith('/cancel'))).toEqual([]);

    const txs = await ctx.deps.db.ledgerTransaction.findMany({
      where: { reference: `paid-session:${s.id}` },
      include: { entries: true },
    });
    expect(txs.map((t) => t.kind).sort()).toEqual(['authorisation', 'capture', 'release']);
    for (const t of txs) expect(t.entries.reduce((a, e) => a + Number(e.amountMinor), 0)).toBe(0);

    await waitForMessages(student.email, { count: 1, timeoutMs: 60_000 });
    await sleep(1500);
    expect((await messagesTo(student.email)).filter((m) => m.Subject.startsWith('Receipt'))).toHaveLength(1);
  }, 300_000);
});
