import { describe, expect, it } from 'vitest';
import { sumsByCurrency } from '../../../src/domain/payments/ledger';
import {
  activeEndReason,
  newlyRefundedMinor,
  nextActiveCheckInMs,
  settlementAfter,
  settlementPostings,
} from '../../../src/domain/paid-sessions/settlement';

const MIN = 60_000;
const facts = {
  fundsUsedUp: false,
  nowMs: 100 * MIN,
  settleByMs: 1000 * MIN,
  lastHeartbeatAtMs: 99 * MIN,
  idleTimeoutMs: 5 * MIN,
};

describe('when an active paid session ends', () => {
  it('goes on while funds last, the deadline is ahead and a heartbeat came within the idle timeout', () => {
    expect(activeEndReason(facts)).toBeNull();
  });
  it('ends for used-up funds before anything else, even past the deadline and idle', () => {
    expect(activeEndReason({ ...facts, fundsUsedUp: true, nowMs: 2000 * MIN, lastHeartbeatAtMs: 0 })).toBe(
      'funds_used_up',
    );
  });
  it('ends at the authorisation deadline, before idleness is considered', () => {
    expect(activeEndReason({ ...facts, nowMs: 1000 * MIN, lastHeartbeatAtMs: 0 })).toBe('auth_window');
  });
  it('ends idle exactly at the idle timeout after the last heartbeat', () => {
    expect(activeEndReason({ ...facts, nowMs: 104 * MIN - 1 })).toBeNull();
    expect(activeEndReason({ ...facts, nowMs: 104 * MIN })).toBe('idle');
  });
  it('with no heartbeat yet, the idle clock starts now', () => {
    expect(activeEndReason({ ...facts, lastHeartbeatAtMs: null })).toBeNull();
    expect(activeEndReason({ ...facts, lastHeartbeatAtMs: null, idleTimeoutMs: 0 })).toBe('idle');
  });
  it('looks again at the idle timeout or the deadline, whichever is first, never in under 1 ms', () => {
    expect(nextActiveCheckInMs(facts)).toBe(4 * MIN);
    expect(nextActiveCheckInMs({ ...facts, settleByMs: 101 * MIN })).toBe(MIN);
    expect(nextActiveCheckInMs({ ...facts, lastHeartbeatAtMs: null })).toBe(5 * MIN);
    expect(nextActiveCheckInMs({ ...facts, settleByMs: 50 * MIN })).toBe(1);
  });
});

describe('settling a closed paid session', () => {
  const frozen = { billedSeconds: 120, captureMinor: 400, releaseMinor: 600, cancel: false, started: true };

  it('keeps the metered settlement unless Stripe cancelled the hold, which releases it all', () => {
    expect(settlementAfter(frozen, false, 1000)).toBe(frozen);
    expect(settlementAfter(frozen, true, 1000)).toEqual({
      ...frozen,
      captureMinor: 0,
      releaseMinor: 1000,
      cancel: true,
    });
  });

  const posting = {
    authorised: true,
    reference: 'paid-session:s1',
    studentId: 'student-1',
    coachId: 'coach-1',
    currency: 'usd',
    occurredAt: '2026-12-01T10:00:00.000Z',
    lockedMinor: 1000,
    captureMinor: 400,
    feeBps: 1000,
  };

  it('posts authorisation, capture and release, each balanced; locked = captured + released', () => {
    const drafts = settlementPostings(posting);
    expect(drafts.map((d) => [d.kind, d.amountMinor])).toEqual([
      ['authorisation', 1000],
      ['capture', 400],
      ['release', 600],
    ]);
    for (const d of drafts) expect([...sumsByCurrency(d.lines).values()]).toEqual([0]);
  });
  it('leaves out a zero capture and a zero release', () => {
    expect(settlementPostings({ ...posting, captureMinor: 0 }).map((d) => d.kind)).toEqual([
      'authorisation',
      'release',
    ]);
    expect(settlementPostings({ ...posting, captureMinor: 1000 }).map((d) => d.kind)).toEqual([
      'authorisation',
      'capture',
    ]);
  });
  it('posts nothing when the card never authorised the hold', () => {
    expect(settlementPostings({ ...posting, authorised: false })).toEqual([]);
  });
  it('counts only the new part of a refund report, capped at what was captured', () => {
    expect(newlyRefundedMinor(150, 400, 0)).toBe(150);
    expect(newlyRefundedMinor(250, 400, 150)).toBe(100);
    expect(newlyRefundedMinor(250, 400, 250)).toBe(0);
    expect(newlyRefundedMinor(900, 400, 250)).toBe(150);
  });
});
