import type { ApplicationFailure, UpdateDefinition } from '@temporalio/common';
import { PLAN_CURRENCY, type OrgSeatTier, type Role } from '../../domain/subscriptions/plans';
import { prorate, type Proration } from '../../domain/subscriptions/proration';
import {
  cancelProblem,
  changeDirection,
  changeProblem,
  changeTiming,
  isProblem,
  parseChoice,
  resumeProblem,
  subscribeProblem,
  type ChangeTiming,
  type SubscriptionProblem,
  type SubscriptionView,
} from '../../domain/subscriptions/requests';
import { isSubscriptionStatus } from '../../domain/subscriptions/state';
import { priceOfChoice, type PlanChoice } from '../../domain/subscriptions/catalogue';
import type { AuthUser } from '../identity/accounts';
import {
  conflict,
  forbidden,
  invalid,
  notFound,
  unavailable,
  type DomainError,
} from '../../domain/shared/errors';
import { seatsOverLimit, subscriptionOf } from '../../data/subscriptions';
import type { Deps } from '../../infra/deps';
import {
  cancelSubscriptionUpdate,
  changePlanUpdate,
  resumeSubscriptionUpdate,
  subscribeUpdate,
  SubscriptionFailure,
  type SubscriptionWorkflow,
} from '../../../workflows/subscriptions/definitions';
import { StripeFailure } from '../../../workflows/shared/failures';
import { temporalFailure } from '../temporal-failures';
import { subscriptionStartOperation } from './workflow';

// Subscription use cases. Reads come from the subscriptions row (the workflow's projection); every
// change is an Update on subscription-<userId> (update-with-start), whose validators are the
// authority. The same rules run here first against the row, so a request that cannot succeed gets
// its 4xx without reaching Temporal, and the answer is the same either way.

type SubDeps = Pick<Deps, 'db' | 'temporal' | 'cfg' | 'stripe'>;

/** How long a change waits for the workflow (and its Stripe call) before answering 503. */
const UPDATE_WAIT_MS = 30_000;

/** One translation of a rule's refusal into the API's errors (the workflow's refusals come here too). */
export function problemError(p: SubscriptionProblem): DomainError {
  const details = p.field ? [{ field: p.field, reason: p.message.replace(`${p.field}: `, '') }] : undefined;
  if (p.code === 'operators_only') return forbidden(p.message, p.code, details);
  if (p.code === 'unknown_plan' || p.code === 'invalid_seat_tier' || p.code === 'same_plan')
    return invalid(p.message, details, p.code);
  return conflict(p.message, p.code, details);
}

function refusedError(f: ApplicationFailure): DomainError {
  const [code, field] = (f.details ?? []) as [SubscriptionProblem['code'] | undefined, string | null];
  if (code) return problemError({ code, message: f.message, ...(field ? { field } : {}) });
  if (f.type === StripeFailure.Rejected)
    return unavailable(`Stripe refused the change: ${f.message}`, 'stripe_rejected', 30);
  if (f.type === SubscriptionFailure.Forbidden) return forbidden(f.message);
  if (f.type === SubscriptionFailure.InvalidRequest) return invalid(f.message);
  return conflict(f.message, 'invalid_transition');
}

async function runUpdate<Ret, Args extends unknown[]>(
  deps: SubDeps,
  userId: string,
  update: UpdateDefinition<Ret, Args, string>,
  args: Args,
): Promise<Ret> {
  try {
    return await deps.temporal.withDeadline(Date.now() + UPDATE_WAIT_MS, () =>
      deps.temporal.workflow.executeUpdateWithStart<SubscriptionWorkflow, Ret, Args>(update, {
        args,
        startWorkflowOperation: subscriptionStartOperation(deps, userId),
      }),
    );
  } catch (err) {
    throw await temporalFailure(err, {
      what: 'The subscription could not be changed',
      refused: refusedError,
      closed: () => conflict('The subscription workflow has closed; try again', 'workflow_closed'),
    });
  }
}

function choiceOf(plan: string, seatTier: string | null | undefined): PlanChoice {
  const parsed = parseChoice(plan, seatTier);
  if (isProblem(parsed)) throw problemError(parsed);
  return parsed;
}

type Row = NonNullable<Awaited<ReturnType<typeof subscriptionOf>>>;

function viewOf(row: Row | null): SubscriptionView {
  if (!row || !isSubscriptionStatus(row.status))
    return { status: 'none', plan: null, cancelAtPeriodEnd: false };
  return {
    status: row.status,
    plan: row.plan ? { plan: row.plan, seatTier: (row.seatTier as OrgSeatTier | null) ?? null } : null,
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
  };
}

export interface SubscriptionDetails {
  plan: Role | null;
  seatTier: OrgSeatTier | null;
  status: string;
  role: Role;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  pendingPlan: Role | null;
  pendingSeatTier: OrgSeatTier | null;
  graceEndsAt: Date | null;
  dunning: { startedAt: Date; emailsSent: number } | null;
  seatsOverLimit: Awaited<ReturnType<typeof seatsOverLimit>>;
}

export async function mySubscription(deps: Pick<Deps, 'db'>, userId: string): Promise<SubscriptionDetails> {
  const [row, user] = await Promise.all([
    subscriptionOf(deps.db, userId),
    deps.db.user.findUniqueOrThrow({ where: { id: userId }, select: { role: true } }),
  ]);
  const seatTier = (row?.seatTier as OrgSeatTier | null) ?? null;
  return {
    plan: row?.plan ?? null,
    seatTier,
    status: row?.status ?? 'none',
    role: user.role,
    currentPeriodEnd: row?.currentPeriodEnd ?? null,
    cancelAtPeriodEnd: row?.cancelAtPeriodEnd ?? false,
    pendingPlan: row?.pendingPlan ?? null,
    pendingSeatTier: (row?.pendingSeatTier as OrgSeatTier | null) ?? null,
    graceEndsAt: row?.graceEndsAt ?? null,
    dunning: row?.dunningStartedAt
      ? { startedAt: row.dunningStartedAt, emailsSent: row.dunningEmailsSent }
      : null,
    seatsOverLimit:
      row?.plan === 'org_pro' && seatTier ? await seatsOverLimit(deps.db, userId, seatTier) : [],
  };
}

/** Subscribe: the customer and the subscription are created by the workflow; the client confirms the first payment with `clientSecret`. */
export async function subscribe(
  deps: SubDeps,
  user: AuthUser,
  input: { plan: string; seatTier?: string | null },
): Promise<{ subscription: SubscriptionDetails; clientSecret: string | null; needsPayment: boolean }> {
  const choice = choiceOf(input.plan, input.seatTier);
  const p = subscribeProblem(viewOf(await subscriptionOf(deps.db, user.id)));
  if (p) throw problemError(p);
  const outcome = await runUpdate(deps, user.id, subscribeUpdate, [{ choice }]);
  const row = await subscriptionOf(deps.db, user.id);
  return {
    subscription: await mySubscription(deps, user.id),
    clientSecret: outcome.needsPayment ? (row?.clientSecret ?? null) : null,
    needsPayment: outcome.needsPayment,
  };
}

export interface ChangePreview {
  from: PlanChoice;
  to: PlanChoice;
  direction: ReturnType<typeof changeDirection>;
  effective: ChangeTiming;
  currency: string;
  /** What changing now would invoice (prorated to the second, as Stripe does); zero for a change at the period end. */
  proration: Proration;
}

/** The prorated cost of a change, before it is made (the same rules and amounts the change uses). */
export async function previewChange(
  deps: Pick<Deps, 'db'>,
  userId: string,
  input: { plan: string; seatTier?: string | null; when?: ChangeTiming },
  now = new Date(),
): Promise<ChangePreview> {
  const to = choiceOf(input.plan, input.seatTier);
  const row = await subscriptionOf(deps.db, userId);
  const view = viewOf(row);
  const p = changeProblem(view, to);
  if (p) throw problemError(p);
  const from = view.plan!;
  const effective = changeTiming(from, to, input.when);
  const periodEndMs = row!.currentPeriodEnd?.getTime() ?? now.getTime();
  // Monthly plans: the period started a month before it ends.
  const start = new Date(periodEndMs);
  start.setUTCMonth(start.getUTCMonth() - 1);
  const proration =
    effective === 'now' && periodEndMs > now.getTime()
      ? prorate({
          fromPriceMinor: priceOfChoice(from),
          toPriceMinor: priceOfChoice(to),
          periodStartMs: start.getTime(),
          periodEndMs,
          atMs: now.getTime(),
        })
      : { creditMinor: 0, chargeMinor: 0, amountDueMinor: 0, remainingPpm: 0 };
  return {
    from,
    to,
    direction: changeDirection(from, to),
    effective,
    currency: PLAN_CURRENCY.toLowerCase(),
    proration,
  };
}

export async function changePlan(
  deps: SubDeps,
  user: AuthUser,
  input: { plan: string; seatTier?: string | null; when?: ChangeTiming },
): Promise<{ subscription: SubscriptionDetails; effective: ChangeTiming }> {
  const choice = choiceOf(input.plan, input.seatTier);
  const p = changeProblem(viewOf(await subscriptionOf(deps.db, user.id)), choice);
  if (p) throw problemError(p);
  const outcome = await runUpdate(deps, user.id, changePlanUpdate, [
    { choice, ...(input.when ? { when: input.when } : {}) },
  ]);
  return { subscription: await mySubscription(deps, user.id), effective: outcome.effective };
}

/** Cancel at the period end; `immediately` only for operators (superuser), who may also name another user. */
export async function cancelSubscription(
  deps: SubDeps,
  actor: AuthUser,
  input: { immediately?: boolean; userId?: string },
): Promise<SubscriptionDetails> {
  const isOperator = actor.role === 'superuser';
  if (input.userId && input.userId !== actor.id && !isOperator)
    throw forbidden('userId: only operators can cancel another user’s subscription', 'operators_only', [
      { field: 'userId', reason: 'only operators can cancel another user’s subscription' },
    ]);
  const userId = input.userId ?? actor.id;
  if (input.userId && !(await deps.db.user.count({ where: { id: userId } }))) throw notFound('User');
  const immediately = Boolean(input.immediately);
  const p = cancelProblem(viewOf(await subscriptionOf(deps.db, userId)), immediately, isOperator);
  if (p) throw problemError(p);
  await runUpdate(deps, userId, cancelSubscriptionUpdate, [{ immediately, actorIsOperator: isOperator }]);
  return mySubscription(deps, userId);
}

export async function resumeSubscription(deps: SubDeps, user: AuthUser): Promise<SubscriptionDetails> {
  const p = resumeProblem(viewOf(await subscriptionOf(deps.db, user.id)));
  if (p) throw problemError(p);
  await runUpdate(deps, user.id, resumeSubscriptionUpdate, []);
  return mySubscription(deps, user.id);
}

export interface InvoiceSummary {
  id: string;
  status: string | null;
  amountDueMinor: number;
  amountPaidMinor: number;
  currency: string;
  created: Date;
  hostedInvoiceUrl: string | null;
}

/** The user's invoices, newest first, straight from Stripe (a read: no idempotency key needed). */
export async function myInvoices(deps: SubDeps, userId: string): Promise<InvoiceSummary[]> {
  const row = await subscriptionOf(deps.db, userId);
  if (!row?.stripeCustomerId) return [];
  let list;
  try {
    list = await deps.stripe.invoices.list({ customer: row.stripeCustomerId, limit: 24 });
  } catch (err) {
    throw unavailable(`Stripe could not be reached: ${(err as Error).message}`, 'stripe_unavailable', 5);
  }
  return list.data.map((i) => ({
    id: i.id ?? '',
    status: i.status ?? null,
    amountDueMinor: i.amount_due,
    amountPaidMinor: i.amount_paid,
    currency: i.currency,
    created: new Date(i.created * 1000),
    hostedInvoiceUrl: i.hosted_invoice_url ?? null,
  }));
}
