import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../src/infra/config';
import { closeDeps, createDeps, type Deps } from '../../src/infra/deps';
import { configureFfmpeg } from '../../src/infra/ffmpeg';
import { createApp, type App } from '../../src/api/app';
import { createWorkers, type WorkerSet } from '../../workers/create-workers';

let runtimeInstalled = false;
function quietTemporalRuntime() {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

/** Real dependencies for one test file, wired to the services global-setup started. */
export async function testDeps(overrides: Record<string, string> = {}): Promise<Deps> {
  const cfg = loadConfig({ ...process.env, ...overrides });
  configureFfmpeg(cfg);
  return createDeps(cfg);
}

export interface TestContext {
  deps: Deps;
  app: App;
  workers?: WorkerSet;
  close(): Promise<void>;
}

/** The API (in-process, via app.request) plus, optionally, both workers polling this run's queues. */
export async function startTestContext(
  opts: { workers?: boolean; env?: Record<string, string> } = {},
): Promise<TestContext> {
  const deps = await testDeps(opts.env);
  const app = createApp(deps);
  if (opts.workers) quietTemporalRuntime();
  const workers = opts.workers ? await createWorkers(deps) : undefined;
  return {
    deps,
    app,
    workers,
    async close() {
      await workers?.shutdown();
      await closeDeps(deps);
    },
  };
}

/** JSON request helper around app.request that returns status, headers and parsed body. */
export async function call(
  app: App,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string } = {},
) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.body !== undefined || opts.raw !== undefined) headers['content-type'] ??= 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await app.request(path, {
    method,
    headers,
    body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body };
}

export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.test`;
}
