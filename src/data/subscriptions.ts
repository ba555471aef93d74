import type { OrgSeatTier, Role } from '../domain/subscriptions/plans';
import { ORG_SEAT_TIERS } from '../domain/subscriptions/plans';
import { billingRoleDecision, type RoleDecision } from '../domain/subscriptions/billing';
import { choiceFromLookupKey, type PlanChoice } from '../domain/subscriptions/catalogue';
import { isSubscriptionStatus, type SubscriptionStatus } from '../domain/subscriptions/state';
import { seatLimit, type OrgRole } from '../domain/identity/orgs';
import type Stripe from 'stripe';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/prisma';

type DbOrTx = Db | Prisma.TransactionClient;

// Subscription reads shared by the use cases and the subscription workflow's activities: the
// projection row, who owns a user's role, and the org seats a seat tier no longer covers.

export async function subscriptionOf(db: Db, userId: string) {
  return db.subscription.findUnique({ where: { userId } });
}

/**
 * Billing owns the role when billing wrote it last (the newest applied role_changes row is billing's
 * and still matches), or when it is free and nobody recorded otherwise. Anything else was set by an
 * operator or the seed.
 */
export async function billingOwnsRole(db: DbOrTx, userId: string, role: Role): Promise<boolean> {
  const last = await db.roleChange.findFirst({
    where: { userId, applied: true },
    orderBy: { createdAt: 'desc' },
    select: { source: true, toRole: true },
  });
  if (!last) return role === 'free';
  return last.source === 'billing' && last.toRole === role;
}

/**
 * Writes the role billing wants unless the rules say otherwise (src/domain/subscriptions/billing.ts
 * billingRoleDecision), recording the decision and its reason either way. The conditional update
 * (role still what was read) keeps a concurrent operator change from being overwritten.
 */
export async function applyBillingRole(
  db: Db,
  input: { userId: string; role: Role; why: string },
): Promise<{ role: Role; decision: RoleDecision | null }> {
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUniqueOrThrow({ where: { id: input.userId }, select: { role: true } });
    const decision = billingRoleDecision({
      current: user.role,
      target: input.role,
      setByBilling: await billingOwnsRole(tx, input.userId, user.role),
      why: input.why,
    });
    if (!decision) return { role: user.role, decision };
    let applied = false;
    if (decision.apply) {
      const { count } = await tx.user.updateMany({
        where: { id: input.userId, role: user.role },
        data: { role: input.role },
      });
      applied = count === 1;
    }
    await tx.roleChange.create({
      data: {
        userId: input.userId,
        fromRole: user.role,
        toRole: input.role,
        source: 'billing',
        applied,
        reason: decision.reason,
      },
    });
    return { role: applied ? input.role : user.role, decision };
  });
}

/** For the operator path (PUT /api/admin/users/{id}/role): the role and who set it, so billing knows not to lower it. */
export async function recordOperatorRoleChange(
  db: Db,
  input: { userId: string; fromRole: Role; toRole: Role; actorId: string; reason: string },
): Promise<void> {
  await db.roleChange.create({ data: { ...input, source: 'operator', applied: true } });
}

export interface SeatsOverLimit {
  orgId: string;
  orgName: string;
  role: OrgRole;
  limit: number;
  /** Holders of that seat role (members, oldest first); nobody is removed. */
  members: { userId: string; email: string }[];
}

/** Seats over `tier`'s limits in the organisations the user owns. */
export async function seatsOverLimit(db: Db, ownerId: string, tier: OrgSeatTier): Promise<SeatsOverLimit[]> {
  const orgs = await db.organisation.findMany({
    where: { ownerId },
    select: {
      id: true,
      name: true,
      members: {
        where: { role: { in: ['coach', 'analyst'] } },
        orderBy: { createdAt: 'asc' },
        select: { role: true, userId: true, user: { select: { email: true } } },
      },
    },
  });
  const over: SeatsOverLimit[] = [];
  for (const org of orgs) {
    for (const role of ['coach', 'analyst'] as const) {
      const holders = org.members.filter((m) => m.role === role);
      const limit = seatLimit(tier, role) ?? Infinity;
      if (holders.length > limit)
        over.push({
          orgId: org.id,
          orgName: org.name,
          role,
          limit,
          members: holders.map((m) => ({ userId: m.userId, email: m.user.email })),
        });
    }
  }
  return over;
}

export const seatTierName = (tier: OrgSeatTier) => ORG_SEAT_TIERS[tier].name;

// --- Stripe's subscription objects, as the workflow and the webhook router read them -------------

/** What the workflow needs from a Stripe subscription (also what a re-fetch returns). */
export interface StripeSubscriptionSnapshot {
  subscriptionId: string;
  status: SubscriptionStatus;
  /** null when the price is not one of ours (no known lookup key). */
  plan: PlanChoice | null;
  periodEndMs: number | null;
  cancelAtPeriodEnd: boolean;
  /** Stripe's metadata.userId: a subscription we did not create for this user is not applied. */
  userId: string | null;
}

export function snapshotOf(sub: Stripe.Subscription): StripeSubscriptionSnapshot {
  const item = sub.items?.data?.[0];
  const lookupKey = item?.price?.lookup_key ?? null;
  return {
    subscriptionId: sub.id,
    status: isSubscriptionStatus(sub.status) ? sub.status : 'incomplete',
    plan: lookupKey ? (choiceFromLookupKey(lookupKey) ?? null) : null,
    periodEndMs: item?.current_period_end ? item.current_period_end * 1000 : null,
    cancelAtPeriodEnd: Boolean(sub.cancel_at_period_end),
    userId: sub.metadata?.userId ?? null,
  };
}
