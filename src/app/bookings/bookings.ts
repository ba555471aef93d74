import { randomUUID } from 'node:crypto';
import { explainUnbookable } from '../../domain/availability/slot-check';
import { blockedRange } from '../../domain/availability/slots';
import { priceProblems } from '../../domain/billing/charge-limits';
import { hasFeature } from '../../domain/billing/plans';
import type { BookingStatus } from '../../domain/booking/lifecycle';
import { BOOKING_LIMITS, holdsProblem } from '../../domain/booking/rate-limits';
import { enforce, type Actor, type ResourceFacts } from '../../domain/identity/access';
import { conflict, invalid, notFound, rateLimited, unavailable } from '../../domain/shared/errors';
import { loadSlotQuery, lockCoachSchedule } from '../../data/availability';
import { isExclusionViolation } from '../../data/postgres-errors';
import * as rateLimit from '../../data/rate-limit';
import type { Booking } from '../../generated/prisma/client';
import type { Db } from '../../infra/prisma';
import type { Deps } from '../../infra/deps';
import { unbookableStart } from './errors';
import { awaitBookingReady, startBookingWorkflow } from './workflow';

// Booking a slot, and reading bookings. The API never calls Stripe or SMTP itself: it writes the
// PENDING row and starts booking-<id> in one transaction, then (briefly) waits for the workflow to
// have the PaymentIntent ready so the answer can carry the client secret. Changes after the insert
// go through the workflow (changes.ts).

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
}

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

/**
 * Checks the slot against the coach's availability at this instant and inserts the PENDING booking,
 * under a per-coach lock, in one transaction that also starts the workflow: either both exist or
 * neither does (a workflow whose insert rolled back finds no row and ends). The exclusion
 * constraint is the last word on overlaps; losing that race is a 409, never a double booking.
 */
async function createBooking(
  deps: Pick<Deps, 'db' | 'temporal' | 'cfg'>,
  input: CreateBookingInput,
  now = new Date(),
): Promise<Booking> {
  const { db } = deps;
  const offering = await db.bookingService.findUnique({
    where: { id: input.serviceId },
    include: {
      coach: { select: { id: true, role: true, coachProfile: { select: { bookingEnabled: true } } } },
    },
  });
  if (!offering || !offering.active) {
    throw notFound('Service', [{ field: 'serviceId', reason: 'no bookable service has this id' }]);
  }
  if (!offering.coach.coachProfile?.bookingEnabled || !hasFeature(offering.coach.role, 'bookings_enabled')) {
    throw bookingsClosed();
  }
  if (offering.coachId === input.athleteId) {
    throw invalid('You cannot book your own service', [
      { field: 'serviceId', reason: 'is your own service' },
    ]);
  }
  // An offering priced before Stripe's minimum was enforced: a hold would only expire.
  const [unchargeable] = priceProblems(offering);
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

  try {
    return await db.$transaction(
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
        const row = await tx.booking.create({
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
            priceMinor: offering.priceMinor,
            currency: offering.currency,
          },
        });
        try {
          await startBookingWorkflow(deps, row);
        } catch (err) {
          // Rolls the insert back: a hold without its workflow would never be released.
          throw unavailable(
            `Bookings are briefly unavailable; try again (${(err as Error).message})`,
            'temporarily_unavailable',
          );
        }
        return row;
      },
      // Many athletes may queue for one coach's lock; each holds it for milliseconds.
      { maxWait: 20_000, timeout: 30_000 },
    );
  } catch (err) {
    if (isExclusionViolation(err))
      throw unbookableStart({ code: 'taken', reason: 'overlaps another booking (buffers included)' });
    throw err;
  }
}

/**
 * Books for the athlete and answers once the workflow is ready (or the short wait is over). Against
 * calendar squatting: attempts are rate limited per athlete, unpaid holds capped per coach.
 */
export async function book(
  deps: Pick<Deps, 'db' | 'temporal' | 'cfg'>,
  input: CreateBookingInput,
): Promise<BookingDetails> {
  await throttleBookings(deps.db, input.athleteId);
  const row = await createBooking(deps, input);
  await awaitBookingReady(deps, row.id);
  return bookingDetails(deps.db, row.id);
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
