import { isRole, ORG_SEAT_TIER_NAMES, planChangeDirection, type OrgSeatTier, type PlanChange } from './plans';
import { isSeatTier, SUBSCRIBABLE_PLANS, type PlanChoice } from './catalogue';
import { isEnded, type SubscriptionStatus } from './state';

// What a subscriber may ask (subscribe, change plan, cancel, resume), each refusal with its code and
// field, and when an allowed change takes effect. The API pre-checks and the workflow's validators
// both ask these. No I/O.

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
