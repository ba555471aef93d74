import { patched, upsertMemo } from '@temporalio/workflow';

// The memo is what an operator reads on a workflow's page in the Temporal UI (and in
// `temporal workflow describe`): one human sentence saying what this run is about, plus the ids to
// search for its rows. Set by the workflow itself at the start of every run, so it is there however
// the run was started (API, webhook signalWithStart, continue-as-new, schedule).
//
// upsertMemo adds a command to the history, so runs recorded before it existed must replay without it.
export const MEMO_PATCH = 'memo-summary';

export type MemoFacts = Record<string, string | number | boolean | null | undefined>;

/** Records `summary` (and the facts that are set) as this run's memo; never throws. */
export function setSummary(summary: string, facts: MemoFacts = {}): void {
  if (!patched(MEMO_PATCH)) return;
  const memo: Record<string, string | number | boolean> = { summary };
  for (const [key, value] of Object.entries(facts))
    if (value !== undefined && value !== null) memo[key] = value;
  upsertMemo(memo);
}

/** An amount as stored (integer minor units) with its currency, e.g. "4500 USD minor units". */
export const minorUnits = (amountMinor: number, currency: string): string =>
  `${amountMinor} ${currency.toUpperCase()} minor units`;

/** An instant in milliseconds as ISO-8601 UTC (Date is deterministic in workflow code). */
export const isoAt = (ms: number): string =>
  Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
