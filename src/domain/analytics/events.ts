import type { FieldProblem } from '../shared/errors';

// Analytics events (seed 003 §7). Browsers may report what they see (views, clicks, checkout
// starts); money and bookings are reported only by the workflows, so revenue never depends on the
// browser.

/** What a browser may report: what a visitor saw and clicked on public pages. */
export const CLIENT_EVENT_TYPES = ['page_view', 'cta_click', 'course_view'] as const;
/**
 * What only the server records, once per business fact: a checkout is started by POST
 * /api/checkout/…, the rest by the purchase, booking and paid-session workflows.
 */
export const SERVER_EVENT_TYPES = [
  'checkout_started',
  'checkout_completed',
  'purchase',
  'purchase_refund',
  'booking_created',
  'paid_session_revenue',
] as const;
export const EVENT_TYPES = [...CLIENT_EVENT_TYPES, ...SERVER_EVENT_TYPES] as const;
export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number];
export type ServerEventType = (typeof SERVER_EVENT_TYPES)[number];
export type EventType = (typeof EVENT_TYPES)[number];

/** Types whose amount counts as revenue (a refund's amount counts against it). */
export const REVENUE_TYPES: readonly ServerEventType[] = [
  'purchase',
  'booking_created',
  'paid_session_revenue',
];

export const MAX_BATCH = 100;
/** Client clocks drift; an event claiming to be further in the future or past than this is refused. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;
export const MAX_PAST_MS = 7 * 86_400_000;

/** Batches sent without an account, per client IP (counted per batch with src/data/rate-limit.ts). */
export const ANALYTICS_LIMITS = {
  anonymousPerIp: { limit: 120, windowMs: 60_000 },
};

/** Client keys live in their own namespace so they can never collide with a server event's key. */
export const clientEventKey = (key: string) => `c:${key}`;
/** Server events: one per business fact, e.g. `purchase:<id>`, `booking_created:<id>`. */
export const serverEventKey = (type: ServerEventType, id: string) => `${type}:${id}`;

/** Problems with one client event's timing, as `events.<i>.occurredAt`. */
export function occurredAtProblem(index: number, occurredAtMs: number, nowMs: number): FieldProblem | null {
  if (occurredAtMs > nowMs + MAX_FUTURE_SKEW_MS)
    return { field: `events.${index}.occurredAt`, reason: 'is in the future' };
  if (occurredAtMs < nowMs - MAX_PAST_MS)
    return { field: `events.${index}.occurredAt`, reason: 'is more than 7 days old' };
  return null;
}

/** Client batches may not carry the same key twice (the second would silently vanish). */
export function duplicateKeyProblems(keys: readonly string[]): FieldProblem[] {
  const seen = new Map<string, number>();
  const problems: FieldProblem[] = [];
  keys.forEach((k, i) => {
    if (seen.has(k)) problems.push({ field: `events.${i}.key`, reason: `repeats events.${seen.get(k)}.key` });
    else seen.set(k, i);
  });
  return problems;
}
