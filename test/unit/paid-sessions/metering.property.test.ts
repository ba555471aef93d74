import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyHeartbeat,
  billedSeconds,
  costMinor,
  fundsUsedUp,
  heartbeatProblems,
  heartbeatSessionProblems,
  initialMeterState,
  OBSERVED_GAP_CAP_SECONDS,
  rawCostMinor,
  secondsForLock,
  secondsPerLecture,
  settleDeadlineMs,
  settlement,
  type Heartbeat,
  type MeterState,
} from '../../../src/domain/paid-sessions/metering';
import { ledger } from '../../../src/domain/payments/ledger';

const heartbeatArb = fc.record({
  seq: fc.nat({ max: 500 }),
  durationSeconds: fc.nat({ max: 7200 }),
  completionPct: fc.double({ min: 0, max: 100, noNaN: true }),
  currentLecture: fc.nat({ max: 5 }),
  positionSeconds: fc.nat({ max: 3600 }),
});
// Distinct seqs: a seq is one heartbeat, so duplicates are copies of the same one.
const heartbeatsArb = fc.uniqueArray(heartbeatArb, { selector: (h) => h.seq, maxLength: 40 });
const pricingArb = fc.record({
  pricePerMinuteMinor: fc.integer({ min: 1, max: 10_000 }),
  lockedMinor: fc.integer({ min: 50, max: 1_000_000 }),
});

/** Deliveries in a given order, received by a server whose clock moves forward by `gaps`. */
function replay(deliveries: Heartbeat[], gapsMs: number[]): MeterState {
  let t = 1_000_000;
  let s = initialMeterState(t);
  deliveries.forEach((h, i) => {
    t += gapsMs[i % gapsMs.length] ?? 5000;
    s = applyHeartbeat(s, h, t);
  });
  return s;
}

/** The part of the state the heartbeats' contents decide (observed time depends on arrival times). */
const reported = (s: MeterState) => ({
  seqs: [...s.seqs].sort((a, b) => a - b),
  durationSeconds: s.durationSeconds,
  completionPct: s.completionPct,
  contentProgress: s.contentProgress,
});

/** A permutation of the heartbeats with some delivered more than once. */
const deliveriesArb = heartbeatsArb.chain((hbs) =>
  fc
    .tuple(
      fc.shuffledSubarray(hbs, { minLength: hbs.length, maxLength: hbs.length }),
      fc.array(fc.nat({ max: Math.max(0, hbs.length - 1) }), { maxLength: hbs.length }),
      fc.array(fc.nat({ max: 1000 }), { maxLength: 60 }),
    )
    .map(([order, dupIdx, at]) => {
      const out = [...order];
      dupIdx.forEach((d, i) => {
        if (hbs.length > 0) out.splice((at[i] ?? 0) % (out.length + 1), 0, hbs[d]!);
      });
      return { hbs, deliveries: out };
    }),
);

describe('metering merge (property)', () => {
  it('any order and duplication of the same heartbeats gives the same reported state and per-lecture seconds', () => {
    fc.assert(
      fc.property(
        deliveriesArb,
        fc.array(fc.nat({ max: 30_000 }), { minLength: 1 }),
        ({ hbs, deliveries }, gaps) => {
          const inOrder = replay(hbs, [5000]);
          const shuffled = replay(deliveries, gaps);
          expect(reported(shuffled)).toEqual(reported(inOrder));
          expect(
            secondsPerLecture(
              deliveries.filter((h, i) => deliveries.findIndex((x) => x.seq === h.seq) === i),
            ),
          ).toEqual(secondsPerLecture(hbs));
        },
      ),
    );
  });

  it('a duplicate (same seq) changes nothing, however late it arrives', () => {
    fc.assert(
      fc.property(
        heartbeatsArb.filter((h) => h.length > 0),
        fc.nat({ max: 10_000_000 }),
        (hbs, later) => {
          const s = replay(hbs, [5000]);
          const again = applyHeartbeat(s, hbs[0]!, s.lastHeartbeatAtMs + later);
          expect(again).toBe(s);
        },
      ),
    );
  });

  it('duration and observed time never decrease; observed counts at most the gap cap per heartbeat', () => {
    fc.assert(
      fc.property(heartbeatsArb, fc.array(fc.nat({ max: 120_000 }), { minLength: 1 }), (hbs, gaps) => {
        let t = 0;
        let s = initialMeterState(t);
        hbs.forEach((h, i) => {
          t += gaps[i % gaps.length]!;
          const next = applyHeartbeat(s, h, t);
          expect(next.durationSeconds).toBeGreaterThanOrEqual(s.durationSeconds);
          expect(next.observedMs).toBeGreaterThanOrEqual(s.observedMs);
          expect(next.observedMs - s.observedMs).toBeLessThanOrEqual(OBSERVED_GAP_CAP_SECONDS * 1000);
          s = next;
        });
        // Observed time never exceeds the wall clock that passed.
        expect(s.observedMs).toBeLessThanOrEqual(t);
        expect(billedSeconds(s)).toBeGreaterThanOrEqual(s.durationSeconds);
        expect(billedSeconds(s)).toBeGreaterThanOrEqual(Math.floor(s.observedMs / 1000));
      }),
    );
  });

  it('per-lecture seconds sum to the reported duration', () => {
    fc.assert(
      fc.property(heartbeatsArb, (hbs) => {
        const parts = [...secondsPerLecture(hbs).values()].reduce((a, b) => a + b, 0);
        expect(parts).toBe(hbs.reduce((m, h) => Math.max(m, h.durationSeconds), 0));
      }),
    );
  });
});

describe('cost (property)', () => {
  it('never exceeds the lock, never decreases with time, and rounds down', () => {
    fc.assert(
      fc.property(pricingArb, fc.nat({ max: 7 * 24 * 3600 }), fc.nat({ max: 3600 }), (pricing, a, d) => {
        const c = costMinor(a, pricing);
        expect(c).toBeLessThanOrEqual(pricing.lockedMinor);
        expect(c).toBeGreaterThanOrEqual(0);
        expect(costMinor(a + d, pricing)).toBeGreaterThanOrEqual(c);
        expect(Number.isInteger(c)).toBe(true);
        // Rounded down: the exact price is within one minor unit above (when under the lock).
        if (c < pricing.lockedMinor) {
          expect(c * 60).toBeLessThanOrEqual(a * pricing.pricePerMinuteMinor);
          expect((c + 1) * 60).toBeGreaterThan(a * pricing.pricePerMinuteMinor);
        }
      }),
    );
  });

  it('settlement captures the cost and releases the rest, exactly; zero cost cancels', () => {
    fc.assert(
      fc.property(
        pricingArb,
        fc.nat({ max: 7 * 24 * 3600 }),
        fc.nat({ max: 7 * 24 * 3600 * 1000 }),
        (pricing, d, o) => {
          const st = settlement({ durationSeconds: d, observedMs: o }, pricing);
          expect(st.captureMinor + st.releaseMinor).toBe(pricing.lockedMinor);
          expect(st.captureMinor).toBeLessThanOrEqual(pricing.lockedMinor);
          expect(st.releaseMinor).toBeGreaterThanOrEqual(0);
          expect(st.cancel).toBe(st.captureMinor === 0);
        },
      ),
    );
  });

  it('funds are used up exactly from secondsForLock on', () => {
    fc.assert(
      fc.property(pricingArb, (pricing) => {
        const n = secondsForLock(pricing);
        expect(fundsUsedUp({ durationSeconds: n, observedMs: 0 }, pricing)).toBe(true);
        expect(fundsUsedUp({ durationSeconds: Math.max(0, n - 1), observedMs: 0 }, pricing)).toBe(n === 0);
        expect(rawCostMinor(n, pricing.pricePerMinuteMinor)).toBeGreaterThanOrEqual(pricing.lockedMinor);
      }),
    );
  });

  it('the capture splits into coach earnings and platform fee that sum to it, and every ledger draft balances', () => {
    fc.assert(
      fc.property(
        pricingArb,
        fc.nat({ max: 7 * 24 * 3600 }),
        fc.integer({ min: 0, max: 10_000 }),
        (pricing, d, feeBps) => {
          const st = settlement({ durationSeconds: d, observedMs: 0 }, pricing);
          const base = {
            reference: 'paid-session:x',
            studentId: 's',
            coachId: 'c',
            currency: 'gbp',
            occurredAt: '2026-11-30T00:00:00Z',
          };
          const drafts = [
            ledger.authorisation({ ...base, amountMinor: pricing.lockedMinor }),
            ...(st.captureMinor > 0
              ? [ledger.capture({ ...base, amountMinor: st.captureMinor, feeBps })]
              : []),
            ...(st.releaseMinor > 0 ? [ledger.release({ ...base, amountMinor: st.releaseMinor })] : []),
          ];
          for (const t of drafts) {
            expect(t.lines.reduce((a, l) => a + l.amountMinor, 0)).toBe(0);
            for (const l of t.lines) expect(Number.isInteger(l.amountMinor)).toBe(true);
          }
        },
      ),
    );
  });
});

describe('heartbeat validation', () => {
  const ok: Heartbeat = {
    seq: 1,
    durationSeconds: 5,
    completionPct: 1,
    currentLecture: 1,
    positionSeconds: 5,
  };
  it('names each bad field', () => {
    expect(heartbeatProblems(ok)).toEqual([]);
    const bad = heartbeatProblems({
      seq: -1,
      durationSeconds: 1e12,
      completionPct: 100.5,
      currentLecture: 1.5,
      positionSeconds: Number.NaN,
    }).map((p) => p.field);
    expect(bad).toEqual(['seq', 'duration_seconds', 'completion_pct', 'current_lecture', 'position_seconds']);
  });
  it('refuses a duration ahead of the wall clock (beyond the tolerance) and an unknown lecture', () => {
    const session = { startedAtMs: 0, lecturePositions: [1, 2] };
    expect(heartbeatSessionProblems({ ...ok, durationSeconds: 70 }, session, 60_000)).toEqual([]);
    expect(
      heartbeatSessionProblems({ ...ok, durationSeconds: 71 }, session, 60_000).map((p) => p.field),
    ).toEqual(['duration_seconds']);
    expect(
      heartbeatSessionProblems({ ...ok, currentLecture: 3 }, session, 60_000).map((p) => p.field),
    ).toEqual(['current_lecture']);
  });
  it('settles before the authorization window closes', () => {
    const week = 7 * 24 * 3600 * 1000;
    expect(settleDeadlineMs(0, week)).toBe(week - 3_600_000);
    expect(settleDeadlineMs(1000, 10_000)).toBe(10_000);
  });
});
