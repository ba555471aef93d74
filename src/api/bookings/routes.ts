import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Actor, ResourceFacts } from '../../domain/identity/access';
import { BOOKING_STATUSES, type CancelledBy } from '../../domain/booking/lifecycle';
import { formatInZone } from '../../domain/shared/timezone';
import type { Booking } from '../../generated/prisma/client';
import type { Deps } from '../../infra/deps';
import {
  awaitBookingReady,
  cancelBooking,
  createBooking,
  markNoShow,
  paymentState,
  rescheduleBooking,
} from '../../app/bookings/bookings';
import { enforce } from '../middleware/authorize';
import { forbidden } from '../errors';
import { requireAuth, type AuthedVars, type AuthUser } from '../middleware/auth';
import {
  body,
  errorResponses,
  IdParam,
  Instant,
  json,
  pageOf,
  pagination,
  secured,
  TimeZone,
} from '../openapi';

// Booking a slot and changing a booking. Changes after the insert go through the booking's
// workflow as Temporal Updates, so every rule (state, timing, refunds) is checked in one place.

const StatusSchema = z.enum(BOOKING_STATUSES);

const BookingSchema = z
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
      state: z.enum([
        'not_required',
        'preparing',
        'awaiting_payment',
        'paid',
        'refunded',
        'partially_refunded',
        'not_paid',
      ]),
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
  })
  .openapi('Booking');

type BookingRow = Booking & {
  service: { title: string };
  coach: { coachProfile: { timeZone: string } | null };
};

const include = {
  service: { select: { title: true } },
  coach: { select: { coachProfile: { select: { timeZone: true } } } },
} as const;

function bookingView(b: BookingRow, viewer: AuthUser, holdTimeoutMs: number): z.infer<typeof BookingSchema> {
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
      holdExpiresAt:
        b.status === 'PENDING' && b.priceMinor > 0
          ? new Date(b.createdAt.getTime() + holdTimeoutMs).toISOString()
          : null,
    },
    refund: { dueMinor: b.refundDueMinor, refundedMinor: b.refundedMinor, rule: b.refundRule },
    cancellation:
      b.cancelledAt && b.cancelledBy
        ? { by: b.cancelledBy as CancelledBy, reason: b.cancelReason ?? '', at: b.cancelledAt.toISOString() }
        : null,
    sequence: b.sequence,
    rescheduleCount: b.rescheduleCount,
    createdAt: b.createdAt.toISOString(),
  };
}

const facts = (b: Pick<Booking, 'athleteId' | 'coachId'>): ResourceFacts => ({
  kind: 'booking',
  ownerId: b.athleteId,
  participantIds: [b.coachId],
});

export function bookingRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const auth = requireAuth(deps);
  const { db } = deps;
  const hold = deps.cfg.BOOKING_HOLD_TIMEOUT;

  async function load(id: string, actor: Actor, action: 'read' | 'write'): Promise<BookingRow> {
    const row = await db.booking.findUnique({ where: { id }, include });
    enforce(actor, action, row ? facts(row) : undefined, 'Booking');
    return row!;
  }
  const reload = (id: string) => db.booking.findUniqueOrThrow({ where: { id }, include });
  /** Who is acting on the booking: its athlete, or the coach side (the coach, or an operator). */
  const sideOf = (b: Booking, user: AuthUser): CancelledBy => (user.id === b.athleteId ? 'athlete' : 'coach');

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/bookings',
      tags: ['bookings'],
      summary:
        'Book an open slot. Paid services answer with the PaymentIntent client secret; the slot is held until paid or the hold expires',
      ...secured,
      middleware: [auth],
      request: {
        body: body(
          z
            .object({
              serviceId: z.uuid(),
              start: Instant,
              /** The zone the athlete wants times shown in (emails, views); defaults to the coach's. */
              timeZone: TimeZone.optional(),
              notes: z.string().max(2000).optional(),
            })
            .strict(),
        ),
      },
      responses: {
        201: json(
          z.object({ booking: BookingSchema }),
          'Booked (PENDING until paid; free bookings confirm at once)',
        ),
        ...errorResponses(400, 401, 404, 409),
      },
    }),
    async (c) => {
      const user = c.get('user');
      const input = c.req.valid('json');
      const row = await createBooking(deps, {
        athleteId: user.id,
        serviceId: input.serviceId,
        start: new Date(input.start),
        timeZone: input.timeZone,
        notes: input.notes,
      });
      await awaitBookingReady(deps, row.id);
      return c.json({ booking: bookingView(await reload(row.id), user, hold) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/bookings',
      tags: ['bookings'],
      summary: 'Your bookings, as the athlete or as the coach, earliest first',
      ...secured,
      middleware: [auth],
      request: {
        query: z.object({
          as: z.enum(['athlete', 'coach']).optional(),
          status: StatusSchema.optional(),
          from: Instant.optional(),
          to: Instant.optional(),
          ...pagination,
        }),
      },
      responses: {
        200: json(pageOf(BookingSchema), 'Bookings'),
        ...errorResponses(400, 401),
      },
    }),
    async (c) => {
      const user = c.get('user');
      const q = c.req.valid('query');
      const mine =
        q.as === 'athlete'
          ? { athleteId: user.id }
          : q.as === 'coach'
            ? { coachId: user.id }
            : { OR: [{ athleteId: user.id }, { coachId: user.id }] };
      const where = {
        ...mine,
        ...(q.status ? { status: q.status } : {}),
        ...(q.from || q.to
          ? {
              startsAt: {
                ...(q.from ? { gte: new Date(q.from) } : {}),
                ...(q.to ? { lt: new Date(q.to) } : {}),
              },
            }
          : {}),
      };
      const [items, total] = await Promise.all([
        db.booking.findMany({ where, include, orderBy: { startsAt: 'asc' }, take: q.limit, skip: q.offset }),
        db.booking.count({ where }),
      ]);
      return c.json({ items: items.map((b) => bookingView(b, user, hold)), total }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/bookings/{id}',
      tags: ['bookings'],
      summary: 'One booking (its athlete or its coach)',
      ...secured,
      middleware: [auth],
      request: { params: IdParam },
      responses: {
        200: json(z.object({ booking: BookingSchema }), 'The booking'),
        ...errorResponses(401, 404),
      },
    }),
    async (c) => {
      const user = c.get('user');
      return c.json(
        { booking: bookingView(await load(c.req.valid('param').id, user, 'read'), user, hold) },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/bookings/{id}/cancel',
      tags: ['bookings'],
      summary:
        'Cancel (athlete or coach). Refund follows the service’s policy; a coach’s cancellation refunds in full',
      ...secured,
      middleware: [auth],
      request: {
        params: IdParam,
        body: body(z.object({ reason: z.string().trim().max(1000).default('') }).strict()),
      },
      responses: {
        200: json(
          z.object({
            booking: BookingSchema,
            refund: z
              .object({ amountMinor: z.number().int(), percent: z.number(), rule: z.string() })
              .nullable(),
          }),
          'Cancelled',
        ),
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const user = c.get('user');
      const booking = await load(c.req.valid('param').id, user, 'write');
      const outcome = await cancelBooking(deps, booking, {
        by: sideOf(booking, user),
        actorId: user.id,
        reason: c.req.valid('json').reason,
      });
      return c.json(
        { booking: bookingView(await reload(booking.id), user, hold), refund: outcome.refund },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/bookings/{id}/reschedule',
      tags: ['bookings'],
      summary:
        'Move to another open slot (athlete or coach); re-checked under the same constraint, reminder re-armed, invites updated',
      ...secured,
      middleware: [auth],
      request: { params: IdParam, body: body(z.object({ start: Instant }).strict()) },
      responses: {
        200: json(z.object({ booking: BookingSchema }), 'Moved'),
        ...errorResponses(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const user = c.get('user');
      const booking = await load(c.req.valid('param').id, user, 'write');
      await rescheduleBooking(deps, booking, {
        by: sideOf(booking, user),
        actorId: user.id,
        start: new Date(c.req.valid('json').start),
      });
      return c.json({ booking: bookingView(await reload(booking.id), user, hold) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/bookings/{id}/no-show',
      tags: ['bookings'],
      summary:
        'Coach: the athlete did not come (from the start until the no-show window after the end closes)',
      ...secured,
      middleware: [auth],
      request: { params: IdParam },
      responses: {
        200: json(z.object({ booking: BookingSchema }), 'Marked'),
        ...errorResponses(401, 403, 404, 409),
      },
    }),
    async (c) => {
      const user = c.get('user');
      const booking = await load(c.req.valid('param').id, user, 'read');
      if (user.id !== booking.coachId) throw forbidden('Only the coach can mark a no-show');
      await markNoShow(deps, booking, user.id);
      return c.json({ booking: bookingView(await reload(booking.id), user, hold) }, 200);
    },
  );

  return app;
}
