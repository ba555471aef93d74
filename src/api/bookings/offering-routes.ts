import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import * as offerings from '../../app/bookings/offerings';
import type { Deps } from '../../infra/deps';
import { requireAuth, requireFeature, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, IdParam, json, listOf, secured } from '../openapi';
import { CoachSlugParam, CreateOfferingBody, OfferingSchema, UpdateOfferingBody } from './offering-schemas';
import { offeringView } from './offering-views';

// A coach's bookable offerings, under the public paths /api/coaches/…/services.

export function offeringRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();
  const coach = [requireAuth(deps), requireFeature('bookings_enabled')];
  const { db } = deps;

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/coaches/me/services',
      operationId: 'createService',
      tags: ['services'],
      summary:
        'Offer a bookable service (duration, price, buffers, notice, horizon, limits, cancellation policy)',
      ...secured,
      middleware: coach,
      request: { body: body(CreateOfferingBody) },
      responses: { 201: json(OfferingSchema, 'Created'), ...errorResponses(400, 401, 403) },
    }),
    async (c) => {
      const saved = await offerings.createOffering(db, c.get('user').id, c.req.valid('json'));
      return c.json(offeringView(saved), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/me/services',
      operationId: 'listServices',
      tags: ['services'],
      summary: 'Your services, archived ones included',
      ...secured,
      middleware: coach,
      responses: { 200: json(listOf(OfferingSchema), 'Your services'), ...errorResponses(401, 403) },
    }),
    async (c) => {
      const items = await offerings.offeringsOf(db, c.get('user').id);
      return c.json({ items: items.map(offeringView) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/coaches/me/services/{id}',
      operationId: 'updateService',
      tags: ['services'],
      summary: 'Change one of your services (existing bookings keep their time, price and buffers)',
      ...secured,
      middleware: coach,
      request: { params: IdParam, body: body(UpdateOfferingBody) },
      responses: { 200: json(OfferingSchema, 'Updated'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const saved = await offerings.updateOffering(db, c.get('user').id, id, c.req.valid('json'));
      return c.json(offeringView(saved), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/coaches/me/services/{id}',
      operationId: 'deleteService',
      tags: ['services'],
      summary: 'Remove a service (archived instead when it has bookings)',
      ...secured,
      middleware: coach,
      request: { params: IdParam },
      responses: { 204: { description: 'Removed or archived' }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      await offerings.removeOffering(db, c.get('user').id, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/coaches/{slug}/services',
      operationId: 'listCoachServices',
      security: [],
      tags: ['services'],
      summary: 'A coach’s bookable services (no login needed)',
      request: { params: CoachSlugParam },
      responses: { 200: json(listOf(OfferingSchema), 'Services'), ...errorResponses(400, 404) },
    }),
    async (c) => {
      const items = await offerings.publicOfferings(db, c.req.valid('param').slug);
      return c.json({ items: items.map(offeringView) }, 200);
    },
  );

  return app;
}
