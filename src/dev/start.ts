import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../infra/config';
import { createTemporalClient } from '../infra/temporal';
import { healthCheckWorkflowType, type HealthCheckWorkflow } from '../../workflows/health/definitions';
import { workflowIds } from '../../workflows/shared/ids';
import { REPO_ROOT, waitFor } from './services';
import { DEFAULT_DATA_DIR, startStack } from './stack';

// `npm start`: the whole product on one machine. Starts (or reuses) Temporal, Postgres, S3, Stripe
// (mock), the SMTP sink, applies migrations, runs the workers and the API, proves the wiring with a
// health-check workflow and prints where everything is. Ctrl-C stops everything it started.

const log = (line: string) => console.log(`[start] ${line}`);
const dataDir = process.env.DATA_DIR ?? DEFAULT_DATA_DIR;
const stack = await startStack({ dataDir, log });
const env = { ...process.env, ...stack.env };
const cfg = loadConfig(env);

const children: ChildProcess[] = [];
function run(name: string, script: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, script)], {
    env,
    stdio: 'inherit',
  });
  child.once('exit', (code, signal) => {
    if (!stopping) {
      log(`${name} exited (${signal ?? code}); stopping`);
      void stop(1);
    }
  });
  children.push(child);
}

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((done) => {
          if (c.exitCode !== null || c.signalCode !== null) return done();
          c.once('exit', () => done());
          c.kill('SIGTERM');
        }),
    ),
  );
  await stack.stop();
  log('stopped');
  process.exit(code);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

run('worker', 'workers/main.ts');
run('api', 'src/api/server.ts');
await waitFor('API', async () => (await fetch(`http://127.0.0.1:${cfg.PORT}/ready`)).ok, 120_000);

const temporal = await createTemporalClient(cfg);
const result = await temporal.workflow.execute<HealthCheckWorkflow>(healthCheckWorkflowType, {
  taskQueue: cfg.TEMPORAL_TASK_QUEUE,
  workflowId: workflowIds.healthCheck(new Date().toISOString().replace(/[:.]/g, '-')),
  args: [cfg.TEMPORAL_MEDIA_TASK_QUEUE],
});
await temporal.connection.close();
log(`health-check workflow ${result.workflowId}: postgres ok, ${result.ffmpegVersion}`);

console.log(`
  CoachFlow is running.
    API             http://127.0.0.1:${cfg.PORT}
    API docs        http://127.0.0.1:${cfg.PORT}/docs   (spec: /openapi.json)
    Readiness       http://127.0.0.1:${cfg.PORT}/ready   metrics: /metrics
    Temporal UI     ${cfg.TEMPORAL_UI_URL}/namespaces/${cfg.TEMPORAL_NAMESPACE}/workflows
    Mail viewer     ${cfg.MAIL_VIEWER_URL}
    S3 (MinIO)      ${cfg.S3_ENDPOINT}  bucket ${cfg.S3_BUCKET}
    Stripe          ${cfg.STRIPE_SECRET_KEY ? 'Stripe API (STRIPE_SECRET_KEY)' : `stripe-mock at ${cfg.STRIPE_API_URL}`}
    Postgres        ${cfg.DATABASE_URL.replace(/\/\/[^@]*@/, '//…@')}
  Logs of the services: ${join(dataDir, 'logs')}.  Ctrl-C stops everything.
`);
