import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Deps } from '../../infra/deps';
import { Prisma } from '../../generated/prisma/client';
import { coachPageCtas } from '../../app/coaches/coach-page';
import { conflict, notFound } from '../errors';
import { requireAuth, requireFeature, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, IdParam, json, listOf, secured, TimeZone } from '../openapi';

const Slug = z
  .string()
  .min(3)
  .max(60)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case letters, digits and single hyphens');
const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as USD');

const ProfileInput = z
  .object({
    slug: Slug,
    displayName: z.string().trim().min(1).max(100),
    bio: z.string().max(5000).default(''),
    avatarUrl: z.url().max(2000).nullable().default(null),
    timeZone: TimeZone,
    bookingEnabled: z.boolean().default(false),
    productsEnabled: z.boolean().default(false),
  })
  .strict();

const ProfileSchema = z
  .object({
    userId: z.uuid(),
    slug: z.string(),
    displayName: z.string(),
    bio: z.string(),
    avatarUrl: z.string().nullable(),
    timeZone: z.string(),
    bookingEnabled: z.boolean(),
    productsEnabled: z.boolean(),
    stripeAccountId: z.string().nullable(),
  })
  .openapi('CoachProfile');

const ProductInput = z
  .object({
    title: z.string().trim().min(1).max(200),
    description: z.string().max(5000).default(''),
    priceMinor: z.number().int('must be an integer amount in minor units (cents)').min(0).max(100_000_000),
    currency: Currency,
    active: z.boolean().default(true),
  })
  .strict();
const ProductSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    description: z.string(),
    priceMinor: z.number().int(),
    currency: z.string(),
    active: z.boolean(),
  })
  .openapi('Product');

const PublicCoachSchema = z
  .object({
    slug: z.string(),
    displayName: z.string(),
    bio: z.string(),
    avatarUrl: z.string().nullable(),
    timeZone: z.string(),
    cta: z.object({ book: z.boolean(), buy: z.boolean() }),
    products: z.array(ProductSchema.omit({ active: true })),
  })
  .openapi('PublicCoach');

type ProfileRow = z.infer<typeof ProfileSchema>;
const profileView = (p: ProfileRow): ProfileRow => ({
  userId: p.userId,
  slug: p.slug,
  displayName: p.displayName,
  bio: p.bio,
  avatarUrl: p.avatarUrl,
  timeZone: p.timeZone,
  bookingEnabled: p.bookingEnabled,
  productsEnabled: p.productsEnabled,
  stripeAccountId: p.stripeAccountId,
});
const productView = (p: z.infer<typeof ProductSchema>) => ({
  id: p.id,
  title: p.title,
  description: p.description,
  priceMinor: p.priceMinor,
  currency: p.currency,
  active: p.active,
});

export function coachRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const auth = requireAuth(deps);
  // Coaching features start at Coach Pro; the profile and products are what the public page sells.
  const coach = [auth, requireFeature('bookings_enabled')];

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/coaches/me/profile',
      tags: ['coaches'],
      summary: 'Create or replace your public coach profile',
      ...secured,
      middleware: coach,
      request: { body: body(ProfileInput) },
      responses: { 200: json(ProfileSchema, 'Saved'), ...errorResponses(400, 401, 403, 409) },
    }),
    async (c) => {
      const userId = c.get('user').id;
      const input = c.req.valid('json');
      try {
        const saved = await deps.db.coachProfile.upsert({
          where: { userId },
          create: { userId, ...input },
          update: input,
        });
        return c.json(profileView(saved), 200);
      } catch (err) {
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
          throw conflict(`The slug "${input.slug}" is taken; choose another`, 'slug_taken', [
            { field: 'slug', reason: 'already taken' },
          ]);
        }
        throw err;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/profile',
      tags: ['coaches'],
      summary: 'Your coach profile',
      ...secured,
      middleware: coach,
      responses: { 200: json(ProfileSchema, 'Your profile'), ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const profile = await deps.db.coachProfile.findUnique({ where: { userId: c.get('user').id } });
      if (!profile) throw notFound('Coach profile');
      return c.json(profileView(profile), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/me/products',
      tags: ['coaches'],
      summary: 'Add a product or package to sell',
      ...secured,
      middleware: coach,
      request: { body: body(ProductInput) },
      responses: { 201: json(ProductSchema, 'Created'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const product = await deps.db.product.create({
        data: { ...c.req.valid('json'), coachId: c.get('user').id },
      });
      return c.json(productView(product), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/products',
      tags: ['coaches'],
      summary: 'Your products',
      ...secured,
      middleware: coach,
      responses: {
        200: json(listOf(ProductSchema), 'Your products'),
        ...errorResponses(401, 403),
      },
    }),
    async (c) => {
      const items = await deps.db.product.findMany({
        where: { coachId: c.get('user').id },
        orderBy: { createdAt: 'asc' },
      });
      return c.json({ items: items.map(productView) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/coaches/me/products/{id}',
      tags: ['coaches'],
      summary: 'Change one of your products',
      ...secured,
      middleware: coach,
      request: { params: IdParam, body: body(ProductInput.partial().strict()) },
      responses: { 200: json(ProductSchema, 'Updated'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      // Scoped by owner in the statement itself: someone else's product is simply not found.
      const updated = await deps.db.product.updateMany({
        where: { id, coachId: c.get('user').id },
        data: c.req.valid('json'),
      });
      if (updated.count === 0) throw notFound('Product');
      return c.json(productView(await deps.db.product.findUniqueOrThrow({ where: { id } })), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/me/products/{id}',
      tags: ['coaches'],
      summary: 'Remove one of your products',
      ...secured,
      middleware: coach,
      request: { params: IdParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      const deleted = await deps.db.product.deleteMany({
        where: { id: c.req.valid('param').id, coachId: c.get('user').id },
      });
      if (deleted.count === 0) throw notFound('Product');
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/{slug}',
      tags: ['coaches'],
      summary: 'A coach’s public page with its Book and Buy calls to action (no login needed)',
      request: { params: z.object({ slug: Slug }) },
      responses: { 200: json(PublicCoachSchema, 'The coach'), ...errorResponses(400, 404) },
    }),
    async (c) => {
      const profile = await deps.db.coachProfile.findUnique({ where: { slug: c.req.valid('param').slug } });
      if (!profile) throw notFound('Coach');
      const { cta, products } = await coachPageCtas(deps.db, profile, new Date());
      return c.json(
        {
          slug: profile.slug,
          displayName: profile.displayName,
          bio: profile.bio,
          avatarUrl: profile.avatarUrl,
          timeZone: profile.timeZone,
          cta,
          products: products.map((p) => ({
            id: p.id,
            title: p.title,
            description: p.description,
            priceMinor: p.priceMinor,
            currency: p.currency,
          })),
        },
        200,
      );
    },
  );

  return app;
}
