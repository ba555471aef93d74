import type { Deps } from '../../src/infra/deps';
import { creditActivities } from './credits';
import { purchasePostgresActivities } from './postgres';
import { purchaseStripeActivities } from './stripe';

/** purchase-<id>'s activities, and the package-credit step bookings paid with a credit take. */
export function purchaseActivities(deps: Pick<Deps, 'db' | 'stripe'>) {
  return {
    ...purchasePostgresActivities(deps),
    ...purchaseStripeActivities(deps),
    ...creditActivities(deps),
  };
}
