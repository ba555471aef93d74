// Why a requested start time is not bookable, in words an athlete can act on. Pure: it asks
// isSlotBookable (the same pipeline that lists slots) with the constraints added one at a time, so
// the explanation can never disagree with the slot list.

import { isSlotBookable, type SlotQuery } from './slots';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export type SlotProblemCode =
  'in_past' | 'too_soon' | 'too_far' | 'outside_availability' | 'blackout' | 'taken' | 'limit_reached';

export interface SlotProblem {
  code: SlotProblemCode;
  reason: string;
}

/** No offering books further ahead than this (the largest horizonDays a coach can set). */
export const MAX_HORIZON_DAYS = 365;

/**
 * What can be said of a start without the coach's schedule: in the past, or beyond every offering's
 * horizon. The booking workflow's update validator (which cannot read Postgres) refuses these.
 */
export function plainlyUnbookable(startMs: number, nowMs: number): SlotProblem | null {
  if (!Number.isFinite(startMs)) return { code: 'outside_availability', reason: 'is not a valid date-time' };
  if (startMs < nowMs) return { code: 'in_past', reason: 'is in the past' };
  if (startMs >= nowMs + MAX_HORIZON_DAYS * DAY_MS)
    return { code: 'too_far', reason: `is more than ${MAX_HORIZON_DAYS} days ahead` };
  return null;
}

function describeMinutes(min: number): string {
  if (min >= 1440 && min % 1440 === 0) return `${min / 1440} day${min === 1440 ? '' : 's'}`;
  if (min >= 60 && min % 60 === 0) return `${min / 60} hour${min === 60 ? '' : 's'}`;
  return `${min} minute${min === 1 ? '' : 's'}`;
}

/** null when `start` is exactly one of the open slots; otherwise the first constraint it breaks. */
export function explainUnbookable(q: SlotQuery, start: Date): SlotProblem | null {
  const t = start.getTime();
  if (!Number.isFinite(t)) return { code: 'outside_availability', reason: 'is not a valid date-time' };
  if (isSlotBookable(q, start)) return null;

  const now = q.now.getTime();
  const { service } = q;
  if (t < now) return { code: 'in_past', reason: 'is in the past' };
  if (t < now + service.minimumNoticeMin * MINUTE_MS) {
    return {
      code: 'too_soon',
      reason: `is sooner than the minimum notice of ${describeMinutes(service.minimumNoticeMin)}`,
    };
  }
  if (t >= now + service.horizonDays * DAY_MS) {
    return { code: 'too_far', reason: `is more than ${service.horizonDays} days ahead` };
  }
  const open: SlotQuery = {
    ...q,
    bookings: [],
    blackouts: [],
    service: { ...service, dailyLimit: null, weeklyLimit: null },
  };
  if (!isSlotBookable(open, start)) {
    return {
      code: 'outside_availability',
      reason: 'is not a slot start within the coach’s availability for this service',
    };
  }
  const withBlackouts: SlotQuery = { ...open, blackouts: q.blackouts };
  if (!isSlotBookable(withBlackouts, start)) {
    return { code: 'blackout', reason: 'falls in time the coach is unavailable' };
  }
  if (!isSlotBookable({ ...withBlackouts, bookings: q.bookings }, start)) {
    return { code: 'taken', reason: 'overlaps another booking (buffers included)' };
  }
  return {
    code: 'limit_reached',
    reason: 'the coach’s daily or weekly booking limit is reached for that day',
  };
}
