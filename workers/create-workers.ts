import { NativeConnection, Worker } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDefaultActivities, createMediaActivities } from '../activities';
import type { Deps } from '../src/infra/deps';
import { ensureSchedules } from './schedules';

const run = promisify(execFile);
let bundle: Promise<{ codePath: string }> | undefined;

/**
 * Workflow code is bundled once per process, in a child process, and shared by every worker here.
 * Bundling in-process would keep webpack's memory (~160 MB) in the long-running worker for good.
 */
export function workflowBundle(): Promise<{ codePath: string }> {
  bundle ??= (async () => {
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
