import { NativeConnection, Worker } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDefaultActivities, createMediaActivities } from '../activities';
import type { Deps } from '../src/infra/deps';
import { ensureSchedules } from './schedules';

const run = promisify(execFile);
let bundle: Promise<{ codePath: string }> | undefined;

/**
 * The workflow code, bundled once per process and shared by every worker here. `npm run build`
 * writes it beside the compiled worker (dist/workflows.js), which then loads it as is; run from
 * source (tests, `npm start`), it is bundled in a child process, since bundling in-process would
 * keep webpack's memory (~160 MB) in the long-running worker for good.
 */
export function workflowBundle(): Promise<{ codePath: string }> {
  bundle ??= (async () => {
    const prebuilt = fileURLToPath(new URL('./workflows.js', import.meta.url));
    if (existsSync(prebuilt)) return { codePath: prebuilt };
    const codePath = join(await mkdtemp(join(tmpdir(), 'coachflow-workflows-')), 'workflows.js');
    await run(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'bundle-workflows.ts'), codePath],
      {
        maxBuffer: 10 * 1024 * 1024,
      },
    );
    return { codePath };
  })();
  return bundle;
}

export interface WorkerSet {
  workers: Worker[];
  connection: NativeConnection;
  /** Resolves when every worker has stopped (after shutdown()). */
  run(): Promise<void>;
  shutdown(): Promise<void>;
}

export type QueueKind = 'default' | 'media';

/** Workflow runs kept in the default worker's memory between tasks (docs/adr/0010-worker-memory.md). */
export const MAX_CACHED_WORKFLOWS = 100;

/**
 * The default queue runs workflows and quick I/O activities; the media queue runs only the ffmpeg
 * activities, with low concurrency, so a transcode never starves bookings or payments. Each worker
 * registers only its own queue's activities.
 */
export async function createWorkers(
  deps: Deps,
  opts: {
    queues?: QueueKind[];
    taskQueue?: string;
    mediaTaskQueue?: string;
    /** Create or update the Temporal Schedules (workers/schedules.ts); only with the default queue. */
    schedules?: boolean;
  } = {},
): Promise<WorkerSet> {
  const queues = opts.queues ?? ['default', 'media'];
  const taskQueue = opts.taskQueue ?? deps.cfg.TEMPORAL_TASK_QUEUE;
  const mediaTaskQueue = opts.mediaTaskQueue ?? deps.cfg.TEMPORAL_MEDIA_TASK_QUEUE;
  // First, so a failure stops the start before any connection or worker exists.
  if (opts.schedules && queues.includes('default')) await ensureSchedules(deps.temporal, taskQueue);
  const connection = await NativeConnection.connect({ address: deps.cfg.TEMPORAL_ADDRESS });
  const workers: Worker[] = [];
  if (queues.includes('default')) {
    workers.push(
      await Worker.create({
        connection,
        namespace: deps.cfg.TEMPORAL_NAMESPACE,
        taskQueue,
        workflowBundle: await workflowBundle(),
        // The SDK's default sizes the cache from the heap limit (~2,400 runs with a 4 GB heap) and a
        // cached run costs ~0.1 MB (its own instance of every module in the bundle), so a worker
        // with many open bookings would keep growing by hundreds of MB. An evicted run is replayed
        // from its history at its next task (a timer, a payment): milliseconds for these workflows.
        maxCachedWorkflows: MAX_CACHED_WORKFLOWS,
        activities: createDefaultActivities(deps),
        shutdownGraceTime: '10 seconds',
      }),
    );
  }
  if (queues.includes('media')) {
    workers.push(
      await Worker.create({
        connection,
        namespace: deps.cfg.TEMPORAL_NAMESPACE,
        taskQueue: mediaTaskQueue,
        activities: createMediaActivities(deps),
        maxConcurrentActivityTaskExecutions: 2,
        shutdownGraceTime: '30 seconds',
      }),
    );
  }
  const running = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  return {
    workers,
    connection,
    run: () => running,
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
      await connection.close();
    },
  };
}
