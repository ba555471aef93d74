import { sign as honoSign, verify as honoVerify } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../src/infra/passwords';
import {
  formatRefreshToken,
  newRefreshSecret,
  parseRefreshToken,
  signAccessToken,
  verifyAccessToken,
} from '../../../src/infra/tokens';

const cfg = {
  JWT_SECRET: 's'.repeat(40),
  JWT_ISSUER: 'coachflow',
  JWT_AUDIENCE: 'coachflow-api',
  ACCESS_TOKEN_TTL: 60_000,
};

describe('passwords', () => {
  it('verifies the right password only, with a fresh salt every time', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('anything', 'bcrypt$garbage')).toBe(false);
  });

  it('treats unicode-equivalent passwords as the same password', async () => {
    const composed = 'caf\u00e9 au lait!';
    const decomposed = 'cafe\u0301 au lait!';
    expect(await verifyPassword(decomposed, await hashPassword(composed))).toBe(true);
  });
});

describe('access tokens', () => {
  it('round-trips claims and rejects expiry, other secrets and other audiences', async () => {
    const token = await signAccessToken(cfg, { sub: 'user-1', sid: 'session-1' });
    expect(await verifyAccessToken(cfg, token)).toEqual({ sub: 'user-1', sid: 'session-1' });
    const old = await signAccessToken(cfg, { sub: 'user-1', sid: 'session-1' }, Date.now() - 120_000);
    expect(await verifyAccessToken(cfg, old)).toBeUndefined();
    expect(await verifyAccessToken({ ...cfg, JWT_SECRET: 't'.repeat(40) }, token)).toBeUndefined();
    expect(await verifyAccessToken({ ...cfg, JWT_AUDIENCE: 'other' }, token)).toBeUndefined();
  });

  it('is a standard HS256 JWT: hono/jwt verifies ours and we verify its', async () => {
    const token = await signAccessToken(cfg, { sub: 'user-1', sid: 'session-1' });
    const theirs = await honoVerify(token, cfg.JWT_SECRET, {
      alg: 'HS256',
      iss: cfg.JWT_ISSUER,
      aud: cfg.JWT_AUDIENCE,
    });
    expect(theirs).toMatchObject({ sub: 'user-1', sid: 'session-1' });
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'u', sid: 's', iss: cfg.JWT_ISSUER, aud: cfg.JWT_AUDIENCE, iat: now, nbf: now };
    const signedByHono = await honoSign({ ...claims, exp: now + 60 }, cfg.JWT_SECRET, 'HS256');
    expect(await verifyAccessToken(cfg, signedByHono)).toEqual({ sub: 'u', sid: 's' });
  });

  it('refuses alg none or another algorithm, no expiry, a future nbf, a wrong issuer, tampering and garbage', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'u', sid: 's', iss: cfg.JWT_ISSUER, aud: cfg.JWT_AUDIENCE, iat: now, nbf: now };
    const good = await honoSign({ ...claims, exp: now + 60 }, cfg.JWT_SECRET, 'HS256');
    const [, payload, signature] = good.split('.');
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const refused = {
      algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      hs512: await honoSign({ ...claims, exp: now + 60 }, cfg.JWT_SECRET, 'HS512'),
      headerSwapped: `${b64({ alg: 'HS512', typ: 'JWT' })}.${payload}.${signature}`,
      noExpiry: await honoSign(claims, cfg.JWT_SECRET, 'HS256'),
      notYetValid: await honoSign({ ...claims, nbf: now + 600, exp: now + 900 }, cfg.JWT_SECRET, 'HS256'),
      wrongIssuer: await honoSign({ ...claims, iss: 'evil', exp: now + 60 }, cfg.JWT_SECRET, 'HS256'),
      tampered: `${good.split('.')[0]}.${b64({ ...claims, sub: 'admin', exp: now + 60 })}.${signature}`,
      truncatedSignature: good.slice(0, -4),
      twoParts: good.split('.').slice(0, 2).join('.'),
      garbage: 'a.b.c',
      empty: '',
    };
    for (const [name, token] of Object.entries(refused))
      expect(await verifyAccessToken(cfg, token), name).toBeUndefined();
  });
});

describe('refresh tokens', () => {
  it('parses only well-formed tokens', () => {
    const secret = newRefreshSecret();
    const token = formatRefreshToken('6f1c1f2e-8a35-4f7e-9a55-3f1a0b7c9d10', secret);
    expect(parseRefreshToken(token)).toEqual({ sessionId: '6f1c1f2e-8a35-4f7e-9a55-3f1a0b7c9d10', secret });
    expect(parseRefreshToken('nope')).toBeUndefined();
    expect(parseRefreshToken(`${token}x`)).toBeUndefined();
  });
});
