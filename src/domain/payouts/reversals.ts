// Reversals of a coach payout's transfer (Stripe `transfer.reversed`, made from the dashboard or the
// API after the payout was made): what an event says, which of its reversals are new, and whether it
// may count at all. Pure: the webhook router reads the event with readTransferReversed, the payout
// activity plans with planPayoutReversals against what the ledger already holds, under the payout's
// row lock, and posts only what the plan says (docs/adr/0018-payout-transfer-reversals.md).

import { isStripeId } from '../shared/ids';

/** One TransferReversal (`trr_…`) as the event lists it. */
export interface TransferReversalLine {
  id: string;
  amountMinor: number;
  /** Lowercase ISO 4217. */
  currency: string;
}

/** What a transfer.reversed event reports about the transfer, checked for shape (not yet for sense). */
export interface TransferReversedReport {
  transferId: string;
  /** The transfer's amount. */
  amountMinor: number;
  /** Stripe's cumulative amount_reversed. */
  amountReversedMinor: number;
  /** Lowercase ISO 4217. */
  currency: string;
  /** The reversals the event lists (Stripe's list holds the newest ten unless expanded). */
  reversals: TransferReversalLine[];
  /** Stripe's list had more reversals than the event carried. */
  hasMore: boolean;
}

/** The part of Stripe's Transfer object a reversal is read from (plain data; no Stripe types here). */
export interface StripeTransferLike {
  id?: unknown;
  amount?: unknown;
  amount_reversed?: unknown;
  currency?: unknown;
  reversals?: unknown;
}

const CURRENCY = /^[A-Za-z]{3}$/;
/** At most this many reversals of one event are carried into a workflow signal. */
export const MAX_LISTED_REVERSALS = 100;

const isMinor = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Reads a transfer.reversed event's Transfer. A payload that is not what Stripe sends (an amount that
 * is not a non-negative integer, a reversal without id, amount or currency) is a problem: the whole
 * event is refused rather than counted in part.
 */
export function readTransferReversed(
  t: StripeTransferLike,
): { ok: true; report: TransferReversedReport } | { ok: false; problem: string } {
  if (!isStripeId(t.id)) return { ok: false, problem: 'the transfer has no valid id' };
  if (!isMinor(t.amount)) return { ok: false, problem: 'amount is not a non-negative integer' };
  if (!isMinor(t.amount_reversed))
    return { ok: false, problem: 'amount_reversed is not a non-negative integer' };
  if (typeof t.currency !== 'string' || !CURRENCY.test(t.currency))
    return { ok: false, problem: 'currency is not a 3-letter code' };
  const list = t.reversals as { data?: unknown; has_more?: unknown } | null | undefined;
  if (!list || typeof list !== 'object' || !Array.isArray(list.data))
    return { ok: false, problem: 'reversals is not a list' };
  const reversals: TransferReversalLine[] = [];
  for (const [i, raw] of list.data.slice(0, MAX_LISTED_REVERSALS).entries()) {
    const r = (raw ?? {}) as { id?: unknown; amount?: unknown; currency?: unknown };
    if (!isStripeId(r.id)) return { ok: false, problem: `reversals[${i}] has no valid id` };
    if (!isMinor(r.amount) || r.amount === 0)
      return { ok: false, problem: `reversal ${r.id}: amount is not a positive integer` };
    if (typeof r.currency !== 'string' || !CURRENCY.test(r.currency))
      return { ok: false, problem: `reversal ${r.id}: currency is not a 3-letter code` };
    reversals.push({ id: r.id, amountMinor: r.amount, currency: r.currency.toLowerCase() });
  }
  return {
    ok: true,
    report: {
      transferId: t.id,
      amountMinor: t.amount,
      amountReversedMinor: t.amount_reversed,
      currency: t.currency.toLowerCase(),
      reversals,
      hasMore: list.has_more === true || list.data.length > MAX_LISTED_REVERSALS,
    },
  };
}

/** The payout as Postgres holds it, with the transfer reversals its ledger already has. */
export interface PayoutReversalFacts {
  transferId: string | null;
  amountMinor: number;
  currency: string;
  /** Reversals posted to the ledger for this payout (by reversal id). */
  posted: { id: string; amountMinor: number }[];
}

export type ReversalRefusal =
  'transfer_mismatch' | 'currency_mismatch' | 'amount_mismatch' | 'reversal_mismatch' | 'over_reversed';

export type ReversalPlan =
  | {
      ok: true;
      /** Reversals to post now, in the event's order. */
      toPost: TransferReversalLine[];
      /** Reversal ids of the event that were posted before (a redelivery, or a later event repeating them). */
      known: string[];
      /** Reversed in total once toPost is posted. */
      reversedMinor: number;
      /** The whole payout is reversed once toPost is posted. */
      fullyReversed: boolean;
      /**
       * What Stripe says was reversed beyond every reversal posted or listed: reversals this event did
       * not list (more than its list held) whose own events have not been applied yet. Not posted.
       */
      unlistedMinor: number;
    }
  | { ok: false; code: ReversalRefusal; reason: string };

const refuse = (code: ReversalRefusal, reason: string): ReversalPlan => ({ ok: false, code, reason });

/**
 * Which of an event's reversals to post. The event counts only for the payout's own transfer, in its
 * currency, for its amount; every reversal must be in that currency, one already posted must carry the
 * same amount, and everything reversed together may never exceed the payout. Anything else refuses the
 * whole event (nothing of it is posted): a signed event that disagrees with what we transferred is for
 * a person to look at, not to be counted in part.
 */
export function planPayoutReversals(
  payout: PayoutReversalFacts,
  report: TransferReversedReport,
): ReversalPlan {
  const currency = payout.currency.trim().toLowerCase();
  if (payout.transferId === null || report.transferId !== payout.transferId)
    return refuse(
      'transfer_mismatch',
      `the event is about transfer ${report.transferId}, the payout's is ${payout.transferId ?? 'none'}`,
    );
  if (report.currency !== currency)
    return refuse('currency_mismatch', `the transfer is in ${report.currency}, the payout in ${currency}`);
  if (report.amountMinor !== payout.amountMinor)
    return refuse(
      'amount_mismatch',
      `the transfer's amount is ${report.amountMinor}, the payout's ${payout.amountMinor}`,
    );
  if (report.amountReversedMinor > report.amountMinor)
    return refuse(
      'amount_mismatch',
      `amount_reversed ${report.amountReversedMinor} exceeds the transfer's ${report.amountMinor}`,
    );

  const posted = new Map(payout.posted.map((p) => [p.id, p.amountMinor]));
  const listed = new Map<string, TransferReversalLine>();
  for (const r of report.reversals) {
    if (r.currency !== currency)
      return refuse('currency_mismatch', `reversal ${r.id} is in ${r.currency}, the payout in ${currency}`);
    const twice = listed.get(r.id);
    if (twice && twice.amountMinor !== r.amountMinor)
      return refuse('reversal_mismatch', `reversal ${r.id} is listed twice with different amounts`);
    const before = posted.get(r.id);
    if (before !== undefined && before !== r.amountMinor)
      return refuse(
        'reversal_mismatch',
        `reversal ${r.id} is ${r.amountMinor} now but was posted as ${before}`,
      );
    listed.set(r.id, r);
  }
  const listedMinor = [...listed.values()].reduce((s, r) => s + r.amountMinor, 0);
  if (listedMinor > report.amountReversedMinor)
    return refuse(
      'amount_mismatch',
      `the listed reversals add up to ${listedMinor}, more than amount_reversed ${report.amountReversedMinor}`,
    );

  const toPost = [...listed.values()].filter((r) => !posted.has(r.id));
  const known = [...listed.keys()].filter((id) => posted.has(id));
  const reversedBefore = payout.posted.reduce((s, p) => s + p.amountMinor, 0);
  const reversedMinor = reversedBefore + toPost.reduce((s, r) => s + r.amountMinor, 0);
  if (reversedMinor > payout.amountMinor)
    return refuse(
      'over_reversed',
      `reversing ${reversedMinor} in total would exceed the payout's ${payout.amountMinor}`,
    );
  return {
    ok: true,
    toPost,
    known,
    reversedMinor,
    fullyReversed: reversedMinor === payout.amountMinor,
    unlistedMinor: Math.max(0, report.amountReversedMinor - reversedMinor),
  };
}

export type PayoutReversalState = 'none' | 'partial' | 'full';

/** How much of a payout Stripe took back, as the coach's payout history shows it. */
export function payoutReversalState(amountMinor: number, reversedMinor: number): PayoutReversalState {
  if (reversedMinor <= 0) return 'none';
  return reversedMinor >= amountMinor ? 'full' : 'partial';
}
