import { randomUUID } from 'node:crypto';
import type { Config } from '../../infra/config';
import type { Db } from '../../infra/prisma';
import { Prisma } from '../../generated/prisma/client';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../../infra/passwords';
import * as rateLimit from '../../data/rate-limit';
import {
  formatRefreshToken,
  newRefreshSecret,
  parseRefreshToken,
  sameHash,
  sha256,
  signAccessToken,
} from '../../infra/tokens';

export type AuthSettings = Pick<
  Config,
  'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'ACCESS_TOKEN_TTL' | 'REFRESH_TOKEN_TTL'
>;

export const LOGIN_LIMITS = {
  /** Failed attempts per account in 15 minutes (credential stuffing against one athlete). */
  perAccount: { limit: 5, windowMs: 15 * 60_000 },
  /** All attempts per client IP in 15 minutes (spraying many accounts from one place). */
  perIp: { limit: 30, windowMs: 15 * 60_000 },
};

/** Trimmed and lower-cased: one account per mailbox, however it is typed. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface TokenPair {
  token: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export class AccountError extends Error {
  constructor(
    readonly kind: 'email_taken' | 'invalid_credentials' | 'rate_limited' | 'invalid_refresh_token',
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

async function openSession(
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
  sessionId: string,
  secret: string,
): Promise<TokenPair> {
  return {
    token: await signAccessToken(cfg, { sub: userId, sid: sessionId }),
    refreshToken: formatRefreshToken(sessionId, secret),
    tokenType: 'Bearer',
    expiresIn: Math.floor(cfg.ACCESS_TOKEN_TTL / 1000),
  };
}

export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

export async function register(
  db: Db,
  cfg: AuthSettings,
  input: { email: string; password: string; name: string },
  client: ClientInfo,
) {
  const email = normaliseEmail(input.email);
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await db.user.create({ data: { email, name: input.name.trim(), passwordHash } });
    return { user, tokens: await openSession(db, cfg, user.id, client) };
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      throw new AccountError('email_taken', 'An account with this email already exists');
    }
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
  const accountKey = `login:account:${email}`;
  const ipHit = await rateLimit.hit(db, `login:ip:${client.ip ?? 'unknown'}`, LOGIN_LIMITS.perIp);
  if (!ipHit.allowed)
    throw new AccountError(
      'rate_limited',
      'Too many login attempts from this address; try again later',
      ipHit.retryAfterSeconds,
    );
  const failures = await rateLimit.peek(db, accountKey, LOGIN_LIMITS.perAccount);
  if (!failures.allowed) {
    throw new AccountError(
      'rate_limited',
      'Too many failed logins for this account; try again later',
      failures.retryAfterSeconds,
    );
  }
  const user = await db.user.findUnique({ where: { email } });
  // Verify against a dummy hash when the account does not exist, so timing does not reveal it.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) {
    await rateLimit.hit(db, accountKey, LOGIN_LIMITS.perAccount);
    throw new AccountError('invalid_credentials', 'Email or password is incorrect');
  }
  await rateLimit.reset(db, accountKey);
  return { user, tokens: await openSession(db, cfg, user.id, client) };
}

/**
 * Rotates the refresh token. A token that was already rotated away (a copy someone kept) ends the
 * whole session, so a thief and the owner cannot both keep refreshing.
 */
export async function refresh(db: Db, cfg: AuthSettings, refreshToken: string): Promise<TokenPair> {
  const parsed = parseRefreshToken(refreshToken);
  if (!parsed) throw new AccountError('invalid_refresh_token', 'Refresh token is malformed');
  const session = await db.authSession.findUnique({ where: { id: parsed.sessionId } });
  if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) {
    throw new AccountError('invalid_refresh_token', 'Refresh token has expired or was revoked');
  }
  if (!sameHash(sha256(parsed.secret), session.refreshTokenHash)) {
    await db.authSession.update({ where: { id: session.id }, data: { revokedAt: new Date() } });
    throw new AccountError(
      'invalid_refresh_token',
      'Refresh token was already used; the session has been ended',
    );
  }
  const secret = newRefreshSecret();
  // Compare-and-swap on the old hash: two concurrent refreshes with the same token cannot both win.
  const swapped = await db.authSession.updateMany({
    where: { id: session.id, refreshTokenHash: session.refreshTokenHash, revokedAt: null },
    data: { refreshTokenHash: sha256(secret), generation: { increment: 1 }, lastUsedAt: new Date() },
  });
  if (swapped.count !== 1) throw new AccountError('invalid_refresh_token', 'Refresh token was already used');
  return issue(cfg, session.userId, session.id, secret);
}

export async function logout(db: Db, sessionId: string): Promise<void> {
  await db.authSession.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
}
