import { proxyActivities } from '@temporalio/workflow';
import type { DefaultActivities } from '../../activities';
import { profiles } from '../shared/profiles';
import type { AnalyticsRollupWorkflow } from './definitions';

const { refreshAnalyticsRollup } = proxyActivities<DefaultActivities>(profiles.maintenance);

/** One refresh of the daily rollup; the next scheduled run picks up whatever this one missed. */
export const analyticsRollupWorkflow: AnalyticsRollupWorkflow = () => refreshAnalyticsRollup();
