import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_LIMITS } from '../../src/domain/identity/rate-limits';
import { call, startTestContext, uniqueEmail, type TestContext } from '../support/harness';

// Issue 9 #14: register reveals whether an email is taken (409), so probing addresses through it is
// throttled per client address.
let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext({ env: { TRUST_PROXY: 'true' } });
});
afterAll(async () => ctx?.close());

describe('registration throttling', () => {
  it('issue 9 #14: sign-ups from one address are refused with 429 and Retry-After past the limit', async () => {
    const { limit, windowMs } = LOGIN_LIMITS.registrationsPerIp;
    const left = windowMs - (Date.now() % windowMs);
    if (left < 30_000) await sleep(left + 50); // do not straddle a window boundary
    const ip = `192.0.2.${1 + Math.floor(Math.random() * 250)}`;
    const register = (email: string, from = ip) =>
      call(ctx.app, 'POST', '/api/auth/register', {
        body: { email, password: 'correct horse battery', name: 'Probe' },
        headers: { 'x-forwarded-for': from },
      });
    const statuses: number[] = [];
    for (let i = 0; i < limit; i++) statuses.push((await register(uniqueEmail('probe'))).status);
    expect(statuses.every((s) => s === 201)).toBe(true);

    const email = uniqueEmail('probe');
    const refused = await register(email);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await ctx.deps.db.user.count({ where: { email } })).toBe(0);

    // Another address is unaffected.
    expect((await register(uniqueEmail('probe'), '192.0.2.251')).status).toBe(201);
  });
});
