import type { Deps } from '../../src/infra/deps';
import { payoutPostgresActivities } from './postgres';
import { payoutScheduleActivities } from './schedules';
import { payoutStripeActivities } from './stripe';

/** The payout family's activities: balances and records, Connect transfers, each coach's Schedule. */
export function payoutActivities(deps: Pick<Deps, 'db' | 'stripe' | 'cfg' | 'temporal'>) {
  return {
    ...payoutPostgresActivities(deps),
    ...payoutStripeActivities(deps),
    ...payoutScheduleActivities(deps),
  };
}
