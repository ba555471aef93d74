import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import type { DefaultActivities, MediaActivities } from '../../activities/index';

// Per-file wiring for the fast workflow tier: a client and workers on the dev server that
// temporal-global-setup.ts started, each file on its own task queues, running stub activities.

// Activities are registered by name, so a stub replaces the real activity of the same name. Stub sets
// are typed by the queue's real activities (write them `{ … } satisfies DefaultStubs`): a stub named
// after no activity, or whose parameters or result do not fit the real one's, fails `tsc`, so renaming
// or reshaping an activity breaks the tests that stub it.
/** Stubs for the default queue: any of its activities, each with the real one's signature. */
export type DefaultStubs = Partial<DefaultActivities>;
/** Stubs for the media queue. */
export type MediaStubs = Partial<MediaActivities>;

export interface ActivityCall {
  name: string;
  args: unknown[];
  taskQueue: string;
  attempt: number;
  /** Wall-clock time of the call (epoch ms). */
  at: number;
}

/** Wraps stubs so every call (its name, arguments, queue and attempt) lands in `calls`. */
export function recorded<T extends DefaultStubs | MediaStubs>(stubs: T, calls: ActivityCall[]): T {
  return Object.fromEntries(
    Object.entries(stubs).map(([name, fn]: [string, (...args: unknown[]) => Promise<unknown>]) => [
      name,
      async (...args: unknown[]) => {
        const { taskQueue, attempt } = Context.current().info;
        calls.push({ name, args, taskQueue, attempt, at: Date.now() });
        return fn(...args);
      },
    ]),
  ) as T;
}

export interface WorkflowTestEnv {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  mediaTaskQueue: string;
  /** Remembers a workflow the test started, so close() terminates it if it is still open. */
  track<H extends WorkflowHandle>(handle: H): H;
  /** Terminates tracked workflows still open, stops the workers, disconnects. */
  close(): Promise<void>;
}

let runtimeInstalled = false;

/**
 * Connects to the run's dev server and runs one worker on a fresh default queue (workflows and
 * `defaultActivities`) and, when given, one on a fresh media queue with `mediaActivities` only.
 */
export async function startWorkflowTestEnv(opts: {
  defaultActivities: DefaultStubs;
  mediaActivities?: MediaStubs;
}): Promise<WorkflowTestEnv> {
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    // Expected activity failures would otherwise be logged as warnings by the worker.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  }
  const env = await TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
  const id = randomUUID().slice(0, 8);
  const taskQueue = `wf-test-${id}`;
  const mediaTaskQueue = `wf-test-${id}-media`;
  const workers = [
    await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: inject('workflowBundlePath') },
      activities: opts.defaultActivities,
    }),
  ];
  if (opts.mediaActivities) {
    workers.push(
      await Worker.create({
        connection: env.nativeConnection,
        taskQueue: mediaTaskQueue,
        activities: opts.mediaActivities,
        // Heartbeats (and with them cancellations) reach the server within a tenth of a second.
        maxHeartbeatThrottleInterval: '100 milliseconds',
      }),
    );
  }
  const running = Promise.all(workers.map((w) => w.run()));
  const tracked: WorkflowHandle[] = [];
  return {
    env,
    taskQueue,
    mediaTaskQueue,
    track(handle) {
      tracked.push(handle);
      return handle;
    },
    async close() {
      for (const h of tracked) await h.terminate('test over').catch(() => undefined);
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running;
      await env.teardown();
    },
  };
}

/** Polls `read` until `done` holds for its value (or fails with the last value after `timeoutMs`). */
export async function eventually<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await sleep(50);
  }
}
