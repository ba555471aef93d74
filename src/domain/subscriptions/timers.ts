import type { PlanChoice } from './catalogue';
import type { SubscriptionStatus } from './state';

// The subscription workflow's clock-driven decisions, pure: when a scheduled downgrade, the next
// dunning step and the next grace-period step are due, how dunning follows the status, how a grace
// period starts, and how its emails say "when". The workflow (workflows/subscriptions) supplies its
// clock and its settings (SUBSCRIPTION_DUNNING_SCHEDULE, SUBSCRIPTION_GRACE_PERIOD / _REMINDERS).

/** A downgrade reaches Stripe this long before the period ends, so the renewal bills the new price. */
export const DOWNGRADE_LEAD_MS = 60 * 60 * 1000;

export interface DunningProgress {
  startedAtMs: number;
  /** Emails sent so far; the step after the last email ends the subscription. */
  sent: number;
  payUrl: string | null;
}

export interface GraceProgress {
  endsAtMs: number;
  remindersSent: number;
}

export interface TimerFacts {
  /** A downgrade scheduled for the period end. */
  pending: PlanChoice | null;
  periodEndMs: number | null;
  dunning: DunningProgress | null;
  grace: GraceProgress | null;
}

export interface TimerSettings {
  /** Offsets from the first failed payment: one email each, the last one ends the subscription. */
  dunningScheduleMs: readonly number[];
  /** Leads before the grace period's end at which the user is reminded, longest first. */
  graceRemindersMs: readonly number[];
}

export const downgradeDueMs = (f: TimerFacts): number | null =>
  f.pending && f.periodEndMs !== null ? f.periodEndMs - DOWNGRADE_LEAD_MS : null;

export const dunningDueMs = (f: TimerFacts, s: TimerSettings): number | null =>
  f.dunning && f.dunning.sent < s.dunningScheduleMs.length
    ? f.dunning.startedAtMs + s.dunningScheduleMs[f.dunning.sent]!
    : null;

/** The next grace reminder, or the end of the grace period once every reminder is sent. */
export function graceDueMs(f: TimerFacts, s: TimerSettings): number | null {
  if (!f.grace) return null;
  const lead = s.graceRemindersMs[f.grace.remindersSent];
  return lead !== undefined ? f.grace.endsAtMs - lead : f.grace.endsAtMs;
}

/** The earliest of the three, or null when nothing is scheduled (the workflow then waits for events). */
export function nextDueMs(f: TimerFacts, s: TimerSettings): number | null {
  const due = [downgradeDueMs(f), dunningDueMs(f, s), graceDueMs(f, s)].filter(
    (v): v is number => v !== null,
  );
  return due.length ? Math.min(...due) : null;
}

/**
 * Dunning follows the status: it starts (clock at `nowMs`) when a renewal is past due, keeps the
 * newest hosted-invoice link, and stops once the invoice is paid or the subscription ends.
 */
export function dunningAfter(
  status: SubscriptionStatus,
  dunning: DunningProgress | null,
  nowMs: number,
  payUrl: string | null,
): DunningProgress | null {
  if (status !== 'past_due') return null;
  if (!dunning) return { startedAtMs: nowMs, sent: 0, payUrl };
  if (payUrl) dunning.payUrl = payUrl;
  return dunning;
}

/** A grace period starting now; reminders whose time has already passed are not sent late. */
export function graceStart(nowMs: number, graceMs: number, remindersMs: readonly number[]): GraceProgress {
  const endsAtMs = nowMs + graceMs;
  return { endsAtMs, remindersSent: remindersMs.filter((lead) => endsAtMs - lead <= nowMs).length };
}

/** "in 3 days", "in 1 day", "in 5 minutes": how the emails say when something happens. */
export function relativeTime(ms: number): string {
  const days = Math.round(ms / 86_400_000);
  if (days >= 1) return `in ${days} day${days === 1 ? '' : 's'}`;
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return `in ${minutes} minute${minutes === 1 ? '' : 's'}`;
}
