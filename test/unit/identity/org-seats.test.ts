import { describe, expect, it } from 'vitest';
import { ORG_SEAT_TIERS, planFor, ROLES } from '../../../src/domain/subscriptions/plans';
import {
  extendsPlan,
  planInEffect,
  SEAT_PLANS,
  seatLimit,
  seatUsage,
} from '../../../src/domain/identity/orgs';

// Issue 9 #2: a member's role in the org decides the seat, and a seat is the plan the tier sells.

describe('org seats', () => {
  it('issue 9 #2: a coach seat is Coach Pro, an analyst seat Analyst Pro; admins and players hold none', () => {
    expect(SEAT_PLANS).toEqual({ admin: null, coach: 'coach_pro', analyst: 'analyst_pro', player: null });
    expect(seatLimit('growth', 'coach')).toBe(ORG_SEAT_TIERS.growth.coachSeats);
    expect(seatLimit('growth', 'analyst')).toBe(ORG_SEAT_TIERS.growth.analystSeats);
    expect(seatLimit('growth', 'admin')).toBeNull();
    expect(seatLimit('growth', 'player')).toBeNull();
  });

  it('issue 9 #2: the plan in effect is the seat’s when it builds on one’s own, else one’s own', () => {
    expect(planInEffect('free', [])).toBe('free');
    expect(planInEffect('free', ['player', 'admin'])).toBe('free');
    expect(planInEffect('free', ['coach'])).toBe('coach_pro');
    expect(planInEffect('player_pro', ['coach'])).toBe('coach_pro');
    expect(planInEffect('coach_pro', ['analyst'])).toBe('analyst_pro');
    expect(planInEffect('free', ['coach', 'analyst'])).toBe('analyst_pro');
    expect(planInEffect('free', ['analyst', 'coach'])).toBe('analyst_pro');
    // Another branch of the ladder: the seat would take features away, so the own plan stays.
    expect(planInEffect('coach_pro_plus', ['analyst'])).toBe('coach_pro_plus');
    expect(planInEffect('player_pro_plus', ['coach'])).toBe('player_pro_plus');
    expect(planInEffect('scorers_pro', ['coach'])).toBe('scorers_pro');
    for (const own of ['analyst_pro_plus', 'org_pro', 'superuser'] as const)
      expect(planInEffect(own, ['coach', 'analyst'])).toBe(own);
  });

  it('issue 9 #2: a seat never takes away a feature or lowers a limit of one’s own plan', () => {
    for (const own of ROLES) {
      for (const seats of [['coach'], ['analyst'], ['coach', 'analyst']] as const) {
        const effective = planInEffect(own, seats);
        expect(effective === own || extendsPlan(effective, own), `${own} + ${seats}`).toBe(true);
        const before = planFor(own);
        const after = planFor(effective);
        for (const [flag, on] of Object.entries(before.features)) {
          // fan_mode is the free tier's own; every paid plan turns it off.
          if (on && flag !== 'fan_mode')
            expect(after.features[flag as keyof typeof after.features], `${own} + ${seats}: ${flag}`).toBe(
              true,
            );
        }
        for (const [limit, value] of Object.entries(before.limits)) {
          const now = after.limits[limit as keyof typeof after.limits];
          if (value === null) expect(now, `${own} + ${seats}: ${limit}`).toBeNull();
          else if (now !== null) expect(now, `${own} + ${seats}: ${limit}`).toBeGreaterThanOrEqual(value);
        }
      }
    }
  });

  it('counts pending invitations with members as seats used', () => {
    expect(seatUsage('starter', ['admin', 'coach', 'coach', 'analyst', 'player'])).toEqual({
      coach: { used: 2, limit: 4 },
      analyst: { used: 1, limit: 1 },
    });
  });
});
