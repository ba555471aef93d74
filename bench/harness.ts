import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { dropDatabase } from '../src/dev/postgres';
import { REPO_ROOT } from '../src/dev/services';
import { startStack, type Stack } from '../src/dev/stack';
import { percentile } from './stats';

// Benchmarks run against the same real services as the tests, in their own database and queues.

export interface BenchResult {
  name: string;
  [metric: string]: string | number | boolean;
}

const results: BenchResult[] = [];

/** Prints one result as a JSON line and keeps it for bench/results/latest.json (bench/run.ts). */
export function report<T extends BenchResult>(result: T): T {
  console.log(JSON.stringify(result));
  results.push(result);
  return result;
}

/** Every result reported in this process so far, in order. */
export const reported = (): readonly BenchResult[] => results;

export async function timeIt(
  iterations: number,
  fn: (i: number) => unknown,
  concurrency = 1,
): Promise<{ ms: number; opsPerSec: number; p50: number; p95: number }> {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < iterations) {
        const i = next++;
        const t = performance.now();
        await fn(i);
        samples.push(performance.now() - t);
      }
    }),
  );
  const ms = performance.now() - started;
  return {
    ms: Number(ms.toFixed(1)),
    opsPerSec: Number(((iterations / ms) * 1000).toFixed(1)),
    p50: percentile(samples, 0.5, 3),
    p95: percentile(samples, 0.95, 3),
  };
}

export async function benchStack(): Promise<Stack & { env: Record<string, string> }> {
  const runId = `bench${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const overrides = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    S3_BUCKET: `bench-${runId}`.toLowerCase(),
    TEMPORAL_TASK_QUEUE: `bench-${runId}`,
    TEMPORAL_MEDIA_TASK_QUEUE: `bench-${runId}-media`,
  };
  const stack = await startStack({
    dataDir: join(REPO_ROOT, '.data/test'),
    databaseName: `coachflow_${runId}`.toLowerCase(),
    env: overrides,
    log: (line) => process.stderr.write(`[stack] ${line}\n`),
  });
  Object.assign(process.env, overrides, stack.env);
  return {
    ...stack,
    async stop() {
      await dropDatabase(stack.env.DATABASE_URL!).catch(() => {});
      await stack.stop();
    },
  };
}

const cell = (v: unknown) => (v === undefined ? '' : String(v));

/** Throughput in the unit its suite counts: heartbeats, events, operations or megabytes per second. */
const rate = (r: BenchResult) =>
  r.eventsPerSec !== undefined
    ? `${r.eventsPerSec} ev/s`
    : r.perSec !== undefined
      ? `${r.perSec}/s`
      : r.mbPerSec !== undefined
        ? `${r.mbPerSec} MB/s`
        : r.opsPerSec !== undefined
          ? `${r.opsPerSec}/s`
          : '';

/** The short table `npm run bench` ends with: one row per result, the numbers that carry a goal. */
export function resultsTable(rows: readonly BenchResult[]): string {
  const table = rows.map((r) => {
    const lost = ['lostSeconds', 'doubleCountedSeconds', 'lostHeartbeats', 'doubleCountedHeartbeats'].filter(
      (k) => r[k] !== undefined,
    );
    const notes = [
      r.defaultWorkerRssMb !== undefined &&
        `default worker ${r.defaultWorkerRssMb} MB, media worker ${r.mediaWorkerRssMb} MB, API ${r.apiRssMb} MB`,
      r.created !== undefined &&
        `${r.created} created, ${r.conflicts} conflicts, ${r.overlappingActiveBookings} overlaps`,
      Number(r.failures) > 0 && `${r.failures} failed (${r.failureStatuses ?? 'see JSON'})`,
      r.floorP50 !== undefined && `floor p50 ${r.floorP50} ms`,
      r.bareMs !== undefined && `bare ffmpeg ${r.bareMs} ms`,
      lost.length > 0 &&
        (lost.every((k) => Number(r[k]) === 0)
          ? 'none lost or double-counted'
          : lost.map((k) => `${k} ${r[k]}`).join(', ')),
      r.storedOnce !== undefined && (r.storedOnce ? 'duplicates stored once' : 'DUPLICATES STORED'),
      r.agree !== undefined && (r.agree ? 'same slots as the baseline' : 'SLOTS DIFFER from the baseline'),
      r.rssGrowthPct !== undefined && `RSS ${r.rssMb} MB (${r.rssGrowthPct}% growth)`,
      typeof r.goal === 'string' && `goal ${r.goal}`,
    ].filter(Boolean);
    return [
      r.name,
      cell(r.p50 ?? r.ms),
      cell(r.p99 ?? r.p95),
      rate(r),
      cell(r.ratioP50 ?? r.ratio ?? r.ratioVsBaseline ?? r.speedup),
      r.meetsGoal === undefined ? '' : r.meetsGoal ? 'met' : 'MISSED',
      notes.join('; '),
    ];
  });
  const header = ['result', 'p50|ms', 'p99|p95', 'rate', 'ratio', 'goal', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  return [header, ...table]
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
