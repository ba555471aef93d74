import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { REPO_ROOT, freePort, hostPort, startTemporal, type Started } from '../../src/dev/services';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { call, startTestContext, type TestContext } from '../support/harness';
import { startStripeProxy, type StripeProxy } from '../support/payouts';

// The chaos suite's world: its own Temporal dev server (persistent database file, restartable), the
// worker as child processes (SIGKILLed and restarted), and fault proxies in front of S3, Stripe and
// SMTP. Stripe requests pass a recording proxy (test/support/payouts.ts: counts idempotency keys and
// plays Stripe's replay rule) behind the fault proxy, so a request the worker gave up on still counts.
//
//   worker ──► fault proxy ──► S3 (MinIO) | recording proxy ──► stripe-mock | Mailpit SMTP
//   API (in-process) ──► recording proxy ──► stripe-mock;  MinIO, Mailpit directly
//
// The API shares Postgres and the Temporal server with the worker. Faults that also break the API
// (a Temporal restart) wait for API calls in flight and hold new ones back (`world.api`): what is
// tested is that accepted work finishes, not how a client retries a refused request.

export type FaultKind =
  | 'worker-kill'
  | 'media-worker-kill'
  | 'temporal-restart'
  | 'pg-terminate'
  | 's3-refuse'
  | 's3-hang'
  | 'stripe-refuse'
  | 'stripe-hang'
  | 'smtp-refuse'
  | 'smtp-hang';

export interface InjectedFault {
  kind: FaultKind;
  at: string;
  detail: string;
}

/** mulberry32: a seeded generator, so a failing run can be repeated with CHAOS_SEED. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}
export type Rng = ReturnType<typeof seeded>;

/** A readers-writer gate: API calls share it, a fault that would break the API takes it alone. */
class Gate {
  private readers = 0;
  private writer: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  async shared<T>(fn: () => Promise<T>): Promise<T> {
    while (this.writer) await this.writer;
    this.readers++;
    try {
      return await fn();
    } finally {
      this.readers--;
      if (this.readers === 0) this.drained?.();
    }
  }
  async exclusive(fn: () => Promise<void>): Promise<void> {
    while (this.writer) await this.writer;
    let release!: () => void;
    this.writer = new Promise((r) => (release = r));
    try {
      if (this.readers > 0) await new Promise<void>((r) => (this.drained = r));
      this.drained = undefined;
      await fn();
    } finally {
      const done = release;
      this.writer = undefined;
      done();
    }
  }
}

interface WorkerProcess {
  queues: 'default' | 'media';
  child: ChildProcess;
}

export interface ChaosWorld {
  ctx: TestContext;
  stripe: StripeProxy;
  proxies: { s3: FaultProxy; stripe: FaultProxy; smtp: FaultProxy };
  temporalAddress: string;
  /** API call through the gate; retried while the answer is a 503 from a dependency coming back. */
  api(
    method: string,
    path: string,
    opts?: Parameters<typeof call>[3],
  ): Promise<Awaited<ReturnType<typeof call>>>;
  gate: Gate;
  /** Video rows fixtures wrote without media (a paid course's footage): no objects to expect. */
  syntheticVideos: Set<string>;
  startWorker(queues: 'default' | 'media'): Promise<void>;
  killWorker(queues: 'default' | 'media'): Promise<void>;
  restartTemporal(): Promise<void>;
  terminatePg(): Promise<number>;
  /** Heals every proxy and makes sure both workers run. */
  heal(): Promise<void>;
  close(): Promise<void>;
}

const WORKER_APP = 'chaos-worker';

export async function startChaosWorld(
  opts: { env?: Record<string, string>; log?: (l: string) => void } = {},
): Promise<ChaosWorld> {
  const log = opts.log ?? (() => {});
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dataDir = await mkdtemp(join(tmpdir(), 'coachflow-chaos-'));
  // Ports are picked free and released before the server binds them, so another process can take
  // one in between: the server then exits at once, and the start is tried again on fresh ports.
  let temporalAddress = '';
  let uiPort = 0;
  const startOwnTemporal = async () => {
    const started = await startTemporal({
      address: temporalAddress,
      uiPort,
      dataDir,
      logDir: dataDir,
      log,
    });
    if (!started) throw new Error(`something already listens on ${temporalAddress}`);
    return started;
  };
  let temporal!: Started;
  for (let attempt = 1; ; attempt++) {
    temporalAddress = `127.0.0.1:${await freePort()}`;
    uiPort = await freePort();
    try {
      temporal = await startOwnTemporal();
      break;
    } catch (err) {
      if (attempt === 3) throw err;
      log(`temporal: ${err instanceof Error ? err.message : err}; trying other ports`);
    }
  }

  const s3 = hostPort(process.env.S3_ENDPOINT ?? 'http://127.0.0.1:9000', 9000);
  const smtp = hostPort(process.env.SMTP_URL ?? 'smtp://127.0.0.1:1025', 1025);
  const stripe = await startStripeProxy(process.env.STRIPE_API_URL ?? 'http://127.0.0.1:12111');
  const stripeTarget = hostPort(stripe.url, 80);
  const proxies = {
    s3: await startFaultProxy('s3', s3),
    stripe: await startFaultProxy('stripe', stripeTarget),
    smtp: await startFaultProxy('smtp', smtp),
  };

  const ctx = await startTestContext({
    env: { TEMPORAL_ADDRESS: temporalAddress, STRIPE_API_URL: stripe.url, ...opts.env },
  });
  const dbUrl = new URL(ctx.deps.cfg.DATABASE_URL);
  dbUrl.searchParams.set('application_name', WORKER_APP);
  const smtpUrl = new URL(ctx.deps.cfg.SMTP_URL);
  smtpUrl.host = proxies.smtp.address;
  const workerEnv: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...opts.env,
    TEMPORAL_ADDRESS: temporalAddress,
    DATABASE_URL: dbUrl.toString(),
    S3_ENDPOINT: `http://${proxies.s3.address}`,
    STRIPE_API_URL: `http://${proxies.stripe.address}`,
    SMTP_URL: smtpUrl.toString(),
    LOG_LEVEL: 'info',
  };

  const admin = new pg.Client({
    connectionString: ctx.deps.cfg.DATABASE_URL,
    application_name: 'chaos-admin',
  });
  await admin.connect();

  const workers = new Map<'default' | 'media', WorkerProcess>();
  const gate = new Gate();

  async function startWorker(queues: 'default' | 'media') {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'workers/main.ts')], {
      env: { ...workerEnv, WORKER_QUEUES: queues },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    workers.set(queues, { queues, child });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${queues} worker did not start:\n${output}`)),
        180_000,
      );
      child.stdout!.on('data', (chunk: Buffer) => {
        if (output.length < 200_000) output += chunk.toString();
        if (output.includes('workers running')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => {
        if (output.length < 200_000) output += chunk.toString();
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(
            `${queues} worker exited (${signal ?? code}) before it was ready:\n${output.slice(-4000)}`,
          ),
        );
      });
    });
    child.stdout!.removeAllListeners('data');
    child.stdout!.resume();
  }

  async function killWorker(queues: 'default' | 'media') {
    const w = workers.get(queues);
    if (!w || w.child.exitCode !== null || w.child.signalCode !== null) return;
    const exited = new Promise((r) => w.child.once('exit', r));
    w.child.kill('SIGKILL');
    await exited;
  }

  const alive = (queues: 'default' | 'media') => {
    const w = workers.get(queues);
    return !!w && w.child.exitCode === null && w.child.signalCode === null;
  };

  async function restartTemporal() {
    await gate.exclusive(async () => {
      await temporal.stop();
      temporal = await startOwnTemporal();
    });
  }

  async function terminatePg(): Promise<number> {
    const res = await admin.query<{ n: string }>(
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = $1 AND pid <> pg_backend_pid()`,
      [WORKER_APP],
    );
    return Number(res.rows[0]!.n);
  }

  async function api(method: string, path: string, o: Parameters<typeof call>[3] = {}) {
    for (let attempt = 0; ; attempt++) {
      const res = await gate.shared(() => call(ctx.app, method, path, o));
      // A 503 means nothing was accepted (ADR 0011): asking again is what a client does.
      if (res.status !== 503 || attempt >= 20) return res;
      await sleep(1000);
    }
  }

  await startWorker('default');
  await startWorker('media');

  return {
    ctx,
    stripe,
    proxies,
    temporalAddress,
    api,
    gate,
    syntheticVideos: new Set(),
    startWorker,
    killWorker,
    restartTemporal,
    terminatePg,
    async heal() {
      for (const p of Object.values(proxies)) p.setMode('pass');
      if (!alive('default')) await startWorker('default');
      if (!alive('media')) await startWorker('media');
    },
    async close() {
      for (const p of Object.values(proxies)) p.setMode('pass');
      for (const q of ['default', 'media'] as const) {
        const w = workers.get(q);
        if (w && w.child.exitCode === null && w.child.signalCode === null) {
          const exited = new Promise((r) => w.child.once('exit', r));
          w.child.kill('SIGKILL');
          await exited;
        }
      }
      await admin.end().catch(() => {});
      await ctx.close().catch(() => {});
      for (const p of Object.values(proxies)) await p.close();
      await stripe.close().catch(() => {});
      await temporal.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Injects faults one after another, `gapMs` apart, until stopped. Each fault lasts a few seconds
 * and is healed before the next; the log is what the table counts.
 */
export function faultLoop(
  world: ChaosWorld,
  rng: Rng,
  kinds: readonly FaultKind[],
  opts: { gapMs: [number, number]; max?: number; first?: readonly FaultKind[] },
) {
  const injected: InjectedFault[] = [];
  let stopped = false;
  let wake: (() => void) | undefined;
  const nap = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });

  async function inject(kind: FaultKind): Promise<string> {
    switch (kind) {
      case 'worker-kill':
      case 'media-worker-kill': {
        const queues = kind === 'worker-kill' ? 'default' : 'media';
        await world.killWorker(queues);
        const down = rng.int(0, 3000);
        await sleep(down);
        await world.startWorker(queues);
        return `SIGKILL, restarted after ${down} ms`;
      }
      case 'temporal-restart': {
        const started = Date.now();
        await world.restartTemporal();
        return `down ${Date.now() - started} ms`;
      }
      case 'pg-terminate': {
        // A worker that has just restarted may not have connected yet: wait for something to drop.
        let n = 0;
        for (let i = 0; i < 20 && n === 0; i++) {
          n = await world.terminatePg();
          if (n === 0) await sleep(500);
        }
        return `${n} connections terminated`;
      }
      default: {
        const [target, mode] = kind.split('-') as ['s3' | 'stripe' | 'smtp', 'refuse' | 'hang'];
        const ms = rng.int(1000, mode === 'hang' ? 12_000 : 6000);
        await world.proxies[target].fault(mode, ms);
        return `${ms} ms`;
      }
    }
  }

  const done = (async () => {
    await nap(rng.int(...opts.gapMs));
    while (!stopped && (opts.max === undefined || injected.length < opts.max)) {
      const kind = opts.first?.[injected.length] ?? rng.pick(kinds);
      const at = new Date().toISOString();
      const detail = await inject(kind);
      injected.push({ kind, at, detail });
      process.stderr.write(`[chaos] ${at} ${kind}: ${detail}\n`);
      if (stopped) break;
      await nap(rng.int(...opts.gapMs));
    }
  })();

  return {
    injected,
    /** Stops after the fault in progress (if any) has been healed. */
    async stop() {
      stopped = true;
      wake?.();
      await done;
      await world.heal();
      return injected;
    },
    done,
  };
}
