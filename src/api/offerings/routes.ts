import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { SLOT_INTERVALS_MIN } from '../../domain/availability/slots';
import { validatePolicy, type CancellationPolicy } from '../../domain/booking/cancellation';
import { isSupportedCurrency } from '../../domain/shared/money';
import type { BookingService } from '../../generated/prisma/client';
import type { Deps } from '../../infra/deps';
import { badRequest, notFound } from '../errors';
import { requireAuth, requireFeature, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, IdParam, json, listOf, secured } from '../openapi';

// A coach's bookable services. Free when priceMinor is 0. Removing a service that has bookings
// archives it (active = false) so those bookings keep their history.

const Tier = z.object({ hoursBefore: z.number(), refundPercent: z.number() }).strict();
const PolicySchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('flexible') }).strict(),
    z.object({ kind: z.literal('moderate') }).strict(),
    z.object({ kind: z.literal('strict') }).strict(),
    z.object({ kind: z.literal('custom'), tiers: z.array(Tier).min(1).max(10) }).strict(),
  ])
  .openapi('CancellationPolicy');

const Minutes = (max: number) => z.number().int('must be a whole number of minutes').min(0).max(max);
const Limit = z.number().int().min(1).max(1000).nullable();

const ServiceFields = {
  title: z.string().trim().min(1).max(200),
  description: z.string().max(5000),
  durationMin: z.number().int('must be a whole number of minutes').min(5).max(720),
  priceMinor: z.number().int('must be an integer amount in minor units (cents)').min(0).max(100_000_000),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as USD')
    .refine(isSupportedCurrency, 'is not a supported currency'),
  bufferBeforeMin: Minutes(240),
  bufferAfterMin: Minutes(240),
  minimumNoticeMin: Minutes(60 * 24 * 30),
  horizonDays: z.number().int().min(1).max(365),
  slotIntervalMin: z
    .number()
    .int()
    .refine(
      (n) => (SLOT_INTERVALS_MIN as readonly number[]).includes(n),
      `must be one of ${SLOT_INTERVALS_MIN.join(', ')}`,
    )
    .nullable(),
  dailyLimit: Limit,
  weeklyLimit: Limit,
  cancellationPolicy: PolicySchema,
  active: z.boolean(),
};

const CreateService = z
  .object({
    ...ServiceFields,
    description: ServiceFields.description.default(''),
    priceMinor: ServiceFields.priceMinor.default(0),
    currency: ServiceFields.currency.default('USD'),
    bufferBeforeMin: ServiceFields.bufferBeforeMin.default(0),
    bufferAfterMin: ServiceFields.bufferAfterMin.default(0),
    minimumNoticeMin: ServiceFields.minimumNoticeMin.default(0),
    horizonDays: ServiceFields.horizonDays.default(60),
    slotIntervalMin: ServiceFields.slotIntervalMin.default(null),
    dailyLimit: ServiceFields.dailyLimit.default(null),
    weeklyLimit: ServiceFields.weeklyLimit.default(null),
    cancellationPolicy: PolicySchema.default({ kind: 'flexible' }),
    active: ServiceFields.active.default(true),
  })
  .strict();
const UpdateService = z.object(ServiceFields).partial().strict();

export const ServiceSchema = z
  .object({
    id: z.uuid(),
    coachId: z.uuid(),
    title: z.string(),
    description: z.string(),
    durationMin: z.number().int(),
    priceMinor: z.number().int(),
    currency: z.string(),
    bufferBeforeMin: z.number().int(),
    bufferAfterMin: z.number().int(),
    minimumNoticeMin: z.number().int(),
    horizonDays: z.number().int(),
    slotIntervalMin: z.number().int().nullable(),
    dailyLimit: z.number().int().nullable(),
    weeklyLimit: z.number().int().nullable(),
    cancellationPolicy: PolicySchema,
    active: z.boolean(),
  })
  .openapi('BookingService');

export function serviceView(s: BookingService): z.infer<typeof ServiceSchema> {
  return {
    id: s.id,
    coachId: s.coachId,
    title: s.title,
    description: s.description,
    durationMin: s.durationMin,
    priceMinor: s.priceMinor,
    currency: s.currency,
    bufferBeforeMin: s.bufferBeforeMin,
    bufferAfterMin: s.bufferAfterMin,
    minimumNoticeMin: s.minimumNoticeMin,
    horizonDays: s.horizonDays,
    slotIntervalMin: s.slotIntervalMin,
    dailyLimit: s.dailyLimit,
    weeklyLimit: s.weeklyLimit,
    cancellationPolicy: s.cancellationPolicy as unknown as CancellationPolicy,
    active: s.active,
  };
}

/** Rules that span fields: a custom refund policy's tiers, and limits that contradict each other. */
function crossFieldProblems(s: {
  cancellationPolicy?: CancellationPolicy;
  dailyLimit?: number | null;
  weeklyLimit?: number | null;
}) {
  const problems = s.cancellationPolicy
    ? validatePolicy(s.cancellationPolicy).map((p) => ({
        field: `cancellationPolicy.${p.field}`,
        reason: p.reason,
      }))
    : [];
  if (s.dailyLimit != null && s.weeklyLimit != null && s.weeklyLimit < s.dailyLimit) {
    problems.push({ field: 'weeklyLimit', reason: 'must not be below dailyLimit' });
  }
  return problems;
}

function rejectProblems(problems: { field: string; reason: string }[]): void {
  if (problems.length > 0)
    throw badRequest(
      `Invalid service: ${problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`,
      problems,
    );
}

export function serviceRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const coach = [requireAuth(deps), requireFeature('bookings_enabled')];

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/me/services',
      tags: ['services'],
      summary:
        'Offer a bookable service (duration, price, buffers, notice, horizon, limits, cancellation policy)',
      ...secured,
      middleware: coach,
      request: { body: body(CreateService) },
      responses: { 201: json(ServiceSchema, 'Created'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const input = c.req.valid('json');
      rejectProblems(crossFieldProblems(input));
      const saved = await deps.db.bookingService.create({ data: { ...input, coachId: c.get('user').id } });
      return c.json(serviceView(saved), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/services',
      tags: ['services'],
      summary: 'Your services, archived ones included',
      ...secured,
      middleware: coach,
      responses: {
        200: json(listOf(ServiceSchema), 'Your services'),
        ...errorResponses(401, 403),
      },
    }),
    async (c) => {
      const items = await deps.db.bookingService.findMany({
        where: { coachId: c.get('user').id },
        orderBy: { createdAt: 'asc' },
      });
      return c.json({ items: items.map(serviceView) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/coaches/me/services/{id}',
      tags: ['services'],
      summary: 'Change one of your services (existing bookings keep their time, price and buffers)',
      ...secured,
      middleware: coach,
      request: { params: IdParam, body: body(UpdateService) },
      responses: { 200: json(ServiceSchema, 'Updated'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const current = await deps.db.bookingService.findFirst({ where: { id, coachId: c.get('user').id } });
      if (!current) throw notFound('Service');
      rejectProblems(
        crossFieldProblems({
          cancellationPolicy: patch.cancellationPolicy,
          dailyLimit: patch.dailyLimit === undefined ? current.dailyLimit : patch.dailyLimit,
          weeklyLimit: patch.weeklyLimit === undefined ? current.weeklyLimit : patch.weeklyLimit,
        }),
      );
      const saved = await deps.db.bookingService.update({ where: { id }, data: patch });
      return c.json(serviceView(saved), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/me/services/{id}',
      tags: ['services'],
      summary: 'Remove a service (archived instead when it has bookings)',
      ...secured,
      middleware: coach,
      request: { params: IdParam },
      responses: { 204: { description: 'Removed or archived' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const service = await deps.db.bookingService.findFirst({
        where: { id, coachId: c.get('user').id },
        select: { id: true },
      });
      if (!service) throw notFound('Service');
      const bookings = await deps.db.booking.count({ where: { serviceId: id } });
      if (bookings > 0) await deps.db.bookingService.update({ where: { id }, data: { active: false } });
      else await deps.db.bookingService.delete({ where: { id } });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/{slug}/services',
      tags: ['services'],
      summary: 'A coach’s bookable services (no login needed)',
      request: { params: z.object({ slug: z.string().min(3).max(60) }) },
      responses: {
        200: json(listOf(ServiceSchema), 'Services'),
        ...errorResponses(400, 404),
      },
    }),
    async (c) => {
      const profile = await deps.db.coachProfile.findUnique({
        where: { slug: c.req.valid('param').slug },
        select: { userId: true, bookingEnabled: true },
      });
      if (!profile) throw notFound('Coach');
      const items = profile.bookingEnabled
        ? await deps.db.bookingService.findMany({
            where: { coachId: profile.userId, active: true },
            orderBy: { createdAt: 'asc' },
          })
        : [];
      return c.json({ items: items.map(serviceView) }, 200);
    },
  );

  return app;
}
