import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { DefaultActivities, MediaActivities } from '../../activities';
import { profiles } from '../shared/profiles';
import { DomainStatusAttr } from '../shared/search-attributes';
import type { HealthCheckResult } from './definitions';

const { recordHealthProbe } = proxyActivities<DefaultActivities>(profiles.healthProbe);

/** A round trip through every layer: server → default-queue worker → Postgres, then media-queue worker → ffmpeg. */
export async function healthCheckWorkflow(mediaTaskQueue: string): Promise<HealthCheckResult> {
  const { workflowId } = workflowInfo();
  const { probeMediaTools } = proxyActivities<MediaActivities>(profiles.media(mediaTaskQueue).healthProbe);
  const databaseRoundTrip = await recordHealthProbe(workflowId);
  const ffmpegVersion = await probeMediaTools();
  upsertSearchAttributes([{ key: DomainStatusAttr, value: 'HEALTHY' }]);
  return { workflowId, databaseRoundTrip, ffmpegVersion };
}
