import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { findOpenSlots } from '../../app/availability/slots';
import * as schedule from '../../app/availability/availability';
import type { Deps } from '../../infra/deps';
import { requireAuth, requireFeature, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, IdParam, json, listOf, secured } from '../openapi';
import {
  BlackoutBody,
  BlackoutSchema,
  IsoDateParam,
  OverrideBody,
  OverrideSchema,
  OverridesSchema,
  SlotsQuery,
  SlotsSchema,
  WeeklyAvailabilitySchema,
  WeeklyWindowInput,
  WeeklyWindowsBody,
} from './schemas';
import { blackoutView, slotsView, weeklyAvailabilityView } from './views';

// The coach's schedule (weekly windows in their profile's time zone, date overrides, blackouts) and
// the public slot list computed from it.

export function availabilityRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const coach = [requireAuth(deps), requireFeature('bookings_enabled')];
  const { db } = deps;

  // ── Weekly windows ─────────────────────────────────────────────────────────────────────────

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/availability/windows',
      operationId: 'listAvailabilityWindows',
      tags: ['availability'],
      summary: 'Your weekly availability, in your profile’s time zone',
      ...secured,
      middleware: coach,
      responses: { 200: json(WeeklyAvailabilitySchema, 'Weekly windows'), ...errorResponses(401, 403, 409) },
    }),
    async (c) => c.json(weeklyAvailabilityView(await schedule.weeklyAvailability(db, c.get('user').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/availability/windows',
      operationId: 'replaceAvailabilityWindows',
      tags: ['availability'],
      summary:
        'Replace your whole weekly availability (0 = Sunday; touching windows are fine, overlapping ones are not)',
      ...secured,
      middleware: coach,
      request: { body: body(WeeklyWindowsBody) },
      responses: { 200: json(WeeklyAvailabilitySchema, 'Saved'), ...errorResponses(400, 401, 403, 409) },
    }),
    async (c) => {
      const week = await schedule.replaceWeeklyWindows(db, c.get('user').id, c.req.valid('json').windows);
      return c.json(weeklyAvailabilityView(week), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/availability/windows',
      operationId: 'addAvailabilityWindow',
      tags: ['availability'],
      summary: 'Add one weekly window',
      ...secured,
      middleware: coach,
      request: { body: body(WeeklyWindowInput) },
      responses: { 201: json(WeeklyAvailabilitySchema, 'Added'), ...errorResponses(400, 401, 403, 409) },
    }),
    async (c) => {
      const week = await schedule.addWeeklyWindow(db, c.get('user').id, c.req.valid('json'));
      return c.json(weeklyAvailabilityView(week), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/availability/windows/{id}',
      operationId: 'deleteAvailabilityWindow',
      tags: ['availability'],
      summary: 'Remove one weekly window',
      ...secured,
      middleware: coach,
      request: { params: IdParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      await schedule.removeWeeklyWindow(db, c.get('user').id, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  // ── Date overrides ─────────────────────────────────────────────────────────────────────────

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/availability/overrides',
      operationId: 'listDateOverrides',
      tags: ['availability'],
      summary: 'Your date overrides (custom hours or days off), from today on',
      ...secured,
      middleware: coach,
      responses: { 200: json(OverridesSchema, 'Overrides'), ...errorResponses(401, 403, 409) },
    }),
    async (c) => {
      const { timeZone, overrides } = await schedule.upcomingOverrides(db, c.get('user').id, new Date());
      return c.json({ timeZone, items: overrides }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/availability/overrides/{date}',
      operationId: 'setDateOverride',
      tags: ['availability'],
      summary:
        'Set the hours of one date (in your time zone), replacing the weekly ones; an empty list is a day off',
      ...secured,
      middleware: coach,
      request: { params: IsoDateParam, body: body(OverrideBody) },
      responses: { 200: json(OverrideSchema, 'Saved'), ...errorResponses(400, 401, 403, 409) },
    }),
    async (c) => {
      const { date } = c.req.valid('param');
      const saved = await schedule.setOverride(db, c.get('user').id, date, c.req.valid('json').windows);
      return c.json(saved, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/availability/overrides/{date}',
      operationId: 'deleteDateOverride',
      tags: ['availability'],
      summary: 'Drop a date override (the weekly hours apply again)',
      ...secured,
      middleware: coach,
      request: { params: IsoDateParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      await schedule.removeOverride(db, c.get('user').id, c.req.valid('param').date);
      return c.body(null, 204);
    },
  );

  // ── Blackouts ──────────────────────────────────────────────────────────────────────────────

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/availability/blackouts',
      operationId: 'listBlackouts',
      tags: ['availability'],
      summary: 'Your blackouts that have not ended yet',
      ...secured,
      middleware: coach,
      responses: { 200: json(listOf(BlackoutSchema), 'Blackouts'), ...errorResponses(401, 403) },
    }),
    async (c) => {
      const blackouts = await schedule.upcomingBlackouts(db, c.get('user').id, new Date());
      return c.json({ items: blackouts.map(blackoutView) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/availability/blackouts',
      operationId: 'createBlackout',
      tags: ['availability'],
      summary: 'Block out time (a holiday, a tournament): no slot may touch it; existing bookings stay',
      ...secured,
      middleware: coach,
      request: { body: body(BlackoutBody) },
      responses: { 201: json(BlackoutSchema, 'Created'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const blackout = await schedule.addBlackout(db, c.get('user').id, {
        start: new Date(input.start),
        end: new Date(input.end),
        reason: input.reason,
      });
      return c.json(blackoutView(blackout), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/availability/blackouts/{id}',
      operationId: 'deleteBlackout',
      tags: ['availability'],
      summary: 'Remove a blackout',
      ...secured,
      middleware: coach,
      request: { params: IdParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      await schedule.removeBlackout(db, c.get('user').id, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  // ── Slots (public) ─────────────────────────────────────────────────────────────────────────

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/availability/slots',
      operationId: 'listSlots',
      security: [],
      tags: ['availability'],
      summary: 'Open slots of a coach’s service (no login needed). UTC instants; ?timeZone= adds local times',
      request: { query: SlotsQuery },
      responses: { 200: json(SlotsSchema, 'Open slots, earliest first'), ...errorResponses(400, 404) },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const found = await findOpenSlots(
        db,
        {
          serviceId: q.serviceId,
          coachId: q.coachId,
          coachSlug: q.coachSlug,
          from: q.from ? new Date(q.from) : undefined,
          to: q.to ? new Date(q.to) : undefined,
        },
        new Date(),
      );
      return c.json(slotsView(found, q.timeZone), 200);
    },
  );

  return app;
}
