import type { FieldProblem } from '../shared/errors';

// Pay-per-minute metering of a paid session (seed 002), as pure rules. The heartbeat statement is the
// same merge in SQL (paid_session_heartbeat, last defined by migration 20261204100000, and
// paid_session_heartbeat_batch, which runs it per item; src/data/paid-sessions.ts). The rules are
// pinned by test/unit/paid-sessions/metering.property.test.ts, and test/api/metering-sql-vs-model.test.ts
// feeds the SQL and these functions the same random heartbeat sequences and requires equal totals.
//
// Rules, documented once:
// - Cost: floor(billed_seconds × price_per_minute_minor / 60) in integer minor units, never above the
//   locked amount. Rounding down: a student is never charged for a part of a minor unit not watched.
// - Reported duration is monotonic (max of all heartbeats) and may not run ahead of the wall clock
//   since start by more than DURATION_TOLERANCE_SECONDS (no paying for time that did not pass).
// - Server-observed watch time: each new heartbeat adds the time since the previous one the server
//   accepted (the first: since start), but a gap longer than OBSERVED_GAP_CAP_SECONDS counts only that
//   cap (a paused player stops its heartbeats; a pause costs at most the cap). Billed duration =
//   max(reported, floor(observed)): under-reporting does not lower the bill.
// - (session, seq) is the identity of a heartbeat: a repeated seq is success and changes nothing.
// - content_progress: per lecture (keyed by its position), the highest position and the highest
//   duration seen while on it; completion_pct is the max reported. All are max-merges, so the
//   reported state is the same for any order and duplication of the same heartbeats.

/** How far ahead of the wall clock since start a reported duration may run (clock skew, buffering). */
export const DURATION_TOLERANCE_SECONDS = 10;
/** The longest gap between two heartbeats counted in full as observed watch time (clients beat every 5 s). */
export const OBSERVED_GAP_CAP_SECONDS = 10;
/** A session cannot run longer than this (also bounds every number the metering multiplies). */
export const MAX_SESSION_SECONDS = 7 * 24 * 3600;
/** Locked amount bounds (minor units): at least 50 (Stripe's floor for most currencies), at most 1,000,000. */
export const MIN_LOCKED_MINOR = 50;
export const MAX_LOCKED_MINOR = 1_000_000;
export const MAX_SEQ = 2_147_483_647;

export interface Heartbeat {
  seq: number;
  durationSeconds: number;
  completionPct: number;
  /** The lecture's position in its course. */
  currentLecture: number;
  positionSeconds: number;
}

export interface LectureProgress {
  /** Highest playback position reported in this lecture (seconds into the lecture). */
  position_seconds: number;
  /** Highest session duration reported while on this lecture. */
  last_duration_seconds: number;
}

/** What the heartbeats have established about one session. */
export interface MeterState {
  seqs: ReadonlySet<number>;
  durationSeconds: number;
  completionPct: number;
  /** Keyed by lecture position (as a string: it is stored as JSONB). */
  contentProgress: Record<string, LectureProgress>;
  observedMs: number;
  /** When the server last accepted a heartbeat (the start before the first). */
  lastHeartbeatAtMs: number;
}

export interface Pricing {
  pricePerMinuteMinor: number;
  lockedMinor: number;
}

export function initialMeterState(startedAtMs: number): MeterState {
  return {
    seqs: new Set(),
    durationSeconds: 0,
    completionPct: 0,
    contentProgress: {},
    observedMs: 0,
    lastHeartbeatAtMs: startedAtMs,
  };
}

/** The uncapped price of `seconds`, rounded down to a whole minor unit. */
export function rawCostMinor(seconds: number, pricePerMinuteMinor: number): number {
  return Math.floor((seconds * pricePerMinuteMinor) / 60);
}

/** The cost of `seconds` under the rounding rule, never above the lock. */
export function costMinor(seconds: number, pricing: Pricing): number {
  return Math.min(pricing.lockedMinor, rawCostMinor(seconds, pricing.pricePerMinuteMinor));
}

/** What is billed: the reported duration, or the server-observed time when that is longer. */
export function billedSeconds(s: Pick<MeterState, 'durationSeconds' | 'observedMs'>): number {
  return Math.max(s.durationSeconds, Math.floor(s.observedMs / 1000));
}

/** True once the lock is used up: the session must end. */
export function fundsUsedUp(
  s: Pick<MeterState, 'durationSeconds' | 'observedMs'>,
  pricing: Pricing,
): boolean {
  return rawCostMinor(billedSeconds(s), pricing.pricePerMinuteMinor) >= pricing.lockedMinor;
}

/** The seconds a lock buys at a price: the lowest duration whose cost reaches the lock. */
export function secondsForLock(pricing: Pricing): number {
  return Math.ceil((pricing.lockedMinor * 60) / pricing.pricePerMinuteMinor);
}

/** Field problems of a heartbeat that need no session (shape and ranges). */
export function heartbeatProblems(h: Heartbeat): FieldProblem[] {
  const p: FieldProblem[] = [];
  if (!Number.isSafeInteger(h.seq) || h.seq < 0 || h.seq > MAX_SEQ)
    p.push({ field: 'seq', reason: `must be an integer from 0 to ${MAX_SEQ}` });
  if (
    !Number.isSafeInteger(h.durationSeconds) ||
    h.durationSeconds < 0 ||
    h.durationSeconds > MAX_SESSION_SECONDS
  )
    p.push({ field: 'duration_seconds', reason: `must be an integer from 0 to ${MAX_SESSION_SECONDS}` });
  if (!Number.isFinite(h.completionPct) || h.completionPct < 0 || h.completionPct > 100)
    p.push({ field: 'completion_pct', reason: 'must be between 0 and 100' });
  if (!Number.isSafeInteger(h.currentLecture) || h.currentLecture < 0 || h.currentLecture > 100_000)
    p.push({ field: 'current_lecture', reason: 'must be a lecture position (a non-negative integer)' });
  if (!Number.isFinite(h.positionSeconds) || h.positionSeconds < 0 || h.positionSeconds > MAX_SESSION_SECONDS)
    p.push({ field: 'position_seconds', reason: `must be between 0 and ${MAX_SESSION_SECONDS}` });
  return p;
}

/**
 * Problems of a heartbeat against its session at `nowMs`: a duration ahead of the wall clock since
 * start (plus tolerance), a lecture the course does not have.
 */
export function heartbeatSessionProblems(
  h: Heartbeat,
  session: { startedAtMs: number; lecturePositions: readonly number[] },
  nowMs: number,
): FieldProblem[] {
  const p: FieldProblem[] = [];
  const elapsed = Math.max(0, (nowMs - session.startedAtMs) / 1000);
  if (h.durationSeconds > elapsed + DURATION_TOLERANCE_SECONDS)
    p.push({
      field: 'duration_seconds',
      reason: `${h.durationSeconds} s is more than the ${Math.floor(elapsed)} s since the session started`,
    });
  if (!session.lecturePositions.includes(h.currentLecture))
    p.push({ field: 'current_lecture', reason: `the course has no lecture at position ${h.currentLecture}` });
  return p;
}

/** The join of two progress maps: per lecture, the max of each field. Commutative, idempotent. */
export function mergeProgress(
  a: Record<string, LectureProgress>,
  b: Record<string, LectureProgress>,
): Record<string, LectureProgress> {
  const out: Record<string, LectureProgress> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const o = out[k];
    out[k] = o
      ? {
          position_seconds: Math.max(o.position_seconds, v.position_seconds),
          last_duration_seconds: Math.max(o.last_duration_seconds, v.last_duration_seconds),
        }
      : { ...v };
  }
  return out;
}

/**
 * Applies one valid heartbeat received at `receivedAtMs` (the server's clock, which only moves
 * forward). A seq already seen changes nothing.
 */
export function applyHeartbeat(s: MeterState, h: Heartbeat, receivedAtMs: number): MeterState {
  if (s.seqs.has(h.seq)) return s;
  const gapMs = Math.max(0, receivedAtMs - s.lastHeartbeatAtMs);
  return {
    seqs: new Set([...s.seqs, h.seq]),
    durationSeconds: Math.max(s.durationSeconds, h.durationSeconds),
    completionPct: Math.max(s.completionPct, h.completionPct),
    contentProgress: mergeProgress(s.contentProgress, {
      [String(h.currentLecture)]: {
        position_seconds: h.positionSeconds,
        last_duration_seconds: h.durationSeconds,
      },
    }),
    observedMs: s.observedMs + Math.min(gapMs, OBSERVED_GAP_CAP_SECONDS * 1000),
    lastHeartbeatAtMs: Math.max(s.lastHeartbeatAtMs, receivedAtMs),
  };
}

/**
 * Seconds watched per lecture, from the set of accepted heartbeats: ordered by reported duration
 * (then seq), each heartbeat's lecture gets the duration gained since the one before it. A function
 * of the set, so arrival order does not matter; the parts sum to the reported duration.
 */
export function secondsPerLecture(
  heartbeats: readonly Pick<Heartbeat, 'seq' | 'durationSeconds' | 'currentLecture'>[],
): Map<number, number> {
  const sorted = [...heartbeats].sort((a, b) => a.durationSeconds - b.durationSeconds || a.seq - b.seq);
  const out = new Map<number, number>();
  let prev = 0;
  for (const h of sorted) {
    const gained = h.durationSeconds - prev;
    if (gained > 0) out.set(h.currentLecture, (out.get(h.currentLecture) ?? 0) + gained);
    else if (!out.has(h.currentLecture)) out.set(h.currentLecture, 0);
    prev = Math.max(prev, h.durationSeconds);
  }
  return out;
}

export interface Settlement {
  billedSeconds: number;
  captureMinor: number;
  releaseMinor: number;
  /** Zero cost: the PaymentIntent is cancelled instead of captured. */
  cancel: boolean;
}

/** What settlement does with the lock: capture the cost, release the rest. */
export function settlement(
  s: Pick<MeterState, 'durationSeconds' | 'observedMs'>,
  pricing: Pricing,
): Settlement {
  const billed = billedSeconds(s);
  const captureMinor = costMinor(billed, pricing);
  return {
    billedSeconds: billed,
    captureMinor,
    releaseMinor: pricing.lockedMinor - captureMinor,
    cancel: captureMinor === 0,
  };
}

/** When a session must settle so the card authorization never lapses: before the window, with a margin. */
export function settleDeadlineMs(lockedAtMs: number, authWindowMs: number): number {
  const margin = Math.min(3_600_000, Math.floor(authWindowMs / 10));
  return lockedAtMs + authWindowMs - margin;
}

/** "12 min 5 s" for receipts. */
export function formatMinutes(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? (s > 0 ? `${m} min ${s} s` : `${m} min`) : `${s} s`;
}
