import { ORG_SEAT_TIERS, planFor, type OrgSeatTier, type Role } from '../subscriptions/plans';

// Organisation membership rules (docs/adr/0007). A seat tier sells Coach Pro and Analyst Pro seats:
// a member's role in the org decides which seat they hold, and the seat gives its holder that plan
// for as long as they are a member of an organisation that is paid for. Admins and players hold no
// seat: an admin manages membership, a player belongs; neither gets a plan from the org.

export const ORG_ROLES = ['admin', 'coach', 'analyst', 'player'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/** The plan each role's seat gives; null = the role is not a seat. */
export const SEAT_PLANS = {
  admin: null,
  coach: 'coach_pro',
  analyst: 'analyst_pro',
  player: null,
} as const satisfies Record<OrgRole, Role | null>;

/** Org roles that are seats. */
export const SEATED_ROLES = ORG_ROLES.filter((r) => SEAT_PLANS[r] !== null);

/** Owner plans under which an organisation's seats are live (org_pro pays for them). */
export const SEAT_PAYING_ROLES = ['org_pro', 'superuser'] as const satisfies readonly Role[];

/** How many members of `role` the tier allows; null = not limited (not a seat). */
export function seatLimit(tier: OrgSeatTier, role: OrgRole): number | null {
  if (role === 'coach') return ORG_SEAT_TIERS[tier].coachSeats;
  if (role === 'analyst') return ORG_SEAT_TIERS[tier].analystSeats;
  return null;
}

/** Used (members and pending invitations, which hold their seat) and allowed seats per seated role. */
export function seatUsage(tier: OrgSeatTier, heldRoles: readonly OrgRole[]) {
  const used = (role: OrgRole) => heldRoles.filter((r) => r === role).length;
  return {
    coach: { used: used('coach'), limit: ORG_SEAT_TIERS[tier].coachSeats },
    analyst: { used: used('analyst'), limit: ORG_SEAT_TIERS[tier].analystSeats },
  };
}

/** `plan` is `base` or builds on it (its basePlan chain reaches `base`), so it has all `base` is sold with. */
export function extendsPlan(plan: Role, base: Role): boolean {
  for (let at: Role | null = plan; at !== null; at = planFor(at).basePlan) if (at === base) return true;
  return false;
}

/**
 * The plan a user's requests run under: their own, or a live seat's plan when that builds on their own
 * (free or Player Pro + a coach seat: Coach Pro; + an analyst seat: Analyst Pro). One plan applies at
 * a time, so a seat whose plan is on another branch of the ladder (Coach Pro Plus + an analyst seat,
 * a Scorers plan + a coach seat) leaves the own plan in place rather than take features away.
 */
export function planInEffect(own: Role, seatRoles: readonly OrgRole[]): Role {
  let best = own;
  for (const role of seatRoles) {
    const plan = SEAT_PLANS[role];
    if (plan !== null && plan !== best && extendsPlan(plan, best)) best = plan;
  }
  return best;
}
