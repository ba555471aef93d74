import { profiles } from '../shared/profiles';
import { activities, localActivities } from '../shared/proxies';

// The booking family's activity proxies, one per profile (workflows/shared/profiles.ts). The wait for
// the booking's row is made per run, since its length comes with the input (Booking's constructor).

/** The main loop's writes: retried until they succeed. */
export const db = activities(profiles.postgres);
/** An update's writes: bounded, so its caller gets an answer. */
export const dbForCaller = activities(profiles.postgresForCaller);
/**
 * A free booking's confirmation, which POST /api/bookings waits on, runs inside the workflow task
 * (docs/adr/0011): a conditional update, so a re-run after a lost workflow task changes nothing.
 */
export const dbLocal = localActivities(profiles.postgresLocal);
export const stripe = activities(profiles.stripe);
/**
 * So does a paid booking's PaymentIntent, which the same request waits on: Stripe's idempotency key
 * and the conditional record of the intent make a re-run after a lost task harmless.
 */
export const stripeLocal = localActivities(profiles.stripeLocal);
export const mail = activities(profiles.email);
