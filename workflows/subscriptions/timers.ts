import { planFor } from '../../src/domain/subscriptions/plans';
import {
  downgradeDueMs,
  dunningDueMs,
  graceDueMs,
  relativeTime,
} from '../../src/domain/subscriptions/timers';
import { deleteVideoThroughItsWorkflow } from '../shared/video-deletion';
import { stripe, db } from './proxies';
import type { SubscriptionRun } from './state';
import { email } from './sync';

// The subscription's timers, run when due (src/domain/subscriptions/timers.ts says when): the
// scheduled downgrade reaches Stripe before the renewal, dunning emails (the last step ends the
// subscription), grace reminders and, at the grace period's end, the deletion of the stored videos.

/** Runs every timer that is due; says why the plan changed, when a timer changed it. */
export async function runDueTimers(st: SubscriptionRun): Promise<string | null> {
  const { c, userId, settings } = st;
  const now = Date.now();
  let why: string | null = null;
  const downgradeAt = downgradeDueMs(st.timerFacts());
  if (downgradeAt !== null && downgradeAt <= now && c.pending && c.subscriptionId) {
    const to = c.pending;
    await stripe.updateStripeSubscriptionPlan({
      subscriptionId: c.subscriptionId,
      choice: to,
      prorate: false,
      key: st.nextOp(),
    });
    c.pending = null;
    st.learn({ plan: to }, 'downgrade');
    why = `scheduled change to ${to.plan} at the period end`;
  }
  const dunningAt = dunningDueMs(st.timerFacts(), settings);
  if (dunningAt !== null && dunningAt <= now && c.dunning) {
    const last = settings.dunningScheduleMs.length - 1;
    const step = c.dunning.sent;
    const planName = c.facts.plan.value ? planFor(c.facts.plan.value.plan).name : 'subscription';
    if (step < last) {
      await email(
        st,
        'subscription_payment_failed',
        `subscription-${userId}-dunning-${c.dunning.startedAtMs}-${step}`,
        {
          planName,
          attempt: step + 1,
          downgradeIn: relativeTime(settings.dunningScheduleMs[last]! - settings.dunningScheduleMs[step]!),
          ...(c.dunning.payUrl ? { link: c.dunning.payUrl } : {}),
        },
      );
      c.dunning.sent++;
    } else {
      // Still unpaid at the end: the subscription ends at Stripe and the account moves to free.
      if (c.subscriptionId)
        await stripe.cancelStripeSubscription({ subscriptionId: c.subscriptionId, key: st.nextOp() });
      c.dunning.sent++;
      st.learn({ status: 'canceled', cancelAtPeriodEnd: false }, 'dunning-ended');
      c.pending = null;
      why = 'the renewal payment stayed unpaid';
      st.endReason = why;
    }
  }
  const graceAt = graceDueMs(st.timerFacts(), settings);
  if (graceAt !== null && graceAt <= now && c.grace) {
    const g = c.grace;
    if (g.remindersSent < settings.graceRemindersMs.length) {
      await email(
        st,
        'subscription_grace_reminder',
        `subscription-${userId}-grace-${g.endsAtMs}-${g.remindersSent}`,
        {
          deletesAt: new Date(g.endsAtMs).toISOString(),
          deletesIn: relativeTime(g.endsAtMs - now),
        },
      );
      g.remindersSent++;
    } else {
      await deleteStoredVideos(st, g.endsAtMs);
      c.grace = null;
    }
  }
  return why;
}

/** The grace period is over: every stored video goes to video-<id> in delete mode (objects, clips, rows, storage). */
async function deleteStoredVideos(st: SubscriptionRun, graceEndMs: number): Promise<void> {
  const { videos } = await db.markUserVideosDeleted({ userId: st.userId });
  for (const v of videos) await deleteVideoThroughItsWorkflow(v, st.settings);
  await email(st, 'subscription_videos_deleted', `subscription-${st.userId}-videos-deleted-${graceEndMs}`, {
    videoCount: videos.length,
  });
}
