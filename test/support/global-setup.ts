import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { dropDatabase } from '../../src/dev/postgres';
import { REPO_ROOT } from '../../src/dev/services';
import { startStack } from '../../src/dev/stack';

// Starts (or reuses) the real services once per run: Temporal dev server, Postgres, MinIO, stripe-mock
// and Mailpit. Each run gets its own database, bucket and task queues, so a running `npm start` or a
// parallel run on the same services cannot interfere. Vitest forks its test workers after this, so
// they inherit the variables set on process.env here.
export default async function setup() {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const overrides: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    S3_BUCKET: `test-${runId}`,
    TEMPORAL_TASK_QUEUE: `test-${runId}`,
    TEMPORAL_MEDIA_TASK_QUEUE: `test-${runId}-media`,
    TEST_RUN_ID: runId,
  };
  const stack = await startStack({
    dataDir: process.env.TEST_DATA_DIR ?? join(REPO_ROOT, '.data/test'),
    databaseName: `coachflow_test_${runId}`,
    env: overrides,
    log: (line) => process.stderr.write(`[stack] ${line}\n`),
  });
  Object.assign(process.env, overrides, stack.env);

  return async () => {
    await dropDatabase(stack.env.DATABASE_URL!).catch(() => {});
    await stack.stop();
  };
}
