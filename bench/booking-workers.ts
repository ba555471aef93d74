import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/infra/config';
import { closeDeps, createDeps } from '../src/infra/deps';
import { createWorkers } from '../workers/create-workers';

// The booking benchmark's workers, in a process of their own as deployed (`npm start` and
// docker-compose run the API and the workers as separate processes): a default-queue worker on
// BENCH_QUEUE and the floor's worker (bench/floor-workflow.ts) on BENCH_FLOOR_QUEUE, on one
// connection. Prints "ready" once both poll; SIGTERM drains them (in-flight emails finish) and exits.

Runtime.install({ logger: new DefaultLogger('ERROR') });
const queue = process.env.BENCH_QUEUE!;
const floorQueue = process.env.BENCH_FLOOR_QUEUE!;
const cfg = { ...loadConfig(process.env), TEMPORAL_TASK_QUEUE: queue };
const deps = await createDeps(cfg);
const workers = await createWorkers(deps, { queues: ['default'], taskQueue: queue });
const floorWorker = await Worker.create({
  connection: workers.connection,
  namespace: cfg.TEMPORAL_NAMESPACE,
  taskQueue: floorQueue,
  workflowsPath: fileURLToPath(new URL('./floor-workflow.ts', import.meta.url)),
});
const floorRunning = floorWorker.run();
process.once('SIGTERM', () => {
  floorWorker.shutdown();
  void floorRunning
    .then(() => workers.shutdown())
    .then(() => closeDeps(deps))
    .then(() => process.exit(0));
});
process.stdout.write('ready\n');
