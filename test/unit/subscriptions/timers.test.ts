import { describe, expect, it } from 'vitest';
import {
  DOWNGRADE_LEAD_MS,
  downgradeDueMs,
  dunningAfter,
  dunningDueMs,
  graceDueMs,
  graceStart,
  nextDueMs,
  relativeTime,
  type TimerFacts,
} from '../../../src/domain/subscriptions/timers';

const DAY = 86_400_000;
const settings = { dunningScheduleMs: [0, 3 * DAY, 7 * DAY], graceRemindersMs: [7 * DAY, DAY] };
const none: TimerFacts = { pending: null, periodEndMs: 40 * DAY, dunning: null, grace: null };

describe('subscription timers', () => {
  it('nothing scheduled: no timer at all', () => {
    expect(nextDueMs(none, settings)).toBeNull();
  });
  it('a scheduled downgrade is due an hour before the period ends (none without a period end)', () => {
    const pending = { plan: 'coach_pro' as const, seatTier: null };
    expect(downgradeDueMs({ ...none, pending })).toBe(40 * DAY - DOWNGRADE_LEAD_MS);
    expect(downgradeDueMs({ ...none, pending, periodEndMs: null })).toBeNull();
  });
  it('dunning steps follow the schedule from the first failure, and stop after the last', () => {
    const dunning = { startedAtMs: 10 * DAY, sent: 1, payUrl: null };
    expect(dunningDueMs({ ...none, dunning }, settings)).toBe(13 * DAY);
    expect(dunningDueMs({ ...none, dunning: { ...dunning, sent: 3 } }, settings)).toBeNull();
  });
  it('grace: each reminder at its lead before the end, then the end itself', () => {
    const grace = (remindersSent: number) => ({ ...none, grace: { endsAtMs: 30 * DAY, remindersSent } });
    expect(graceDueMs(grace(0), settings)).toBe(23 * DAY);
    expect(graceDueMs(grace(1), settings)).toBe(29 * DAY);
    expect(graceDueMs(grace(2), settings)).toBe(30 * DAY);
  });
  it('the next wake-up is the earliest of the three', () => {
    const facts: TimerFacts = {
      pending: { plan: 'coach_pro', seatTier: null },
      periodEndMs: 40 * DAY,
      dunning: { startedAtMs: 10 * DAY, sent: 2, payUrl: null },
      grace: { endsAtMs: 30 * DAY, remindersSent: 0 },
    };
    expect(nextDueMs(facts, settings)).toBe(17 * DAY);
  });
});

describe('dunningAfter', () => {
  it('starts when a renewal is past due, with the link the failure came with', () => {
    expect(dunningAfter('past_due', null, 5 * DAY, 'https://pay')).toEqual({
      startedAtMs: 5 * DAY,
      sent: 0,
      payUrl: 'https://pay',
    });
  });
  it('keeps its clock and progress while past due, taking a newer link but never dropping one', () => {
    const running = { startedAtMs: DAY, sent: 1, payUrl: 'https://old' };
    expect(dunningAfter('past_due', { ...running }, 9 * DAY, 'https://new')).toEqual({
      ...running,
      payUrl: 'https://new',
    });
    expect(dunningAfter('past_due', { ...running }, 9 * DAY, null)).toEqual(running);
  });
  it('stops once the status is anything else (paid, or ended)', () => {
    const running = { startedAtMs: DAY, sent: 1, payUrl: null };
    expect(dunningAfter('active', running, 9 * DAY, null)).toBeNull();
    expect(dunningAfter('canceled', running, 9 * DAY, null)).toBeNull();
    expect(dunningAfter('active', null, 9 * DAY, 'https://pay')).toBeNull();
  });
});

describe('graceStart', () => {
  it('ends after the grace period and skips reminders already past', () => {
    expect(graceStart(DAY, 30 * DAY, [7 * DAY, DAY])).toEqual({ endsAtMs: 31 * DAY, remindersSent: 0 });
    expect(graceStart(DAY, 5 * DAY, [7 * DAY, DAY])).toEqual({ endsAtMs: 6 * DAY, remindersSent: 1 });
    expect(graceStart(DAY, 0, [7 * DAY, DAY])).toEqual({ endsAtMs: DAY, remindersSent: 2 });
  });
});

describe('relativeTime', () => {
  it('days when at least one (rounded), minutes otherwise, never "in 0 minutes"', () => {
    expect(relativeTime(3 * DAY)).toBe('in 3 days');
    expect(relativeTime(DAY)).toBe('in 1 day');
    expect(relativeTime(0.6 * DAY)).toBe('in 1 day');
    expect(relativeTime(5 * 60_000)).toBe('in 5 minutes');
    expect(relativeTime(60_000)).toBe('in 1 minute');
    expect(relativeTime(0)).toBe('in 1 minute');
  });
});
