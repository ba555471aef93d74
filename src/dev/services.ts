import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureTool } from './tools';

// Starts the real services the backend talks to, each only when nothing already answers at its
// address. Used by `npm start` (src/dev/start.ts) and by the test harness (test/support/global-setup.ts).

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface Started {
  name: string;
  stop(): Promise<void>;
}

export type Log = (line: string) => void;

export function portOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const finish = (open: boolean) => {
      socket.destroy();
      done(open);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** A service's process ended while we waited for it: waiting longer cannot help. */
export class ServiceExited extends Error {}

/**
 * Polls `check` until it answers true. A check that throws counts as "not yet" (a port not open, a
 * connection refused), except ServiceExited, which ends the wait at once.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ready = await check().catch((err: unknown) => {
      if (err instanceof ServiceExited) throw err;
      return false;
    });
    if (ready) return;
    await sleep(200);
  }
  throw new Error(`${what} did not become ready within ${Math.round(timeoutMs / 1000)} s`);
}

export function hostPort(address: string, defaultPort: number): { host: string; port: number } {
  const url = new URL(address.includes('://') ? address : `tcp://${address}`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || defaultPort) };
}

/**
 * Spawns a long-running child with its output in a log file; stop() ends it (`stopSignal`, default
 * SIGTERM, then SIGKILL after 10 s). `uid`/`gid` run it as another user (root starting Postgres).
 */
export function spawnService(
  name: string,
  command: string,
  args: string[],
  logDir: string,
  env = {},
  opts: { uid?: number; gid?: number; stopSignal?: NodeJS.Signals } = {},
): Started & { child: ChildProcess } {
  mkdirSync(logDir, { recursive: true });
  const out = openSync(join(logDir, `${name}.log`), 'a');
  const child = spawn(command, args, {
    stdio: ['ignore', out, out],
    env: { ...process.env, ...env },
    uid: opts.uid,
    gid: opts.gid,
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  // Safety net: never leave a service running when the launcher itself dies.
  const killOnExit = () => child.kill(opts.stopSignal ?? 'SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));
  return {
    name,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(opts.stopSignal ?? 'SIGTERM');
      // An abortable timer: a plain one would keep the launcher alive for 10 s after a quick exit.
      const giveUp = new AbortController();
      const timedOut = await Promise.race([
        exited.then(() => false),
        sleep(10_000, true, { signal: giveUp.signal }).catch(() => false),
      ]);
      giveUp.abort();
      if (timedOut) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

export function failIfExited(
  service: Started & { child: ChildProcess },
  logDir: string,
): () => Promise<boolean> {
  return async () => {
    if (service.child.exitCode !== null) {
      throw new ServiceExited(
        `${service.name} exited with code ${service.child.exitCode}; see ${join(logDir, `${service.name}.log`)}`,
      );
    }
    return false;
  };
}

async function startWhenAbsent(
  name: string,
  host: string,
  port: number,
  log: Log,
  start: () => Started & { child: ChildProcess },
  logDir: string,
  ready: () => Promise<boolean> = () => portOpen(host, port),
  timeoutMs = 90_000,
): Promise<Started | undefined> {
  if (await portOpen(host, port)) {
    log(`${name}: reusing the service already listening on ${host}:${port}`);
    return undefined;
  }
  const service = start();
  const exited = failIfExited(service, logDir);
  await waitFor(name, async () => (await exited()) || ready(), timeoutMs);
  log(`${name}: started on ${host}:${port}`);
  return service;
}

/** A loopback port nothing listens on right now (bound once by the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function searchAttributes(): Record<string, string> {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'temporal-config/search-attributes.json'), 'utf8'));
}

/**
 * temporal-config/dynamicconfig/development.yaml as dev-server flags, so the CLI dev server runs with
 * the same dynamic config as compose's server. Its format here is the flat subset we write: `key:`
 * followed by one `- value: <json>` line.
 */
export function singleNodeDynamicConfig(): string[] {
  const text = readFileSync(join(REPO_ROOT, 'temporal-config/dynamicconfig/development.yaml'), 'utf8');
  const flags: string[] = [];
  let key: string | undefined;
  for (const line of text.split('\n')) {
    if (/^\s*(#|$)/.test(line)) continue;
    const keyMatch = /^([\w.]+):\s*$/.exec(line);
    const valueMatch = /^\s+-\s+value:\s*(.+?)\s*$/.exec(line);
    if (keyMatch) key = keyMatch[1];
    else if (valueMatch && key) flags.push('--dynamic-config-value', `${key}=${valueMatch[1]}`);
    else throw new Error(`single-node.yaml: cannot read line "${line}"`);
  }
  return flags;
}

export async function startTemporal(opts: {
  address: string;
  uiPort: number;
  dataDir: string;
  logDir: string;
  log: Log;
}) {
  const { host, port } = hostPort(opts.address, 7233);
  return startWhenAbsent(
    'temporal',
    host,
    port,
    opts.log,
    () => {
      const bin = ensureTool('temporal', opts.log);
      mkdirSync(opts.dataDir, { recursive: true });
      const attrs = Object.entries(searchAttributes()).flatMap(([k, v]) => [
        '--search-attribute',
        `${k}=${v}`,
      ]);
      return spawnService(
        'temporal',
        bin,
        [
          'server',
          'start-dev',
          '--ip',
          host,
          '--port',
          String(port),
          '--ui-port',
          String(opts.uiPort),
          '--db-filename',
          join(opts.dataDir, 'temporal.sqlite'),
          // SQLite's defaults (rollback journal, synchronous=FULL) cost several fsyncs per write, and
          // every hop of a workflow writes. A write-ahead log synced at checkpoints stays consistent
          // through any crash and loses nothing when the process dies; only a power loss or a crash
          // of the machine can roll back the last moments' writes (temporal-config/README.md).
          '--sqlite-pragma',
          'journal_mode=wal',
          '--sqlite-pragma',
          'synchronous=normal',
          '--log-level',
          'warn',
          ...attrs,
          ...singleNodeDynamicConfig(),
        ],
        opts.logDir,
      );
    },
    opts.logDir,
  );
}

export async function startMinio(opts: {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  dataDir: string;
  logDir: string;
  log: Log;
}) {
  const { host, port } = hostPort(opts.endpoint, 9000);
  return startWhenAbsent(
    's3 (minio)',
    host,
    port,
    opts.log,
    () => {
      const bin = ensureTool('minio', opts.log);
      mkdirSync(opts.dataDir, { recursive: true });
      return spawnService(
        'minio',
        bin,
        [
          'server',
          opts.dataDir,
          '--address',
          `${host}:${port}`,
          '--console-address',
          `${host}:${port + 1}`,
          '--quiet',
        ],
        opts.logDir,
        { MINIO_ROOT_USER: opts.accessKey, MINIO_ROOT_PASSWORD: opts.secretKey, MINIO_BROWSER: 'off' },
      );
    },
    opts.logDir,
    async () => (await fetch(`http://${host}:${port}/minio/health/ready`)).ok,
  );
}

export async function startStripeMock(opts: { apiUrl: string; logDir: string; log: Log }) {
  const { host, port } = hostPort(opts.apiUrl, 12111);
  return startWhenAbsent(
    'stripe-mock',
    host,
    port,
    opts.log,
    () =>
      spawnService(
        'stripe-mock',
        ensureTool('stripe-mock', opts.log),
        ['-http-addr', `${host}:${port}`],
        opts.logDir,
      ),
    opts.logDir,
  );
}

export async function startMailpit(opts: {
  smtpUrl: string;
  viewerUrl: string;
  dataDir: string;
  logDir: string;
  log: Log;
}) {
  const smtp = hostPort(opts.smtpUrl, 1025);
  const ui = hostPort(opts.viewerUrl, 8025);
  return startWhenAbsent(
    'smtp sink (mailpit)',
    smtp.host,
    smtp.port,
    opts.log,
    () => {
      mkdirSync(opts.dataDir, { recursive: true });
      return spawnService(
        'mailpit',
        ensureTool('mailpit', opts.log),
        [
          '--smtp',
          `${smtp.host}:${smtp.port}`,
          '--listen',
          `${ui.host}:${ui.port}`,
          '--database',
          join(opts.dataDir, 'mailpit.db'),
          '--smtp-auth-accept-any',
          '--smtp-auth-allow-insecure',
          '--max',
          '5000',
        ],
        opts.logDir,
      );
    },
    opts.logDir,
    async () => (await fetch(`http://${ui.host}:${ui.port}/livez`)).ok,
  );
}
