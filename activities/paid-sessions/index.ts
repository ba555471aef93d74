import type { Deps } from '../../src/infra/deps';
import { paidSessionPostgresActivities } from './postgres';
import { paidSessionStripeActivities } from './stripe';

/** paid-session-<id>'s activities: metering reads, settlement records and the hold at Stripe. */
export function paidSessionActivities(deps: Pick<Deps, 'db' | 'stripe'>) {
  return { ...paidSessionPostgresActivities(deps), ...paidSessionStripeActivities(deps) };
}
