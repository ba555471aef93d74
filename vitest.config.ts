import { defineConfig } from 'vitest/config';

// Three projects: `unit` needs no services; `workflows` (the fast tier) needs only the Temporal
// dev-server binary and runs workflows against stub activities; `integration` runs the API and the
// end-to-end suite against the real local stack started once per run by test/support/global-setup.ts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'workflows',
          include: ['test/workflows/**/*.test.ts', 'test/activities/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/temporal-global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Its files mostly wait on workflow timers and retry backoffs, not on the CPU: run them
          // side by side even on 2 cores. Its own group, since its worker count differs.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/{api,e2e}/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Files share one Temporal server and one database; run them one at a time so the
          // 2-core machines stay responsive and worker kill/restart tests do not interfere.
          fileParallelism: false,
        },
      },
      {
        // Issue 14 chaos suite: its own Temporal server, worker processes and fault proxies. Runs
        // after every other group, alone (it SIGKILLs workers and restarts servers); `npm test` runs
        // the reduced set, `npm run test:chaos` (CHAOS_FULL=1) the full one.
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
