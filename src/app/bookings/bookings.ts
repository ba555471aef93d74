import { randomUUID } from 'node:crypto';
import { explainUnbookable } from '../../domain/availability/slot-check';
import { blockedRange } from '../../domain/availability/slots';
import { priceProblems } from '../../domain/payments/charge-limits';
import { hasFeature } from '../../domain/subscriptions/plans';
import { planInEffectOf } from '../../data/access';
import type { BookingStatus } from '../../domain/bookings/lifecycle';
import { BOOKING_LIMITS, holdsProblem } from '../../domain/bookings/rate-limits';
import { enforce, type Actor, type ResourceFacts } from '../../domain/identity/access';
import { conflict, invalid, notFound, rateLimited, unavailable } from '../../domain/shared/errors';
import { loadSlotQuery, lockCoachSchedule } from '../../data/availability';
import { isExclusionViolation } from '../../data/postgres-errors';
import * as rateLimit from '../../data/rate-limit';
import type { Booking } from '../../generated/prisma/client';
import type { BookingSnapshot } from '../../../workflows/bookings/definitions';
import type { Db } from '../../infra/prisma';
import type { Deps } from '../../infra/deps';
import { logger } from '../../infra/logger';
import { creditError, unbookableStart } from './errors';
import { bookingSnapshotOf } from '../../data/bookings';
import { creditMismatch, removeUnstartedBooking, takeCredit } from '../../data/credits';
import { restartBookingWorkflows, startBookingAndAwaitReady } from './workflow';

// Booking a slot, and reading bookings. The API never calls Stripe or SMTP itself: it commits the
// PENDING row, then starts booking-<id> and waits (briefly) for its answer in one call, so a paid
// booking's answer can carry the client secret (docs/adr/0011). Changes after the insert go through
// the workflow (changes.ts).

const MINUTE_MS = 60_000;

/** What a booking's views need besides the row: the offering's title and the coach's time zone. */
const details = {
  service: { select: { title: true } },
  coach: { select: { coachProfile: { select: { timeZone: true } } } },
} as const;
export type BookingDetails = Booking & {
  service: { title: string };
  coach: { coachProfile: { timeZone: string } | null };
};

export const bookingDetails = (db: Db, id: string): Promise<BookingDetails> =>
  db.booking.findUniqueOrThrow({ where: { id }, include: details });

export interface CreateBookingInput {
  athleteId: string;
  serviceId: string;
  start: Date;
  timeZone?: string;
  notes?: string;
  /** Pay with a package credit (issue 13): the given one, or the usable one expiring first. */
  credit?: { creditId?: string };
}

/** How long past its hold a PENDING booking must be before its workflow is presumed never started. */
const ORPHAN_GRACE_MS = 5 * MINUTE_MS;

/**
 * PENDING bookings of this coach that their workflow should have confirmed or expired long ago: the
 * API committed them and then died before starting the workflow (docs/adr/0011). Only those that
 * still block time count (started within the last day); a few at a time.
 */
const orphanedHolds = (db: Db, coachId: string, now: Date, holdTimeoutMs: number) =>
  db.booking.findMany({
    where: {
      coachId,
      status: 'PENDING',
      startsAt: { gte: new Date(now.getTime() - 24 * 60 * MINUTE_MS) },
      createdAt: { lt: new Date(now.getTime() - holdTimeoutMs - ORPHAN_GRACE_MS) },
    },
    take: 5,
  });

const bookingsClosed = () => conflict('This coach is not taking bookings right now', 'bookings_closed');

/** Every booking attempt counts against the athlete's hourly allowance, whatever its outcome. */
async function throttleBookings(db: Db, athleteId: string): Promise<void> {
  const rule = BOOKING_LIMITS.perAthlete;
  const counted = await rateLimit.hit(db, `booking:athlete:${athleteId}`, rule);
  if (!counted.allowed) {
    throw rateLimited(
      `Too many booking attempts: at most ${rule.limit} an hour; try again in ${Math.ceil(counted.retryAfterSeconds / 60)} min`,
      counted.retryAfterSeconds,
    );
  }
}

/** The offering with its coach, and the athlete: what the checks and the workflow's snapshot need. */
const loadParties = (db: Db, input: CreateBookingInput) =>
  Promise.all([
    db.bookingService.findUnique({
      where: { id: input.serviceId },
      include: {
        coach: {
          select: {
            id: true,
            role: true,
            name: true,
            email: true,
            coachProfile: { select: { bookingEnabled: true, displayName: true } },
          },
        },
      },
    }),
    db.user.findUniqueOrThrow({
      where: { id: input.athleteId },
      select: { id: true, name: true, email: true },
    }),
  ]);

/**
 * Counts the attempt, checks the slot against the coach's availability at this instant and commits
 * the PENDING booking under a per-coach lock; the caller then starts its workflow. The exclusion
 * constraint is the last word on overlaps; losing that race is a 409, never a double booking.
 * Returns the row and the workflow's view of it (BookingSnapshot), built from what was read here.
 */
async function createBooking(
  deps: Pick<Deps, 'db' | 'temporal' | 'cfg'>,
  input: CreateBookingInput,
  now = new Date(),
): Promise<{ row: Booking; snapshot: BookingSnapshot }> {
  const { db } = deps;
  // Every attempt is counted, and a refused one is refused first; the reads run alongside.
  const [throttled, found] = await Promise.allSettled([
    throttleBookings(db, input.athleteId),
    loadParties(db, input),
  ]);
  if (throttled.status === 'rejected') throw throttled.reason;
  if (found.status === 'rejected') throw found.reason;
  const [offering, athlete] = found.value;
  if (!offering || !offering.active) {
    throw notFound('Service', [{ field: 'serviceId', reason: 'no bookable service has this id' }]);
  }
  // The coach's own plan, or (only then asked, off the hot path) an org seat that gives bookings.
  const takesBookings =
    hasFeature(offering.coach.role, 'bookings_enabled') ||
    hasFeature(await planInEffectOf(db, offering.coach), 'bookings_enabled');
  if (!offering.coach.coachProfile?.bookingEnabled || !takesBookings) {
    throw bookingsClosed();
  }
  if (offering.coachId === input.athleteId) {
    throw invalid('You cannot book your own service', [
      { field: 'serviceId', reason: 'is your own service' },
    ]);
  }
  // A named credit that cannot pay for this service is refused before anything is written.
  if (input.credit?.creditId) {
    const mismatch = await creditMismatch(db, {
      userId: input.athleteId,
      serviceId: offering.id,
      creditId: input.credit.creditId,
      now,
    });
    if (mismatch) throw creditError(mismatch.code);
  }
  // An offering priced before Stripe's minimum was enforced: a hold would only expire (a credit pays without a charge).
  const [unchargeable] = input.credit ? [] : priceProblems(offering);
  if (unchargeable) {
    throw conflict(
      'This service cannot be booked: its price cannot be charged by card. The coach needs to change it',
      'service_not_chargeable',
      [{ field: 'serviceId', reason: `the service's ${unchargeable.field} ${unchargeable.reason}` }],
    );
  }
  const start = input.start;
  const end = new Date(start.getTime() + offering.durationMin * MINUTE_MS);
  const blocked = blockedRange(start, end, offering.bufferBeforeMin, offering.bufferAfterMin);
  const id = randomUUID();

  // Repair on contact (docs/adr/0011): holds past their timeout whose workflow never started. They
  // are minutes old and nothing else changes them, so they are read beside the transaction, on a
  // connection of their own, instead of under the coach's lock; they are restarted after it.
  const orphansRead = orphanedHolds(db, offering.coachId, now, deps.cfg.BOOKING_HOLD_TIMEOUT).catch(
    (err: unknown) => {
      // The booking does not depend on it: the next booking with this coach looks again.
      logger.warn({ err, coachId: offering.coachId }, 'stranded holds could not be read');
      return [] as Booking[];
    },
  );
  let committed;
  try {
    committed = await db.$transaction(
      async (tx) => {
        const timeZone = await lockCoachSchedule(tx, offering.coachId);
        if (!timeZone) throw bookingsClosed();
        if (offering.priceMinor > 0) {
          // Counted under the coach's lock, so concurrent requests cannot both take the last place.
          const holds = await tx.booking.findMany({
            where: { athleteId: input.athleteId, coachId: offering.coachId, status: 'PENDING' },
            select: { createdAt: true },
          });
          const squatting = holdsProblem(
            holds.map((h) => h.createdAt.getTime()),
            now.getTime(),
            deps.cfg.BOOKING_HOLD_TIMEOUT,
          );
          if (squatting) throw rateLimited(squatting.message, squatting.retryAfterSeconds, 'too_many_holds');
        }
        const query = await loadSlotQuery(tx, {
          coachId: offering.coachId,
          timeZone,
          service: offering,
          from: start,
          to: new Date(start.getTime() + 1),
          now,
        });
        const problem = explainUnbookable(query, start);
        if (problem) throw unbookableStart(problem);
        // The credit is taken in this transaction with a conditional UPDATE: concurrent bookings
        // with the last credit cannot both have it, and a refused booking gives it back by rollback.
        const credit = input.credit
          ? await takeCredit(tx, {
              userId: input.athleteId,
              serviceId: offering.id,
              creditId: input.credit.creditId,
              now,
            })
          : null;
        if (input.credit && !credit) throw creditError('used_up');
        const created = await tx.booking.create({
          data: {
            id,
            coachId: offering.coachId,
            athleteId: input.athleteId,
            serviceId: offering.id,
            startsAt: start,
            endsAt: end,
            blockedStart: blocked.start,
            blockedEnd: blocked.end,
            bufferBeforeMin: offering.bufferBeforeMin,
            bufferAfterMin: offering.bufferAfterMin,
            timeZone: input.timeZone ?? null,
            notes: input.notes ?? '',
            // Paid with a credit: nothing to charge, so the workflow confirms it like a free booking.
            priceMinor: credit ? 0 : offering.priceMinor,
            currency: offering.currency,
            creditGrantId: credit?.id ?? null,
          },
        });
        return { created, timeZone };
      },
      // Many athletes may queue for one coach's lock; each holds it for milliseconds.
      { maxWait: 20_000, timeout: 30_000 },
    );
  } catch (err) {
    if (isExclusionViolation(err))
      throw unbookableStart({ code: 'taken', reason: 'overlaps another booking (buffers included)' });
    throw err;
  } finally {
    const orphans = await orphansRead;
    if (orphans.length > 0) await restartBookingWorkflows(deps, orphans);
  }
  const { created: row, timeZone } = committed;
  // What the workflow would read back from the row just committed: handed over in its input.
  const coach = offering.coach;
  const snapshot = bookingSnapshotOf(row, {
    coach: { ...coach, displayName: coach.coachProfile?.displayName ?? null, timeZone },
    athlete,
    service: offering,
  });
  return { row, snapshot };
}

/**
 * Books for the athlete and answers once the workflow is ready (or the short wait is over). Against
 * calendar squatting: attempts are rate limited per athlete, unpaid holds capped per coach.
 */
export async function book(
  deps: Pick<Deps, 'db' | 'temporal' | 'cfg'>,
  input: CreateBookingInput,
): Promise<BookingDetails> {
  const { row, snapshot } = await createBooking(deps, input);
  if ((await startBookingAndAwaitReady(deps, row, snapshot)) === 'not_started') {
    // No workflow runs for the row (the workflow service did not take the start): remove the hold,
    // which nothing else refers to yet, as the insert's rollback did when the start was inside it.
    await removeUnstartedBooking(deps.db, row.id);
    throw unavailable('Bookings are briefly unavailable; try again', 'temporarily_unavailable');
  }
  // The row as the workflow has left it (one primary-key read); the offering's title and the coach's
  // zone were read moments ago, under the lock.
  const current = await deps.db.booking.findUniqueOrThrow({ where: { id: row.id } });
  return {
    ...current,
    service: { title: snapshot.service.title },
    coach: { coachProfile: { timeZone: snapshot.coach.timeZone } },
  };
}

const facts = (b: Pick<Booking, 'athleteId' | 'coachId'>): ResourceFacts => ({
  kind: 'booking',
  ownerId: b.athleteId,
  participantIds: [b.coachId],
});

/** One booking, for its athlete or its coach (anyone else: not found; read-only callers: forbidden). */
export async function bookingFor(
  db: Db,
  actor: Actor,
  id: string,
  action: 'read' | 'write',
): Promise<BookingDetails> {
  const row = await db.booking.findUnique({ where: { id }, include: details });
  enforce(actor, action, row ? facts(row) : undefined, 'Booking');
  return row!;
}

export interface BookingFilter {
  /** Only where the user is the athlete, or the coach; both when absent. */
  as?: 'athlete' | 'coach';
  status?: BookingStatus;
  /** Starts in [from, to). */
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

/** The user's bookings, earliest first: one page and the count of all matches. */
export async function listBookings(db: Db, userId: string, f: BookingFilter) {
  const mine =
    f.as === 'athlete'
      ? { athleteId: userId }
      : f.as === 'coach'
        ? { coachId: userId }
        : { OR: [{ athleteId: userId }, { coachId: userId }] };
  const where = {
    ...mine,
    ...(f.status ? { status: f.status } : {}),
    ...(f.from || f.to
      ? { startsAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) } }
      : {}),
  };
  const [items, total] = await Promise.all([
    db.booking.findMany({
      where,
      include: details,
      orderBy: { startsAt: 'asc' },
      take: f.limit,
      skip: f.offset,
    }),
    db.booking.count({ where }),
  ]);
  return { items, total };
}
