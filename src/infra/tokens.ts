import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sign, verify } from 'hono/jwt';
import type { Config } from './config';

// Access tokens: short-lived HS256 JWTs (sub = user id, sid = session id) with issuer, audience and
// expiry checked. Refresh tokens: `<sessionId>.<secret>`, opaque, only their SHA-256 stored.

export type TokenSettings = Pick<Config, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'ACCESS_TOKEN_TTL'>;

export interface AccessClaims {
  sub: string;
  sid: string;
}

export async function signAccessToken(
  cfg: TokenSettings,
  claims: AccessClaims,
  now = Date.now(),
): Promise<string> {
  const iat = Math.floor(now / 1000);
  return sign(
    {
      ...claims,
      iss: cfg.JWT_ISSUER,
      aud: cfg.JWT_AUDIENCE,
      iat,
      nbf: iat,
      exp: iat + Math.floor(cfg.ACCESS_TOKEN_TTL / 1000),
    },
    cfg.JWT_SECRET,
    'HS256',
  );
}

/** Returns the claims, or undefined for any invalid token (bad signature, expired, wrong iss/aud, malformed). */
export async function verifyAccessToken(
  cfg: TokenSettings,
  token: string,
): Promise<AccessClaims | undefined> {
  try {
    const payload = await verify(token, cfg.JWT_SECRET, {
      alg: 'HS256',
      iss: cfg.JWT_ISSUER,
      aud: cfg.JWT_AUDIENCE,
    });
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return undefined;
    return { sub: payload.sub, sid: payload.sid };
  } catch {
    return undefined;
  }
}

export function newRefreshSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function formatRefreshToken(sessionId: string, secret: string): string {
  return `${sessionId}.${secret}`;
}

export function parseRefreshToken(token: string): { sessionId: string; secret: string } | undefined {
  const match = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match ? { sessionId: match[1]!, secret: match[2]! } : undefined;
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
