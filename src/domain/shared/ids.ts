// The shapes of ids that arrive from outside (paths, Stripe metadata, webhook payloads), checked
// before any query sees them.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Stripe object ids: letters, digits and underscores (pi_…, ch_…, tr_…, trr_…, du_…). */
const STRIPE_ID = /^[A-Za-z0-9_]{1,255}$/;

/** Our row ids (Postgres uuid columns). */
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

export const isStripeId = (v: unknown): v is string => typeof v === 'string' && STRIPE_ID.test(v);
