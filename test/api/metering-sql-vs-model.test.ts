import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchStatement } from '../../src/data/heartbeat-ingest';
import { recordHeartbeat, type HeartbeatRow } from '../../src/data/paid-sessions';
import {
  applyHeartbeat,
  billedSeconds,
  costMinor,
  fundsUsedUp,
  heartbeatProblems,
  heartbeatSessionProblems,
  initialMeterState,
  MAX_SESSION_SECONDS,
  MIN_LOCKED_MINOR,
  OBSERVED_GAP_CAP_SECONDS,
  rawCostMinor,
  secondsForLock,
  secondsPerLecture,
  settlement,
  type Heartbeat,
  type LectureProgress,
  type MeterState,
  type Pricing,
} from '../../src/domain/paid-sessions/metering';
import { startTestContext, type TestContext } from '../support/harness';
import { createPaidCourse, type PaidCourse } from '../support/paid-sessions';
import { createUser, type TestUser } from '../support/users';

// One metering rule, written twice: the pure model (applyHeartbeat and the rules beside it in
// src/domain/paid-sessions/metering.ts) and the SQL that production runs (paid_session_heartbeat, and
// paid_session_heartbeat_batch for heartbeats that arrive together; docs/adr/0012). The same random
// heartbeat sequences go to both: duplicates (exact resends and conflicting reuse of a seq), seqs with
// gaps and out of order, durations that go backwards or run ahead of the wall clock, lecture changes
// (and a lecture the course lacks), completion values, pauses around and past the gap cap, each step
// sent singly or as one group. After every heartbeat and every step, every stored total must be equal.
//
// Time: the SQL reads the server's clock (clock_timestamp()). A pause is made by moving the session's
// stored instants (started_at, last_heartbeat_at, received_at) back by its length, which is the same
// to the statement as the clock moving forward; the model gets each heartbeat's `at` as the statement
// returned it, plus the total shift. Runs: METERING_PROPERTY_RUNS (default 100).

const RUNS = Number(process.env.METERING_PROPERTY_RUNS ?? 100);
/** The course's lectures are 1 and 2; 3 is a lecture it does not have (refused by both sides). */
const LECTURES = [1, 2];

let ctx: TestContext;
let course: PaidCourse;
let student: TestUser;
let authSessionId: string;

beforeAll(async () => {
  ctx = await startTestContext();
  course = await createPaidCourse(ctx.app, ctx.deps);
  student = await createUser(ctx.app, ctx.deps, 'free', 'meter');
  authSessionId = JSON.parse(Buffer.from(student.token.split('.')[1]!, 'base64url').toString()).sid;
});
afterAll(async () => ctx?.close());

// ── the random sequences ─────────────────────────────────────────────────────────────────────────

/** A duration relative to the wall clock since start when sent (plausible, late, or just past the
 *  tolerance), one a second or two either side of what the lock buys (the money rule's boundary), or
 *  an absolute one (often far behind: a backwards duration, or far ahead: refused). */
type DurationSpec = { sinceStart: number } | { lockSeconds: number } | { absolute: number };
interface BeatSpec {
  seq: number;
  duration: DurationSpec;
  completionPct: number;
  currentLecture: number;
  positionSeconds: number;
}
/** A new heartbeat, or one sent earlier sent again exactly (`resend` indexes the ones sent so far). */
type ItemSpec = { fresh: BeatSpec } | { resend: number };
interface StepSpec {
  /** How far the clock moves before the step. */
  advanceMs: number;
  /** One group statement, or one statement per heartbeat. */
  asGroup: boolean;
  items: ItemSpec[];
}

/** `nearLock`: how often a duration is aimed at the lock's boundary (out of 6). */
const beatArb = (nearLock: number): fc.Arbitrary<BeatSpec> =>
  fc.record({
    // A small pool of seqs: reuse (duplicates, conflicting reuse), gaps and disorder are all common.
    seq: fc.nat({ max: 40 }),
    duration: fc.oneof(
      { weight: 5 - nearLock, arbitrary: fc.record({ sinceStart: fc.integer({ min: -60, max: 14 }) }) },
      { weight: nearLock, arbitrary: fc.record({ lockSeconds: fc.integer({ min: -1, max: 1 }) }) },
      { weight: 1, arbitrary: fc.record({ absolute: fc.nat({ max: 4000 }) }) },
    ),
    completionPct: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 100, noNaN: true })),
    currentLecture: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...LECTURES) },
      { weight: 1, arbitrary: fc.constant(3) },
    ),
    positionSeconds: fc.oneof(fc.nat({ max: 3600 }), fc.double({ min: 0, max: 3600, noNaN: true })),
  });

const steady = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 3_000 }),
  fc.integer({ min: 4_000, max: 6_000 }), // the player's 5-s rhythm
  fc.integer({ min: 9_000, max: 11_000 }), // around the gap cap
);
const withPauses = fc.oneof(steady, fc.integer({ min: 11_000, max: 900_000 }));

const stepArb = (advanceMs: fc.Arbitrary<number>, nearLock: number): fc.Arbitrary<StepSpec> =>
  fc.record({
    advanceMs,
    asGroup: fc.boolean(),
    items: fc.array(
      fc.oneof(
        { weight: 4, arbitrary: fc.record({ fresh: beatArb(nearLock) }) },
        { weight: 1, arbitrary: fc.record({ resend: fc.nat() }) },
      ),
      { minLength: 1, maxLength: 6 },
    ),
  });

/** A lock that a whole number of seconds costs exactly at this price (so the cost can land on it). */
const exactLock = (price: number, seconds: number): Pricing => ({
  pricePerMinuteMinor: price,
  lockedMinor: Math.max(MIN_LOCKED_MINOR, rawCostMinor(seconds, price)),
});

const scenarioArb = fc.oneof(
  // Anything: any price and lock, pauses of up to 15 minutes.
  fc.record({
    pricing: fc.oneof(
      fc.record({
        pricePerMinuteMinor: fc.integer({ min: 1, max: 600 }),
        // Small locks run out within a sequence (exhausted_seq), large ones do not.
        lockedMinor: fc.oneof(
          fc.integer({ min: 50, max: 3_000 }),
          fc.integer({ min: 3_000, max: 1_000_000 }),
        ),
      }),
      fc
        .record({
          price: fc.constantFrom(1, 7, 30, 60, 90, 120, 599),
          seconds: fc.integer({ min: 10, max: 900 }),
        })
        .map(({ price, seconds }) => exactLock(price, seconds)),
    ),
    startedAgoMs: fc.integer({ min: 0, max: 120_000 }),
    /** Sessions started before last_heartbeat_at was set at start have none until the first heartbeat. */
    noLastHeartbeat: fc.boolean(),
    steps: fc.array(stepArb(withPauses, 1), { minLength: 1, maxLength: 16 }),
  }),
  // The money boundary: a lock of 25–150 s of watching, reached at the player's pace, so the heartbeat
  // whose cost lands exactly on the lock (or one second either side) comes up often.
  fc.record({
    pricing: fc
      .record({ price: fc.constantFrom(30, 60, 90, 120), seconds: fc.integer({ min: 25, max: 150 }) })
      .map(({ price, seconds }) => exactLock(price, seconds)),
    startedAgoMs: fc.integer({ min: 0, max: 150_000 }),
    noLastHeartbeat: fc.boolean(),
    steps: fc.array(stepArb(steady, 2), { minLength: 1, maxLength: 24 }),
  }),
);
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

// ── the model side: the domain rules, composed as the ADR states them ───────────────────────────

interface Model {
  meter: MeterState;
  /** The seq of the first accepted heartbeat after which the funds were used up. */
  exhaustedSeq: number | null;
  accepted: Map<number, { h: Heartbeat; receivedAtMs: number }>;
}

/** What the runs exercised (printed at the end, so a generator that stopped reaching a case shows). */
const seen = {
  heartbeats: 0,
  groups: 0,
  accepted: 0,
  refused: 0,
  duplicates: 0,
  cappedGaps: 0,
  exhausted: 0,
  /** Of those, the cost landed exactly on the lock. */
  exhaustedExactly: 0,
};

/** One heartbeat received at `atMs`: refused if implausible, a no-op if its seq was seen, else merged. */
function modelApply(m: Model, h: Heartbeat, atMs: number, startedAtMs: number, pricing: Pricing): boolean {
  seen.heartbeats++;
  if (heartbeatSessionProblems(h, { startedAtMs, lecturePositions: LECTURES }, atMs).length > 0) {
    seen.refused++;
    return false;
  }
  if (m.meter.seqs.has(h.seq)) {
    seen.duplicates++;
    return false;
  }
  if (atMs - m.meter.lastHeartbeatAtMs > OBSERVED_GAP_CAP_SECONDS * 1000) seen.cappedGaps++;
  m.meter = applyHeartbeat(m.meter, h, atMs);
  m.accepted.set(h.seq, { h, receivedAtMs: atMs });
  seen.accepted++;
  if (m.exhaustedSeq === null && fundsUsedUp(m.meter, pricing)) {
    m.exhaustedSeq = h.seq;
    seen.exhausted++;
    if (rawCostMinor(billedSeconds(m.meter), pricing.pricePerMinuteMinor) === pricing.lockedMinor)
      seen.exhaustedExactly++;
  }
  return true;
}

// ── comparable views of both sides ───────────────────────────────────────────────────────────────

interface Totals {
  durationSeconds: number;
  observedMs: number;
  completionPct: number;
  contentProgress: Record<string, LectureProgress>;
  exhaustedSeq: number | null;
}

/** Totals plus what settlement and the heartbeat answer derive from them (billed, cost, capture). */
function money(t: Pick<Totals, 'durationSeconds' | 'observedMs'>, pricing: Pricing) {
  return {
    billedSeconds: billedSeconds(t),
    costMinor: costMinor(billedSeconds(t), pricing),
    fundsUsedUp: fundsUsedUp(t, pricing),
    settlement: settlement(t, pricing),
  };
}

const modelTotals = (m: Model): Totals => ({
  durationSeconds: m.meter.durationSeconds,
  observedMs: m.meter.observedMs,
  completionPct: m.meter.completionPct,
  contentProgress: m.meter.contentProgress,
  exhaustedSeq: m.exhaustedSeq,
});

const answerTotals = (r: HeartbeatRow): Totals => ({
  durationSeconds: r.duration_seconds,
  observedMs: Number(r.observed_ms),
  completionPct: r.completion_pct,
  contentProgress: r.content_progress,
  exhaustedSeq: r.exhausted_seq,
});

async function storedState(sessionId: string, shiftMs: number) {
  const row = await ctx.deps.db.paidSession.findUniqueOrThrow({ where: { id: sessionId } });
  const beats = await ctx.deps.db.paidSessionHeartbeat.findMany({
    where: { sessionId },
    orderBy: { seq: 'asc' },
  });
  return {
    totals: {
      durationSeconds: row.durationSeconds,
      observedMs: Number(row.observedMs),
      completionPct: row.completionPct,
      contentProgress: (row.contentProgress ?? {}) as unknown as Record<string, LectureProgress>,
      exhaustedSeq: row.exhaustedSeq,
    } satisfies Totals,
    heartbeatCount: row.heartbeatCount,
    // The statement measures the next gap from last_heartbeat_at, or from started_at before the first.
    lastHeartbeatAtMs: (row.lastHeartbeatAt ?? row.startedAt!).getTime() + shiftMs,
    heartbeats: beats.map((b) => ({
      seq: b.seq,
      durationSeconds: b.durationSeconds,
      completionPct: b.completionPct,
      currentLecture: b.lecture,
      positionSeconds: b.positionSeconds,
      receivedAtMs: b.receivedAt.getTime() + shiftMs,
    })),
  };
}

function modelState(m: Model) {
  return {
    totals: modelTotals(m),
    heartbeatCount: m.meter.seqs.size,
    lastHeartbeatAtMs: m.meter.lastHeartbeatAtMs,
    heartbeats: [...m.accepted.values()]
      .sort((a, b) => a.h.seq - b.h.seq)
      .map(({ h, receivedAtMs }) => ({ ...h, receivedAtMs })),
  };
}

// ── the SQL side ─────────────────────────────────────────────────────────────────────────────────

async function openSession(sc: Scenario): Promise<{ id: string; startedAtMs: number }> {
  const startedAt = new Date(Date.now() - sc.startedAgoMs);
  const row = await ctx.deps.db.paidSession.create({
    data: {
      studentId: student.id,
      coachId: course.coach.id,
      courseId: course.courseId,
      status: 'active',
      lockedMinor: sc.pricing.lockedMinor,
      currency: course.currency,
      pricePerMinuteMinor: sc.pricing.pricePerMinuteMinor,
      lecturePositions: LECTURES,
      authorisedAt: startedAt,
      startedAt,
      lastHeartbeatAt: sc.noLastHeartbeat ? null : startedAt,
    },
  });
  return { id: row.id, startedAtMs: row.startedAt!.getTime() };
}

/** The clock moves forward by `ms` for this session: its stored instants move back by as much. */
async function advanceClock(sessionId: string, ms: number): Promise<void> {
  await ctx.deps.db.$executeRaw`
    WITH h AS (
      UPDATE paid_session_heartbeats SET received_at = received_at - ${ms}::int * interval '1 millisecond'
      WHERE session_id = ${sessionId}::uuid
    )
    UPDATE paid_sessions SET
      started_at = started_at - ${ms}::int * interval '1 millisecond',
      last_heartbeat_at = last_heartbeat_at - ${ms}::int * interval '1 millisecond'
    WHERE id = ${sessionId}::uuid`;
}

function concrete(spec: BeatSpec, sinceStartSeconds: number, pricing: Pricing): Heartbeat {
  const d =
    'absolute' in spec.duration
      ? spec.duration.absolute
      : 'lockSeconds' in spec.duration
        ? secondsForLock(pricing) + spec.duration.lockSeconds
        : sinceStartSeconds + spec.duration.sinceStart;
  const h = {
    seq: spec.seq,
    durationSeconds: Math.min(MAX_SESSION_SECONDS, Math.max(0, d)),
    completionPct: spec.completionPct,
    currentLecture: spec.currentLecture,
    positionSeconds: spec.positionSeconds,
  };
  // Only heartbeats the route's validation lets through reach the statement.
  expect(heartbeatProblems(h)).toEqual([]);
  return h;
}

async function runScenario(sc: Scenario): Promise<void> {
  const { id, startedAtMs } = await openSession(sc);
  const model: Model = { meter: initialMeterState(startedAtMs), exhaustedSeq: null, accepted: new Map() };
  const sent: Heartbeat[] = [];
  let shiftMs = 0;

  for (const [stepNo, step] of sc.steps.entries()) {
    if (step.advanceMs > 0) {
      await advanceClock(id, step.advanceMs);
      shiftMs += step.advanceMs;
    }
    const sinceStart = Math.floor((Date.now() + shiftMs - startedAtMs) / 1000);
    const beats = step.items.flatMap((it) => {
      if ('fresh' in it) return [concrete(it.fresh, sinceStart, sc.pricing)];
      return sent.length > 0 ? [sent[it.resend % sent.length]!] : [];
    });
    if (beats.length === 0) continue;
    sent.push(...beats);
    const where = `step ${stepNo}`;

    // Each heartbeat's answer against the model right after the same heartbeat.
    const check = (h: Heartbeat, row: HeartbeatRow, label: string) => {
      const accepted = modelApply(model, h, row.at.getTime() + shiftMs, startedAtMs, sc.pricing);
      expect(row.inserted, `${label}: inserted`).toBe(accepted);
      const sql = answerTotals(row);
      const mod = modelTotals(model);
      expect(sql, `${label}: totals answered`).toEqual(mod);
      expect(money(sql, sc.pricing), `${label}: money`).toEqual(money(mod, sc.pricing));
    };

    if (step.asGroup && beats.length > 1) {
      const rows = await ctx.deps.db.$queryRaw<(HeartbeatRow & { idx: number })[]>(
        batchStatement(beats.map((h) => ({ sessionId: id, studentId: student.id, authSessionId, h }))),
      );
      seen.groups++;
      expect(rows, `${where}: one row per item`).toHaveLength(beats.length);
      const byIdx = new Map(rows.map((r) => [r.idx, r]));
      // The group applies a session's heartbeats in (seq, index) order (docs/adr/0012); so does the model.
      const order = beats.map((h, i) => ({ h, i })).sort((a, b) => a.h.seq - b.h.seq || a.i - b.i);
      for (const { h, i } of order) check(h, byIdx.get(i)!, `${where}, group item ${i} (seq ${h.seq})`);
    } else {
      for (const [i, h] of beats.entries())
        check(
          h,
          await recordHeartbeat(ctx.deps.db, id, student.id, authSessionId, h),
          `${where}, heartbeat ${i} (seq ${h.seq})`,
        );
    }

    // Everything stored, after the step.
    const stored = await storedState(id, shiftMs);
    const expected = modelState(model);
    expect(stored, `${where}: stored state`).toEqual(expected);
    expect(money(stored.totals, sc.pricing), `${where}: money`).toEqual(money(expected.totals, sc.pricing));
    expect(secondsPerLecture(stored.heartbeats), `${where}: seconds per lecture`).toEqual(
      secondsPerLecture(expected.heartbeats),
    );
  }
}

describe('metering: the SQL functions and the TypeScript model agree', () => {
  it('on every stored total after every heartbeat of random sequences, sent singly and in groups', async () => {
    const started = Date.now();
    await fc.assert(fc.asyncProperty(scenarioArb, runScenario), { numRuns: RUNS });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`metering property: ${RUNS} runs in ${seconds} s; ${JSON.stringify(seen)}`);
  }, 900_000);
});
