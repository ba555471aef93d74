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
