import { sign } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestContext, uniqueEmail, type TestContext } from '../support/harness';
import { createUser } from '../support/users';

let ctx: TestContext;
beforeAll(async () => {
  // TRUST_PROXY: the login-lock test below comes from an address of its own, so other files' in-process
  // logins (which all share one unknown address) cannot use up its per-address budget.
  ctx = await startTestContext({ env: { TRUST_PROXY: 'true' } });
});
afterAll(async () => ctx?.close());

const password = 'correct horse battery';

describe('register, login, refresh, logout', () => {
  it('registers with a normalised email, stores only a scrypt hash, and answers a working token', async () => {
    const email = uniqueEmail('Mixed');
    const res = await call(ctx.app, 'POST', '/api/auth/register', {
      body: { email: `  ${email.toUpperCase()} `, password, name: ' Sam Coach ' },
    });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ email: email.toLowerCase(), name: 'Sam Coach', role: 'free' });
    expect(res.body.tokenType).toBe('Bearer');
    const row = await ctx.deps.db.user.findUniqueOrThrow({ where: { email: email.toLowerCase() } });
    expect(row.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row.passwordHash).not.toContain(password);

    const me = await call(ctx.app, 'GET', '/api/me', { token: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(res.body.user.id);
  });

  it('refuses a second account for the same mailbox, however it is typed', async () => {
    const user = await createUser(ctx.app, ctx.deps);
    const again = await call(ctx.app, 'POST', '/api/auth/register', {
      body: { email: user.email.toUpperCase(), password, name: 'Twin' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('email_taken');
  });

  it('logs in with the right password only', async () => {
    const user = await createUser(ctx.app, ctx.deps);
    const ok = await call(ctx.app, 'POST', '/api/auth/login', { body: { email: user.email, password } });
    expect(ok.status).toBe(200);
    expect(ok.body.user.id).toBe(user.id);
    expect(typeof ok.body.refreshToken).toBe('string');

    const wrong = await call(ctx.app, 'POST', '/api/auth/login', {
      body: { email: user.email, password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toEqual({
      code: 'invalid_credentials',
      message: 'Email or password is incorrect',
    });

    const unknown = await call(ctx.app, 'POST', '/api/auth/login', {
      body: { email: uniqueEmail('nobody'), password },
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
  });

  it('rotates refresh tokens and ends the session when an old one is replayed', async () => {
    const user = await createUser(ctx.app, ctx.deps);
    const first = await call(ctx.app, 'POST', '/api/auth/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    expect((await call(ctx.app, 'GET', '/api/me', { token: first.body.token })).status).toBe(200);

    const replay = await call(ctx.app, 'POST', '/api/auth/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('invalid_refresh_token');
    // The stolen-token replay revoked the session: the legitimate holder is logged out too.
    expect((await call(ctx.app, 'GET', '/api/me', { token: first.body.token })).status).toBe(401);
    expect(
      (await call(ctx.app, 'POST', '/api/auth/refresh', { body: { refreshToken: first.body.refreshToken } }))
        .status,
    ).toBe(401);
  });

  it('logout revokes the access token and the refresh token at once', async () => {
    const user = await createUser(ctx.app, ctx.deps);
    expect((await call(ctx.app, 'POST', '/api/auth/logout', { token: user.token })).status).toBe(204);
    const me = await call(ctx.app, 'GET', '/api/me', { token: user.token });
    expect(me.status).toBe(401);
    expect(me.body.error.message).toMatch(/session has ended/i);
    expect(
      (await call(ctx.app, 'POST', '/api/auth/refresh', { body: { refreshToken: user.refreshToken } }))
        .status,
    ).toBe(401);
  });
});

describe('tokens', () => {
  it('rejects expired access tokens', async () => {
    const shortLived = await startTestContext({ env: { ACCESS_TOKEN_TTL: '1s' } });
    try {
      const user = await createUser(shortLived.app, shortLived.deps);
      expect((await call(shortLived.app, 'GET', '/api/me', { token: user.token })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 2100));
      const expired = await call(shortLived.app, 'GET', '/api/me', { token: user.token });
      expect(expired.status).toBe(401);
      expect(expired.body.error.message).toBe('Invalid or expired token');
    } finally {
      await shortLived.close();
    }
  });

  it('rejects tampered, foreign-secret, wrong-audience and malformed tokens', async () => {
    const user = await createUser(ctx.app, ctx.deps);
    const [header, payload, signature] = user.token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = Buffer.from(
      JSON.stringify({ ...claims, sub: '00000000-0000-4000-8000-000000000000' }),
    ).toString('base64url');
    const cfg = ctx.deps.cfg;
    const now = Math.floor(Date.now() / 1000);
    const base = { sub: user.id, sid: claims.sid, iat: now, nbf: now, exp: now + 600 };
    const cases = {
      tamperedPayload: `${header}.${forged}.${signature}`,
      otherSecret: await sign(
        { ...base, iss: cfg.JWT_ISSUER, aud: cfg.JWT_AUDIENCE },
        'x'.repeat(40),
        'HS256',
      ),
      wrongAudience: await sign(
        { ...base, iss: cfg.JWT_ISSUER, aud: 'someone-else' },
        cfg.JWT_SECRET,
        'HS256',
      ),
      wrongIssuer: await sign({ ...base, iss: 'evil', aud: cfg.JWT_AUDIENCE }, cfg.JWT_SECRET, 'HS256'),
      algNone: `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`,
      garbage: 'not-a-jwt',
    };
    for (const [name, token] of Object.entries(cases)) {
      const res = await call(ctx.app, 'GET', '/api/me', { token });
      expect(res.status, name).toBe(401);
      expect(res.body.error.code, name).toBe('unauthorized');
    }
    expect((await call(ctx.app, 'GET', '/api/me')).body.error.message).toMatch(/Missing bearer token/);
  });
});

describe('login rate limits', () => {
  it('locks an account after 5 failed attempts with 429 and Retry-After, even for the right password', async () => {
    const user = await createUser(ctx.app, ctx.deps);
    const headers = { 'x-forwarded-for': '203.0.113.45' };
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await call(ctx.app, 'POST', '/api/auth/login', {
            body: { email: user.email, password: 'wrong password!' },
            headers,
          })
        ).status,
      ).toBe(401);
    }
    const locked = await call(ctx.app, 'POST', '/api/auth/login', {
      body: { email: user.email, password },
      headers,
    });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('rate_limited');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('limits attempts per client IP across accounts', async () => {
    const proxied = await startTestContext({ env: { TRUST_PROXY: 'true' } });
    try {
      const ip = `203.0.113.${Math.floor(Math.random() * 250)}`;
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++) {
        const res = await call(proxied.app, 'POST', '/api/auth/login', {
          body: { email: uniqueEmail('spray'), password: 'whatever-it-is' },
          headers: { 'x-forwarded-for': ip },
        });
        statuses.push(res.status);
      }
      expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
      expect(statuses[30]).toBe(429);
    } finally {
      await proxied.close();
    }
  });
});

describe('bad input', () => {
  it.each([
    [{ email: 'not-an-email', password, name: 'x' }, ['email']],
    [{ email: uniqueEmail(), password: 'short', name: 'x' }, ['password']],
    [{ email: uniqueEmail(), password, name: '' }, ['name']],
    [{ email: uniqueEmail(), password, name: 'x'.repeat(101) }, ['name']],
    [{ email: uniqueEmail(), password, name: 'x', role: 'superuser' }, ['role']],
    [{ email: 42, password: ['a'], name: 'x' }, ['email', 'password']],
    [{}, ['email', 'password', 'name']],
  ])('register %j → 400 naming %j, nothing written', async (input, fields) => {
    const before = await ctx.deps.db.user.count();
    const res = await call(ctx.app, 'POST', '/api/auth/register', { body: input });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([...fields].sort());
    expect(await ctx.deps.db.user.count()).toBe(before);
  });

  it('answers invalid JSON with 400 invalid_json', async () => {
    const res = await call(ctx.app, 'POST', '/api/auth/register', { raw: '{"email": ' });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'invalid_json', message: 'Request body is not valid JSON' });
  });

  it('refuses bodies over 1 MiB with 413', async () => {
    const res = await call(ctx.app, 'POST', '/api/auth/register', {
      raw: JSON.stringify({ email: 'a@b.co', password, name: 'x'.repeat(1_100_000) }),
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
  });
});
