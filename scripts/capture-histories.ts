// Captures workflow histories from real runs for the replay test (test/workflows/history-replay.test.ts,
// docs/adr/0017-workflow-versioning.md).
//
//   npm run histories:capture                                   # every family's test files
//   npm run histories:capture -- booking video                  # some families
//   npm run histories:capture -- test/e2e/real-services.test.ts  # given test files
//
// Each test file runs on its own through vitest (in this process, so its global setup's task queue
// is readable here afterwards) against the local stack it reuses or starts; then every run on that
// file's queues is listed in Temporal's visibility and fetched. A history is kept when its shape
// (the commands and events that replay checks: activity, timer, child, signal, update and marker
// names in order) is new for its workflow type: fixtures are only ever added, never rewritten, so
// histories recorded by older code stay until the ADR's retirement rule removes them.
import { Connection, WorkflowClient } from '@temporalio/client';
import proto from '@temporalio/proto';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import { format, resolveConfig } from 'prettier';
import { startVitest } from 'vitest/node';
import { REPO_ROOT } from '../src/dev/services';

// A CommonJS module whose named exports Node cannot see from ESM.
const { History } = proto.temporal.api.history.v1;
type History = proto.temporal.api.history.v1.IHistory;

/** Test files that drive each workflow family through the real stack. */
const FAMILY_TESTS: Record<string, string[]> = {
  booking: [
    'test/e2e/booking-lifecycle.test.ts',
    'test/api/bookings.test.ts',
    'test/e2e/booking-concurrent-updates.test.ts',
  ],
  health: ['test/e2e/real-services.test.ts'],
  maintenance: ['test/e2e/rate-limit-pruning.test.ts', 'test/api/video-deletion-retry.test.ts'],
  video: ['test/api/video-pipeline.test.ts', 'test/api/video-failures.test.ts'],
  payout: ['test/e2e/payouts.test.ts', 'test/e2e/payout-reversals.test.ts'],
  'paid-session': ['test/api/paid-sessions.test.ts'],
  subscription: ['test/e2e/subscriptions.test.ts'],
  purchase: ['test/api/checkout.test.ts'],
  analytics: ['test/api/analytics.test.ts'],
};

/** At most this many new shapes per workflow type from one test file (the longest first). */
const MAX_NEW_PER_TYPE_PER_FILE = 6;

const HISTORIES_DIR = join(REPO_ROOT, 'test/fixtures/histories');

interface HistoryFixture {
  workflowType: string;
  workflowId: string;
  /** The test file whose run produced it. */
  source: string;
  /** The commit checked out when it was captured (the code that wrote the history). */
  commit: string;
  capturedAt: string;
  /** How the run stood when fetched: COMPLETED, FAILED, CONTINUED_AS_NEW, TERMINATED, RUNNING, … */
  status: string;
  shape: string;
  history: unknown;
}

/**
 * The parts of a history that a replay compares with the code's commands, in order. Two histories
 * with the same shape exercise the same path as far as determinism is concerned.
 */
function historyShape(history: History): string {
  const parts: string[] = [];
  for (const e of history.events ?? []) {
    const a = e.activityTaskScheduledEventAttributes;
    const m = e.markerRecordedEventAttributes;
    const c = e.startChildWorkflowExecutionInitiatedEventAttributes;
    const s = e.workflowExecutionSignaledEventAttributes;
    const u = e.workflowExecutionUpdateAcceptedEventAttributes;
    if (a) parts.push(`activity:${a.activityType?.name}`);
    else if (e.timerStartedEventAttributes) parts.push('timer');
    else if (e.timerCanceledEventAttributes) parts.push('timer-cancel');
    else if (m) {
      const patch = m.details?.['patch-data']?.payloads?.[0]?.data;
      parts.push(`marker:${m.markerName}${patch ? `:${Buffer.from(patch).toString('utf8')}` : ''}`);
    } else if (c) parts.push(`child:${c.workflowType?.name}`);
    else if (s) parts.push(`signal:${s.signalName}`);
    else if (u) parts.push(`update:${u.acceptedRequest?.input?.name}`);
    else if (e.upsertWorkflowSearchAttributesEventAttributes) parts.push('upsert-sa');
    else if (e.workflowPropertiesModifiedEventAttributes) parts.push('memo');
    else if (e.signalExternalWorkflowExecutionInitiatedEventAttributes) parts.push('signal-external');
    else if (e.requestCancelExternalWorkflowExecutionInitiatedEventAttributes) parts.push('cancel-external');
    else if (e.workflowExecutionContinuedAsNewEventAttributes) parts.push('continue-as-new');
    else if (e.workflowExecutionCompletedEventAttributes) parts.push('completed');
    else if (e.workflowExecutionFailedEventAttributes) parts.push('failed');
  }
  return parts.join(' ');
}

function shapeHash(shape: string): string {
  return createHash('sha256').update(shape).digest('hex').slice(0, 10);
}

/** Hashes of the shapes already committed for a workflow type (file names end in -<hash>.json). */
async function knownShapes(type: string): Promise<Set<string>> {
  const dir = join(HISTORIES_DIR, type);
  if (!existsSync(dir)) return new Set();
  return new Set((await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(-15, -5)));
}

/** Runs one test file through vitest; returns its run's task queues and whether it passed. */
async function runTestFile(file: string): Promise<{ queues: string[]; passed: boolean }> {
  // Global setup writes this run's queues and database into process.env; start each file clean so
  // it does not pick up the previous file's (dropped) database.
  const saved = { ...process.env };
  try {
    const vitest = await startVitest('test', [file], { run: true, watch: false });
    const passed = vitest.state.getCountOfFailedTests() === 0 && !process.exitCode;
    const queue = process.env.TEMPORAL_TASK_QUEUE;
    const media = process.env.TEMPORAL_MEDIA_TASK_QUEUE;
    await vitest.close();
    if (!queue || queue === saved.TEMPORAL_TASK_QUEUE) throw new Error(`${file}: no task queue of its own`);
    return { queues: [queue, media].filter((q): q is string => !!q), passed };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    process.exitCode = undefined;
  }
}

async function captureFrom(client: WorkflowClient, file: string, queues: string[], commit: string) {
  const query = queues.map((q) => `TaskQueue = '${q}'`).join(' OR ');
  const candidates: HistoryFixture[] = [];
  for await (const wf of client.list({ query })) {
    const history = await client.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const shape = historyShape(history);
    candidates.push({
      workflowType: wf.type,
      workflowId: wf.workflowId,
      source: relative(REPO_ROOT, join(REPO_ROOT, file)),
      commit,
      capturedAt: new Date().toISOString(),
      status: wf.status.name,
      shape,
      // protobufjs's own object form (64-bit ids as strings, enums by name, bytes in base64), read
      // back with History.fromObject: the SDK's historyFromJSON cannot be used here, since npm
      // installed two copies of protobufjs and its proto3-JSON reader rejects the other copy's types.
      history: History.toObject(History.fromObject(history), {
        longs: String,
        enums: String,
        bytes: String,
      }),
    });
  }
  candidates.sort((a, b) => b.shape.length - a.shape.length);
  const added: string[] = [];
  const perType = new Map<string, number>();
  const stem = basename(file).replace(/\.test\.ts$/, '');
  for (const fx of candidates) {
    const known = await knownShapes(fx.workflowType);
    const hash = shapeHash(fx.shape);
    const count = perType.get(fx.workflowType) ?? 0;
    if (known.has(hash) || count >= MAX_NEW_PER_TYPE_PER_FILE) continue;
    perType.set(fx.workflowType, count + 1);
    const dir = join(HISTORIES_DIR, fx.workflowType);
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${stem}-${hash}.json`);
    // Formatted as `prettier --check .` (npm run lint) expects.
    const options = { ...(await resolveConfig(path)), filepath: path };
    await writeFile(path, await format(JSON.stringify(fx), options));
    added.push(relative(REPO_ROOT, path));
  }
  return { seen: candidates.length, added };
}

async function main() {
  const args = process.argv.slice(2);
  const files = (args.length ? args : Object.keys(FAMILY_TESTS)).flatMap((a) => {
    if (FAMILY_TESTS[a]) return FAMILY_TESTS[a];
    if (existsSync(join(REPO_ROOT, a))) return [a];
    throw new Error(`${a}: neither a family (${Object.keys(FAMILY_TESTS).join(', ')}) nor a test file`);
  });
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  const summary: { file: string; passed: boolean; seen: number; added: number }[] = [];
  for (const file of files) {
    const { queues, passed } = await runTestFile(file);
    const connection = await Connection.connect({
      address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    });
    try {
      const client = new WorkflowClient({
        connection,
        namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
      });
      // Visibility is eventually consistent: give the last closes a moment to be indexed.
      await new Promise((r) => setTimeout(r, 2000));
      const { seen, added } = await captureFrom(client, file, queues, commit);
      for (const a of added) console.log(`  + ${a}`);
      summary.push({ file, passed, seen, added: added.length });
    } finally {
      await connection.close();
    }
  }
  console.table(summary);
  if (summary.some((s) => !s.passed)) {
    console.error('Some test files failed: their histories were still captured; check them.');
    process.exitCode = 1;
  }
}

await main();
