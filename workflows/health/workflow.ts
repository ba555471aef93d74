import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { DomainStatusAttr } from '../shared/search-attributes';
import type { HealthCheckResult } from './definitions';

const { recordHealthProbe } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5 },
});

/** A round trip through every layer: server → default-queue worker → Postgres, then media-queue worker → ffmpeg. */
export async function healthCheckWorkflow(mediaTaskQueue: string): Promise<HealthCheckResult> {
  const { workflowId } = workflowInfo();
  const { probeMediaTools } = proxyActivities<Activities>({
    taskQueue: mediaTaskQueue,
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 3 },
  });
  const databaseRoundTrip = await recordHealthProbe(workflowId);
  const ffmpegVersion = await probeMediaTools();
  upsertSearchAttributes([{ key: DomainStatusAttr, value: 'HEALTHY' }]);
  return { workflowId, databaseRoundTrip, ffmpegVersion };
}
