import type Stripe from 'stripe';
import { conflict, invalidFields, unavailable } from '../../domain/shared/errors';
import { onboardingState, type OnboardingState } from '../../domain/payouts/payouts';
import {
  connectAccountOf,
  listPayouts,
  payoutSettingsUrl,
  readinessOfRow,
  type ConnectAccount,
  type Payout,
} from '../../data/payouts';
import type { Deps } from '../../infra/deps';
import type { Db } from '../../infra/prisma';
import { payoutStripeKeys } from '../../../workflows/payouts/definitions';
import { scheduleIds } from '../../../workflows/shared/ids';

// A coach's Stripe Connect account: created once (idempotency key from the coach id), then an
// onboarding link on every request (links are single-use and expire within minutes). Readiness is
// never taken from these answers: it comes only from account.updated events, applied in order by
// payout-account-<coach> (src/app/payouts/webhooks.ts), which also keeps the payout Schedule in step.

export type { Payout };

export interface AccountStatus {
  state: OnboardingState;
  account: ConnectAccount | null;
  /** The payout Schedule's next run; null when it is paused, absent or Temporal did not answer. */
  nextPayoutAt?: Date | null;
}

export interface Onboarding extends AccountStatus {
  onboardingUrl: string;
  onboardingExpiresAt: Date;
}

interface StripeErrorShape {
  type?: string;
  code?: string;
  param?: string;
  message?: string;
}

/** Stripe's answer as a DomainError: a bad country is the caller's (400); a refusal 409; the rest 503. */
function stripeProblem(err: unknown, what: string): never {
  const e = (typeof err === 'object' && err !== null ? err : {}) as StripeErrorShape;
  if (e.type === 'StripeInvalidRequestError' && e.param === 'country')
    throw invalidFields([{ field: 'country', reason: e.message ?? 'not supported by Stripe Connect' }]);
  // The same key still running at Stripe (a concurrent first call): the repeat gets its answer.
  if (e.type === 'StripeIdempotencyError' && e.code === 'idempotency_key_in_use')
    throw unavailable(`${what}: the same request is still running; try again`, 'stripe_busy', 1);
  if (e.type === 'StripeInvalidRequestError' || e.type === 'StripePermissionError')
    throw conflict(`${what}: Stripe refused (${e.message ?? e.code ?? e.type})`, 'stripe_rejected');
  throw unavailable(`${what}: Stripe could not be reached; try again`, 'stripe_unavailable', 5);
}

export async function payoutAccountStatus(
  deps: Pick<Deps, 'db' | 'temporal'>,
  coachId: string,
): Promise<AccountStatus> {
  const account = await connectAccountOf(deps.db, coachId);
  const state = onboardingState(readinessOfRow(account));
  return { state, account, nextPayoutAt: state === 'ready' ? await nextPayout(deps, coachId) : null };
}

/** When the coach's Schedule runs next; a Temporal hiccup shows as unknown (null), never as an error. */
async function nextPayout(deps: Pick<Deps, 'temporal'>, coachId: string): Promise<Date | null> {
  try {
    const d = await deps.temporal.schedule.getHandle(scheduleIds.coachPayouts(coachId)).describe();
    return d.state.paused ? null : (d.info.nextActionTimes[0] ?? null);
  } catch {
    return null;
  }
}

/**
 * Creates the coach's Express account on the first call (a retry within Stripe's 24 h key window
 * gets the same account back) and answers an onboarding link for it.
 */
export async function startPayoutOnboarding(
  deps: Pick<Deps, 'db' | 'stripe' | 'cfg'>,
  coach: { id: string; email: string },
  input: { country: string },
): Promise<Onboarding> {
  const { db, stripe, cfg } = deps;
  let account = await connectAccountOf(db, coach.id);
  if (!account) {
    let created: Stripe.Account;
    try {
      created = await stripe.accounts.create(
        {
          type: 'express',
          country: input.country,
          email: coach.email,
          capabilities: { transfers: { requested: true } },
          metadata: { coachId: coach.id },
        },
        { idempotencyKey: payoutStripeKeys.account(coach.id) },
      );
    } catch (err) {
      stripeProblem(err, 'Creating the Stripe account failed');
    }
    // Concurrent first calls get the same account from Stripe (same key); one row wins.
    await db.connectAccount.createMany({
      data: [{ coachId: coach.id, stripeAccountId: created.id }],
      skipDuplicates: true,
    });
    account = (await connectAccountOf(db, coach.id))!;
  }
  let link: Stripe.AccountLink;
  try {
    link = await stripe.accountLinks.create(
      {
        account: account.stripeAccountId,
        type: 'account_onboarding',
        refresh_url: payoutSettingsUrl(cfg, '?onboarding=refresh'),
        return_url: payoutSettingsUrl(cfg, '?onboarding=return'),
      },
      // A fresh link each time (they are single-use); the key only makes the SDK's own retries safe.
      { idempotencyKey: `connect-link-${account.stripeAccountId}-${crypto.randomUUID()}` },
    );
  } catch (err) {
    stripeProblem(err, 'Creating the onboarding link failed');
  }
  return {
    state: onboardingState(readinessOfRow(account)),
    account,
    onboardingUrl: link.url,
    onboardingExpiresAt: new Date(link.expires_at * 1000),
  };
}

export function payoutHistory(
  db: Db,
  coachId: string,
  page: { limit: number; offset: number },
): Promise<{ items: Payout[]; total: number }> {
  return listPayouts(db, coachId, page);
}
