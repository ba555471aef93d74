import { describe, expect, it } from 'vitest';
import type { PlanChoice } from '../../../src/domain/subscriptions/catalogue';
import {
  cancelProblem,
  changeDirection,
  changeProblem,
  changeTiming,
  isProblem,
  parseChoice,
  resumeProblem,
  subscribeProblem,
  type SubscriptionView,
} from '../../../src/domain/subscriptions/requests';

const pro: PlanChoice = { plan: 'coach_pro', seatTier: null };
const plus: PlanChoice = { plan: 'coach_pro_plus', seatTier: null };
const active = (plan: PlanChoice, over: Partial<SubscriptionView> = {}): SubscriptionView => ({
  status: 'active',
  plan,
  cancelAtPeriodEnd: false,
  ...over,
});
const none: SubscriptionView = { status: 'none', plan: null, cancelAtPeriodEnd: false };

describe('plan choices and lookup keys', () => {
  it('names the field and the plans on offer for an unknown plan, and only org_pro takes a seat tier', () => {
    const bad = parseChoice('gold', null);
    expect(isProblem(bad) && bad).toMatchObject({ code: 'unknown_plan', field: 'plan' });
    expect(isProblem(bad) && bad.message).toMatch(/coach_pro_plus/);
    expect(parseChoice('superuser', null)).toMatchObject({ code: 'unknown_plan' });
    expect(parseChoice('free', null)).toMatchObject({ code: 'unknown_plan' });
    expect(parseChoice('coach_pro', 'elite')).toMatchObject({ code: 'invalid_seat_tier', field: 'seatTier' });
    expect(parseChoice('org_pro', 'platinum')).toMatchObject({ code: 'invalid_seat_tier' });
    expect(parseChoice('org_pro', undefined)).toEqual({ plan: 'org_pro', seatTier: 'starter' });
  });
});

describe('transition rules (the workflow validators and the API pre-checks)', () => {
  it('subscribe: refused while a subscription is live, allowed after it ended', () => {
    expect(subscribeProblem(none)).toBeNull();
    expect(subscribeProblem(active(pro))).toMatchObject({ code: 'already_subscribed' });
    expect(subscribeProblem(active(pro, { status: 'canceled' }))).toBeNull();
  });

  it('change: the same plan, no subscription and an ended one are refused with their reason', () => {
    expect(changeProblem(active(pro), pro)).toMatchObject({ code: 'same_plan', field: 'plan' });
    expect(changeProblem(none, plus)).toMatchObject({ code: 'no_subscription' });
    expect(changeProblem(active(pro, { status: 'canceled' }), plus)).toMatchObject({
      code: 'subscription_ended',
    });
    expect(changeProblem(active(pro), plus)).toBeNull();
    expect(
      changeProblem(active({ plan: 'org_pro', seatTier: 'growth' }), {
        plan: 'org_pro',
        seatTier: 'starter',
      }),
    ).toBeNull();
  });

  it('upgrades take effect now, downgrades and lateral moves at the period end unless asked', () => {
    expect(changeTiming(pro, plus)).toBe('now');
    expect(changeTiming(plus, pro)).toBe('period_end');
    expect(changeTiming(plus, pro, 'now')).toBe('now');
    expect(changeTiming({ plan: 'scorers_pro', seatTier: null }, pro)).toBe('period_end');
    expect(
      changeDirection({ plan: 'org_pro', seatTier: 'elite' }, { plan: 'org_pro', seatTier: 'starter' }),
    ).toBe('downgrade');
  });

  it('cancel: none / ended / immediately by a non-operator / twice are refused; resume needs a pending cancel', () => {
    expect(cancelProblem(none, false, false)).toMatchObject({ code: 'no_subscription' });
    expect(cancelProblem(active(pro, { status: 'canceled' }), false, false)).toMatchObject({
      code: 'subscription_ended',
    });
    expect(cancelProblem(active(pro), true, false)).toMatchObject({
      code: 'operators_only',
      field: 'immediately',
    });
    expect(cancelProblem(active(pro), true, true)).toBeNull();
    expect(cancelProblem(active(pro, { cancelAtPeriodEnd: true }), false, false)).toMatchObject({
      code: 'already_cancelling',
    });
    expect(resumeProblem(active(pro))).toMatchObject({ code: 'not_cancelling' });
    expect(resumeProblem(active(pro, { status: 'canceled', cancelAtPeriodEnd: true }))).toMatchObject({
      code: 'subscription_ended',
    });
    expect(resumeProblem(active(pro, { cancelAtPeriodEnd: true }))).toBeNull();
  });
});
