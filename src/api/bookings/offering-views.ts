import type { z } from '@hono/zod-openapi';
import type { CancellationPolicy } from '../../domain/bookings/cancellation';
import type { BookingService as Offering } from '../../generated/prisma/client';
import type { OfferingSchema } from './offering-schemas';

export function offeringView(o: Offering): z.infer<typeof OfferingSchema> {
  return {
    id: o.id,
    coachId: o.coachId,
    title: o.title,
    description: o.description,
    durationMin: o.durationMin,
    priceMinor: o.priceMinor,
    currency: o.currency,
    bufferBeforeMin: o.bufferBeforeMin,
    bufferAfterMin: o.bufferAfterMin,
    minimumNoticeMin: o.minimumNoticeMin,
    horizonDays: o.horizonDays,
    slotIntervalMin: o.slotIntervalMin,
    dailyLimit: o.dailyLimit,
    weeklyLimit: o.weeklyLimit,
    // Written only through the API schema, so the stored JSON has the policy's shape.
    cancellationPolicy: o.cancellationPolicy as unknown as CancellationPolicy,
    active: o.active,
  };
}
