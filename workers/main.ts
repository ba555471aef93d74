import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { config } from '../src/infra/config';
import { closeDeps, createDeps } from '../src/infra/deps';
import { configureFfmpeg } from '../src/infra/ffmpeg';
import { logger } from '../src/infra/logger';
import { createWorkers, type QueueKind } from './create-workers';

// Worker process. WORKER_QUEUES=default,media (the default) runs both queues; run one process per
// queue to scale media work separately. SIGINT/SIGTERM drain in-flight tasks before exiting.

// SDK, workflow and activity logs go through pino as JSON; activity/workflow entries carry
// workflowId, workflowType and activityType in their metadata.
Runtime.install({
  logger: new DefaultLogger('INFO', ({ level, message, meta }) => {
    const method =
      level === 'TRACE'
        ? 'trace'
        : level === 'DEBUG'
          ? 'debug'
          : level === 'WARN'
            ? 'warn'
            : level === 'ERROR'
              ? 'error'
              : 'info';
    logger[method]({ ...meta, component: 'temporal' }, message);
  }),
  telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
});

const cfg = config();
configureFfmpeg(cfg);
const queues = (process.env.WORKER_QUEUES ?? 'default,media').split(',').map((q) => q.trim()) as QueueKind[];
if (queues.length === 0 || queues.some((q) => q !== 'default' && q !== 'media')) {
  process.stderr.write(
    `Invalid configuration:\n  WORKER_QUEUES: must list default and/or media, got "${process.env.WORKER_QUEUES}"\n`,
  );
  process.exit(78);
}
const deps = await createDeps(cfg);
const set = await createWorkers(deps, { queues, schedules: true });
logger.info(
  { queues, taskQueue: cfg.TEMPORAL_TASK_QUEUE, mediaTaskQueue: cfg.TEMPORAL_MEDIA_TASK_QUEUE },
  'workers running',
);

await set.run();
await closeDeps(deps);
logger.info('workers stopped');
process.exit(0);
