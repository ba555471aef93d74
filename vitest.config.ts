import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs no services; `integration` runs against the real local stack
// started once per run by test/support/global-setup.ts.
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
          name: 'integration',
          include: ['test/{api,workflows,e2e}/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Files share one Temporal server and one database; run them one at a time so the
          // 2-core machines stay responsive and worker kill/restart tests do not interfere.
          fileParallelism: false,
        },
      },
    ],
  },
});
