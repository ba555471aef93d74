import {
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { temporalFailure } from '../../../src/app/temporal-failures';
import { MAX_HORIZON_DAYS, plainlyUnbookable } from '../../../src/domain/availability/slot-check';
import { priceProblems } from '../../../src/domain/payments/charge-limits';
import {
  MAX_RESCHEDULE_ATTEMPTS,
  MAX_RESCHEDULES,
  rescheduleAttemptsProblem,
} from '../../../src/domain/bookings/lifecycle';
import { offeringProblems } from '../../../src/domain/bookings/offering';
import {
  BOOKING_LIMITS,
  holdsProblem,
  MAX_PENDING_HOLDS_PER_COACH,
} from '../../../src/domain/bookings/rate-limits';
import { conflict, DomainError } from '../../../src/domain/shared/errors';

// The pure rules and the one Temporal-failure mapping behind issue 9 items 5, 9 and 13.

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1, 12);

describe('reschedule requests (issue 9 #5)', () => {
  it('issue 9 #5: a booking takes a bounded number of reschedule requests, more than its moves', () => {
    expect(MAX_RESCHEDULE_ATTEMPTS).toBeGreaterThan(MAX_RESCHEDULES);
    expect(rescheduleAttemptsProblem(2, 3)).toBeNull();
    expect(rescheduleAttemptsProblem(3, 3)).toEqual({
      code: 'too_many_attempts',
      message: 'This booking has had 3 reschedule requests; cancel it and book again',
    });
  });

  it('issue 9 #5: what a validator can judge without the schedule: the past and beyond every horizon', () => {
    expect(plainlyUnbookable(NOW + DAY, NOW)).toBeNull();
    expect(plainlyUnbookable(NOW - 1, NOW)).toMatchObject({ code: 'in_past' });
    expect(plainlyUnbookable(NOW + MAX_HORIZON_DAYS * DAY - 1, NOW)).toBeNull();
    expect(plainlyUnbookable(NOW + MAX_HORIZON_DAYS * DAY, NOW)).toEqual({
      code: 'too_far',
      reason: 'is more than 365 days ahead',
    });
    expect(plainlyUnbookable(Number.NaN, NOW)).toMatchObject({ code: 'outside_availability' });
  });
});

describe('Temporal failures, mapped once (issue 9 #5)', () => {
  const grpc = (code: number, details = 'x') =>
    new ServiceError('Failed to update Workflow', {
      cause: Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} }),
    });
  const rules = {
    what: 'The booking could not be updated',
    refused: (f: ApplicationFailure) => conflict(f.message, `refused:${f.type}`),
    closed: () => conflict('closed', 'closed'),
  };
  const mapped = async (err: unknown) => {
    const out = await temporalFailure(err, rules);
    return out instanceof DomainError
      ? { kind: out.kind, code: out.code, retryAfter: out.retryAfterSeconds }
      : out;
  };

  it.each([
    [9, 'unavailable', 'temporarily_unavailable'], // the per-run update limit
    [8, 'rate_limited', 'rate_limited'], // too many updates in flight
    [14, 'unavailable', 'temporarily_unavailable'],
    [4, 'unavailable', 'temporarily_unavailable'],
    [1, 'unavailable', 'temporarily_unavailable'],
    [10, 'unavailable', 'temporarily_unavailable'],
    [13, 'unavailable', 'temporarily_unavailable'],
    [6, 'conflict', 'already_started'],
    [5, 'conflict', 'closed'],
  ] as const)('issue 9 #5: gRPC status %s → %s (%s)', async (code, kind, domainCode) => {
    const out = await mapped(grpc(code));
    expect(out).toMatchObject({ kind, code: domainCode });
    if (kind !== 'conflict') expect((out as { retryAfter: number }).retryAfter).toBeGreaterThan(0);
  });

  it('issue 9 #5: refusals, closed workflows and the SDK’s own errors', async () => {
    const refused = new WorkflowUpdateFailedError(
      'update failed',
      ApplicationFailure.create({ type: 'SlotTaken', message: 'taken' }),
    );
    expect(await mapped(refused)).toMatchObject({ kind: 'conflict', code: 'refused:SlotTaken' });
    expect(await mapped(new WorkflowNotFoundError('gone', 'booking-1', undefined))).toMatchObject({
      code: 'closed',
    });
    expect(await mapped(new Error('workflow execution already completed'))).toMatchObject({ code: 'closed' });
    expect(await mapped(new WorkflowUpdateRPCTimeoutOrCancelledError('timeout'))).toMatchObject({
      kind: 'unavailable',
    });
  });

  it('issue 9 #5: our own mistakes (bad request, no permission) are not disguised as outages', async () => {
    const bad = grpc(3);
    expect(await temporalFailure(bad, rules)).toBe(bad);
    const denied = grpc(7);
    expect(await temporalFailure(denied, rules)).toBe(denied);
    const other = new TypeError('boom');
    expect(await temporalFailure(other, rules)).toBe(other);
  });
});

describe('calendar squatting (issue 9 #9)', () => {
  const HOLD = 15 * 60_000;
  it('issue 9 #9: the third unpaid hold on one coach is refused until the first one ends', () => {
    expect(MAX_PENDING_HOLDS_PER_COACH).toBe(2);
    expect(holdsProblem([], NOW, HOLD)).toBeNull();
    expect(holdsProblem([NOW - 60_000], NOW, HOLD)).toBeNull();
    const refused = holdsProblem([NOW - 60_000, NOW - 5 * 60_000], NOW, HOLD);
    expect(refused).toEqual({ message: expect.stringMatching(/2 unpaid slots/), retryAfterSeconds: 600 });
    // A hold past its time but not yet expired by its workflow: come back in a second.
    expect(holdsProblem([NOW - HOLD - 5000, NOW], NOW, HOLD)?.retryAfterSeconds).toBe(1);
  });

  it('issue 9 #9: booking attempts are counted per athlete in an hour', () => {
    expect(BOOKING_LIMITS.perAthlete).toEqual({ limit: 20, windowMs: 3_600_000 });
  });
});

describe('prices Stripe can charge (issue 9 #13)', () => {
  it('issue 9 #13: price and currency are judged together, named on priceMinor', () => {
    expect(priceProblems({ priceMinor: 49, currency: 'USD' })).toEqual([
      { field: 'priceMinor', reason: expect.stringMatching(/at least \$0\.50/) },
    ]);
    expect(priceProblems({ priceMinor: 50, currency: 'USD' })).toEqual([]);
    expect(priceProblems({ priceMinor: 0, currency: 'USD' })).toEqual([]);
    expect(priceProblems({ priceMinor: 29, currency: 'GBP' })).toEqual([
      { field: 'priceMinor', reason: expect.stringMatching(/£0\.30/) },
    ]);
    expect(priceProblems({ priceMinor: 5000, currency: 'XYZ' })).toEqual([
      { field: 'currency', reason: 'is not a supported currency' },
    ]);
  });

  it('issue 9 #13: an offering’s cross-field rules include its price', () => {
    expect(offeringProblems({ price: { priceMinor: 40, currency: 'USD' } })).toEqual([
      { field: 'priceMinor', reason: expect.any(String) },
    ]);
    expect(offeringProblems({ price: { priceMinor: 40, currency: 'GBP' } })).toEqual([]);
    expect(offeringProblems({})).toEqual([]);
  });
});
