import { profiles } from '../shared/profiles';
import { activities } from '../shared/proxies';
import type { AnalyticsRollupWorkflow } from './definitions';

const maintenance = activities(profiles.maintenance);

/** One refresh of the daily rollup; the next scheduled run picks up whatever this one missed. */
class AnalyticsRollup {
  run() {
    return maintenance.refreshAnalyticsRollup();
  }
}

export const analyticsRollupWorkflow: AnalyticsRollupWorkflow = () => new AnalyticsRollup().run();
