import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { benchStack, reported, resultsTable } from './harness';
import { benchmarks as bookingBenchmarks } from './booking';
import { heartbeatsBench } from './heartbeats';
import { identityBench } from './identity';
import { timezoneBench } from './timezone';
import { videoBench } from './video';
import { analyticsBench } from './analytics';

// `npm run bench [suite…]`: starts (or reuses) the real stack, runs each suite, prints one JSON line
// per result, writes them all to bench/results/latest.json (git-ignored) and ends with a short table.
// Ratios compare against a baseline measured in the same run, on the same machine.
const suites: Record<string, () => Promise<void>> = {
  identity: identityBench,
  booking: async () => {
    for (const b of bookingBenchmarks) await b.run();
  },
  video: videoBench,
  timezone: timezoneBench,
  heartbeats: heartbeatsBench,
  analytics: analyticsBench,
};

const only = process.argv.slice(2);
const startedAt = new Date().toISOString();
const stack = await benchStack();
try {
  for (const [name, run] of Object.entries(suites)) {
    if (only.length && !only.includes(name)) continue;
    process.stderr.write(`[bench] ${name}\n`);
    await run();
  }
} finally {
  await stack.stop();
}

const resultsDir = join(import.meta.dirname, 'results');
await mkdir(resultsDir, { recursive: true });
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
})();
await writeFile(
  join(resultsDir, 'latest.json'),
  `${JSON.stringify(
    {
      startedAt,
      finishedAt: new Date().toISOString(),
      commit,
      node: process.version,
      suites: only.length ? only : Object.keys(suites),
      results: reported(),
    },
    null,
    2,
  )}\n`,
);
process.stderr.write(`\n${resultsTable(reported())}\n\n[bench] results: bench/results/latest.json\n`);
process.exit(0);
