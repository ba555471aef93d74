import { ledger, type LedgerTransactionDraft } from '../payments/ledger';
import type { Settlement } from './metering';

// The paid-session workflow's decisions, pure: when an active session ends, what a settlement
// captures once Stripe has cancelled the hold itself, what it posts to the ledger, and how much of a
// refund report is new. The workflow (workflows/paid-sessions) supplies its clock and the totals
// Postgres froze.

/** Why an active session ends without being asked to. */
export type ActiveEndReason = 'funds_used_up' | 'auth_window' | 'idle';

export interface ActiveFacts {
  /** The heartbeat statement found the lock used up (on the row, or by the fundsUsedUp signal). */
  fundsUsedUp: boolean;
  nowMs: number;
  /** settleDeadlineMs: the authorisation must be captured before then. */
  settleByMs: number;
  /** Null before the first heartbeat: the idle clock starts now. */
  lastHeartbeatAtMs: number | null;
  idleTimeoutMs: number;
}

/** Whether an active session ends now, and why: used-up funds first, then the deadline, then idleness. */
export function activeEndReason(f: ActiveFacts): ActiveEndReason | null {
  if (f.fundsUsedUp) return 'funds_used_up';
  if (f.nowMs >= f.settleByMs) return 'auth_window';
  if (f.nowMs >= (f.lastHeartbeatAtMs ?? f.nowMs) + f.idleTimeoutMs) return 'idle';
  return null;
}

/** How long until an active session must be looked at again (the deadline or the idle timeout), ≥ 1 ms. */
export function nextActiveCheckInMs(f: Omit<ActiveFacts, 'fundsUsedUp'>): number {
  const wakeAtMs = Math.min(f.settleByMs, (f.lastHeartbeatAtMs ?? f.nowMs) + f.idleTimeoutMs);
  return Math.max(1, wakeAtMs - f.nowMs);
}

/**
 * What settles a closed session: the metered settlement, unless Stripe cancelled the hold itself (it
 * lapsed, or was cancelled from the dashboard): then nothing is left to capture, whatever was
 * watched, and the lock is released in full.
 */
export function settlementAfter<T extends Settlement>(
  frozen: T,
  stripeCanceled: boolean,
  lockedMinor: number,
): T {
  return stripeCanceled ? { ...frozen, captureMinor: 0, releaseMinor: lockedMinor, cancel: true } : frozen;
}

export interface SettlementPostingInput {
  /** The card authorised the hold (only then was an authorisation memo owed). */
  authorised: boolean;
  reference: string;
  studentId: string;
  coachId: string;
  currency: string;
  occurredAt: string;
  lockedMinor: number;
  captureMinor: number;
  feeBps: number;
}

/**
 * The ledger transactions of a settlement: the authorisation (idempotent by key, so posted again
 * harmlessly), the capture split between coach and platform, and the release of the rest. None when
 * the card never authorised: no money was held.
 */
export function settlementPostings(a: SettlementPostingInput): LedgerTransactionDraft[] {
  if (!a.authorised) return [];
  const parties = {
    reference: a.reference,
    studentId: a.studentId,
    coachId: a.coachId,
    currency: a.currency,
    occurredAt: a.occurredAt,
  };
  const drafts = [ledger.authorisation({ ...parties, amountMinor: a.lockedMinor })];
  if (a.captureMinor > 0)
    drafts.push(ledger.capture({ ...parties, amountMinor: a.captureMinor, feeBps: a.feeBps }));
  const release = a.lockedMinor - a.captureMinor;
  if (release > 0) drafts.push(ledger.release({ ...parties, amountMinor: release }));
  return drafts;
}

/**
 * The part of a charge.refunded report not yet posted: Stripe reports the charge's refunded total so
 * far, never more than what was captured counts, and what earlier events posted is subtracted.
 */
export function newlyRefundedMinor(
  reportedTotalMinor: number,
  capturedMinor: number,
  postedMinor: number,
): number {
  return Math.min(reportedTotalMinor, capturedMinor) - postedMinor;
}
