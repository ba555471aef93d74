import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { publicCoachPage } from '../../app/coaches/coach-page';
import * as profiles from '../../app/coaches/profiles';
import type { Deps } from '../../infra/deps';
import { requireAuth, requireFeature, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, IdParam, json, listOf, secured } from '../openapi';
import { ProductInput, ProductSchema, ProfileInput, ProfileSchema, PublicCoachSchema, Slug } from './schemas';
import { productView, profileView, publicCoachView } from './views';

export function coachRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const auth = requireAuth(deps);
  // Coaching features start at Coach Pro; the profile and products are what the public page sells.
  const coach = [auth, requireFeature('bookings_enabled')];
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/coaches/me/profile',
      operationId: 'saveCoachProfile',
      tags: ['coaches'],
      summary: 'Create or replace your public coach profile',
      ...secured,
      middleware: coach,
      request: { body: body(ProfileInput) },
      responses: { 200: json(ProfileSchema, 'Saved'), ...errorResponses(400, 401, 403, 409) },
    }),
    async (c) => {
      const saved = await profiles.saveProfile(db, c.get('user').id, c.req.valid('json'));
      return c.json(profileView(saved), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/profile',
      operationId: 'getCoachProfile',
      tags: ['coaches'],
      summary: 'Your coach profile',
      ...secured,
      middleware: coach,
      responses: { 200: json(ProfileSchema, 'Your profile'), ...errorResponses(401, 403, 404) },
    }),
    async (c) => c.json(profileView(await profiles.profileOf(db, c.get('user').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/me/products',
      operationId: 'createProduct',
      tags: ['coaches'],
      summary: 'Add a product or package to sell',
      ...secured,
      middleware: coach,
      request: { body: body(ProductInput) },
      responses: { 201: json(ProductSchema, 'Created'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const product = await profiles.createProduct(db, c.get('user').id, c.req.valid('json'));
      return c.json(productView(product), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/products',
      operationId: 'listProducts',
      tags: ['coaches'],
      summary: 'Your products',
      ...secured,
      middleware: coach,
      responses: { 200: json(listOf(ProductSchema), 'Your products'), ...errorResponses(401, 403) },
    }),
    async (c) => {
      const products = await profiles.productsOf(db, c.get('user').id);
      return c.json({ items: products.map(productView) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/coaches/me/products/{id}',
      operationId: 'updateProduct',
      tags: ['coaches'],
      summary: 'Change one of your products',
      ...secured,
      middleware: coach,
      request: { params: IdParam, body: body(ProductInput.partial().strict()) },
      responses: { 200: json(ProductSchema, 'Updated'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const product = await profiles.updateProduct(db, c.get('user').id, id, c.req.valid('json'));
      return c.json(productView(product), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/me/products/{id}',
      operationId: 'deleteProduct',
      tags: ['coaches'],
      summary: 'Remove one of your products',
      ...secured,
      middleware: coach,
      request: { params: IdParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      await profiles.removeProduct(db, c.get('user').id, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/{slug}',
      operationId: 'getCoachPage',
      security: [],
      tags: ['coaches'],
      summary: 'A coach’s public page with its Book and Buy calls to action (no login needed)',
      request: { params: z.object({ slug: Slug }) },
      responses: { 200: json(PublicCoachSchema, 'The coach'), ...errorResponses(400, 404) },
    }),
    async (c) =>
      c.json(publicCoachView(await publicCoachPage(db, c.req.valid('param').slug, new Date())), 200),
  );

  return app;
}
