// The double-entry ledger's vocabulary (docs/adr/0013-ledger.md). Pure: workflows build drafts here
// with their deterministic clock and hand them to the postLedgerTransactions activity, which posts
// each one at most once (by key) and refuses one that does not balance.
//
// Sign convention: debit > 0, credit < 0; every transaction sums to zero per currency. Accounts, from
// the platform's point of view (their normal balance in brackets):
//
//   cash:stripe                 our Stripe balance (debit)
//   authorised:<reference>      funds held on a card by a manual-capture PaymentIntent, not yet captured (debit)
//   student_card:<studentId>    the student's card: the clearing side of its open holds (credit)
//   coach_payable:<coachId>     what we owe the coach: earnings less refunds and payouts (credit);
//                               pending vs available is decided by age (see src/data/ledger.ts)
//   platform_fee                our fee income (credit)
//   stripe_fees                 Stripe's processing fees, when known (debit)
//
// An authorisation is a memo pair (authorised / student_card) that no money has moved for; a capture
// clears the captured part of it and books the money (cash in, coach earnings and platform fee out);
// a release clears the rest. So for one reference: locked − captured = released, and
// captured = coach earnings + platform fee, which scripts/reconcile.ts checks.

export type LedgerKind =
  | 'authorisation'
  | 'capture'
  | 'release'
  | 'refund'
  | 'payout'
  | 'payout_reversal'
  | 'booking_payment'
  | 'booking_refund'
  | 'purchase'
  | 'purchase_refund';

export const LEDGER_KINDS: readonly LedgerKind[] = [
  'authorisation',
  'capture',
  'release',
  'refund',
  'payout',
  'payout_reversal',
  'booking_payment',
  'booking_refund',
  'purchase',
  'purchase_refund',
];

/** Kinds that credit a coach's earnings (money a student paid for the coach's work). */
export const EARNING_KINDS: readonly LedgerKind[] = ['capture', 'booking_payment', 'purchase'];
/** Kinds that give part of an earning back to the student. */
export const REFUND_KINDS: readonly LedgerKind[] = ['refund', 'booking_refund', 'purchase_refund'];

/** debit > 0, credit < 0, integer minor units. */
export interface LedgerLine {
  account: string;
  amountMinor: number;
  currency: string;
}

export interface LedgerTransactionDraft {
  /** Globally unique idempotency key, e.g. 'capture:paid-session:<id>': posting it twice changes nothing. */
  key: string;
  kind: LedgerKind;
  /** 'paid-session:<id>' | 'booking:<id>' | 'purchase:<id>' | 'payout:<id>' */
  reference: string;
  coachId: string | null;
  /** ISO instant (workflows pass their deterministic Date.now()). */
  occurredAt: string;
  /** The event's gross amount (what was locked, captured, released, refunded or paid out), ≥ 0. */
  amountMinor: number;
  /** Lowercase ISO 4217 code of amountMinor and of every line. */
  currency: string;
  /** Sum per currency = 0; zero-amount lines are left out. */
  lines: LedgerLine[];
  memo?: string;
}

export const accounts = {
  cash: 'cash:stripe',
  platformFee: 'platform_fee',
  stripeFees: 'stripe_fees',
  authorised: (reference: string) => `authorised:${reference}`,
  studentCard: (studentId: string) => `student_card:${studentId}`,
  coachPayable: (coachId: string) => `coach_payable:${coachId}`,
} as const;

/** Basis points in 100 %. */
export const BPS = 10_000;

/** Failure types of the postLedgerTransactions activity; both are non-retryable. */
export const LedgerFailure = {
  /** Unbalanced or malformed: retrying cannot make it balance. */
  Rejected: 'LedgerRejected',
  /** The key was already posted for a different event: a caller derived keys wrongly. */
  KeyConflict: 'LedgerKeyConflict',
} as const;

/** A builder was given something no business event can produce (a programming error in the caller). */
export class LedgerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerError';
  }
}

function checkAmount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new LedgerError(`${name} must be a non-negative integer number of minor units (got ${value})`);
  }
}

function checkFeeBps(feeBps: number): void {
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > BPS) {
    throw new LedgerError(`feeBps must be an integer from 0 to ${BPS} (got ${feeBps})`);
  }
}

function normaliseCurrency(currency: string): string {
  const c = currency.toLowerCase();
  if (!/^[a-z]{3}$/.test(c)) throw new LedgerError(`currency must be a 3-letter ISO code (got ${currency})`);
  return c;
}

function checkInstant(occurredAt: string): string {
  const ms = Date.parse(occurredAt);
  if (!Number.isFinite(ms)) throw new LedgerError(`occurredAt must be an ISO instant (got ${occurredAt})`);
  return new Date(ms).toISOString();
}

function checkId(name: string, value: string): void {
  if (value.length === 0 || value.length > 200 || value.includes('\u0000')) {
    throw new LedgerError(`${name} must be a non-empty id without NUL (got ${JSON.stringify(value)})`);
  }
}

/**
 * Splits a gross amount into the coach's share and the platform fee. The fee is rounded DOWN to the
 * minor unit (any fraction goes to the coach), so the two always add up to the amount exactly.
 */
export function feeSplit(amountMinor: number, feeBps: number): { coachMinor: number; platformMinor: number } {
  checkAmount('amountMinor', amountMinor);
  checkFeeBps(feeBps);
  // Exact in doubles: amount ≤ 2^53 / BPS keeps the product exact; above that, divide first.
  const platformMinor =
    amountMinor <= Math.floor(Number.MAX_SAFE_INTEGER / BPS)
      ? Math.floor((amountMinor * feeBps) / BPS)
      : Number((BigInt(amountMinor) * BigInt(feeBps)) / BigInt(BPS));
  return { coachMinor: amountMinor - platformMinor, platformMinor };
}

/** Sum of lines per currency; a balanced transaction has every value 0. */
export function sumsByCurrency(lines: readonly LedgerLine[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const l of lines) sums.set(l.currency, (sums.get(l.currency) ?? 0) + l.amountMinor);
  return sums;
}

/** Why a draft cannot be posted, or undefined when it can (posting re-checks what builders guarantee). */
export function draftProblem(d: LedgerTransactionDraft): string | undefined {
  if (d.key.length === 0 || d.key.length > 300 || d.key.includes('\u0000'))
    return 'key: must be 1-300 characters without NUL';
  if (!LEDGER_KINDS.includes(d.kind)) return `kind: unknown ledger kind ${JSON.stringify(d.kind)}`;
  if (!Number.isSafeInteger(d.amountMinor) || d.amountMinor < 0)
    return 'amountMinor: must be a non-negative integer';
  if (!/^[a-z]{3}$/.test(d.currency)) return 'currency: must be a lowercase 3-letter code';
  if (!Number.isFinite(Date.parse(d.occurredAt))) return 'occurredAt: must be an ISO instant';
  for (const [i, l] of d.lines.entries()) {
    if (!Number.isSafeInteger(l.amountMinor) || l.amountMinor === 0)
      return `lines[${i}].amountMinor: must be a non-zero integer`;
    if (!/^[a-z]{3}$/.test(l.currency)) return `lines[${i}].currency: must be a lowercase 3-letter code`;
    if (l.account.length === 0 || l.account.length > 300 || l.account.includes('\u0000'))
      return `lines[${i}].account: must be 1-300 characters without NUL`;
  }
  for (const [currency, total] of sumsByCurrency(d.lines)) {
    if (total !== 0) return `lines: ${currency} does not balance (sum ${total})`;
  }
  return undefined;
}

const line = (account: string, amountMinor: number, currency: string): LedgerLine => ({
  account,
  amountMinor,
  currency,
});

function draft(base: Omit<LedgerTransactionDraft, 'lines'>, lines: LedgerLine[]): LedgerTransactionDraft {
  const d: LedgerTransactionDraft = {
    ...base,
    occurredAt: checkInstant(base.occurredAt),
    // Merge lines on the same account, drop zeros: one entry per account per transaction.
    lines: mergeLines(lines),
  };
  const problem = draftProblem(d);
  if (problem) throw new LedgerError(problem);
  return d;
}

function mergeLines(lines: readonly LedgerLine[]): LedgerLine[] {
  const byKey = new Map<string, LedgerLine>();
  for (const l of lines) {
    const k = `${l.account}\u0000${l.currency}`;
    const prev = byKey.get(k);
    byKey.set(k, prev ? { ...prev, amountMinor: prev.amountMinor + l.amountMinor } : { ...l });
  }
  return [...byKey.values()].filter((l) => l.amountMinor !== 0);
}

interface Parties {
  reference: string;
  studentId: string;
  coachId: string;
  amountMinor: number;
  currency: string;
  occurredAt: string;
}

interface Sale extends Parties {
  feeBps: number;
  /** Stripe's processing fee for this charge, when known (balance transaction fee). */
  stripeFeeMinor?: number;
}

interface Refund extends Parties {
  refundId: string;
  /** The fee rate of the sale being refunded: the refund takes back the same proportions. */
  feeBps: number;
}

function checkParties(a: Parties): string {
  checkId('reference', a.reference);
  checkId('studentId', a.studentId);
  checkId('coachId', a.coachId);
  checkAmount('amountMinor', a.amountMinor);
  return normaliseCurrency(a.currency);
}

/** Money in: cash, split between the coach's earnings and the platform fee (and Stripe's fee, if known). */
function saleLines(a: Sale, currency: string): LedgerLine[] {
  const { coachMinor, platformMinor } = feeSplit(a.amountMinor, a.feeBps);
  const stripeFee = a.stripeFeeMinor ?? 0;
  checkAmount('stripeFeeMinor', stripeFee);
  return [
    line(accounts.cash, a.amountMinor, currency),
    line(accounts.coachPayable(a.coachId), -coachMinor, currency),
    line(accounts.platformFee, -platformMinor, currency),
    line(accounts.stripeFees, stripeFee, currency),
    line(accounts.cash, -stripeFee, currency),
  ];
}

function sale(kind: 'capture' | 'booking_payment' | 'purchase', a: Sale, withHold: boolean) {
  const currency = checkParties(a);
  const lines = saleLines(a, currency);
  if (withHold) {
    // The captured part of the hold is cleared.
    lines.push(line(accounts.authorised(a.reference), -a.amountMinor, currency));
    lines.push(line(accounts.studentCard(a.studentId), a.amountMinor, currency));
  }
  return draft(
    {
      key: `${kind}:${a.reference}`,
      kind,
      reference: a.reference,
      coachId: a.coachId,
      amountMinor: a.amountMinor,
      currency,
      occurredAt: a.occurredAt,
    },
    lines,
  );
}

function refund(kind: 'refund' | 'booking_refund' | 'purchase_refund', a: Refund) {
  const currency = checkParties(a);
  checkId('refundId', a.refundId);
  const { coachMinor, platformMinor } = feeSplit(a.amountMinor, a.feeBps);
  return draft(
    {
      key: `${kind}:${a.reference}:${a.refundId}`,
      kind,
      reference: a.reference,
      coachId: a.coachId,
      amountMinor: a.amountMinor,
      currency,
      occurredAt: a.occurredAt,
    },
    [
      line(accounts.coachPayable(a.coachId), coachMinor, currency),
      line(accounts.platformFee, platformMinor, currency),
      line(accounts.cash, -a.amountMinor, currency),
    ],
  );
}

interface Payout {
  payoutId: string;
  coachId: string;
  amountMinor: number;
  currency: string;
  occurredAt: string;
}

function payoutLike(kind: 'payout' | 'payout_reversal', a: Payout, memo?: string, reversalId?: string) {
  checkId('payoutId', a.payoutId);
  checkId('coachId', a.coachId);
  checkAmount('amountMinor', a.amountMinor);
  if (reversalId !== undefined) checkId('reversalId', reversalId);
  const currency = normaliseCurrency(a.currency);
  const sign = kind === 'payout' ? 1 : -1;
  return draft(
    {
      key: reversalId === undefined ? `${kind}:${a.payoutId}` : `${kind}:${a.payoutId}:${reversalId}`,
      kind,
      reference: `payout:${a.payoutId}`,
      coachId: a.coachId,
      amountMinor: a.amountMinor,
      currency,
      occurredAt: a.occurredAt,
      ...(memo === undefined ? {} : { memo }),
    },
    [
      line(accounts.coachPayable(a.coachId), sign * a.amountMinor, currency),
      line(accounts.cash, -sign * a.amountMinor, currency),
    ],
  );
}

/** The only way features make ledger transactions; each returns a balanced draft or throws LedgerError. */
export const ledger = {
  /** A manual-capture PaymentIntent's hold (paid sessions): memo only, no money has moved. */
  authorisation(a: Parties): LedgerTransactionDraft {
    const currency = checkParties(a);
    return draft(
      {
        key: `authorisation:${a.reference}`,
        kind: 'authorisation',
        reference: a.reference,
        coachId: a.coachId,
        amountMinor: a.amountMinor,
        currency,
        occurredAt: a.occurredAt,
      },
      [
        line(accounts.authorised(a.reference), a.amountMinor, currency),
        line(accounts.studentCard(a.studentId), -a.amountMinor, currency),
      ],
    );
  },
  /** Capturing part or all of an authorised hold: coach earnings (pending) + platform fee. */
  capture: (a: Sale): LedgerTransactionDraft => sale('capture', a, true),
  /** The uncaptured rest of a hold given back (partial capture, or a cancelled PaymentIntent). */
  release(a: Parties): LedgerTransactionDraft {
    const currency = checkParties(a);
    return draft(
      {
        key: `release:${a.reference}`,
        kind: 'release',
        reference: a.reference,
        coachId: a.coachId,
        amountMinor: a.amountMinor,
        currency,
        occurredAt: a.occurredAt,
      },
      [
        line(accounts.authorised(a.reference), -a.amountMinor, currency),
        line(accounts.studentCard(a.studentId), a.amountMinor, currency),
      ],
    );
  },
  /** A refund of a captured paid session, taken back from coach and platform in the sale's proportions. */
  refund: (a: Refund): LedgerTransactionDraft => refund('refund', a),
  /**
   * Money transferred to the coach's connected account. Post it before asking Stripe to transfer (key
   * from the payout id) so the amount is no longer available while in flight; reverse it if the
   * transfer fails or is reversed.
   */
  payout: (a: Payout): LedgerTransactionDraft => payoutLike('payout', a),
  payoutReversal: (a: Payout & { reason: string }): LedgerTransactionDraft =>
    payoutLike('payout_reversal', a, a.reason),
  /**
   * Part or all of a made payout's transfer taken back by Stripe (one TransferReversal, `trr_…`): the
   * same lines as payoutReversal, keyed by the reversal (`payout_reversal:<payoutId>:<reversalId>`), so
   * each reversal is posted once however often its events arrive, and several add up.
   */
  transferReversal: (a: Payout & { reversalId: string }): LedgerTransactionDraft =>
    payoutLike('payout_reversal', a, `Stripe reversed the transfer (${a.reversalId})`, a.reversalId),
  /** A booking paid by an automatically captured PaymentIntent (reference 'booking:<id>'). */
  bookingPayment: (a: Sale): LedgerTransactionDraft => sale('booking_payment', a, false),
  bookingRefund: (a: Refund): LedgerTransactionDraft => refund('booking_refund', a),
  /** A one-off purchase (package, credits; reference 'purchase:<id>'). */
  purchase: (a: Sale): LedgerTransactionDraft => sale('purchase', a, false),
  purchaseRefund: (a: Refund): LedgerTransactionDraft => refund('purchase_refund', a),
};
