import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { OrgSeatTier } from '../../src/domain/subscriptions/plans';
import {
  applyFact,
  entitledChoice,
  initialFacts,
  type Stamp,
  type SubscriptionFact,
} from '../../src/domain/subscriptions/state';
import { type SubscriptionView } from '../../src/domain/subscriptions/requests';
import type { TimerFacts } from '../../src/domain/subscriptions/timers';
import {
  subscriptionKeys,
  type StripeSubscriptionEvent,
  type SubscriptionCarryOver,
  type SubscriptionSettings,
  type SubscriptionState,
  type SubscriptionWorkflow,
  type SubscriptionWorkflowInput,
} from './definitions';

const SEEN_EVENTS_KEPT = 500;
const DEFAULT_EVENTS_PER_RUN = 500;

/**
 * What one run of subscription-<userId> knows: what it carries to the next run (`c`: the stamped
 * facts, Stripe ids, dunning, grace, roles) and what is this run's own (the inbox, counters, the
 * seat tier applied, why a timer ended the plan, the newest payment link).
 */
export class SubscriptionRun {
  readonly userId: string;
  readonly settings: SubscriptionSettings;
  readonly c: SubscriptionCarryOver;
  private localSeq = 0;
  /** Stripe event ids already applied (the last SEEN_EVENTS_KEPT, carried over). */
  private readonly seen: Set<string>;
  /** Stripe's events as they arrive; the main loop applies them under the lock. */
  readonly inbox: StripeSubscriptionEvent[] = [];
  /** Bumped by every update, to wake the main loop. */
  version = 0;
  /** A subscribe update is creating the Stripe subscription (a second one is refused meanwhile). */
  creating = false;
  private eventsThisRun = 0;
  appliedSeatTier: OrgSeatTier | null = null;
  /** The period end this run started in (a later one means a renewal: time for a new run). */
  runPeriodEndMs: number | null;
  /** Why the plan ended, for the downgrade email, when a timer (dunning) ended it. */
  endReason: string | null = null;
  /** The newest hosted-invoice link a failed payment came with (dunning emails point to it). */
  payUrl: string | null;
  private readonly eventsPerRun: number;

  constructor(input: SubscriptionWorkflowInput) {
    this.userId = input.userId;
    this.settings = input.settings;
    this.c = input.carried ?? {
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
    this.seen = new Set(this.c.seenEvents);
    this.runPeriodEndMs = this.c.facts.periodEndMs.value;
    this.payUrl = this.c.dunning?.payUrl ?? null;
    this.eventsPerRun = input.settings.eventsPerRun ?? DEFAULT_EVENTS_PER_RUN;
  }

  /** A local change is newer than everything seen so far (its own second may hold older events). */
  private localStamp(what: string): Stamp {
    return {
      atMs: Math.max(Date.now(), this.c.facts.watermarkMs + 1),
      id: `local:${workflowInfo().runId}:${String(++this.localSeq).padStart(6, '0')}:${what}`,
    };
  }

  /** Folds in a change made here (not reported by Stripe), stamped after everything seen. */
  learn(fact: Omit<SubscriptionFact, 'stamp'>, what: string): void {
    this.c.facts = applyFact(this.c.facts, { ...fact, stamp: this.localStamp(what) });
  }

  /** Takes an event id the first time it is seen; false for a repeat (Stripe redelivers). */
  firstSighting(eventId: string): boolean {
    if (this.seen.has(eventId)) return false;
    this.seen.add(eventId);
    this.c.seenEvents.push(eventId);
    if (this.c.seenEvents.length > SEEN_EVENTS_KEPT) this.seen.delete(this.c.seenEvents.shift()!);
    this.eventsThisRun++;
    return true;
  }

  /** The next Stripe idempotency key of this user's operations. */
  nextOp(): string {
    return subscriptionKeys.op(this.userId, ++this.c.opSeq);
  }

  /** What the update rules judge (src/domain/subscriptions). */
  view(): SubscriptionView {
    return {
      status: this.c.facts.status.value,
      plan: this.c.facts.plan.value,
      cancelAtPeriodEnd: this.c.facts.cancelAtPeriodEnd.value,
    };
  }

  timerFacts(): TimerFacts {
    const { c } = this;
    return { pending: c.pending, periodEndMs: c.facts.periodEndMs.value, dunning: c.dunning, grace: c.grace };
  }

  state(): SubscriptionState {
    const { c } = this;
    const entitled = entitledChoice(c.facts);
    return {
      userId: this.userId,
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
  }

  private continueAsNewDue(): boolean {
    return this.eventsThisRun >= this.eventsPerRun || workflowInfo().continueAsNewSuggested;
  }

  /** A new billing period began in this run (a renewal moved the period end forward). */
  private periodRolled(): boolean {
    const periodEndMs = this.c.facts.periodEndMs.value;
    return this.runPeriodEndMs !== null && periodEndMs !== null && periodEndMs > this.runPeriodEndMs;
  }

  /** Wakes the main loop: an event, an update's change, or time to hand over to a new run. */
  woken(handled: number): boolean {
    return this.inbox.length > 0 || handled !== this.version || this.continueAsNewDue();
  }

  /**
   * Time to hand over to a new run: each billing period, and whenever this run is long (its event
   * budget or Temporal's suggestion), once no event is waiting.
   */
  handOverDue(): boolean {
    return (this.periodRolled() || this.continueAsNewDue()) && this.inbox.length === 0;
  }

  /** Continues as new once no handler is running, unless an event arrived meanwhile (then carries on). */
  async handOver(): Promise<void> {
    await condition(allHandlersFinished);
    if (this.inbox.length === 0) {
      this.c.seenEvents = [...this.seen].slice(-SEEN_EVENTS_KEPT);
      await continueAsNew<SubscriptionWorkflow>({
        userId: this.userId,
        settings: this.settings,
        carried: this.c,
      });
    }
  }
}
