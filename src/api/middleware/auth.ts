import { createMiddleware } from 'hono/factory';
import type { Role } from '../../domain/billing/plans';
import { featureDeniedMessage, hasFeature, type FeatureFlag } from '../../domain/billing/plans';
import type { Deps } from '../../infra/deps';
import { verifyAccessToken } from '../../infra/tokens';
import { forbidden, unauthorized } from '../errors';
import type { RequestVars } from './request-context';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  sessionId: string;
}

export type AuthedVars = RequestVars & { user: AuthUser };

/**
 * Bearer JWT → the current user. The session must still be live (logout revokes at once) and the
 * role is read fresh, so an upgrade or downgrade applies to the very next request.
 */
export function requireAuth(deps: Pick<Deps, 'cfg' | 'db'>) {
  return createMiddleware<{ Variables: AuthedVars }>(async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized('Missing bearer token (Authorization: Bearer <token>)');
    const claims = await verifyAccessToken(deps.cfg, match[1]!);
    if (!claims) throw unauthorized('Invalid or expired token');
    const session = await deps.db.authSession.findUnique({
      where: { id: claims.sid },
      select: {
        userId: true,
        revokedAt: true,
        expiresAt: true,
        user: { select: { id: true, email: true, name: true, role: true } },
      },
    });
    if (
      !session ||
      session.revokedAt ||
      session.userId !== claims.sub ||
      session.expiresAt.getTime() <= Date.now()
    ) {
      throw unauthorized('Session has ended; log in again');
    }
    c.set('user', { ...session.user, sessionId: claims.sid });
    c.set('log', c.get('log').child({ userId: session.user.id }));
    await next();
  });
}

/** 403 `Insufficient feature access: <flag>` unless the user's plan includes the feature. */
export function requireFeature(flag: FeatureFlag) {
  return createMiddleware<{ Variables: AuthedVars }>(async (c, next) => {
    if (!hasFeature(c.get('user').role, flag))
      throw forbidden(featureDeniedMessage(flag), 'feature_not_in_plan');
    await next();
  });
}

export function requireRole(...roles: Role[]) {
  return createMiddleware<{ Variables: AuthedVars }>(async (c, next) => {
    const role = c.get('user').role;
    if (!roles.includes(role))
      throw forbidden(`This action needs one of the roles: ${roles.join(', ')}`, 'role_not_allowed');
    await next();
  });
}
