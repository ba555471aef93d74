import { randomUUID } from 'node:crypto';
import type { Role } from '../../domain/subscriptions/plans';
import { normaliseEmail } from '../../domain/identity/email';
import { LOGIN_LIMITS } from '../../domain/identity/rate-limits';
import { planInEffect } from '../../domain/identity/orgs';
import { conflict, rateLimited, unauthenticated } from '../../domain/shared/errors';
import { LIVE_SEATS } from '../../data/access';
import { isUniqueViolation } from '../../data/postgres-errors';
import * as rateLimit from '../../data/rate-limit';
import type { Config } from '../../infra/config';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../../infra/passwords';
import type { Db } from '../../infra/prisma';
import {
  formatRefreshToken,
  newRefreshSecret,
  parseRefreshToken,
  sameHash,
  sha256,
  signAccessToken,
  verifyAccessToken,
} from '../../infra/tokens';

// Accounts and login sessions (AuthSession: one per login, revocable at once, with a rotating
// refresh token of which only the SHA-256 is stored).

export type AuthSettings = Pick<
  Config,
  'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'ACCESS_TOKEN_TTL' | 'REFRESH_TOKEN_TTL'
>;

/** How long an address the account logged in from counts as the owner's own. */
const KNOWN_ADDRESS_MS = 90 * 86_400_000;

export interface TokenPair {
  token: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

/** The caller of an authenticated request, with the login session its token belongs to. */
export interface AuthUser {
  id: string;
  email: string;
  name: string;
  /** The plan the request runs under (own plan, or an org seat's when higher). */
  role: Role;
  authSessionId: string;
}

const invalidRefreshToken = (message: string) => unauthenticated(message, 'invalid_refresh_token');

async function openAuthSession(
  db: Db,
  cfg: AuthSettings,
  userId: string,
  client: ClientInfo,
): Promise<TokenPair> {
  const id = randomUUID();
  const secret = newRefreshSecret();
  await db.authSession.create({
    data: {
      id,
      userId,
      refreshTokenHash: sha256(secret),
      expiresAt: new Date(Date.now() + cfg.REFRESH_TOKEN_TTL),
      userAgent: client.userAgent?.slice(0, 300),
      ip: client.ip,
    },
  });
  return issue(cfg, userId, id, secret);
}

async function issue(
  cfg: AuthSettings,
  userId: string,
  authSessionId: string,
  secret: string,
): Promise<TokenPair> {
  return {
    token: await signAccessToken(cfg, { sub: userId, sid: authSessionId }),
    refreshToken: formatRefreshToken(authSessionId, secret),
    tokenType: 'Bearer',
    expiresIn: Math.floor(cfg.ACCESS_TOKEN_TTL / 1000),
  };
}

export async function register(
  db: Db,
  cfg: AuthSettings,
  input: { email: string; password: string; name: string },
  client: ClientInfo,
) {
  const email = normaliseEmail(input.email);
  // In-process requests (tests, scripts) have no address; over HTTP there always is one.
  if (client.ip) {
    const perIp = await rateLimit.hit(db, `register:ip:${client.ip}`, LOGIN_LIMITS.registrationsPerIp);
    if (!perIp.allowed)
      throw rateLimited('Too many sign-ups from this address; try again later', perIp.retryAfterSeconds);
  }
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await db.user.create({ data: { email, name: input.name.trim(), passwordHash } });
    return { user, tokens: await openAuthSession(db, cfg, user.id, client) };
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('An account with this email already exists', 'email_taken');
    throw err;
  }
}

export async function login(
  db: Db,
  cfg: AuthSettings,
  input: { email: string; password: string },
  client: ClientInfo,
) {
  const email = normaliseEmail(input.email);
  const address = client.ip ?? 'unknown';
  const perIp = await rateLimit.hit(db, `login:ip:${address}`, LOGIN_LIMITS.perIp);
  if (!perIp.allowed)
    throw rateLimited('Too many login attempts from this address; try again later', perIp.retryAfterSeconds);
  const pairKey = `login:account-ip:${email}|${address}`;
  const pair = await rateLimit.hit(db, pairKey, LOGIN_LIMITS.perAccountAndIp);
  if (!pair.allowed) {
    throw rateLimited(
      'Too many failed logins for this account from this address; try again later',
      pair.retryAfterSeconds,
    );
  }
  const accountKey = `login:account:${email}`;
  const fromNewAddress = !(await isKnownAddress(db, email, client.ip));
  if (fromNewAddress) {
    const account = await rateLimit.hit(db, accountKey, LOGIN_LIMITS.perAccount);
    if (!account.allowed) {
      throw rateLimited(
        'Too many failed logins for this account from new addresses; try again later, or from a device you have logged in from before',
        account.retryAfterSeconds,
      );
    }
  }
  const user = await db.user.findUnique({ where: { email } });
  // Verify against a dummy hash when the account does not exist, so timing does not reveal it.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) throw unauthenticated('Email or password is incorrect', 'invalid_credentials');
  await rateLimit.reset(db, pairKey);
  if (fromNewAddress) await rateLimit.release(db, accountKey, LOGIN_LIMITS.perAccount);
  return { user, tokens: await openAuthSession(db, cfg, user.id, client) };
}

/** The account (by address, whether or not it exists: the same query either way) logged in from `ip` lately. */
async function isKnownAddress(db: Db, email: string, ip: string | undefined): Promise<boolean> {
  if (!ip) return false;
  const since = new Date(Date.now() - KNOWN_ADDRESS_MS);
  return (await db.authSession.count({ where: { ip, createdAt: { gte: since }, user: { email } } })) > 0;
}

/**
 * Rotates the refresh token. A token that was already rotated away (a copy someone kept) ends the
 * whole login session, so a thief and the owner cannot both keep refreshing.
 */
export async function refresh(db: Db, cfg: AuthSettings, refreshToken: string): Promise<TokenPair> {
  const parsed = parseRefreshToken(refreshToken);
  if (!parsed) throw invalidRefreshToken('Refresh token is malformed');
  const authSession = await db.authSession.findUnique({ where: { id: parsed.sessionId } });
  if (!authSession || authSession.revokedAt || authSession.expiresAt.getTime() <= Date.now()) {
    throw invalidRefreshToken('Refresh token has expired or was revoked');
  }
  if (!sameHash(sha256(parsed.secret), authSession.refreshTokenHash)) {
    await db.authSession.update({ where: { id: authSession.id }, data: { revokedAt: new Date() } });
    throw invalidRefreshToken('Refresh token was already used; the session has been ended');
  }
  const secret = newRefreshSecret();
  // Compare-and-swap on the old hash: two concurrent refreshes with the same token cannot both win.
  const swapped = await db.authSession.updateMany({
    where: { id: authSession.id, refreshTokenHash: authSession.refreshTokenHash, revokedAt: null },
    data: { refreshTokenHash: sha256(secret), generation: { increment: 1 }, lastUsedAt: new Date() },
  });
  if (swapped.count !== 1) throw invalidRefreshToken('Refresh token was already used');
  return issue(cfg, authSession.userId, authSession.id, secret);
}

export async function logout(db: Db, authSessionId: string): Promise<void> {
  await db.authSession.updateMany({
    where: { id: authSessionId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
}

/**
 * The user behind an access token. The login session must still be live (logout revokes at once)
 * and the role is read fresh, so an upgrade or downgrade applies to the very next request. `role` is
 * the plan in effect: the user's own, or an organisation seat's (src/domain/identity/orgs.ts).
 */
export async function authenticate(db: Db, cfg: AuthSettings, accessToken: string): Promise<AuthUser> {
  const claims = await verifyAccessToken(cfg, accessToken);
  if (!claims) throw unauthenticated('Invalid or expired token');
  const authSession = await db.authSession.findUnique({
    where: { id: claims.sid },
    select: {
      userId: true,
      revokedAt: true,
      expiresAt: true,
      user: {
        select: {
          id: true,
          email: true,
          name: true,
          role: true,
          memberships: { where: LIVE_SEATS, select: { role: true } },
        },
      },
    },
  });
  if (
    !authSession ||
    authSession.revokedAt ||
    authSession.userId !== claims.sub ||
    authSession.expiresAt.getTime() <= Date.now()
  ) {
    throw unauthenticated('Session has ended; log in again');
  }
  const { memberships, ...user } = authSession.user;
  const role = planInEffect(
    user.role,
    memberships.map((m) => m.role),
  );
  return { ...user, role, authSessionId: claims.sid };
}

export const currentUser = (db: Db, userId: string) => db.user.findUniqueOrThrow({ where: { id: userId } });
