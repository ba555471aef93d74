// Over 400 lines on purpose: the update handlers, the Stripe event inbox and the timers (period end,
// dunning, grace) share one user's subscription state in this closure and read best together.

import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { DefaultActivities } from '../../activities';
import { planFor, type OrgSeatTier, type Role } from '../../src/domain/subscriptions/plans';
import {
  applyFact,
  cancelProblem,
  changeProblem,
  changeTiming,
  entitledChoice,
  initialFacts,
  isProblem,
  isStale,
  keepsVideos,
  parseChoice,
  resumeProblem,
  subscribeProblem,
  type PlanChoice,
  type Stamp,
  type SubscriptionFact,
  type SubscriptionProblem,
  type SubscriptionView,
} from '../../src/domain/subscriptions/subscriptions';
import { workflowIds } from '../shared/ids';
import { setSummary } from '../shared/memo';
import { Mutex } from '../shared/mutex';
import { profiles } from '../shared/profiles';
import { DomainStatusAttr, UserIdAttr } from '../shared/search-attributes';
import { deleteVideoSignal, videoWorkflowType, type VideoWorkflow } from '../videos/definitions';
import {
  cancelSubscriptionUpdate,
  changePlanUpdate,
  resumeSubscriptionUpdate,
  stripeSubscriptionEventSignal,
  subscribeUpdate,
  subscriptionKeys,
  subscriptionStateQuery,
  SubscriptionFailure,
  type SubscriptionCarryOver,
  type StripeSubscriptionEvent,
  type SubscriptionState,
  type SubscriptionWorkflow,
  type SubscriptionWorkflowInput,
} from './definitions';

// subscription-<userId>: one user's subscription for as long as the user exists.
//
//   none ── subscribe ──> incomplete ── invoice.paid ──> active ── invoice.payment_failed ──> past_due
//                                         ▲   │ change (upgrade now / downgrade at period end)   │ dunning emails
//                                         │   └ cancel (period end) ── subscription.deleted ──> canceled
//                                         └────────────── paid in time ─────────────────────────┘ still unpaid: canceled
//
// API calls are Updates whose validators refuse what the rules refuse (nothing is accepted, nothing
// changes); Stripe's events are signals. Every fact is stamped (an event's `created`, or a local
// change made after everything seen) and folded field by field, newest stamp wins, so repeats and
// reordering cannot roll the state back (src/domain/subscriptions/subscriptions applyFact); an event older
// than the newest thing known also makes the workflow re-read the subscription from Stripe. After
// every change the user's role in Postgres follows the entitled plan, a grace period starts when a
// video plan is left (its end deletes the stored videos through video-<id>), and the projection row
// is rewritten. Each billing period (and whenever Temporal suggests) the run continues as new.

const {
  saveSubscriptionProjection,
  applySubscriptionRole,
  subscriptionContact,
  applyOrgSeatTier,
  markUserVideosDeleted,
} = proxyActivities<DefaultActivities>(profiles.postgres);
const {
  ensureStripeCustomer,
  createStripeSubscription,
  updateStripeSubscriptionPlan,
  setStripeCancelAtPeriodEnd,
  cancelStripeSubscription,
  fetchStripeSubscription,
} = proxyActivities<DefaultActivities>(profiles.stripe);
const { sendEmail } = proxyActivities<DefaultActivities>(profiles.email);
type EmailInput = Parameters<DefaultActivities['sendEmail']>[0];

/** A downgrade reaches Stripe this long before the period ends, so the renewal bills the new price. */
const DOWNGRADE_LEAD_MS = 60 * 60 * 1000;
const SEEN_EVENTS_KEPT = 500;
const DEFAULT_EVENTS_PER_RUN = 500;

const refuse = (p: SubscriptionProblem): never => {
  const type =
    p.code === 'operators_only'
      ? SubscriptionFailure.Forbidden
      : p.code === 'unknown_plan' || p.code === 'invalid_seat_tier' || p.code === 'same_plan'
        ? SubscriptionFailure.InvalidRequest
        : SubscriptionFailure.InvalidTransition;
  throw ApplicationFailure.create({
    type,
    message: p.message,
    details: [p.code, p.field ?? null],
    nonRetryable: true,
  });
};

function checkedChoice(choice: PlanChoice): PlanChoice {
  const parsed = parseChoice(choice?.plan, choice?.seatTier);
  if (isProblem(parsed)) refuse(parsed);
  return parsed as PlanChoice;
}

const relative = (ms: number) => {
  const days = Math.round(ms / 86_400_000);
  if (days >= 1) return `in ${days} day${days === 1 ? '' : 's'}`;
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
};

export async function subscriptionWorkflow(input: SubscriptionWorkflowInput): Promise<void> {
  const { userId, settings } = input;
  const c: SubscriptionCarryOver = input.carried ?? {
    facts: initialFacts(),
    customerId: null,
    subscriptionId: null,
    generation: 0,
    opSeq: 0,
    pending: null,
    seenEvents: [],
    dunning: null,
    grace: null,
    appliedRole: null,
    targetRole: null,
  };
  let localSeq = 0;
  const seen = new Set(c.seenEvents);
  const inbox: StripeSubscriptionEvent[] = [];
  const mutex = new Mutex();
  let version = 0;
  let creating = false;
  let eventsThisRun = 0;
  let appliedSeatTier: OrgSeatTier | null = null;
  let runPeriodEndMs = c.facts.periodEndMs.value;
  /** Why the plan ended, for the downgrade email, when a timer (dunning) ended it. */
  let endReason: string | null = null;
  /** The newest hosted-invoice link a failed payment came with (dunning emails point to it). */
  let payUrl: string | null = c.dunning?.payUrl ?? null;
  const eventsPerRun = settings.eventsPerRun ?? DEFAULT_EVENTS_PER_RUN;

  /** A local change is newer than everything seen so far (its own second may hold older events). */
  const localStamp = (what: string): Stamp => ({
    atMs: Math.max(Date.now(), c.facts.watermarkMs + 1),
    id: `local:${workflowInfo().runId}:${String(++localSeq).padStart(6, '0')}:${what}`,
  });
  const learn = (fact: Omit<SubscriptionFact, 'stamp'>, what: string) => {
    c.facts = applyFact(c.facts, { ...fact, stamp: localStamp(what) });
  };

  const view = (): SubscriptionView => ({
    status: c.facts.status.value,
    plan: c.facts.plan.value,
    cancelAtPeriodEnd: c.facts.cancelAtPeriodEnd.value,
  });

  const state = (): SubscriptionState => {
    const entitled = entitledChoice(c.facts);
    return {
      userId,
      status: c.facts.status.value,
      plan: c.facts.plan.value,
      role: c.appliedRole ?? entitled?.plan ?? 'free',
      cancelAtPeriodEnd: c.facts.cancelAtPeriodEnd.value,
      currentPeriodEnd: c.facts.periodEndMs.value ? new Date(c.facts.periodEndMs.value).toISOString() : null,
      pending: c.pending,
      watermark: c.facts.watermarkMs ? new Date(c.facts.watermarkMs).toISOString() : null,
      dunning: c.dunning
        ? { startedAt: new Date(c.dunning.startedAtMs).toISOString(), sent: c.dunning.sent }
        : null,
      graceEndsAt: c.grace ? new Date(c.grace.endsAtMs).toISOString() : null,
      customerId: c.customerId,
      subscriptionId: c.subscriptionId,
      seatTier: c.facts.plan.value?.seatTier ?? null,
    };
  };

  const nextOp = () => subscriptionKeys.op(userId, ++c.opSeq);

  // --- Everything after a change: role, grace, seats, dunning bookkeeping, projection -------------

  /** One of the subscription emails to the user, addressed by name, linking to the plans by default. */
  async function email(
    template: Extract<EmailInput['template'], `subscription_${string}`>,
    reference: string,
    data: Record<string, unknown>,
  ) {
    const who = await subscriptionContact({ userId });
    await sendEmail({
      reference,
      template,
      to: who.email,
      // Name and link first: a template's own link (the hosted invoice page) wins.
      data: { name: who.name, link: who.billingUrl, ...data } as EmailInput['data'],
    });
  }

  async function saveProjection(): Promise<void> {
    const plan = c.facts.plan.value;
    await saveSubscriptionProjection({
      userId,
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

  async function sync(why: string): Promise<void> {
    const now = Date.now();
    const status = c.facts.status.value;
    // Dunning runs while a renewal is unpaid; a payment (or the end) stops it.
    if (status === 'past_due' && !c.dunning) c.dunning = { startedAtMs: now, sent: 0, payUrl };
    if (status === 'past_due' && c.dunning && payUrl) c.dunning.payUrl = payUrl;
    if (status !== 'past_due' && c.dunning) c.dunning = null;
    // Stripe's facts reach the row before the role moves, so a reader never sees the new role
    // with the old subscription (e.g. free, but still "active" and refused a new subscribe).
    await saveProjection();
    const graceBefore = c.grace?.endsAtMs;

    const entitled = entitledChoice(c.facts);
    const target: Role = entitled?.plan ?? 'free';
    const before = c.appliedRole;
    // Asked once per target: a role billing may not lower is recorded once, not at every change.
    if (c.targetRole !== target) {
      const { role } = await applySubscriptionRole({ userId, role: target, why });
      c.targetRole = target;
      c.appliedRole = role;
      const lostVideos = before !== null && keepsVideos(before) && !keepsVideos(role) && !c.grace;
      if (lostVideos) {
        const endsAtMs = now + settings.graceMs;
        // Reminders whose time has already passed at the start are not sent late.
        const remindersSent = settings.graceRemindersMs.filter((lead) => endsAtMs - lead <= now).length;
        c.grace = { endsAtMs, remindersSent, from: before };
      }
      // Moving to free (or off video) is announced once, with the grace period's end when there is one.
      if (before !== null && role !== before && (target === 'free' || lostVideos)) {
        await email(
          'subscription_downgraded',
          `subscription-${userId}-downgraded-${c.generation}-${c.opSeq}-${role}`,
          {
            planName: planFor(before).name,
            reason:
              endReason ??
              (c.facts.status.value === 'canceled'
                ? 'it was cancelled'
                : `the plan changed to ${planFor(role).name}`),
            videosDeletedOn: c.grace ? new Date(c.grace.endsAtMs).toISOString() : null,
          },
        );
        endReason = null;
      }
    }
    if (c.appliedRole && keepsVideos(c.appliedRole) && c.grace) c.grace = null; // resubscribed in time

    if (entitled?.plan === 'org_pro' && entitled.seatTier && entitled.seatTier !== appliedSeatTier) {
      const over = await applyOrgSeatTier({ userId, seatTier: entitled.seatTier });
      appliedSeatTier = entitled.seatTier;
      if (over.length > 0)
        await email(
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
    if (c.grace?.endsAtMs !== graceBefore) await saveProjection();
    upsertSearchAttributes([
      { key: UserIdAttr, value: userId },
      { key: DomainStatusAttr, value: status.toUpperCase() },
    ]);
  }

  // --- Stripe's events --------------------------------------------------------------------------

  async function ingest(e: StripeSubscriptionEvent): Promise<void> {
    if (seen.has(e.eventId)) return;
    seen.add(e.eventId);
    c.seenEvents.push(e.eventId);
    if (c.seenEvents.length > SEEN_EVENTS_KEPT) seen.delete(c.seenEvents.shift()!);
    eventsThisRun++;
    if (e.subscriptionId && c.subscriptionId && e.subscriptionId !== c.subscriptionId) {
      log.info('event for another subscription ignored', {
        eventId: e.eventId,
        subscriptionId: e.subscriptionId,
      });
      return;
    }
    if (e.subscriptionId && !c.subscriptionId) c.subscriptionId = e.subscriptionId;
    if (e.payUrl) payUrl = e.payUrl;
    const fact: SubscriptionFact = {
      stamp: { atMs: e.createdMs, id: e.eventId },
      ...(e.status !== undefined ? { status: e.status } : {}),
      ...(e.plan !== undefined && e.plan !== null ? { plan: e.plan } : {}),
      ...(e.periodEndMs !== undefined ? { periodEndMs: e.periodEndMs } : {}),
      ...(e.cancelAtPeriodEnd !== undefined ? { cancelAtPeriodEnd: e.cancelAtPeriodEnd } : {}),
    };
    const stale = isStale(c.facts, fact);
    c.facts = applyFact(c.facts, fact);
    if (stale && c.subscriptionId) await refetch(e.eventId);
  }

  /**
   * An event older than what is known: Stripe's current subscription is the truth. It is applied
   * only when it is recognisably this user's (metadata.userId) and priced by one of our lookup keys;
   * otherwise the stamps alone have kept the newer facts.
   */
  async function refetch(eventId: string): Promise<void> {
    const snap = await fetchStripeSubscription({ subscriptionId: c.subscriptionId! });
    if (!snap || snap.userId !== userId || snap.subscriptionId !== c.subscriptionId || !snap.plan) {
      log.info('stale event: Stripe re-read not applicable, stamps kept the newer state', { eventId });
      return;
    }
    learn(
      {
        status: snap.status,
        plan: snap.plan,
        periodEndMs: snap.periodEndMs,
        cancelAtPeriodEnd: snap.cancelAtPeriodEnd,
      },
      'refetch',
    );
  }

  // --- Timers -----------------------------------------------------------------------------------

  const downgradeDueMs = () =>
    c.pending && c.facts.periodEndMs.value !== null ? c.facts.periodEndMs.value - DOWNGRADE_LEAD_MS : null;
  const dunningDueMs = () =>
    c.dunning && c.dunning.sent < settings.dunningScheduleMs.length
      ? c.dunning.startedAtMs + settings.dunningScheduleMs[c.dunning.sent]!
      : null;
  const graceDueMs = () => {
    if (!c.grace) return null;
    const lead = settings.graceRemindersMs[c.grace.remindersSent];
    return lead !== undefined ? c.grace.endsAtMs - lead : c.grace.endsAtMs;
  };
  const nextDueMs = () => {
    const due = [downgradeDueMs(), dunningDueMs(), graceDueMs()].filter((v): v is number => v !== null);
    return due.length ? Math.min(...due) : null;
  };

  async function runDueTimers(): Promise<string | null> {
    const now = Date.now();
    let why: string | null = null;
    const downgradeAt = downgradeDueMs();
    if (downgradeAt !== null && downgradeAt <= now && c.pending && c.subscriptionId) {
      const to = c.pending;
      await updateStripeSubscriptionPlan({
        subscriptionId: c.subscriptionId,
        choice: to,
        prorate: false,
        key: nextOp(),
      });
      c.pending = null;
      learn({ plan: to }, 'downgrade');
      why = `scheduled change to ${to.plan} at the period end`;
    }
    const dunningAt = dunningDueMs();
    if (dunningAt !== null && dunningAt <= now && c.dunning) {
      const last = settings.dunningScheduleMs.length - 1;
      const step = c.dunning.sent;
      const planName = c.facts.plan.value ? planFor(c.facts.plan.value.plan).name : 'subscription';
      if (step < last) {
        await email(
          'subscription_payment_failed',
          `subscription-${userId}-dunning-${c.dunning.startedAtMs}-${step}`,
          {
            planName,
            attempt: step + 1,
            downgradeIn: relative(settings.dunningScheduleMs[last]! - settings.dunningScheduleMs[step]!),
            ...(c.dunning.payUrl ? { link: c.dunning.payUrl } : {}),
          },
        );
        c.dunning.sent++;
      } else {
        // Still unpaid at the end: the subscription ends at Stripe and the account moves to free.
        if (c.subscriptionId)
          await cancelStripeSubscription({ subscriptionId: c.subscriptionId, key: nextOp() });
        c.dunning.sent++;
        learn({ status: 'canceled', cancelAtPeriodEnd: false }, 'dunning-ended');
        c.pending = null;
        why = 'the renewal payment stayed unpaid';
        endReason = why;
      }
    }
    const graceAt = graceDueMs();
    if (graceAt !== null && graceAt <= now && c.grace) {
      const g = c.grace;
      if (g.remindersSent < settings.graceRemindersMs.length) {
        await email(
          'subscription_grace_reminder',
          `subscription-${userId}-grace-${g.endsAtMs}-${g.remindersSent}`,
          {
            deletesAt: new Date(g.endsAtMs).toISOString(),
            deletesIn: relative(g.endsAtMs - now),
          },
        );
        g.remindersSent++;
      } else {
        await deleteStoredVideos(g.endsAtMs);
        c.grace = null;
      }
    }
    return why;
  }

  /** The grace period is over: every stored video goes to video-<id> in delete mode (objects, clips, rows, storage). */
  async function deleteStoredVideos(graceEndMs: number): Promise<void> {
    const { videos } = await markUserVideosDeleted({ userId });
    for (const v of videos) {
      const workflowId = workflowIds.video(v.id);
      try {
        await startChild<VideoWorkflow>(videoWorkflowType, {
          workflowId,
          args: [
            {
              videoId: v.id,
              coachId: v.coachId,
              mode: 'delete',
              uploadTimeoutMs: settings.uploadTimeoutMs,
              mediaTaskQueue: settings.mediaTaskQueue,
            },
          ],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
        await getExternalWorkflowHandle(workflowId).signal(deleteVideoSignal);
      }
    }
    await email('subscription_videos_deleted', `subscription-${userId}-videos-deleted-${graceEndMs}`, {
      videoCount: videos.length,
    });
  }

  // --- Handlers ---------------------------------------------------------------------------------

  /**
   * An update's work, alone under the lock. A Stripe step that failed for good (a missing price, a
   * refused parameter) reaches the caller as its own failure type instead of a bare activity failure.
   */
  const forCaller = <T>(fn: () => Promise<T>): Promise<T> =>
    mutex.runExclusive(async () => {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure)
          throw ApplicationFailure.create({
            type: err.cause.type ?? 'ActivityFailed',
            message: err.cause.message,
            nonRetryable: true,
          });
        throw err;
      }
    });

  setHandler(subscriptionStateQuery, state);
  setHandler(stripeSubscriptionEventSignal, (e) => {
    inbox.push(e);
  });

  setHandler(
    subscribeUpdate,
    async ({ choice }) =>
      forCaller(async () => {
        const p = subscribeProblem(view());
        if (p) refuse(p);
        const wanted = checkedChoice(choice);
        creating = true;
        try {
          const { customerId } = await ensureStripeCustomer({
            userId,
            key: subscriptionKeys.customer(userId),
          });
          c.customerId = customerId;
          c.generation++;
          const created = await createStripeSubscription({
            userId,
            customerId,
            choice: wanted,
            key: subscriptionKeys.create(userId, c.generation),
          });
          c.subscriptionId = created.subscriptionId;
          c.pending = null;
          // Entitlement comes only from Stripe's word that an invoice was paid (invoice.paid, or
          // the subscription turning active): until then the new subscription is incomplete, whatever
          // the create answered. Stamped with Stripe's creation time, ordered before any event of
          // that second, so the first invoice's payment is never mistaken for an older event.
          c.facts = applyFact(c.facts, {
            stamp: {
              atMs: Math.max(created.createdMs, c.facts.watermarkMs + 1),
              id: `!create:${c.generation}`,
            },
            status: 'incomplete',
            plan: wanted,
            periodEndMs: created.periodEndMs,
            cancelAtPeriodEnd: false,
          });
          await sync(`subscribed to ${wanted.plan}`);
          version++;
          return {
            status: c.facts.status.value,
            subscriptionId: created.subscriptionId,
            needsPayment: created.needsPayment,
          };
        } finally {
          creating = false;
        }
      }),
    {
      validator: ({ choice }) => {
        checkedChoice(choice);
        if (creating)
          refuse({ code: 'already_subscribed', message: 'A subscription is being created already' });
        const p = subscribeProblem(view());
        if (p) refuse(p);
      },
    },
  );

  setHandler(
    changePlanUpdate,
    async ({ choice, when }) =>
      forCaller(async () => {
        const wanted = checkedChoice(choice);
        const p = changeProblem(view(), wanted);
        if (p) refuse(p);
        const from = c.facts.plan.value!;
        const timing = changeTiming(from, wanted, when);
        if (timing === 'period_end') {
          c.pending = wanted;
          await sync(`change to ${wanted.plan} scheduled for the period end`);
          version++;
          return { plan: from, effective: timing, pending: c.pending };
        }
        await updateStripeSubscriptionPlan({
          subscriptionId: c.subscriptionId!,
          choice: wanted,
          prorate: true,
          key: nextOp(),
        });
        c.pending = null;
        learn({ plan: wanted }, 'change');
        // Entitlements follow before the caller hears back: an upgrade's features work at once.
        await sync(`changed from ${from.plan} to ${wanted.plan}`);
        version++;
        return { plan: wanted, effective: timing, pending: null };
      }),
    {
      validator: ({ choice }) => {
        const wanted = checkedChoice(choice);
        const p = changeProblem(view(), wanted);
        if (p) refuse(p);
        if (!c.subscriptionId)
          refuse({ code: 'no_subscription', message: 'The subscription is still being created' });
      },
    },
  );

  setHandler(
    cancelSubscriptionUpdate,
    async (req) =>
      forCaller(async () => {
        const p = cancelProblem(view(), req.immediately, req.actorIsOperator);
        if (p) refuse(p);
        if (req.immediately) {
          await cancelStripeSubscription({ subscriptionId: c.subscriptionId!, key: nextOp() });
          learn({ status: 'canceled', cancelAtPeriodEnd: false }, 'cancel-now');
          c.pending = null;
          await sync('cancelled by an operator');
        } else {
          await setStripeCancelAtPeriodEnd({
            subscriptionId: c.subscriptionId!,
            cancel: true,
            key: nextOp(),
          });
          learn({ cancelAtPeriodEnd: true }, 'cancel');
          c.pending = null;
          await sync('cancellation scheduled for the period end');
        }
        version++;
        return state();
      }),
    {
      validator: (req) => {
        const p = cancelProblem(view(), Boolean(req?.immediately), Boolean(req?.actorIsOperator));
        if (p) refuse(p);
        if (!c.subscriptionId)
          refuse({ code: 'no_subscription', message: 'The subscription is still being created' });
      },
    },
  );

  setHandler(
    resumeSubscriptionUpdate,
    async () =>
      forCaller(async () => {
        const p = resumeProblem(view());
        if (p) refuse(p);
        await setStripeCancelAtPeriodEnd({ subscriptionId: c.subscriptionId!, cancel: false, key: nextOp() });
        learn({ cancelAtPeriodEnd: false }, 'resume');
        await sync('cancellation withdrawn');
        version++;
        return state();
      }),
    {
      validator: () => {
        const p = resumeProblem(view());
        if (p) refuse(p);
      },
    },
  );

  // --- Main loop --------------------------------------------------------------------------------

  const continueAsNewDue = () => eventsThisRun >= eventsPerRun || workflowInfo().continueAsNewSuggested;
  /** A new billing period began in this run (a renewal moved the period end forward). */
  const periodRolled = () =>
    runPeriodEndMs !== null &&
    c.facts.periodEndMs.value !== null &&
    c.facts.periodEndMs.value > runPeriodEndMs;

  setSummary(
    `Subscription of user ${userId}: plan changes, Stripe's subscription events, dunning and grace; ` +
      'continues as new each billing period',
    { userId, stripeCustomerId: c.customerId, stripeSubscriptionId: c.subscriptionId },
  );
  await mutex.runExclusive(() => sync('subscription workflow started'));
  let handled = version;
  for (;;) {
    const due = nextDueMs();
    const woken = () => inbox.length > 0 || handled !== version || continueAsNewDue();
    if (due === null) await condition(woken);
    else await condition(woken, Math.max(1, due - Date.now()));
    handled = version;
    await mutex.runExclusive(async () => {
      const changedBy: string[] = [];
      while (inbox.length > 0) {
        const e = inbox.shift()!;
        await ingest(e);
        changedBy.push(`Stripe ${e.type}`);
      }
      const timerWhy = await runDueTimers();
      if (timerWhy) changedBy.push(timerWhy);
      await sync(changedBy.join(', ') || 'timer');
      if (runPeriodEndMs === null) runPeriodEndMs = c.facts.periodEndMs.value;
    });
    if ((periodRolled() || continueAsNewDue()) && inbox.length === 0) {
      await condition(allHandlersFinished);
      if (inbox.length === 0) {
        c.seenEvents = [...seen].slice(-SEEN_EVENTS_KEPT);
        await continueAsNew<SubscriptionWorkflow>({ userId, settings, carried: c });
      }
    }
  }
}
