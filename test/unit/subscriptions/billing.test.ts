import { describe, expect, it } from 'vitest';
import { billingRoleDecision, validDunningSchedule } from '../../../src/domain/subscriptions/billing';

describe('dunning', () => {
  it('dunning schedules must be non-empty and increasing', () => {
    expect(validDunningSchedule([0, 3, 7])).toBeNull();
    expect(validDunningSchedule([])).toMatch(/at least one/);
    expect(validDunningSchedule([0, 3, 3])).toMatch(/increase/);
  });
});

describe('who writes the role', () => {
  it('billing owns its own roles; it raises but never lowers one set outside billing; superuser is never touched', () => {
    expect(
      billingRoleDecision({ current: 'free', target: 'coach_pro', setByBilling: true, why: 'paid' }),
    ).toEqual({ apply: true, reason: 'paid' });
    expect(
      billingRoleDecision({ current: 'coach_pro', target: 'coach_pro', setByBilling: true, why: 'x' }),
    ).toBeNull();
    expect(
      billingRoleDecision({ current: 'superuser', target: 'free', setByBilling: false, why: 'ended' }),
    ).toMatchObject({ apply: false });
    expect(
      billingRoleDecision({ current: 'coach_pro_plus', target: 'free', setByBilling: false, why: 'ended' }),
    ).toMatchObject({
      apply: false,
      reason: expect.stringMatching(/operator or the seed/),
    });
    expect(
      billingRoleDecision({
        current: 'player_pro',
        target: 'coach_pro_plus',
        setByBilling: false,
        why: 'paid',
      }),
    ).toMatchObject({ apply: true });
  });
});
