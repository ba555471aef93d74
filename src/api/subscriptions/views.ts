import type { InvoiceSummary, SubscriptionDetails } from '../../app/subscriptions/subscriptions';
import { isSubscriptionStatus } from '../../domain/subscriptions/state';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function subscriptionView(s: SubscriptionDetails) {
  return {
    plan: s.plan,
    seatTier: s.seatTier,
    status: isSubscriptionStatus(s.status) ? s.status : ('none' as const),
    role: s.role,
    currentPeriodEnd: iso(s.currentPeriodEnd),
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    pendingPlan: s.pendingPlan,
    pendingSeatTier: s.pendingSeatTier,
    graceEndsAt: iso(s.graceEndsAt),
    dunning: s.dunning
      ? { startedAt: s.dunning.startedAt.toISOString(), emailsSent: s.dunning.emailsSent }
      : null,
    seatsOverLimit: s.seatsOverLimit.map((o) => ({
      orgId: o.orgId,
      orgName: o.orgName,
      role: o.role as 'coach' | 'analyst',
      limit: o.limit,
      members: o.members,
    })),
  };
}

export const invoiceView = (i: InvoiceSummary) => ({ ...i, created: i.created.toISOString() });
