import { describe, expect, it } from 'vitest';
import {
  ACTIVE_STATUSES,
  BOOKING_STATUSES,
  cancelProblem,
  isActive,
  MAX_RESCHEDULES,
  noShowProblem,
  rescheduleProblem,
  type BookingStatus,
  type LifecycleFacts,
} from '../../../src/domain/bookings/lifecycle';

const HOUR = 3_600_000;
const start = Date.UTC(2026, 11, 1, 9);
const facts = (status: BookingStatus, over: Partial<LifecycleFacts> = {}): LifecycleFacts => ({
  status,
  startMs: start,
  endMs: start + HOUR,
  rescheduleCount: 0,
  ...over,
});

describe('booking lifecycle rules', () => {
  it('only PENDING and CONFIRMED hold time (the exclusion constraint covers exactly these)', () => {
    expect(ACTIVE_STATUSES).toEqual(['PENDING', 'CONFIRMED']);
    expect(BOOKING_STATUSES.filter(isActive)).toEqual(['PENDING', 'CONFIRMED']);
  });

  it('cancel: active bookings before the start; never after it or once ended', () => {
    expect(cancelProblem(facts('PENDING'), start - HOUR)).toBeNull();
    expect(cancelProblem(facts('CONFIRMED'), start - 1)).toBeNull();
    expect(cancelProblem(facts('CONFIRMED'), start)).toMatchObject({
      code: 'invalid_transition',
      message: expect.stringMatching(/already started/),
    });
    for (const status of ['CANCELLED', 'EXPIRED', 'COMPLETED', 'NO_SHOW'] as const) {
      expect(cancelProblem(facts(status), start - HOUR)).toMatchObject({ code: 'invalid_transition' });
    }
    expect(cancelProblem(facts('NO_SHOW'), 0)?.message).toBe('A no-show booking cannot be cancelled');
  });

  it('reschedule: names the field for bad input, refuses by state otherwise', () => {
    const now = start - 2 * HOUR;
    expect(rescheduleProblem(facts('CONFIRMED'), start + HOUR, now)).toBeNull();
    expect(rescheduleProblem(facts('CONFIRMED'), start, now)).toEqual({
      code: 'invalid_request',
      field: 'start',
      message: 'is the current start time',
    });
    expect(rescheduleProblem(facts('CONFIRMED'), now - 1, now)).toEqual({
      code: 'invalid_request',
      field: 'start',
      message: 'is in the past',
    });
    expect(rescheduleProblem(facts('CONFIRMED'), Number.NaN, now)).toMatchObject({ field: 'start' });
    expect(rescheduleProblem(facts('CONFIRMED'), start + HOUR, start)).toMatchObject({
      code: 'invalid_transition',
    });
    expect(rescheduleProblem(facts('CANCELLED'), start + HOUR, now)).toMatchObject({
      code: 'invalid_transition',
    });
    expect(
      rescheduleProblem(facts('CONFIRMED', { rescheduleCount: MAX_RESCHEDULES }), start + HOUR, now),
    ).toMatchObject({
      code: 'invalid_transition',
      message: expect.stringMatching(/moved 10 times/),
    });
  });

  it('no-show: from the start of a confirmed session until the window after its end closes', () => {
    const window = 48 * HOUR;
    expect(noShowProblem(facts('CONFIRMED'), start - 1, window)).toMatchObject({
      message: expect.stringMatching(/not started/),
    });
    expect(noShowProblem(facts('CONFIRMED'), start, window)).toBeNull();
    expect(noShowProblem(facts('COMPLETED'), start + HOUR + window - 1, window)).toBeNull();
    expect(noShowProblem(facts('COMPLETED'), start + HOUR + window, window)).toMatchObject({
      message: expect.stringMatching(/Too late/),
    });
    expect(noShowProblem(facts('PENDING'), start, window)).toMatchObject({ code: 'invalid_transition' });
    expect(noShowProblem(facts('CANCELLED'), start, window)).toMatchObject({ code: 'invalid_transition' });
  });
});
