import type { CancelledBy } from '../domain/bookings/lifecycle';
import type { CancellationPolicy } from '../domain/bookings/cancellation';
import type { Booking } from '../generated/prisma/client';
import type { Db } from '../infra/prisma';
import type { BookingSnapshot } from '../../workflows/bookings/definitions';

// The one reader of a booking snapshot (the workflow's view of a booking), shared by the API, which
// builds it from what it has just written and read, and by the workflow's load activity, which reads
// it back from Postgres.

/** Who and what a booking is between, as the snapshot names them. */
export interface BookingParties {
  coach: { id: string; name: string; email: string; displayName: string | null; timeZone: string | null };
  athlete: { id: string; name: string; email: string };
  service: { id: string; title: string; cancellationPolicy: unknown };
}

/** The snapshot of a booking row and its parties. */
export function bookingSnapshotOf(b: Booking, parties: BookingParties): BookingSnapshot {
  const { coach, athlete, service } = parties;
  return {
    id: b.id,
    status: b.status,
    coach: {
      id: coach.id,
      name: coach.displayName ?? coach.name,
      email: coach.email,
      timeZone: coach.timeZone ?? 'UTC',
    },
    athlete: { id: athlete.id, name: athlete.name, email: athlete.email },
    athleteTimeZone: b.timeZone,
    service: {
      id: service.id,
      title: service.title,
      cancellationPolicy: service.cancellationPolicy as CancellationPolicy,
    },
    startMs: b.startsAt.getTime(),
    endMs: b.endsAt.getTime(),
    priceMinor: b.priceMinor,
    currency: b.currency,
    paymentIntentId: b.paymentIntentId,
    paid: b.paidAt !== null,
    amountPaidMinor: b.amountPaidMinor,
    refundDueMinor: b.refundDueMinor,
    refundedMinor: b.refundedMinor,
    refundId: b.refundId,
    sequence: b.sequence,
    rescheduleCount: b.rescheduleCount,
    createdAtMs: b.createdAt.getTime(),
    cancellation:
      b.cancelledAt && b.cancelledBy
        ? {
            by: b.cancelledBy as CancelledBy,
            reason: b.cancelReason ?? '',
            atMs: b.cancelledAt.getTime(),
            rule: b.refundRule ?? '',
          }
        : null,
    creditGrantId: b.creditGrantId,
  };
}

/** The snapshot of booking `id` as Postgres holds it; null when there is no such row (yet). */
export async function readBookingSnapshot(db: Db, id: string): Promise<BookingSnapshot | null> {
  const b = await db.booking.findUnique({
    where: { id },
    include: {
      service: { select: { id: true, title: true, cancellationPolicy: true } },
      athlete: { select: { id: true, name: true, email: true } },
      coach: {
        select: {
          id: true,
          name: true,
          email: true,
          coachProfile: { select: { displayName: true, timeZone: true } },
        },
      },
    },
  });
  if (!b) return null;
  const profile = b.coach.coachProfile;
  return bookingSnapshotOf(b, {
    coach: { ...b.coach, displayName: profile?.displayName ?? null, timeZone: profile?.timeZone ?? null },
    athlete: b.athlete,
    service: b.service,
  });
}
