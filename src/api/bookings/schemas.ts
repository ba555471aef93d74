import { z } from '@hono/zod-openapi';
import { BOOKING_STATUSES } from '../../domain/bookings/lifecycle';
import { PAYMENT_STATES } from '../../domain/bookings/payment';
import { Instant, pagination, TimeZone } from '../openapi';

const StatusSchema = z.enum(BOOKING_STATUSES);

export const CreateBookingBody = z
  .object({
    serviceId: z.uuid(),
    start: Instant,
    /** The zone the athlete wants times shown in (emails, views); defaults to the coach's. */
    timeZone: TimeZone.optional(),
    notes: z.string().max(2000).optional(),
    /** Pay with a package credit for this service (the one expiring first), or with this credit. */
    useCredit: z.boolean().optional(),
    creditId: z.uuid().optional(),
  })
  .strict();

export const ListBookingsQuery = z.object({
  as: z.enum(['athlete', 'coach']).optional(),
  status: StatusSchema.optional(),
  from: Instant.optional(),
  to: Instant.optional(),
  ...pagination,
});

export const CancelBody = z.object({ reason: z.string().trim().max(1000).default('') }).strict();
export const RescheduleBody = z.object({ start: Instant }).strict();

export const BookingSchema = z
  .object({
    id: z.uuid(),
    status: StatusSchema,
    serviceId: z.uuid(),
    serviceTitle: z.string(),
    coachId: z.uuid(),
    athleteId: z.uuid(),
    start: z.string(),
    end: z.string(),
    /** The same times on the viewer's side: the athlete's chosen zone (or the coach's), the coach's zone for the coach. */
    local: z.object({ timeZone: z.string(), start: z.string(), end: z.string() }),
    notes: z.string(),
    price: z.object({ amountMinor: z.number().int(), currency: z.string() }),
    payment: z.object({
      state: z.enum(PAYMENT_STATES),
      paymentIntentId: z.string().nullable(),
      /** For Stripe.js confirmCardPayment; only the athlete sees it, only while the booking is PENDING. */
      clientSecret: z.string().nullable(),
      holdExpiresAt: z.string().nullable(),
    }),
    refund: z.object({
      dueMinor: z.number().int(),
      refundedMinor: z.number().int(),
      rule: z.string().nullable(),
    }),
    cancellation: z
      .object({ by: z.enum(['athlete', 'coach']), reason: z.string(), at: z.string() })
      .nullable(),
    sequence: z.number().int(),
    rescheduleCount: z.number().int(),
    createdAt: z.string(),
    /** The package credit that paid for it (no payment then); null for paid and free bookings. */
    creditId: z.uuid().nullable(),
  })
  .openapi('Booking');

export const OneBooking = z.object({ booking: BookingSchema });
export const CancelledBooking = z.object({
  booking: BookingSchema,
  refund: z.object({ amountMinor: z.number().int(), percent: z.number(), rule: z.string() }).nullable(),
});
