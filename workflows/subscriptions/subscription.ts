import { ActivityFailure, ApplicationFailure, condition } from '@temporalio/workflow';
import { applyFact } from '../../src/domain/subscriptions/state';
import {
  cancelProblem,
  changeProblem,
  changeTiming,
  isProblem,
  parseChoice,
  resumeProblem,
  subscribeProblem,
  type SubscriptionProblem,
} from '../../src/domain/subscriptions/requests';
import { type PlanChoice } from '../../src/domain/subscriptions/catalogue';
import { nextDueMs } from '../../src/domain/subscriptions/timers';
import { setSummary } from '../shared/memo';
import { Mutex } from '../shared/mutex';
import {
  SubscriptionFailure,
  subscriptionKeys,
  type CancelRequest,
  type ChangeOutcome,
  type ChangeRequest,
  type StripeSubscriptionEvent,
  type SubscribeOutcome,
  type SubscribeRequest,
  type SubscriptionState,
  type SubscriptionWorkflowInput,
} from './definitions';
import { ingest } from './events';
import { stripe } from './proxies';
import { SubscriptionRun } from './state';
import { sync } from './sync';
import { runDueTimers } from './timers';

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

/**
 * One user's subscription run: its state (SubscriptionRun), the handlers the workflow function
 * registers, and the main loop. API calls are updates whose validators refuse what the rules refuse
 * (nothing is accepted, nothing changes); their work and the loop's run one at a time under the lock.
 */
export class Subscription {
  readonly st: SubscriptionRun;
  private readonly mutex = new Mutex();

  constructor(input: SubscriptionWorkflowInput) {
    this.st = new SubscriptionRun(input);
  }

  // ── Handlers ──

  receiveEvent(e: StripeSubscriptionEvent): void {
    this.st.inbox.push(e);
  }

  state(): SubscriptionState {
    return this.st.state();
  }

  validateSubscribe({ choice }: SubscribeRequest): void {
    checkedChoice(choice);
    if (this.st.creating)
      refuse({ code: 'already_subscribed', message: 'A subscription is being created already' });
    const p = subscribeProblem(this.st.view());
    if (p) refuse(p);
  }

  async subscribe({ choice }: SubscribeRequest): Promise<SubscribeOutcome> {
    const { st } = this;
    const { c, userId } = st;
    return this.forCaller(async () => {
      const p = subscribeProblem(st.view());
      if (p) refuse(p);
      const wanted = checkedChoice(choice);
      st.creating = true;
      try {
        const { customerId } = await stripe.ensureStripeCustomer({
          userId,
          key: subscriptionKeys.customer(userId),
        });
        c.customerId = customerId;
        c.generation++;
        const created = await stripe.createStripeSubscription({
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
        await sync(st, `subscribed to ${wanted.plan}`);
        st.version++;
        return {
          status: c.facts.status.value,
          subscriptionId: created.subscriptionId,
          needsPayment: created.needsPayment,
        };
      } finally {
        st.creating = false;
      }
    });
  }

  validateChange({ choice }: ChangeRequest): void {
    const wanted = checkedChoice(choice);
    const p = changeProblem(this.st.view(), wanted);
    if (p) refuse(p);
    if (!this.st.c.subscriptionId)
      refuse({ code: 'no_subscription', message: 'The subscription is still being created' });
  }

  async changePlan({ choice, when }: ChangeRequest): Promise<ChangeOutcome> {
    const { st } = this;
    const { c } = st;
    return this.forCaller(async () => {
      const wanted = checkedChoice(choice);
      const p = changeProblem(st.view(), wanted);
      if (p) refuse(p);
      const from = c.facts.plan.value!;
      const timing = changeTiming(from, wanted, when);
      if (timing === 'period_end') {
        c.pending = wanted;
        await sync(st, `change to ${wanted.plan} scheduled for the period end`);
        st.version++;
        return { plan: from, effective: timing, pending: c.pending };
      }
      await stripe.updateStripeSubscriptionPlan({
        subscriptionId: c.subscriptionId!,
        choice: wanted,
        prorate: true,
        key: st.nextOp(),
      });
      c.pending = null;
      st.learn({ plan: wanted }, 'change');
      // Entitlements follow before the caller hears back: an upgrade's features work at once.
      await sync(st, `changed from ${from.plan} to ${wanted.plan}`);
      st.version++;
      return { plan: wanted, effective: timing, pending: null };
    });
  }

  validateCancel(req: CancelRequest): void {
    const p = cancelProblem(this.st.view(), Boolean(req?.immediately), Boolean(req?.actorIsOperator));
    if (p) refuse(p);
    if (!this.st.c.subscriptionId)
      refuse({ code: 'no_subscription', message: 'The subscription is still being created' });
  }

  async cancel(req: CancelRequest): Promise<SubscriptionState> {
    const { st } = this;
    const { c } = st;
    return this.forCaller(async () => {
      const p = cancelProblem(st.view(), req.immediately, req.actorIsOperator);
      if (p) refuse(p);
      if (req.immediately) {
        await stripe.cancelStripeSubscription({ subscriptionId: c.subscriptionId!, key: st.nextOp() });
        st.learn({ status: 'canceled', cancelAtPeriodEnd: false }, 'cancel-now');
        c.pending = null;
        await sync(st, 'cancelled by an operator');
      } else {
        await stripe.setStripeCancelAtPeriodEnd({
          subscriptionId: c.subscriptionId!,
          cancel: true,
          key: st.nextOp(),
        });
        st.learn({ cancelAtPeriodEnd: true }, 'cancel');
        c.pending = null;
        await sync(st, 'cancellation scheduled for the period end');
      }
      st.version++;
      return st.state();
    });
  }

  validateResume(): void {
    const p = resumeProblem(this.st.view());
    if (p) refuse(p);
  }

  async resume(): Promise<SubscriptionState> {
    const { st } = this;
    return this.forCaller(async () => {
      const p = resumeProblem(st.view());
      if (p) refuse(p);
      await stripe.setStripeCancelAtPeriodEnd({
        subscriptionId: st.c.subscriptionId!,
        cancel: false,
        key: st.nextOp(),
      });
      st.learn({ cancelAtPeriodEnd: false }, 'resume');
      await sync(st, 'cancellation withdrawn');
      st.version++;
      return st.state();
    });
  }

  // ── Main loop ──

  async run(): Promise<void> {
    const { st } = this;
    const { c, userId, settings } = st;
    setSummary(
      `Subscription of user ${userId}: plan changes, Stripe's subscription events, dunning and grace; ` +
        'continues as new each billing period',
      { userId, stripeCustomerId: c.customerId, stripeSubscriptionId: c.subscriptionId },
    );
    await this.mutex.runExclusive(() => sync(st, 'subscription workflow started'));
    let handled = st.version;
    for (;;) {
      const due = nextDueMs(st.timerFacts(), settings);
      const woken = () => st.woken(handled);
      if (due === null) await condition(woken);
      else await condition(woken, Math.max(1, due - Date.now()));
      handled = st.version;
      await this.mutex.runExclusive(async () => {
        const changedBy: string[] = [];
        while (st.inbox.length > 0) {
          const e = st.inbox.shift()!;
          await ingest(st, e);
          changedBy.push(`Stripe ${e.type}`);
        }
        const timerWhy = await runDueTimers(st);
        if (timerWhy) changedBy.push(timerWhy);
        await sync(st, changedBy.join(', ') || 'timer');
        if (st.runPeriodEndMs === null) st.runPeriodEndMs = c.facts.periodEndMs.value;
      });
      if (st.handOverDue()) await st.handOver();
    }
  }

  /**
   * An update's work, alone under the lock. A Stripe step that failed for good (a missing price, a
   * refused parameter) reaches the caller as its own failure type instead of a bare activity failure.
   */
  private forCaller<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.runExclusive(async () => {
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
  }
}
