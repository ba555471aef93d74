import { hasFeature, type Role } from './plans';
import type { PlanChoice } from './catalogue';

// A subscription's state as Stripe's events tell it, folded so that the same events in any order
// and with any repeats give the same state, and the role that state entitles. No I/O.

export const SUBSCRIPTION_STATUSES = [
  'none',
  'incomplete',
  'incomplete_expired',
  'trialing',
  'active',
  'past_due',
  'unpaid',
  'canceled',
  'paused',
] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export const isSubscriptionStatus = (v: unknown): v is SubscriptionStatus =>
  typeof v === 'string' && (SUBSCRIPTION_STATUSES as readonly string[]).includes(v);

/** Statuses under which the plan's features are on (past_due: while dunning runs). */
const ENTITLED: ReadonlySet<SubscriptionStatus> = new Set(['active', 'trialing', 'past_due']);
/** Statuses after which a subscription cannot come back (a new one must be bought). */
const ENDED: ReadonlySet<SubscriptionStatus> = new Set(['canceled', 'incomplete_expired', 'unpaid']);

export const isEnded = (s: SubscriptionStatus) => ENDED.has(s);

/** When a value was learned: a Stripe event's `created` (ms) and id, or a local change's. Totally ordered. */
export interface Stamp {
  atMs: number;
  id: string;
}

export function compareStamps(a: Stamp, b: Stamp): number {
  return a.atMs !== b.atMs ? a.atMs - b.atMs : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export interface Stamped<T> {
  value: T;
  stamp: Stamp;
}

/**
 * Each field is a last-writer-wins register keyed by its stamp, so folding a set of events gives the
 * same state in any order and with any repeats (commutative, idempotent): an event older than what a
 * field already knows cannot roll it back.
 */
export interface SubscriptionFacts {
  status: Stamped<SubscriptionStatus>;
  plan: Stamped<PlanChoice | null>;
  periodEndMs: Stamped<number | null>;
  cancelAtPeriodEnd: Stamped<boolean>;
  /** The newest stamp applied to any field. */
  watermarkMs: number;
}

const ORIGIN: Stamp = { atMs: 0, id: '' };

export const initialFacts = (): SubscriptionFacts => ({
  status: { value: 'none', stamp: ORIGIN },
  plan: { value: null, stamp: ORIGIN },
  periodEndMs: { value: null, stamp: ORIGIN },
  cancelAtPeriodEnd: { value: false, stamp: ORIGIN },
  watermarkMs: 0,
});

/** One thing Stripe (or a local change the workflow made at Stripe) says; absent fields say nothing. */
export interface SubscriptionFact {
  stamp: Stamp;
  status?: SubscriptionStatus;
  plan?: PlanChoice | null;
  periodEndMs?: number | null;
  cancelAtPeriodEnd?: boolean;
}

function lww<T>(field: Stamped<T>, value: T | undefined, stamp: Stamp): Stamped<T> {
  if (value === undefined) return field;
  return compareStamps(stamp, field.stamp) > 0 ? { value, stamp } : field;
}

export function applyFact(facts: SubscriptionFacts, fact: SubscriptionFact): SubscriptionFacts {
  return {
    status: lww(facts.status, fact.status, fact.stamp),
    plan: lww(facts.plan, fact.plan, fact.stamp),
    periodEndMs: lww(facts.periodEndMs, fact.periodEndMs, fact.stamp),
    cancelAtPeriodEnd: lww(facts.cancelAtPeriodEnd, fact.cancelAtPeriodEnd, fact.stamp),
    watermarkMs: Math.max(facts.watermarkMs, fact.stamp.atMs),
  };
}

/** An event older than the newest thing already known: the workflow re-reads Stripe to be sure. */
export const isStale = (facts: SubscriptionFacts, fact: SubscriptionFact) =>
  fact.stamp.atMs < facts.watermarkMs;

/** The plan the facts entitle (null = free). */
export function entitledChoice(facts: SubscriptionFacts): PlanChoice | null {
  return ENTITLED.has(facts.status.value) ? facts.plan.value : null;
}

export const entitledRole = (facts: SubscriptionFacts): Role => entitledChoice(facts)?.plan ?? 'free';

/** Stored videos need a plan with video; leaving such a plan starts the grace period. */
export const keepsVideos = (role: Role) => hasFeature(role, 'video_upload_enabled');
