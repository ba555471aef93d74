import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Deps } from '../src/infra/deps';

// The health-check workflow's two probes: one per task queue, each touching what that queue needs.

const run = promisify(execFile);

export function healthActivities(deps: Pick<Deps, 'db'>) {
  return {
    /** Writes and reads back one row; idempotent by workflow id. */
    async recordHealthProbe(workflowId: string): Promise<boolean> {
      await deps.db.healthProbe.upsert({
        where: { id: workflowId },
        create: { id: workflowId, workflowId },
        update: { checkedAt: new Date() },
      });
      const row = await deps.db.healthProbe.findUnique({ where: { id: workflowId } });
      return row !== null;
    },
  };
}

export function mediaHealthActivities(deps: Pick<Deps, 'cfg'>) {
  return {
    /** Runs on the media queue: proves the ffmpeg worker can execute ffmpeg. */
    async probeMediaTools(): Promise<string> {
      const { stdout } = await run(deps.cfg.FFMPEG_PATH, ['-version']);
      return stdout.split('\n')[0] ?? 'unknown';
    },
  };
}
