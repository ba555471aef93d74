import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  computeSlots,
  validateOverrides,
  validateWindows,
  type Problem,
} from '../../domain/availability/slots';
import { formatInZone, parseIsoDate } from '../../domain/shared/timezone';
import type { Deps } from '../../infra/deps';
import { dateColumnToIso, isoToDateColumn, loadSlotQuery, overrideWindows } from '../../data/availability';
import { conflict, badRequest, notFound } from '../errors';
import { requireAuth, requireFeature, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, IdParam, Instant, json, listOf, secured, TimeZone } from '../openapi';

// The coach's schedule (weekly windows in their profile's time zone, date overrides, blackouts) and
// the public slot list computed from it. Slots are UTC instants; with ?timeZone= each also carries
// the viewer's local wall-clock time.

const DAY_MS = 86_400_000;
const MAX_SLOT_RANGE_DAYS = 62;

const HHMM = z.string().regex(/^\d{2}:\d{2}$/, 'must be HH:MM');
const TimeWindowInput = z.object({ startTime: HHMM, endTime: HHMM }).strict();
const WeeklyWindowInput = z
  .object({ dayOfWeek: z.number().int().min(0).max(6), startTime: HHMM, endTime: HHMM })
  .strict();
const IsoDateParam = z.object({
  date: z.string().refine((d) => parseIsoDate(d) !== null, 'must be a valid YYYY-MM-DD date'),
});

const WindowSchema = z
  .object({ id: z.uuid(), dayOfWeek: z.number().int(), startTime: z.string(), endTime: z.string() })
  .openapi('AvailabilityWindow');
const WindowsSchema = z
  .object({ timeZone: z.string(), windows: z.array(WindowSchema) })
  .openapi('WeeklyAvailability');
const OverrideSchema = z
  .object({ date: z.string(), windows: z.array(z.object({ startTime: z.string(), endTime: z.string() })) })
  .openapi('AvailabilityOverride');
const BlackoutSchema = z
  .object({ id: z.uuid(), start: z.string(), end: z.string(), reason: z.string() })
  .openapi('Blackout');
const SlotSchema = z
  .object({
    start: z.string(),
    end: z.string(),
    local: z.object({ start: z.string(), end: z.string() }).optional(),
  })
  .openapi('Slot');

/** Domain problem names ("windows[0].endTime") in the API's dotted style ("windows.0.endTime"). */
const dotted = (problems: Problem[]) =>
  problems.map((p) => ({ field: p.field.replace(/\[(\d+)\]/g, '.$1'), reason: p.reason }));

function reject(problems: { field: string; reason: string }[], what: string): void {
  if (problems.length > 0)
    throw badRequest(
      `Invalid ${what}: ${problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`,
      problems,
    );
}

const sortWindows = <T extends { dayOfWeek: number; startTime: string }>(w: T[]) =>
  [...w].sort((a, b) => a.dayOfWeek - b.dayOfWeek || a.startTime.localeCompare(b.startTime));

export function availabilityRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const coach = [requireAuth(deps), requireFeature('bookings_enabled')];
  const { db } = deps;

  /** Windows are wall-clock times in the profile's zone, so a profile must exist first. */
  async function profileZone(coachId: string): Promise<string> {
    const profile = await db.coachProfile.findUnique({
      where: { userId: coachId },
      select: { timeZone: true },
    });
    if (!profile) {
      throw conflict(
        'Create your coach profile (it sets your time zone) first: PUT /api/coaches/me/profile',
        'profile_required',
      );
    }
    return profile.timeZone;
  }

  async function weekly(coachId: string) {
    const [timeZone, windows] = await Promise.all([
      profileZone(coachId),
      db.availabilityWindow.findMany({ where: { coachId } }),
    ]);
    return {
      timeZone,
      windows: sortWindows(windows).map((w) => ({
        id: w.id,
        dayOfWeek: w.dayOfWeek,
        startTime: w.startTime,
        endTime: w.endTime,
      })),
    };
  }

  // ── Weekly windows ─────────────────────────────────────────────────────────────────────────

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/availability/windows',
      tags: ['availability'],
      summary: 'Your weekly availability, in your profile’s time zone',
      ...secured,
      middleware: coach,
      responses: { 200: json(WindowsSchema, 'Weekly windows'), ...errorResponses(401, 403, 409) },
    }),
    async (c) => c.json(await weekly(c.get('user').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/availability/windows',
      tags: ['availability'],
      summary:
        'Replace your whole weekly availability (0 = Sunday; touching windows are fine, overlapping ones are not)',
      ...secured,
      middleware: coach,
      request: { body: body(z.object({ windows: z.array(WeeklyWindowInput).max(100) }).strict()) },
      responses: { 200: json(WindowsSchema, 'Saved'), ...errorResponses(400, 401, 403, 409) },
    }),
    async (c) => {
      const coachId = c.get('user').id;
      const { windows } = c.req.valid('json');
      reject(dotted(validateWindows(windows)), 'availability');
      await profileZone(coachId);
      await db.$transaction([
        db.availabilityWindow.deleteMany({ where: { coachId } }),
        db.availabilityWindow.createMany({ data: windows.map((w) => ({ ...w, coachId })) }),
      ]);
      return c.json(await weekly(coachId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/availability/windows',
      tags: ['availability'],
      summary: 'Add one weekly window',
      ...secured,
      middleware: coach,
      request: { body: body(WeeklyWindowInput) },
      responses: { 201: json(WindowsSchema, 'Added'), ...errorResponses(400, 401, 403, 409) },
    }),
    async (c) => {
      const coachId = c.get('user').id;
      const input = c.req.valid('json');
      await profileZone(coachId);
      const problems = dotted(validateWindows([input])).map((p) => ({
        ...p,
        field: p.field.replace(/^windows\.0\.?/, '') || '(body)',
      }));
      if (problems.length === 0) {
        const existing = await db.availabilityWindow.findMany({
          where: { coachId, dayOfWeek: input.dayOfWeek },
        });
        const clash = existing.find((w) => w.startTime < input.endTime && input.startTime < w.endTime);
        if (clash)
          problems.push({
            field: 'startTime',
            reason: `overlaps your existing window ${clash.startTime}–${clash.endTime} on that day`,
          });
      }
      reject(problems, 'window');
      await db.availabilityWindow.create({ data: { ...input, coachId } });
      return c.json(await weekly(coachId), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/availability/windows/{id}',
      tags: ['availability'],
      summary: 'Remove one weekly window',
      ...secured,
      middleware: coach,
      request: { params: IdParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const removed = await db.availabilityWindow.deleteMany({
        where: { id: c.req.valid('param').id, coachId: c.get('user').id },
      });
      if (removed.count === 0) throw notFound('Window');
      return c.body(null, 204);
    },
  );

  // ── Date overrides ─────────────────────────────────────────────────────────────────────────

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/availability/overrides',
      tags: ['availability'],
      summary: 'Your date overrides (custom hours or days off), from today on',
      ...secured,
      middleware: coach,
      responses: {
        200: json(z.object({ timeZone: z.string(), items: z.array(OverrideSchema) }), 'Overrides'),
        ...errorResponses(401, 403, 409),
      },
    }),
    async (c) => {
      const coachId = c.get('user').id;
      const timeZone = await profileZone(coachId);
      const rows = await db.availabilityOverride.findMany({
        where: { coachId, date: { gte: new Date(Date.now() - 2 * DAY_MS) } },
        orderBy: { date: 'asc' },
      });
      return c.json(
        {
          timeZone,
          items: rows.map((r) => ({ date: dateColumnToIso(r.date), windows: overrideWindows(r.windows) })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/availability/overrides/{date}',
      tags: ['availability'],
      summary:
        'Set the hours of one date (in your time zone), replacing the weekly ones; an empty list is a day off',
      ...secured,
      middleware: coach,
      request: {
        params: IsoDateParam,
        body: body(z.object({ windows: z.array(TimeWindowInput).max(20) }).strict()),
      },
      responses: { 200: json(OverrideSchema, 'Saved'), ...errorResponses(400, 401, 403, 409) },
    }),
    async (c) => {
      const coachId = c.get('user').id;
      const { date } = c.req.valid('param');
      const { windows } = c.req.valid('json');
      reject(
        dotted(validateOverrides([{ date, windows }])).map((p) => ({
          ...p,
          field: p.field.replace(/^overrides\.0\./, ''),
        })),
        'override',
      );
      await profileZone(coachId);
      await db.availabilityOverride.upsert({
        where: { coachId_date: { coachId, date: isoToDateColumn(date) } },
        create: { coachId, date: isoToDateColumn(date), windows },
        update: { windows },
      });
      return c.json({ date, windows }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/availability/overrides/{date}',
      tags: ['availability'],
      summary: 'Drop a date override (the weekly hours apply again)',
      ...secured,
      middleware: coach,
      request: { params: IsoDateParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const removed = await db.availabilityOverride.deleteMany({
        where: { coachId: c.get('user').id, date: isoToDateColumn(c.req.valid('param').date) },
      });
      if (removed.count === 0) throw notFound('Override');
      return c.body(null, 204);
    },
  );

  // ── Blackouts ──────────────────────────────────────────────────────────────────────────────

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/availability/blackouts',
      tags: ['availability'],
      summary: 'Your blackouts that have not ended yet',
      ...secured,
      middleware: coach,
      responses: {
        200: json(listOf(BlackoutSchema), 'Blackouts'),
        ...errorResponses(401, 403),
      },
    }),
    async (c) => {
      const rows = await db.availabilityBlackout.findMany({
        where: { coachId: c.get('user').id, endsAt: { gt: new Date() } },
        orderBy: { startsAt: 'asc' },
      });
      return c.json(
        {
          items: rows.map((r) => ({
            id: r.id,
            start: r.startsAt.toISOString(),
            end: r.endsAt.toISOString(),
            reason: r.reason,
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/availability/blackouts',
      tags: ['availability'],
      summary: 'Block out time (a holiday, a tournament): no slot may touch it; existing bookings stay',
      ...secured,
      middleware: coach,
      request: {
        body: body(
          z.object({ start: Instant, end: Instant, reason: z.string().max(500).default('') }).strict(),
        ),
      },
      responses: { 201: json(BlackoutSchema, 'Created'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const start = new Date(input.start);
      const end = new Date(input.end);
      const problems = [];
      if (!(end > start)) problems.push({ field: 'end', reason: 'must be after start' });
      else if (end.getTime() - start.getTime() > 366 * DAY_MS)
        problems.push({ field: 'end', reason: 'must be within a year of start' });
      reject(problems, 'blackout');
      const row = await db.availabilityBlackout.create({
        data: { coachId: c.get('user').id, startsAt: start, endsAt: end, reason: input.reason },
      });
      return c.json(
        { id: row.id, start: row.startsAt.toISOString(), end: row.endsAt.toISOString(), reason: row.reason },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/availability/blackouts/{id}',
      tags: ['availability'],
      summary: 'Remove a blackout',
      ...secured,
      middleware: coach,
      request: { params: IdParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const removed = await db.availabilityBlackout.deleteMany({
        where: { id: c.req.valid('param').id, coachId: c.get('user').id },
      });
      if (removed.count === 0) throw notFound('Blackout');
      return c.body(null, 204);
    },
  );

  // ── Slots (public) ─────────────────────────────────────────────────────────────────────────

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/availability/slots',
      tags: ['availability'],
      summary: 'Open slots of a coach’s service (no login needed). UTC instants; ?timeZone= adds local times',
      request: {
        query: z.object({
          serviceId: z.uuid(),
          coachSlug: z.string().min(3).max(60).optional(),
          coachId: z.uuid().optional(),
          from: Instant.optional(),
          to: Instant.optional(),
          timeZone: TimeZone.optional(),
        }),
      },
      responses: {
        200: json(
          z
            .object({
              coachId: z.uuid(),
              serviceId: z.uuid(),
              durationMin: z.number().int(),
              timeZone: z.string(),
              viewerTimeZone: z.string().nullable(),
              from: z.string(),
              to: z.string(),
              slots: z.array(SlotSchema),
            })
            .openapi('Slots'),
          'Open slots, earliest first',
        ),
        ...errorResponses(400, 404),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const now = new Date();
      const from = q.from ? new Date(q.from) : now;
      const to = q.to ? new Date(q.to) : new Date(from.getTime() + 7 * DAY_MS);
      const problems = [];
      if (!(to > from)) problems.push({ field: 'to', reason: 'must be after from' });
      else if (to.getTime() - from.getTime() > MAX_SLOT_RANGE_DAYS * DAY_MS)
        problems.push({ field: 'to', reason: `must be within ${MAX_SLOT_RANGE_DAYS} days of from` });
      reject(problems, 'slot query');

      const service = await db.bookingService.findUnique({
        where: { id: q.serviceId },
        include: {
          coach: {
            select: { coachProfile: { select: { slug: true, timeZone: true, bookingEnabled: true } } },
          },
        },
      });
      const profile = service?.coach.coachProfile;
      if (!service || !service.active || !profile?.bookingEnabled) throw notFound('Service');
      if ((q.coachId && q.coachId !== service.coachId) || (q.coachSlug && q.coachSlug !== profile.slug))
        throw notFound('Service');

      const query = await loadSlotQuery(db, {
        coachId: service.coachId,
        timeZone: profile.timeZone,
        service,
        from,
        to,
        now,
      });
      const slots = computeSlots({ ...query, from, to });
      const viewer = q.timeZone;
      return c.json(
        {
          coachId: service.coachId,
          serviceId: service.id,
          durationMin: service.durationMin,
          timeZone: profile.timeZone,
          viewerTimeZone: viewer ?? null,
          from: from.toISOString(),
          to: to.toISOString(),
          slots: slots.map((s) => ({
            start: s.start.toISOString(),
            end: s.end.toISOString(),
            ...(viewer
              ? { local: { start: formatInZone(s.start, viewer), end: formatInZone(s.end, viewer) } }
              : {}),
          })),
        },
        200,
      );
    },
  );

  return app;
}
