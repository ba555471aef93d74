import { benchStack } from './harness';
import { benchmarks as bookingBenchmarks } from './booking';
import { identityBench } from './identity';
import { timezoneBench } from './timezone';
import { videoBench } from './video';

// `npm run bench`: starts (or reuses) the real stack, runs each suite, prints one JSON line per result.
// Ratios compare against a baseline measured in the same run, on the same machine.
const suites: Record<string, () => Promise<void>> = {
  identity: identityBench,
  booking: async () => {
    for (const b of bookingBenchmarks) await b.run();
  },
  video: videoBench,
  timezone: timezoneBench,
};

const only = process.argv.slice(2);
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
process.exit(0);
