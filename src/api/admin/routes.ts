import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { setRole } from '../../app/identity/users';
import type { Deps } from '../../infra/deps';
import { UserSchema } from '../auth/schemas';
import { userView } from '../auth/views';
import { requireAuth, requireRole, type AuthedVars } from '../middleware/auth';
import { body, errorResponses, IdParam, json, RoleSchema, secured } from '../openapi';

/** Operator tools (superuser only). Plan changes for paying users go through subscriptions. */
export function adminRoutes(deps: Deps) {
  const app = new OpenAPIHono<{ Variables: AuthedVars }>();

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/admin/users/{id}/role',
      operationId: 'setUserRole',
      tags: ['admin'],
      summary: 'Set a user’s role (support and comped accounts)',
      ...secured,
      middleware: [requireAuth(deps), requireRole('superuser')],
      request: {
        params: IdParam,
        body: body(
          z
            .object({
              role: RoleSchema,
              /** Why, kept in role_changes beside who: billing never lowers a role an operator set. */
              reason: z.string().trim().min(1).max(500).optional(),
            })
            .strict(),
        ),
      },
      responses: { 200: json(UserSchema, 'Updated'), ...errorResponses(400, 401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { role, reason } = c.req.valid('json');
      const user = await setRole(deps.db, { userId: id, role, actorId: c.get('user').id, reason });
      c.get('log').info({ targetUserId: id, role }, 'role changed by operator');
      return c.json(userView(user), 200);
    },
  );

  return app;
}
