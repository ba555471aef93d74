import type { Deps } from '../../src/infra/deps';
import { bookingPostgresActivities } from './postgres';
import { bookingStripeActivities } from './stripe';

/** booking-<id>'s activities: its row's state changes and its payment through the payments core. */
export function bookingActivities(deps: Pick<Deps, 'db' | 'stripe'>) {
  return { ...bookingPostgresActivities(deps), ...bookingStripeActivities(deps) };
}
