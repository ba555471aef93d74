import { profiles } from '../shared/profiles';
import { activities } from '../shared/proxies';

// The subscription family's activity proxies, one per profile (workflows/shared/profiles.ts).

/** Postgres: the projection row, the user's role, seats, contact details, video deletion marks. */
export const db = activities(profiles.postgres);
/** Stripe Billing: every call keyed by the user and the run's operation sequence. */
export const stripe = activities(profiles.stripe);
export const mail = activities(profiles.email);
