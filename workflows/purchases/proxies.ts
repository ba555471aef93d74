import { profiles } from '../shared/profiles';
import { activities } from '../shared/proxies';

// The purchase family's activity proxies, one per profile (workflows/shared/profiles.ts). The wait
// for the purchase's row is made per run, since its length comes with the input (Purchase's constructor).

/** The main loop's writes: retried until they succeed. */
export const db = activities(profiles.postgres);
/** The refund update's writes: bounded, so the coach gets an answer. */
export const dbForCaller = activities(profiles.postgresForCaller);
export const stripe = activities(profiles.stripe);
export const mail = activities(profiles.email);
