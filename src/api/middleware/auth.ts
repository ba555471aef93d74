import { lazyChild } from '../../infra/logger';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import {
  featureDeniedMessage,
  hasFeature,
  type FeatureFlag,
  type Role,
} from '../../domain/subscriptions/plans';
import { authenticate, type AuthUser } from '../../app/identity/accounts';
import type { Deps } from '../../infra/deps';
import { forbidden, unauthenticated } from '../../domain/shared/errors';
import type { RequestVars } from './request-context';

export type { AuthUser } from '../../app/identity/accounts';
export type AuthedVars = RequestVars & { user: AuthUser };

/** The token of an `Authorization: Bearer <token>` header; undefined when absent or of another form. */
export const bearerToken = (authorization: string | undefined): string | undefined =>
  /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];

/** The request's bearer token, or 401 saying how to send one. */
export function requireBearerToken(c: Context): string {
  const token = bearerToken(c.req.header('authorization'));
  if (!token) throw unauthenticated('Missing bearer token (Authorization: Bearer <token>)');
  return token;
}

/** Bearer access token → the current user (src/app/identity/accounts decides whether it is still good). */
export function requireAuth(deps: Pick<Deps, 'cfg' | 'db'>) {
  return createMiddleware<{ Variables: AuthedVars }>(async (c, next) => {
    const user = await authenticate(deps.db, deps.cfg, requireBearerToken(c));
    c.set('user', user);
    c.set('log', lazyChild(c.get('log'), { userId: user.id }));
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
