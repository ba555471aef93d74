import { upsertSearchAttributes } from '@temporalio/workflow';
import type { DefaultActivities } from '../../activities';
import { planFor, type Role } from '../../src/domain/subscriptions/plans';
import { entitledChoice, keepsVideos } from '../../src/domain/subscriptions/state';
import { dunningAfter, graceStart } from '../../src/domain/subscriptions/timers';
import { DomainStatusAttr, UserIdAttr } from '../shared/search-attributes';
import { db, mail } from './proxies';
import type { SubscriptionRun } from './state';

// Everything after a change: dunning bookkeeping, the projection row, the user's role, the grace
// period when a video plan is left, org seats, and the emails these owe the user.

type EmailInput = Parameters<DefaultActivities['sendEmail']>[0];

/** One of the subscription emails to the user, addressed by name, linking to the plans by default. */
export async function email(
  st: SubscriptionRun,
  template: Extract<EmailInput['template'], `subscription_${string}`>,
  reference: string,
  data: Record<string, unknown>,
): Promise<void> {
  const who = await db.subscriptionContact({ userId: st.userId });
  await mail.sendEmail({
    reference,
    template,
    to: who.email,
    // Name and link first: a template's own link (the hosted invoice page) wins.
    data: { name: who.name, link: who.billingUrl, ...data } as EmailInput['data'],
  });
}

async function saveProjection(st: SubscriptionRun): Promise<void> {
  const { c } = st;
  const plan = c.facts.plan.value;
  await db.saveSubscriptionProjection({
    userId: st.userId,
    stripeCustomerId: c.customerId,
    stripeSubscriptionId: c.subscriptionId,
    plan: plan?.plan ?? null,
    seatTier: plan?.seatTier ?? null,
    status: c.facts.status.value,
    currentPeriodEndMs: c.facts.periodEndMs.value,
    cancelAtPeriodEnd: c.facts.cancelAtPeriodEnd.value,
    pendingPlan: c.pending?.plan ?? null,
    pendingSeatTier: c.pending?.seatTier ?? null,
    lastEventAtMs: c.facts.watermarkMs || null,
    dunningStartedAtMs: c.dunning?.startedAtMs ?? null,
    dunningEmailsSent: c.dunning?.sent ?? 0,
    graceEndsAtMs: c.grace?.endsAtMs ?? null,
  });
}

export async function sync(st: SubscriptionRun, why: string): Promise<void> {
  const { c, userId, settings } = st;
  const now = Date.now();
  const status = c.facts.status.value;
  // Dunning runs while a renewal is unpaid; a payment (or the end) stops it.
  c.dunning = dunningAfter(status, c.dunning, now, st.payUrl);
  // Stripe's facts reach the row before the role moves, so a reader never sees the new role
  // with the old subscription (e.g. free, but still "active" and refused a new subscribe).
  await saveProjection(st);
  const graceBefore = c.grace?.endsAtMs;

  const entitled = entitledChoice(c.facts);
  const target: Role = entitled?.plan ?? 'free';
  const before = c.appliedRole;
  // Asked once per target: a role billing may not lower is recorded once, not at every change.
  if (c.targetRole !== target) {
    const { role } = await db.applySubscriptionRole({ userId, role: target, why });
    c.targetRole = target;
    c.appliedRole = role;
    const lostVideos = before !== null && keepsVideos(before) && !keepsVideos(role) && !c.grace;
    if (lostVideos)
      c.grace = { ...graceStart(now, settings.graceMs, settings.graceRemindersMs), from: before };
    // Moving to free (or off video) is announced once, with the grace period's end when there is one.
    if (before !== null && role !== before && (target === 'free' || lostVideos)) {
      await email(
        st,
        'subscription_downgraded',
        `subscription-${userId}-downgraded-${c.generation}-${c.opSeq}-${role}`,
        {
          planName: planFor(before).name,
          reason:
            st.endReason ??
            (c.facts.status.value === 'canceled'
              ? 'it was cancelled'
              : `the plan changed to ${planFor(role).name}`),
          videosDeletedOn: c.grace ? new Date(c.grace.endsAtMs).toISOString() : null,
        },
      );
      st.endReason = null;
    }
  }
  if (c.appliedRole && keepsVideos(c.appliedRole) && c.grace) c.grace = null; // resubscribed in time

  if (entitled?.plan === 'org_pro' && entitled.seatTier && entitled.seatTier !== st.appliedSeatTier) {
    const over = await db.applyOrgSeatTier({ userId, seatTier: entitled.seatTier });
    st.appliedSeatTier = entitled.seatTier;
    if (over.length > 0)
      await email(
        st,
        'subscription_seats_over_limit',
        `subscription-${userId}-seats-${entitled.seatTier}-${c.opSeq}`,
        {
          tierName: planFor('org_pro').name + ` ${entitled.seatTier}`,
          overLimit: over.map(
            (o) =>
              `${o.orgName}: ${o.members.length} ${o.role} seats, ${o.limit} allowed (${o.members.map((m) => m.email).join(', ')})`,
          ),
        },
      );
  }

  // Written again only when the role step changed it (a grace period started or ended).
  if (c.grace?.endsAtMs !== graceBefore) await saveProjection(st);
  upsertSearchAttributes([
    { key: UserIdAttr, value: userId },
    { key: DomainStatusAttr, value: status.toUpperCase() },
  ]);
}
