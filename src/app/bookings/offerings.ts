import type { CancellationPolicy } from '../../domain/bookings/cancellation';
import { offeringProblems } from '../../domain/bookings/offering';
import { notFound, rejectProblems } from '../../domain/shared/errors';
import type { BookingService as Offering, Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/prisma';

// A coach's bookable offerings (stored as BookingService rows; "services" in the public API).
// Removing one that has bookings archives it (active = false) so those bookings keep their history.

export interface OfferingInput {
  title: string;
  description: string;
  durationMin: number;
  priceMinor: number;
  currency: string;
  bufferBeforeMin: number;
  bufferAfterMin: number;
  minimumNoticeMin: number;
  horizonDays: number;
  slotIntervalMin: number | null;
  dailyLimit: number | null;
  weeklyLimit: number | null;
  cancellationPolicy: CancellationPolicy;
  active: boolean;
}

const INVALID = 'Invalid service';
const asJson = (policy: CancellationPolicy | undefined) => policy as Prisma.InputJsonValue | undefined;

export async function createOffering(db: Db, coachId: string, input: OfferingInput): Promise<Offering> {
  rejectProblems(offeringProblems({ ...input, price: input }), INVALID);
  return db.bookingService.create({
    data: { ...input, cancellationPolicy: asJson(input.cancellationPolicy)!, coachId },
  });
}

/** The coach's offerings, archived ones included. */
export const offeringsOf = (db: Db, coachId: string): Promise<Offering[]> =>
  db.bookingService.findMany({ where: { coachId }, orderBy: { createdAt: 'asc' } });

/**
 * Existing bookings keep their time, price and buffers: they copied them when they were made. A new
 * price or currency is judged together with the stored other half (Stripe's minimum is per currency).
 */
export async function updateOffering(
  db: Db,
  coachId: string,
  id: string,
  patch: Partial<OfferingInput>,
): Promise<Offering> {
  const current = await db.bookingService.findFirst({ where: { id, coachId } });
  if (!current) throw notFound('Service');
  rejectProblems(
    offeringProblems({
      cancellationPolicy: patch.cancellationPolicy,
      dailyLimit: patch.dailyLimit === undefined ? current.dailyLimit : patch.dailyLimit,
      weeklyLimit: patch.weeklyLimit === undefined ? current.weeklyLimit : patch.weeklyLimit,
      price:
        patch.priceMinor === undefined && patch.currency === undefined
          ? undefined
          : {
              priceMinor: patch.priceMinor ?? current.priceMinor,
              currency: patch.currency ?? current.currency,
            },
    }),
    INVALID,
  );
  return db.bookingService.update({
    where: { id },
    data: { ...patch, cancellationPolicy: asJson(patch.cancellationPolicy) },
  });
}

export async function removeOffering(db: Db, coachId: string, id: string): Promise<void> {
  const offering = await db.bookingService.findFirst({ where: { id, coachId }, select: { id: true } });
  if (!offering) throw notFound('Service');
  const bookings = await db.booking.count({ where: { serviceId: id } });
  if (bookings > 0) await db.bookingService.update({ where: { id }, data: { active: false } });
  else await db.bookingService.delete({ where: { id } });
}

/** What a coach's public page lists: active offerings, none while the coach takes no bookings. */
export async function publicOfferings(db: Db, slug: string): Promise<Offering[]> {
  const profile = await db.coachProfile.findUnique({
    where: { slug },
    select: { userId: true, bookingEnabled: true },
  });
  if (!profile) throw notFound('Coach');
  if (!profile.bookingEnabled) return [];
  return db.bookingService.findMany({
    where: { coachId: profile.userId, active: true },
    orderBy: { createdAt: 'asc' },
  });
}
