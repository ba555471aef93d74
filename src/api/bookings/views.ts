import type { z } from '@hono/zod-openapi';
import type { CancelledBy } from '../../domain/bookings/lifecycle';
import { holdExpiresAt, paymentState } from '../../domain/bookings/payment';
import { formatInZone } from '../../domain/shared/timezone';
import type { BookingDetails } from '../../app/bookings/bookings';
import type { BookingSchema } from './schemas';

/**
 * A booking as `viewer` sees it: times also in their zone (the coach's zone for the coach, the
 * athlete's chosen zone or else the coach's for the athlete); the client secret only for the athlete.
 */
export function bookingView(
  b: BookingDetails,
  viewer: { id: string },
  holdTimeoutMs: number,
): z.infer<typeof BookingSchema> {
  const coachZone = b.coach.coachProfile?.timeZone ?? 'UTC';
  const zone = viewer.id === b.coachId ? coachZone : (b.timeZone ?? coachZone);
  const athleteView = viewer.id === b.athleteId;
  return {
    id: b.id,
    status: b.status,
    serviceId: b.serviceId,
    serviceTitle: b.service.title,
    coachId: b.coachId,
    athleteId: b.athleteId,
    start: b.startsAt.toISOString(),
    end: b.endsAt.toISOString(),
    local: { timeZone: zone, start: formatInZone(b.startsAt, zone), end: formatInZone(b.endsAt, zone) },
    notes: b.notes,
    price: { amountMinor: b.priceMinor, currency: b.currency },
    payment: {
      state: paymentState(b),
      paymentIntentId: b.paymentIntentId,
      clientSecret: athleteView && b.status === 'PENDING' ? b.paymentClientSecret : null,
      holdExpiresAt: holdExpiresAt(b, holdTimeoutMs)?.toISOString() ?? null,
    },
    refund: { dueMinor: b.refundDueMinor, refundedMinor: b.refundedMinor, rule: b.refundRule },
    cancellation:
      b.cancelledAt && b.cancelledBy
        ? { by: b.cancelledBy as CancelledBy, reason: b.cancelReason ?? '', at: b.cancelledAt.toISOString() }
        : null,
    sequence: b.sequence,
    rescheduleCount: b.rescheduleCount,
    createdAt: b.createdAt.toISOString(),
    creditId: b.creditGrantId,
  };
}
