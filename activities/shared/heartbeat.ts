import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';

/**
 * Keeps a long activity visibly alive: heartbeats its latest details every `everyMs` (the SDK
 * throttles what reaches the server), so a dead worker is noticed within the heartbeat timeout while
 * a slow but healthy ffmpeg is not; and tells the workflow the percent done in 5 % steps through a
 * signal, so the `progress` query can answer without reading activity internals.
 */
export class Heartbeater<D extends { percent: number }> {
  private timer: NodeJS.Timeout;
  private lastSignalled = -1;
  private readonly workflowId: string;

  constructor(
    private details: D,
    private readonly progress?: { client: Client; signal: string; stage: string },
    everyMs = 2000,
  ) {
    const ctx = Context.current();
    this.workflowId = ctx.info.workflowExecution?.workflowId ?? '';
    ctx.heartbeat(this.details);
    this.timer = setInterval(() => ctx.heartbeat(this.details), everyMs);
    this.timer.unref();
  }

  update(patch: Partial<D>): void {
    this.details = { ...this.details, ...patch };
    const step = Math.floor(this.details.percent / 5) * 5;
    if (this.progress && this.workflowId && step > this.lastSignalled) {
      this.lastSignalled = step;
      this.progress.client.workflow
        .getHandle(this.workflowId)
        .signal(this.progress.signal, { stage: this.progress.stage, percent: step })
        .catch(() => {
          // Progress is advisory; a lost update is corrected by the next one.
        });
    }
  }

  get current(): D {
    return this.details;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
