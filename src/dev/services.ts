import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureTool, type GoTool } from './tools';

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

/** Where a service keeps its state and its log, and where start-up is reported. */
export interface ServiceDirs {
  dataDir: string;
  logDir: string;
  log: Log;
}

/** One of the go-built services (src/dev/tools.ts): where it answers and how it is run. */
interface ToolService {
  /** What the log lines call it. */
  label: string;
  /** The binary, also the name of its log file. */
  tool: GoTool;
  /** Probed first (a service already answering there is reused) and reported. */
  at: { host: string; port: number };
  /** Created before the start: the service keeps its state there. */
  dataDir?: string;
  /** Read only when the service is started here (some read files). */
  args: () => string[];
  env?: Record<string, string>;
  /** When it is ready, if more than an open port (default): an HTTP health check. */
  ready?: () => Promise<boolean>;
}

/** Starts the service unless something already answers at its address (then undefined: not ours to stop). */
async function startTool(
  service: ToolService,
  { logDir, log }: Pick<ServiceDirs, 'logDir' | 'log'>,
): Promise<Started | undefined> {
  const { host, port } = service.at;
  if (await portOpen(host, port)) {
    log(`${service.label}: reusing the service already listening on ${host}:${port}`);
    return undefined;
  }
  const bin = ensureTool(service.tool, log);
  if (service.dataDir) mkdirSync(service.dataDir, { recursive: true });
  const started = spawnService(service.tool, bin, service.args(), logDir, service.env);
  const exited = failIfExited(started, logDir);
  const ready = service.ready ?? (() => portOpen(host, port));
  await waitFor(service.label, async () => (await exited()) || ready(), 90_000);
  log(`${service.label}: started on ${host}:${port}`);
  return started;
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

export async function startTemporal(opts: ServiceDirs & { address: string; uiPort: number }) {
  const at = hostPort(opts.address, 7233);
  return startTool(
    {
      label: 'temporal',
      tool: 'temporal',
      at,
      dataDir: opts.dataDir,
      args: () => [
        'server',
        'start-dev',
        '--ip',
        at.host,
        '--port',
        String(at.port),
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
        ...Object.entries(searchAttributes()).flatMap(([k, v]) => ['--search-attribute', `${k}=${v}`]),
        ...singleNodeDynamicConfig(),
      ],
    },
    opts,
  );
}

export async function startMinio(
  opts: ServiceDirs & { endpoint: string; accessKey: string; secretKey: string },
) {
  const { host, port } = hostPort(opts.endpoint, 9000);
  return startTool(
    {
      label: 's3 (minio)',
      tool: 'minio',
      at: { host, port },
      dataDir: opts.dataDir,
      args: () => [
        'server',
        opts.dataDir,
        '--address',
        `${host}:${port}`,
        '--console-address',
        `${host}:${port + 1}`,
        '--quiet',
      ],
      env: { MINIO_ROOT_USER: opts.accessKey, MINIO_ROOT_PASSWORD: opts.secretKey, MINIO_BROWSER: 'off' },
      ready: async () => (await fetch(`http://${host}:${port}/minio/health/ready`)).ok,
    },
    opts,
  );
}

export async function startStripeMock(opts: Pick<ServiceDirs, 'logDir' | 'log'> & { apiUrl: string }) {
  const at = hostPort(opts.apiUrl, 12111);
  return startTool(
    { label: 'stripe-mock', tool: 'stripe-mock', at, args: () => ['-http-addr', `${at.host}:${at.port}`] },
    opts,
  );
}

export async function startMailpit(opts: ServiceDirs & { smtpUrl: string; viewerUrl: string }) {
  const smtp = hostPort(opts.smtpUrl, 1025);
  const ui = hostPort(opts.viewerUrl, 8025);
  return startTool(
    {
      label: 'smtp sink (mailpit)',
      tool: 'mailpit',
      at: smtp,
      dataDir: opts.dataDir,
      args: () => [
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
      ready: async () => (await fetch(`http://${ui.host}:${ui.port}/livez`)).ok,
    },
    opts,
  );
}
