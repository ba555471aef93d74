import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { profiles } from '../shared/profiles';
import { activities } from '../shared/proxies';
import { DomainStatusAttr } from '../shared/search-attributes';
import type { HealthCheckResult } from './definitions';

const db = activities(profiles.healthProbe);

/** A round trip through every layer: server → default-queue worker → Postgres, then media-queue worker → ffmpeg. */
class HealthCheck {
  private readonly ffmpeg;

  constructor(mediaTaskQueue: string) {
    this.ffmpeg = activities(profiles.media(mediaTaskQueue).healthProbe);
  }

  async run(): Promise<HealthCheckResult> {
    const { workflowId } = workflowInfo();
    const databaseRoundTrip = await db.recordHealthProbe(workflowId);
    const ffmpegVersion = await this.ffmpeg.probeMediaTools();
    upsertSearchAttributes([{ key: DomainStatusAttr, value: 'HEALTHY' }]);
    return { workflowId, databaseRoundTrip, ffmpegVersion };
  }
}

export async function healthCheckWorkflow(mediaTaskQueue: string): Promise<HealthCheckResult> {
  return new HealthCheck(mediaTaskQueue).run();
}
