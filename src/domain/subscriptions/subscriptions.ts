import {
  hasFeature,
  isPaidTier,
  isRole,
  monthlyPrice,
  ORG_SEAT_TIER_NAMES,
  ORG_SEAT_TIERS,
  PLAN_CURRENCY,
  planChangeDirection,
  planFor,
  ROLES,
  tierRank,
  type OrgSeatTier,
  type PlanChange,
  type Role,
} from './plans';

// Subscription rules with no I/O: what can be bought and under which Stripe lookup key, which plan
// changes are allowed and when they take effect, how Stripe's events fold into one state whatever
// order they arrive in, what role that state entitles, and whether billing may write that role.

// --- Catalogue ------------------------------------------------------------------------------------

/** A plan as bought: org_pro also names its seat tier. */
export interface PlanChoice {
  plan: Role;
  seatTier: OrgSeatTier | null;
}

/** Every plan someone can subscribe to (paid tiers; superuser is not sold). */
export const SUBSCRIBABLE_PLANS: readonly Role[] = ROLES.filter(isPaidTier);

export const isSeatTier = (v: unknown): v is OrgSeatTier =>
  typeof v === 'string' && (ORG_SEAT_TIER_NAMES as readonly string[]).includes(v);

/** Stripe lookup key of a plan's monthly price: stable across price changes (transferred to a new price). */
export function lookupKeyOf(choice: PlanChoice): string {
  return choice.plan === 'org_pro'
    ? `coachflow_org_pro_${choice.seatTier ?? 'starter'}_monthly`
    : `coachflow_${choice.plan}_monthly`;
}

/** Stripe product id of a plan (custom ids make product creation idempotent). */
export function productIdOf(choice: PlanChoice): string {
  return choice.plan === 'org_pro'
    ? `coachflow_org_pro_${choice.seatTier ?? 'starter'}`
    : `coachflow_${choice.plan}`;
}

export function choiceFromLookupKey(key: string): PlanChoice | undefined {
  const org = /^coachflow_org_pro_([a-z]+)_monthly$/.exec(key);
  if (org) return isSeatTier(org[1]) ? { plan: 'org_pro', seatTier: org[1] } : undefined;
  const m = /^coachflow_([a-z_]+)_monthly$/.exec(key);
  if (!m || !isRole(m[1]) || m[1] === 'org_pro' || !SUBSCRIBABLE_PLANS.includes(m[1])) return undefined;
  return { plan: m[1], seatTier: null };
}

export function priceOfChoice(choice: PlanChoice): number {
  return monthlyPrice(choice.plan, choice.seatTier ?? undefined).amountMinor;
}

export interface CatalogueEntry {
  lookupKey: string;
  productId: string;
  name: string;
  unitAmountMinor: number;
  /** Stripe spells currencies in lower case. */
  currency: string;
  choice: PlanChoice;
}

/** The Stripe catalogue the plan table implies: one monthly price per paid plan and per Org Pro seat tier. */
export function catalogue(): CatalogueEntry[] {
  const choices = SUBSCRIBABLE_PLANS.flatMap((plan): PlanChoice[] =>
    plan === 'org_pro'
      ? ORG_SEAT_TIER_NAMES.map((seatTier) => ({ plan, seatTier }))
      : [{ plan, seatTier: null }],
  );
  return choices.map((choice) => ({
    lookupKey: lookupKeyOf(choice),
    productId: productIdOf(choice),
    name: choice.seatTier ? ORG_SEAT_TIERS[choice.seatTier].name : planFor(choice.plan).name,
    unitAmountMinor: priceOfChoice(choice),
    currency: PLAN_CURRENCY.toLowerCase(),
    choice,
  }));
}

/** A price Stripe already has, as far as the sync cares. */
export interface ExistingPrice {
  id: string;
  lookupKey: string | null;
  productId: string;
  unitAmountMinor: number | null;
  currency: string;
  active: boolean;
  recurringInterval: string | null;
}

export type CatalogueAction =
  | { kind: 'create_product'; productId: string; name: string }
  | { kind: 'create_price'; entry: CatalogueEntry; replaces: string | null }
  | { kind: 'archive_price'; priceId: string; lookupKey: string };

/**
 * What `npm run stripe:sync` must do to make Stripe match the plan table. A price that already
 * matches changes nothing (re-running is a no-op); a changed amount gets a new price that takes the
 * lookup key over, and the old one is archived (subscribers keep it until they change plan).
 */
export function planCatalogueSync(
  desired: readonly CatalogueEntry[],
  existingProducts: ReadonlySet<string>,
  existingPrices: readonly ExistingPrice[],
): CatalogueAction[] {
  const actions: CatalogueAction[] = [];
  for (const entry of desired) {
    if (!existingProducts.has(entry.productId))
      actions.push({ kind: 'create_product', productId: entry.productId, name: entry.name });
    const current = existingPrices.find((p) => p.lookupKey === entry.lookupKey && p.active);
    const matches =
      current &&
      current.unitAmountMinor === entry.unitAmountMinor &&
      current.currency === entry.currency &&
      current.productId === entry.productId &&
      current.recurringInterval === 'month';
    if (matches) continue;
    actions.push({ kind: 'create_price', entry, replaces: current?.id ?? null });
    if (current) actions.push({ kind: 'archive_price', priceId: current.id, lookupKey: entry.lookupKey });
  }
  return actions;
}

// --- State folded from Stripe's events ------------------------------------------------------------

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

// --- Requests and whether they are allowed --------------------------------------------------------

export interface SubscriptionProblem {
  code:
    | 'unknown_plan'
    | 'invalid_seat_tier'
    | 'same_plan'
    | 'already_subscribed'
    | 'no_subscription'
    | 'subscription_ended'
    | 'not_cancelling'
    | 'already_cancelling'
    | 'operators_only';
  /** The request field at fault, when there is one. */
  field?: string;
  message: string;
}

/** Parses a requested plan (and seat tier), naming the field and why when it is not something sold. */
export function parseChoice(
  plan: string,
  seatTier: string | null | undefined,
): PlanChoice | SubscriptionProblem {
  if (!isRole(plan) || !SUBSCRIBABLE_PLANS.includes(plan))
    return {
      code: 'unknown_plan',
      field: 'plan',
      message: `plan: "${plan}" is not a plan you can subscribe to (one of ${SUBSCRIBABLE_PLANS.join(', ')})`,
    };
  if (plan !== 'org_pro') {
    if (seatTier != null)
      return {
        code: 'invalid_seat_tier',
        field: 'seatTier',
        message: 'seatTier: only org_pro has seat tiers',
      };
    return { plan, seatTier: null };
  }
  const tier = seatTier ?? 'starter';
  if (!isSeatTier(tier))
    return {
      code: 'invalid_seat_tier',
      field: 'seatTier',
      message: `seatTier: "${tier}" is not a seat tier (one of ${ORG_SEAT_TIER_NAMES.join(', ')})`,
    };
  return { plan, seatTier: tier };
}

export const isProblem = (v: PlanChoice | SubscriptionProblem): v is SubscriptionProblem => 'code' in v;

/** What the rules need to know about a user's subscription. */
export interface SubscriptionView {
  status: SubscriptionStatus;
  plan: PlanChoice | null;
  cancelAtPeriodEnd: boolean;
}

const hasLive = (v: SubscriptionView) => v.status !== 'none' && !isEnded(v.status) && v.plan !== null;
const sameChoice = (a: PlanChoice | null, b: PlanChoice | null) =>
  a !== null && b !== null && a.plan === b.plan && (a.seatTier ?? null) === (b.seatTier ?? null);

export function subscribeProblem(view: SubscriptionView): SubscriptionProblem | null {
  if (hasLive(view))
    return {
      code: 'already_subscribed',
      message: `You already have a ${view.plan!.plan} subscription (${view.status}); change it instead`,
    };
  return null;
}

export function changeProblem(view: SubscriptionView, target: PlanChoice): SubscriptionProblem | null {
  if (view.status === 'none' || view.plan === null)
    return { code: 'no_subscription', message: 'You have no subscription to change; subscribe first' };
  if (isEnded(view.status))
    return {
      code: 'subscription_ended',
      message: `Your subscription has ended (${view.status}); subscribe again`,
    };
  if (sameChoice(view.plan, target))
    return {
      code: 'same_plan',
      field: 'plan',
      message: `plan: you are already on ${target.plan}${target.seatTier ? ` (${target.seatTier})` : ''}`,
    };
  return null;
}

export function cancelProblem(
  view: SubscriptionView,
  immediately: boolean,
  actorIsOperator: boolean,
): SubscriptionProblem | null {
  if (view.status === 'none' || view.plan === null)
    return { code: 'no_subscription', message: 'You have no subscription to cancel' };
  if (isEnded(view.status))
    return { code: 'subscription_ended', message: `Your subscription has already ended (${view.status})` };
  if (immediately && !actorIsOperator)
    return {
      code: 'operators_only',
      field: 'immediately',
      message: 'immediately: only operators can end a subscription before its period ends',
    };
  if (!immediately && view.cancelAtPeriodEnd)
    return {
      code: 'already_cancelling',
      message: 'Your subscription already ends at the end of this period',
    };
  return null;
}

export function resumeProblem(view: SubscriptionView): SubscriptionProblem | null {
  if (view.status === 'none' || view.plan === null)
    return { code: 'no_subscription', message: 'You have no subscription to resume' };
  if (isEnded(view.status))
    return {
      code: 'subscription_ended',
      message: `Your subscription has ended (${view.status}) and cannot be resumed; subscribe again`,
    };
  if (!view.cancelAtPeriodEnd)
    return {
      code: 'not_cancelling',
      message: 'Your subscription is not set to end; there is nothing to resume',
    };
  return null;
}

export type ChangeTiming = 'now' | 'period_end';

/**
 * Upgrades take effect now (prorated); downgrades and lateral moves at the period end unless asked
 * otherwise, so nobody loses what they paid for. Direction is by product level, price by price.
 */
export function changeTiming(from: PlanChoice, to: PlanChoice, requested?: ChangeTiming): ChangeTiming {
  if (requested) return requested;
  return changeDirection(from, to) === 'upgrade' ? 'now' : 'period_end';
}

export function changeDirection(from: PlanChoice, to: PlanChoice): PlanChange {
  if (from.plan === 'org_pro' && to.plan === 'org_pro') {
    const rank = (t: OrgSeatTier | null) => ORG_SEAT_TIER_NAMES.indexOf(t ?? 'starter');
    const d = rank(to.seatTier) - rank(from.seatTier);
    return d > 0 ? 'upgrade' : d < 0 ? 'downgrade' : 'none';
  }
  return planChangeDirection(from.plan, to.plan);
}

// --- Dunning --------------------------------------------------------------------------------------

/**
 * Offsets (ms after the first failed renewal) at which dunning emails go out; the last one is the
 * end: still unpaid then, the subscription is cancelled and the user moved to free (that email says so).
 */
export function validDunningSchedule(offsetsMs: readonly number[]): string | null {
  if (offsetsMs.length === 0) return 'needs at least one offset';
  for (let i = 0; i < offsetsMs.length; i++) {
    const v = offsetsMs[i]!;
    if (!Number.isFinite(v) || v < 0) return `offset ${i + 1} must be >= 0`;
    if (i > 0 && v <= offsetsMs[i - 1]!) return 'offsets must increase';
  }
  return null;
}

// --- Who writes the role --------------------------------------------------------------------------

export interface RoleDecision {
  apply: boolean;
  reason: string;
}

/**
 * Billing owns a role it set itself. A role set elsewhere (an operator's comp, the demo seed) is
 * raised by billing when the subscription is worth more, but never lowered; superuser is never
 * touched. Every decision other than "nothing to do" is recorded in role_changes with its reason.
 */
export function billingRoleDecision(a: {
  current: Role;
  target: Role;
  setByBilling: boolean;
  why: string;
}): RoleDecision | null {
  if (a.current === a.target) return null;
  if (a.current === 'superuser')
    return { apply: false, reason: `${a.why}; superuser is not managed by billing` };
  if (a.setByBilling) return { apply: true, reason: a.why };
  if (tierRank(a.target) > tierRank(a.current))
    return { apply: true, reason: `${a.why}; raises a role set outside billing (${a.current})` };
  return {
    apply: false,
    reason: `${a.why}; ${a.current} was set by an operator or the seed and billing does not lower it`,
  };
}
