import { slotRange, slotRangeProblems } from '../../domain/availability/schedule';
import { notFound, rejectProblems } from '../../domain/shared/errors';
import { openSlots } from '../../data/availability';
import type { Db } from '../../infra/prisma';

export interface SlotSearch {
  serviceId: string;
  /** When given, the offering must belong to this coach (a page's URL can say whose it is). */
  coachId?: string;
  coachSlug?: string;
  from?: Date;
  to?: Date;
}

/**
 * Open slots of one active offering (no login needed): what an athlete can book right now. The
 * offering must exist, be active and its coach take bookings; otherwise it is simply not found.
 */
export async function findOpenSlots(db: Db, search: SlotSearch, now: Date) {
  const { from, to } = slotRange(now, search.from, search.to);
  rejectProblems(slotRangeProblems(from, to), 'Invalid slot query');

  const offering = await db.bookingService.findUnique({
    where: { id: search.serviceId },
    include: {
      coach: { select: { coachProfile: { select: { slug: true, timeZone: true, bookingEnabled: true } } } },
    },
  });
  const profile = offering?.coach.coachProfile;
  if (!offering || !offering.active || !profile?.bookingEnabled) throw notFound('Service');
  if (
    (search.coachId && search.coachId !== offering.coachId) ||
    (search.coachSlug && search.coachSlug !== profile.slug)
  )
    throw notFound('Service');

  const slots = await openSlots(db, {
    coachId: offering.coachId,
    timeZone: profile.timeZone,
    service: offering,
    from,
    to,
    now,
  });
  return { offering, timeZone: profile.timeZone, from, to, slots };
}
