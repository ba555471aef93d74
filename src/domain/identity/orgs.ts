import { ORG_SEAT_TIERS, type OrgSeatTier } from '../billing/plans';

// Organisation membership rules. Coach and analyst seats are what an Org Pro seat tier sells;
// admins and players are not counted.

export const ORG_ROLES = ['admin', 'coach', 'analyst', 'player'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/** How many members of `role` the tier allows; null = not limited. */
export function seatLimit(tier: OrgSeatTier, role: OrgRole): number | null {
  if (role === 'coach') return ORG_SEAT_TIERS[tier].coachSeats;
  if (role === 'analyst') return ORG_SEAT_TIERS[tier].analystSeats;
  return null;
}

/** Used and allowed seats per limited role. */
export function seatUsage(tier: OrgSeatTier, memberRoles: readonly OrgRole[]) {
  const used = (role: OrgRole) => memberRoles.filter((r) => r === role).length;
  return {
    coach: { used: used('coach'), limit: ORG_SEAT_TIERS[tier].coachSeats },
    analyst: { used: used('analyst'), limit: ORG_SEAT_TIERS[tier].analystSeats },
  };
}
