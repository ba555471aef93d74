import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from './config';

// Access tokens: short-lived HS256 JWTs (sub = user id, sid = session id) with issuer, audience and
// expiry checked. Refresh tokens: `<sessionId>.<secret>`, opaque, only their SHA-256 stored.
//
// Signed and checked with node:crypto's HMAC, synchronously: WebCrypto (hono/jwt) imported the key
// and hopped to its thread pool on every request, ~50 µs of the API's CPU per call on the paid-session
// heartbeat, the busiest route (docs/adr/0012). Standard JWTs either way: test/api/auth.test.ts
// forges its tokens with hono/jwt.

export type TokenSettings = Pick<Config, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'ACCESS_TOKEN_TTL'>;

export interface AccessClaims {
  sub: string;
  sid: string;
}

/** base64url of {"alg":"HS256","typ":"JWT"}: the only header we sign or accept. */
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

const hs256 = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest();

export async function signAccessToken(
  cfg: TokenSettings,
  claims: AccessClaims,
  now = Date.now(),
): Promise<string> {
  const iat = Math.floor(now / 1000);
  const payload = Buffer.from(
    JSON.stringify({
      ...claims,
      iss: cfg.JWT_ISSUER,
      aud: cfg.JWT_AUDIENCE,
      iat,
      nbf: iat,
      exp: iat + Math.floor(cfg.ACCESS_TOKEN_TTL / 1000),
    }),
  ).toString('base64url');
  const signed = `${HEADER}.${payload}`;
  return `${signed}.${hs256(cfg.JWT_SECRET, signed).toString('base64url')}`;
}

/**
 * Returns the claims, or undefined for any invalid token: a header other than HS256 (alg "none"
 * included), a bad signature, expired or not yet valid, wrong issuer or audience, malformed.
 */
export async function verifyAccessToken(
  cfg: TokenSettings,
  token: string,
  now = Date.now(),
): Promise<AccessClaims | undefined> {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const alg = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown };
    if (alg?.alg !== 'HS256') return undefined;
    const given = Buffer.from(signature, 'base64url');
    const expected = hs256(cfg.JWT_SECRET, `${header}.${payload}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const seconds = Math.floor(now / 1000);
    if (typeof c.exp !== 'number' || c.exp <= seconds) return undefined;
    if (typeof c.nbf === 'number' && c.nbf > seconds) return undefined;
    if (typeof c.iat === 'number' && c.iat > seconds) return undefined;
    if (c.iss !== cfg.JWT_ISSUER) return undefined;
    const audience = Array.isArray(c.aud) ? c.aud : [c.aud];
    if (!audience.includes(cfg.JWT_AUDIENCE)) return undefined;
    if (typeof c.sub !== 'string' || typeof c.sid !== 'string') return undefined;
    return { sub: c.sub, sid: c.sid };
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
