import type { Deps } from '../../src/infra/deps';
import { subscriptionPostgresActivities } from './postgres';
import { subscriptionStripeActivities } from './stripe';

/** subscription-<userId>'s activities: the projection and role in Postgres, Stripe Billing calls. */
export function subscriptionActivities(deps: Pick<Deps, 'db' | 'stripe' | 'cfg'>) {
  return { ...subscriptionPostgresActivities(deps), ...subscriptionStripeActivities(deps) };
}
