import { effectiveLimits, planFor, PLAN_CURRENCY, type Role } from '../../domain/subscriptions/plans';
import { currentUsage, usagePeriod } from '../../data/usage';
import type { Db } from '../../infra/prisma';

/** Effective features, limits and current usage of the user's plan (what upgrade prompts are built on). */
export async function entitlementsOf(db: Db, user: { id: string; role: Role }) {
  const { id, role } = user;
  const plan = planFor(role);
  // An org owner's seat limits follow the seat tier their organisation bought.
  const orgTier =
    role === 'org_pro'
      ? (await db.organisation.findFirst({ where: { ownerId: id }, select: { seatTier: true } }))?.seatTier
      : undefined;
  const limits = effectiveLimits(role, orgTier);
  const [aiUsed, storageUsed] = await Promise.all([
    currentUsage(db, id, 'ai_reports'),
    currentUsage(db, id, 'storage_bytes'),
  ]);
  return {
    role,
    plan: { name: plan.name, priceMonthlyMinor: plan.priceMonthlyMinor, currency: PLAN_CURRENCY },
    features: plan.features,
    limits,
    usage: {
      ai_reports: { used: aiUsed, limit: limits.ai_reports_per_month, period: usagePeriod('ai_reports') },
      storage_bytes: {
        used: storageUsed,
        limit: limits.storage_quota_bytes,
        period: usagePeriod('storage_bytes'),
      },
    },
  };
}
