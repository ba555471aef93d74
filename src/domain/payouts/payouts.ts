import { format, isSupportedCurrency, money } from '../shared/money';
import { isPermanentStripeError, type StripeErrorInfo } from '../payments/stripe-errors';

// Payout rules: what a coach is paid, when their Connect account may be paid, which period a run
// pays for, and what a Stripe refusal means to the coach. Pure: no I/O, clock or env.

/** A Connect account's readiness, as Stripe's account object (and the account.updated event) reports it. */
export interface AccountReadiness {
  chargesEnabled: boolean;
  payoutsEnabled: boolean;
  detailsSubmitted: boolean;
  /** Stripe's requirements.currently_due. */
  requirementsDue: string[];
  /** Stripe's requirements.disabled_reason. */
  disabledReason: string | null;
}

/** The subset of Stripe's Account object readiness is read from (plain data; no Stripe types here). */
export interface StripeAccountLike {
  charges_enabled?: boolean | null;
  payouts_enabled?: boolean | null;
  details_submitted?: boolean | null;
  requirements?: { currently_due?: string[] | null; disabled_reason?: string | null } | null;
}

export function readinessOf(account: StripeAccountLike): AccountReadiness {
  const due = account.requirements?.currently_due ?? [];
  return {
    chargesEnabled: account.charges_enabled === true,
    payoutsEnabled: account.payouts_enabled === true,
    detailsSubmitted: account.details_submitted === true,
    // Bounded: the list is shown to the coach and stored; Stripe's field names are short.
    requirementsDue: [...new Set(due.filter((f) => typeof f === 'string' && f.length <= 200))].slice(0, 100),
    disabledReason: account.requirements?.disabled_reason ?? null,
  };
}

export type OnboardingState = 'not_connected' | 'onboarding' | 'restricted' | 'ready';

/**
 * not_connected: no account yet · onboarding: details not submitted · restricted: submitted but Stripe
 * does not let it take payouts (requirements due, under review) · ready: payouts enabled.
 */
export function onboardingState(r: AccountReadiness | null): OnboardingState {
  if (!r) return 'not_connected';
  if (r.payoutsEnabled) return 'ready';
  return r.detailsSubmitted ? 'restricted' : 'onboarding';
}

/** The coach's payout Schedule runs only while Stripe lets the account take payouts. */
export function scheduleWanted(r: AccountReadiness | null): boolean {
  return r?.payoutsEnabled === true;
}

/** Per currency: what the ledger says is available, and what payouts not yet in the ledger already claim. */
export interface PayableInput {
  currency: string;
  availableMinor: number;
  /** Payouts recorded (pending / in transit) whose ledger transaction is not posted yet. */
  inFlightMinor: number;
}

/** Largest amount one transfer may carry (Stripe's amount limit is 8 digits for most currencies). */
export const MAX_TRANSFER_MINOR = 99_999_999;

/**
 * What one run pays per currency: available minus what is already on its way, never negative, in
 * integer minor units, at most MAX_TRANSFER_MINOR (the rest waits for the next run). Currencies with
 * nothing payable are left out; the order is by currency code so a rerun decides identically.
 */
export function payableAmounts(
  balances: readonly PayableInput[],
): { currency: string; amountMinor: number }[] {
  const byCurrency = new Map<string, number>();
  for (const b of balances) {
    if (!Number.isSafeInteger(b.availableMinor) || !Number.isSafeInteger(b.inFlightMinor))
      throw new RangeError(`balance for ${b.currency} is not an integer number of minor units`);
    const currency = b.currency.toLowerCase();
    byCurrency.set(currency, (byCurrency.get(currency) ?? 0) + b.availableMinor - b.inFlightMinor);
  }
  return [...byCurrency.entries()]
    .filter(([, amount]) => amount > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amount]) => ({ currency, amountMinor: Math.min(amount, MAX_TRANSFER_MINOR) }));
}

/**
 * The period a payout run pays for. A Temporal Schedule starts its runs with the workflow id it was
 * given plus `-<nominal time>` (RFC 3339), so `payout-<coach>` becomes `payout-<coach>-<time>` and the
 * time is the period; a run started by hand names its period in its id the same way. Anything else
 * falls back to the run's start time, so a period always exists and a rerun of the same id agrees.
 */
export function payoutPeriod(workflowId: string, coachId: string, startedAt: Date): string {
  const prefix = `payout-${coachId}-`;
  if (workflowId.startsWith(prefix)) {
    const rest = workflowId.slice(prefix.length);
    if (/^[0-9A-Za-z:._+-]{1,64}$/.test(rest)) return rest;
  }
  return startedAt.toISOString();
}

/** Why a payout failed for good, in words the coach can act on. */
export const PAYOUT_FAILURE_REASONS = {
  no_account: 'No Stripe account is connected for payouts. Connect one from your payout settings.',
  payouts_disabled:
    'Stripe does not allow payouts to your account yet. Complete the details Stripe asks for in your payout settings.',
  insufficient_platform_balance:
    'The platform’s Stripe balance could not cover this transfer. Your balance stays payable and is retried on the next payout.',
  account_invalid: 'Stripe refused the transfer to your connected account. Check your payout settings.',
} as const;
export type PayoutFailureCode = keyof typeof PAYOUT_FAILURE_REASONS | 'stripe_rejected';

/**
 * A transfer refusal: permanent ones (retrying cannot help) with the code and reason the payout keeps;
 * everything else (network, rate limit, Stripe's 5xx) is retried with backoff.
 */
export function classifyTransferError(
  e: StripeErrorInfo,
): { permanent: false } | { permanent: true; code: PayoutFailureCode; reason: string } {
  if (!isPermanentStripeError(e) || !e.type) return { permanent: false };
  if (e.code === 'balance_insufficient' || e.code === 'insufficient_funds')
    return {
      permanent: true,
      code: 'insufficient_platform_balance',
      reason: PAYOUT_FAILURE_REASONS.insufficient_platform_balance,
    };
  if (e.code === 'account_invalid' || e.code === 'no_account' || e.type === 'StripePermissionError')
    return { permanent: true, code: 'account_invalid', reason: PAYOUT_FAILURE_REASONS.account_invalid };
  const detail = (e.message ?? e.code ?? e.type).slice(0, 300);
  return { permanent: true, code: 'stripe_rejected', reason: `Stripe refused the transfer: ${detail}` };
}

/**
 * An amount for the coach's email: formatted with the currency's symbol when the money module knows
 * the currency, else "1234.56 SEK"-style from the ISO exponent 2 — never a throw inside a workflow.
 */
export function formatPayoutAmount(amountMinor: number, currency: string): string {
  const code = currency.toUpperCase();
  if (isSupportedCurrency(code)) return format(money(amountMinor, code));
  return `${(amountMinor / 100).toFixed(2)} ${code}`;
}
