import {
  NativeConnection,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createRequire } from 'node:module';
import { createActivities } from '../activities';
import type { Deps } from '../src/infra/deps';

const require = createRequire(import.meta.url);

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Workflow code is bundled once per process and shared by every worker in it. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows/index.ts'),
    logger: quietBundlerLogger,
  });
  return bundle;
}

const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string, meta?: unknown) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
};

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
 * activities, with low concurrency, so a transcode never starves bookings or payments.
 */
export async function createWorkers(
  deps: Deps,
  opts: { queues?: QueueKind[]; taskQueue?: string; mediaTaskQueue?: string } = {},
): Promise<WorkerSet> {
  const queues = opts.queues ?? ['default', 'media'];
  const taskQueue = opts.taskQueue ?? deps.cfg.TEMPORAL_TASK_QUEUE;
  const mediaTaskQueue = opts.mediaTaskQueue ?? deps.cfg.TEMPORAL_MEDIA_TASK_QUEUE;
  const connection = await NativeConnection.connect({ address: deps.cfg.TEMPORAL_ADDRESS });
  const activities = createActivities(deps);
  const workers: Worker[] = [];
  if (queues.includes('default')) {
    workers.push(
      await Worker.create({
        connection,
        namespace: deps.cfg.TEMPORAL_NAMESPACE,
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities,
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
        activities,
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
