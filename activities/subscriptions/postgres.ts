import type { OrgSeatTier, Role } from '../../src/domain/subscriptions/plans';
import { applyBillingRole, seatsOverLimit, type SeatsOverLimit } from '../../src/data/subscriptions';
import type { Deps } from '../../src/infra/deps';

// Postgres writes of subscription-<userId>: the projection row reads come from, the user's role
// (entitlements follow it), org seat tiers, and the hand-over of stored videos to their deletion
// workflows when a grace period ends. Each is a conditional or absolute write, so a retry is harmless.

/** The projection of the workflow's state (absolute values: writing it twice is writing it once). */
export interface SubscriptionProjection {
  userId: string;
  stripeCustomerId: string | null;
  stripeSubscriptionId: string | null;
  plan: Role | null;
  seatTier: OrgSeatTier | null;
  status: string;
  currentPeriodEndMs: number | null;
  cancelAtPeriodEnd: boolean;
  pendingPlan: Role | null;
  pendingSeatTier: OrgSeatTier | null;
  lastEventAtMs: number | null;
  dunningStartedAtMs: number | null;
  dunningEmailsSent: number;
  graceEndsAtMs: number | null;
}

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

export function subscriptionPostgresActivities(deps: Pick<Deps, 'db' | 'cfg'>) {
  const { db } = deps;
  return {
    async saveSubscriptionProjection(p: SubscriptionProjection): Promise<void> {
      const data = {
        plan: p.plan,
        seatTier: p.seatTier,
        status: p.status,
        currentPeriodEnd: date(p.currentPeriodEndMs),
        cancelAtPeriodEnd: p.cancelAtPeriodEnd,
        pendingPlan: p.pendingPlan,
        pendingSeatTier: p.pendingSeatTier,
        lastEventAt: date(p.lastEventAtMs),
        dunningStartedAt: date(p.dunningStartedAtMs),
        dunningEmailsSent: p.dunningEmailsSent,
        graceEndsAt: date(p.graceEndsAtMs),
        ...(p.stripeCustomerId ? { stripeCustomerId: p.stripeCustomerId } : {}),
        ...(p.stripeSubscriptionId ? { stripeSubscriptionId: p.stripeSubscriptionId } : {}),
      };
      await db.subscription.upsert({
        where: { userId: p.userId },
        create: { userId: p.userId, ...data },
        update: data,
      });
    },

    /** The user's role follows the subscription, within the rules of who owns a role (recorded either way). */
    async applySubscriptionRole(input: { userId: string; role: Role; why: string }): Promise<{ role: Role }> {
      const { role } = await applyBillingRole(db, input);
      return { role };
    },

    /** Name and address for the subscription emails, and the link they point to. */
    async subscriptionContact(input: {
      userId: string;
    }): Promise<{ email: string; name: string; billingUrl: string }> {
      const u = await db.user.findUniqueOrThrow({
        where: { id: input.userId },
        select: { email: true, name: true },
      });
      return { ...u, billingUrl: `${deps.cfg.PUBLIC_BASE_URL}/api/plans` };
    },

    /**
     * The org's subscription carries its seat tier: the owner's organisations move to it, and seats
     * over its limits are listed (nobody is removed).
     */
    async applyOrgSeatTier(input: { userId: string; seatTier: OrgSeatTier }): Promise<SeatsOverLimit[]> {
      await db.organisation.updateMany({
        where: { ownerId: input.userId },
        data: { seatTier: input.seatTier },
      });
      return seatsOverLimit(db, input.userId, input.seatTier);
    },

    /**
     * The grace period is over: every stored video of the user (and its session) is marked deleted,
     * as the delete endpoints do, and returned for the workflow to hand to video-<id> in delete mode,
     * which removes the objects, the clips and the rows and gives the storage back.
     */
    async markUserVideosDeleted(input: {
      userId: string;
    }): Promise<{ videos: { id: string; coachId: string }[] }> {
      const now = new Date();
      await db.$transaction([
        db.videoSession.updateMany({
          where: { coachId: input.userId, deletedAt: null },
          data: { deletedAt: now },
        }),
        db.video.updateMany({ where: { coachId: input.userId, deletedAt: null }, data: { deletedAt: now } }),
      ]);
      const videos = await db.video.findMany({
        where: { coachId: input.userId },
        select: { id: true, coachId: true },
        orderBy: { createdAt: 'asc' },
      });
      return { videos };
    },
  };
}
