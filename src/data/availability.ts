import {
  computeSlots,
  type BusyBooking,
  type DateOverride,
  type ServiceRules,
  type Slot,
  type SlotQuery,
  type TimeWindow,
} from '../domain/availability/slots';
import { explainUnbookable, type SlotProblem } from '../domain/availability/slot-check';
import { ACTIVE_STATUSES } from '../domain/bookings/lifecycle';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/prisma';

// Loads what src/domain/availability/slots.ts computes on, for one coach and one service. Reads only the
// rows that can matter for the queried range: busy time a week either side (weekly limits count a
// whole ISO week), overrides two days either side (a local date can start a day before in UTC).

const DAY_MS = 86_400_000;

export type DbClient = Db | Prisma.TransactionClient;

/** The rules as a service row stores them (every column present, null for no limit). */
export type ServiceRulesRow = Required<ServiceRules>;

export function serviceRules(s: ServiceRulesRow): ServiceRules {
  return {
    durationMin: s.durationMin,
    bufferBeforeMin: s.bufferBeforeMin,
    bufferAfterMin: s.bufferAfterMin,
    minimumNoticeMin: s.minimumNoticeMin,
    horizonDays: s.horizonDays,
    slotIntervalMin: s.slotIntervalMin,
    dailyLimit: s.dailyLimit,
    weeklyLimit: s.weeklyLimit,
  };
}

/** 'YYYY-MM-DD' of a @db.Date column (Prisma reads it as UTC midnight). */
export const dateColumnToIso = (d: Date): string => d.toISOString().slice(0, 10);
export const isoToDateColumn = (iso: string): Date => new Date(`${iso}T00:00:00.000Z`);

/** Stored override windows (jsonb), read defensively: anything malformed is dropped, not trusted. */
export function overrideWindows(json: Prisma.JsonValue): TimeWindow[] {
  if (!Array.isArray(json)) return [];
  return json.flatMap((w) =>
    w &&
    typeof w === 'object' &&
    !Array.isArray(w) &&
    typeof w.startTime === 'string' &&
    typeof w.endTime === 'string'
      ? [{ startTime: w.startTime, endTime: w.endTime }]
      : [],
  );
}

/** Active bookings of a coach whose blocked range touches [from, to), as busy time. */
async function busyBookings(
  db: DbClient,
  coachId: string,
  from: Date,
  to: Date,
  excludeBookingId?: string,
): Promise<BusyBooking[]> {
  const rows = await db.booking.findMany({
    where: {
      coachId,
      status: { in: [...ACTIVE_STATUSES] },
      blockedEnd: { gt: from },
      blockedStart: { lt: to },
      ...(excludeBookingId ? { id: { not: excludeBookingId } } : {}),
    },
    select: { startsAt: true, endsAt: true, bufferBeforeMin: true, bufferAfterMin: true },
  });
  return rows.map((r) => ({
    start: r.startsAt,
    end: r.endsAt,
    bufferBeforeMin: r.bufferBeforeMin,
    bufferAfterMin: r.bufferAfterMin,
  }));
}

/** One service of one coach, in the coach's zone, over [from, to) as seen at `now`. */
export interface SlotScope {
  coachId: string;
  timeZone: string;
  service: ServiceRulesRow;
  from: Date;
  to: Date;
  now: Date;
}

/**
 * The slot query for a coach and service, with data for slot starts anywhere in [from, to).
 * `excludeBookingId` leaves one booking out (a reschedule must not collide with itself).
 */
export async function loadSlotQuery(
  db: DbClient,
  args: SlotScope & { excludeBookingId?: string },
): Promise<SlotQuery> {
  const { coachId, from, to } = args;
  const busyFrom = new Date(from.getTime() - 8 * DAY_MS);
  const busyTo = new Date(to.getTime() + 8 * DAY_MS);
  const [windows, overrides, blackouts, bookings] = await Promise.all([
    db.availabilityWindow.findMany({
      where: { coachId },
      select: { dayOfWeek: true, startTime: true, endTime: true },
    }),
    db.availabilityOverride.findMany({
      where: {
        coachId,
        date: {
          gte: isoToDateColumn(dateColumnToIso(new Date(from.getTime() - 2 * DAY_MS))),
          lte: new Date(to.getTime() + 2 * DAY_MS),
        },
      },
      select: { date: true, windows: true },
    }),
    db.availabilityBlackout.findMany({
      where: {
        coachId,
        endsAt: { gt: new Date(from.getTime() - DAY_MS) },
        startsAt: { lt: new Date(to.getTime() + DAY_MS) },
      },
      select: { startsAt: true, endsAt: true },
    }),
    busyBookings(db, coachId, busyFrom, busyTo, args.excludeBookingId),
  ]);
  const dateOverrides: DateOverride[] = overrides.map((o) => ({
    date: dateColumnToIso(o.date),
    windows: overrideWindows(o.windows),
  }));
  return {
    timeZone: args.timeZone,
    windows,
    overrides: dateOverrides,
    blackouts: blackouts.map((b) => ({ start: b.startsAt, end: b.endsAt })),
    bookings,
    service: serviceRules(args.service),
    now: args.now,
  };
}

/** Open slots of one service with starts in [from, to). */
export async function openSlots(db: DbClient, args: SlotScope): Promise<Slot[]> {
  const query = await loadSlotQuery(db, args);
  return computeSlots({ ...query, from: args.from, to: args.to });
}

/**
 * Serialises booking writes for one coach for the rest of the transaction (a row lock on the coach's
 * profile), so the availability check and the insert or move see the same bookings and daily/weekly
 * limits hold exactly. Returns the coach's time zone, or undefined when the coach has no profile.
 */
export async function lockCoachSchedule(
  tx: Prisma.TransactionClient,
  coachId: string,
): Promise<string | undefined> {
  const rows = await tx.$queryRaw<{ time_zone: string }[]>`
    SELECT time_zone FROM coach_profiles WHERE user_id = ${coachId}::uuid FOR UPDATE`;
  return rows[0]?.time_zone;
}

const MINUTE_MS = 60_000;

/** What moving a booking needs to know about it: its own times and buffers, its offering's rules. */
export interface MovableBooking {
  id: string;
  coachId: string;
  startsAt: Date;
  endsAt: Date;
  bufferBeforeMin: number;
  bufferAfterMin: number;
  service: ServiceRulesRow;
}

/** The booking keeps its own length and buffers even if the offering has changed since it was made. */
export function moveRules(b: MovableBooking): ServiceRulesRow {
  return {
    ...b.service,
    durationMin: Math.round((b.endsAt.getTime() - b.startsAt.getTime()) / MINUTE_MS),
    bufferBeforeMin: b.bufferBeforeMin,
    bufferAfterMin: b.bufferAfterMin,
  };
}

/**
 * Why the booking cannot move to `start` (null when it can), against the coach's schedule as `db`
 * sees it, with the booking itself left out. The move re-asks this under the coach's lock
 * (lockCoachSchedule); asked without it, the answer is a fast refusal, not a promise.
 */
export async function explainUnmovable(
  db: DbClient,
  b: MovableBooking,
  timeZone: string,
  start: Date,
  now: Date,
): Promise<SlotProblem | null> {
  const query = await loadSlotQuery(db, {
    coachId: b.coachId,
    timeZone,
    service: moveRules(b),
    from: start,
    to: new Date(start.getTime() + 1),
    now,
    excludeBookingId: b.id,
  });
  return explainUnbookable(query, start);
}
