import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Deps } from '../../infra/deps';
import { notFound } from '../errors';
import { requireAuth, requireRole, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, json, RoleSchema, secured, UserSchema, userView } from '../openapi';

/** Operator tools (superuser only). Plan changes for paying users go through subscriptions. */
export function adminRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/admin/users/{id}/role',
      tags: ['admin'],
      summary: 'Set a user’s role (support and comped accounts)',
      ...secured,
      middleware: [requireAuth(deps), requireRole('superuser')],
      request: { params: z.object({ id: z.uuid() }), body: body(z.object({ role: RoleSchema }).strict()) },
      responses: { 200: json(UserSchema, 'Updated'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const updated = await deps.db.user.updateMany({
        where: { id },
        data: { role: c.req.valid('json').role },
      });
      if (updated.count === 0) throw notFound('User');
      c.get('log').info({ targetUserId: id, role: c.req.valid('json').role }, 'role changed by operator');
      return c.json(userView(await deps.db.user.findUniqueOrThrow({ where: { id } })), 200);
    },
  );

  return app;
}
