import { blackoutProblems, overlappingWindow } from '../../domain/availability/schedule';
import {
  validateOverrides,
  validateWindows,
  type Problem,
  type TimeWindow,
  type WeeklyWindow,
} from '../../domain/availability/slots';
import { conflict, notFound, rejectProblems } from '../../domain/shared/errors';
import { dateColumnToIso, isoToDateColumn, overrideWindows } from '../../data/availability';
import type { Db } from '../../infra/prisma';

// A coach's schedule: weekly windows (wall-clock times in the profile's time zone), date overrides
// and blackouts. Every row is scoped by the coach in the statement itself.

const DAY_MS = 86_400_000;

/** Domain problem names ("windows[0].endTime") in the API's dotted style ("windows.0.endTime"). */
const dotted = (problems: Problem[]) =>
  problems.map((p) => ({ field: p.field.replace(/\[(\d+)\]/g, '.$1'), reason: p.reason }));

/** Windows are wall-clock times in the profile's zone, so a profile must exist first. */
async function profileZone(db: Db, coachId: string): Promise<string> {
  const profile = await db.coachProfile.findUnique({
    where: { userId: coachId },
    select: { timeZone: true },
  });
  if (!profile) {
    throw conflict(
      'Create your coach profile (it sets your time zone) first: PUT /api/coaches/me/profile',
      'profile_required',
    );
  }
  return profile.timeZone;
}

export async function weeklyAvailability(db: Db, coachId: string) {
  const [timeZone, windows] = await Promise.all([
    profileZone(db, coachId),
    db.availabilityWindow.findMany({ where: { coachId } }),
  ]);
  const sorted = windows.sort((a, b) => a.dayOfWeek - b.dayOfWeek || a.startTime.localeCompare(b.startTime));
  return { timeZone, windows: sorted };
}

/** Replaces the whole week at once; touching windows are fine, overlapping ones are not. */
export async function replaceWeeklyWindows(db: Db, coachId: string, windows: WeeklyWindow[]) {
  rejectProblems(dotted(validateWindows(windows)), 'Invalid availability');
  await profileZone(db, coachId);
  await db.$transaction([
    db.availabilityWindow.deleteMany({ where: { coachId } }),
    db.availabilityWindow.createMany({ data: windows.map((w) => ({ ...w, coachId })) }),
  ]);
  return weeklyAvailability(db, coachId);
}

export async function addWeeklyWindow(db: Db, coachId: string, input: WeeklyWindow) {
  await profileZone(db, coachId);
  // Problems are about this one window, so they name its own fields.
  const problems = dotted(validateWindows([input])).map((p) => ({
    ...p,
    field: p.field.replace(/^windows\.0\.?/, '') || '(body)',
  }));
  if (problems.length === 0) {
    const sameDay = await db.availabilityWindow.findMany({ where: { coachId, dayOfWeek: input.dayOfWeek } });
    const clash = overlappingWindow(sameDay, input);
    if (clash)
      problems.push({
        field: 'startTime',
        reason: `overlaps your existing window ${clash.startTime}–${clash.endTime} on that day`,
      });
  }
  rejectProblems(problems, 'Invalid window');
  await db.availabilityWindow.create({ data: { ...input, coachId } });
  return weeklyAvailability(db, coachId);
}

export async function removeWeeklyWindow(db: Db, coachId: string, id: string): Promise<void> {
  const removed = await db.availabilityWindow.deleteMany({ where: { id, coachId } });
  if (removed.count === 0) throw notFound('Window');
}

/** Overrides from (about) today on; two days back, since the coach's today may be UTC's yesterday. */
export async function upcomingOverrides(db: Db, coachId: string, now: Date) {
  const timeZone = await profileZone(db, coachId);
  const rows = await db.availabilityOverride.findMany({
    where: { coachId, date: { gte: new Date(now.getTime() - 2 * DAY_MS) } },
    orderBy: { date: 'asc' },
  });
  return {
    timeZone,
    overrides: rows.map((r) => ({ date: dateColumnToIso(r.date), windows: overrideWindows(r.windows) })),
  };
}

/** Sets the hours of one date (in the coach's zone), replacing the weekly ones; no windows = a day off. */
export async function setOverride(db: Db, coachId: string, date: string, windows: TimeWindow[]) {
  rejectProblems(
    dotted(validateOverrides([{ date, windows }])).map((p) => ({
      ...p,
      field: p.field.replace(/^overrides\.0\./, ''),
    })),
    'Invalid override',
  );
  await profileZone(db, coachId);
  const stored = windows.map((w) => ({ startTime: w.startTime, endTime: w.endTime }));
  await db.availabilityOverride.upsert({
    where: { coachId_date: { coachId, date: isoToDateColumn(date) } },
    create: { coachId, date: isoToDateColumn(date), windows: stored },
    update: { windows: stored },
  });
  return { date, windows };
}

export async function removeOverride(db: Db, coachId: string, date: string): Promise<void> {
  const removed = await db.availabilityOverride.deleteMany({
    where: { coachId, date: isoToDateColumn(date) },
  });
  if (removed.count === 0) throw notFound('Override');
}

/** Blackouts that have not ended yet, earliest first. */
export const upcomingBlackouts = (db: Db, coachId: string, now: Date) =>
  db.availabilityBlackout.findMany({ where: { coachId, endsAt: { gt: now } }, orderBy: { startsAt: 'asc' } });

/** No slot may touch a blackout; bookings already made in it stay. */
export async function addBlackout(
  db: Db,
  coachId: string,
  input: { start: Date; end: Date; reason: string },
) {
  rejectProblems(blackoutProblems(input.start, input.end), 'Invalid blackout');
  return db.availabilityBlackout.create({
    data: { coachId, startsAt: input.start, endsAt: input.end, reason: input.reason },
  });
}

export async function removeBlackout(db: Db, coachId: string, id: string): Promise<void> {
  const removed = await db.availabilityBlackout.deleteMany({ where: { id, coachId } });
  if (removed.count === 0) throw notFound('Blackout');
}
