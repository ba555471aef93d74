import { z } from '@hono/zod-openapi';
import { CLIENT_EVENT_TYPES, MAX_BATCH } from '../../domain/analytics/events';
import { GRANULARITIES } from '../../domain/analytics/funnel';
import { Instant, STORABLE_YEARS_MESSAGE, withinStorableYears } from '../openapi';

const Day = z.iso
  .date({ message: 'must be a date such as 2026-11-30 (UTC day)' })
  .refine(withinStorableYears, STORABLE_YEARS_MESSAGE);

export const EventsBody = z
  .object({
    events: z
      .array(
        z
          .object({
            /** Idempotency key chosen by the client: the same key again is a duplicate, accepted and not counted. */
            key: z.string().min(8).max(200),
            type: z.enum(CLIENT_EVENT_TYPES),
            /** The coach's slug (as on the public page) or id. */
            coach: z.string().min(3).max(60),
            occurredAt: Instant.optional(),
            path: z.string().max(500).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_BATCH, `at most ${MAX_BATCH} events per batch`),
  })
  .strict();

export const IngestResult = z.object({
  /** Events stored now. */
  accepted: z.number().int(),
  /** Events whose key was already stored (a repeated batch): accepted, not counted again. */
  duplicates: z.number().int(),
});

export const ReportQuery = z.object({
  from: Day.optional(),
  to: Day.optional(),
  granularity: z.enum(GRANULARITIES).default('day'),
});

const Counts = {
  views: z.number().int(),
  ctaClicks: z.number().int(),
  checkouts: z.number().int(),
  purchases: z.number().int(),
  bookings: z.number().int(),
  /** Minor units per currency (upper case): purchases + paid bookings + paid sessions − refunds. */
  revenue: z.record(z.string(), z.number().int()),
};

export const AnalyticsReport = z
  .object({
    from: z.string(),
    to: z.string(),
    granularity: z.enum(GRANULARITIES),
    series: z.array(z.object({ period: z.string(), ...Counts })),
    totals: z.object(Counts),
    funnel: z.object({
      views: z.number().int(),
      checkouts: z.number().int(),
      purchases: z.number().int(),
      bookings: z.number().int(),
      rates: z.object({
        viewToCheckout: z.number().nullable(),
        checkoutToPurchase: z.number().nullable(),
        viewToPurchase: z.number().nullable(),
        viewToBooking: z.number().nullable(),
      }),
    }),
  })
  .openapi('AnalyticsReport');
