import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { book, bookingFor, listBookings } from '../../app/bookings/bookings';
import { cancelAs, markNoShowAs, rescheduleAs } from '../../app/bookings/changes';
import type { Deps } from '../../infra/deps';
import { requireAuth, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, IdParam, json, pageOf, secured } from '../openapi';
import {
  BookingSchema,
  CancelBody,
  CancelledBooking,
  CreateBookingBody,
  ListBookingsQuery,
  OneBooking,
  RescheduleBody,
} from './schemas';
import { bookingView } from './views';

// Booking a slot and changing a booking (src/app/bookings: changes go through the booking's workflow).

export function bookingRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const auth = requireAuth(deps);
  const { db } = deps;
  const hold = deps.cfg.BOOKING_HOLD_TIMEOUT;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/bookings',
      operationId: 'createBooking',
      tags: ['bookings'],
      summary:
        'Book an open slot. Paid services answer with the PaymentIntent client secret; the slot is held until paid or the hold expires',
      ...secured,
      middleware: [auth],
      request: { body: body(CreateBookingBody) },
      responses: {
        201: json(OneBooking, 'Booked (PENDING until paid; free bookings confirm at once)'),
        ...errorResponses(400, 401, 404, 409, 429),
        ...errorResponses(503),
      },
    }),
    async (c) => {
      const user = c.get('user');
      const input = c.req.valid('json');
      const booking = await book(deps, {
        athleteId: user.id,
        serviceId: input.serviceId,
        start: new Date(input.start),
        timeZone: input.timeZone,
        notes: input.notes,
        credit: input.creditId ? { creditId: input.creditId } : input.useCredit ? {} : undefined,
      });
      return c.json({ booking: bookingView(booking, user, hold) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/bookings',
      operationId: 'listBookings',
      tags: ['bookings'],
      summary: 'Your bookings, as the athlete or as the coach, earliest first',
      ...secured,
      middleware: [auth],
      request: { query: ListBookingsQuery },
      responses: { 200: json(pageOf(BookingSchema), 'Bookings'), ...errorResponses(400, 401) },
    }),
    async (c) => {
      const user = c.get('user');
      const q = c.req.valid('query');
      const { items, total } = await listBookings(db, user.id, {
        ...q,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      });
      return c.json({ items: items.map((b) => bookingView(b, user, hold)), total }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/bookings/{id}',
      operationId: 'getBooking',
      tags: ['bookings'],
      summary: 'One booking (its athlete or its coach)',
      ...secured,
      middleware: [auth],
      request: { params: IdParam },
      responses: { 200: json(OneBooking, 'The booking'), ...errorResponses(401, 404) },
    }),
    async (c) => {
      const user = c.get('user');
      const booking = await bookingFor(db, user, c.req.valid('param').id, 'read');
      return c.json({ booking: bookingView(booking, user, hold) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/bookings/{id}/cancel',
      operationId: 'cancelBooking',
      tags: ['bookings'],
      summary:
        'Cancel (athlete or coach). Refund follows the service’s policy; a coach’s cancellation refunds in full',
      ...secured,
      middleware: [auth],
      request: { params: IdParam, body: body(CancelBody) },
      responses: {
        200: json(CancelledBooking, 'Cancelled'),
        ...errorResponses(400, 401, 403, 404, 409, 429),
        ...errorResponses(503),
      },
    }),
    async (c) => {
      const user = c.get('user');
      const { booking, refund } = await cancelAs(
        deps,
        user,
        c.req.valid('param').id,
        c.req.valid('json').reason,
      );
      return c.json({ booking: bookingView(booking, user, hold), refund }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/bookings/{id}/reschedule',
      operationId: 'rescheduleBooking',
      tags: ['bookings'],
      summary:
        'Move to another open slot (athlete or coach); re-checked under the same constraint, reminder re-armed, invites updated',
      ...secured,
      middleware: [auth],
      request: { params: IdParam, body: body(RescheduleBody) },
      responses: {
        200: json(OneBooking, 'Moved'),
        ...errorResponses(400, 401, 403, 404, 409, 429),
        ...errorResponses(503),
      },
    }),
    async (c) => {
      const user = c.get('user');
      const start = new Date(c.req.valid('json').start);
      const booking = await rescheduleAs(deps, user, c.req.valid('param').id, start);
      return c.json({ booking: bookingView(booking, user, hold) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/bookings/{id}/no-show',
      operationId: 'markBookingNoShow',
      tags: ['bookings'],
      summary:
        'Coach: the athlete did not come (from the start until the no-show window after the end closes)',
      ...secured,
      middleware: [auth],
      request: { params: IdParam },
      responses: {
        200: json(OneBooking, 'Marked'),
        ...errorResponses(401, 403, 404, 409, 429),
        ...errorResponses(503),
      },
    }),
    async (c) => {
      const user = c.get('user');
      const booking = await markNoShowAs(deps, user, c.req.valid('param').id);
      return c.json({ booking: bookingView(booking, user, hold) }, 200);
    },
  );

  return app;
}
