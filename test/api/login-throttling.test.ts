import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOGIN_LIMITS } from '../../src/domain/identity/rate-limits';
import { call, startTestContext, uniqueEmail, type TestContext } from '../support/harness';
import { createUser } from '../support/users';

// Issue 9 #7: behind a proxy the client address is the hop the proxy saw (rightmost untrusted
// X-Forwarded-For entry), attempts are counted before the password is checked, and an attacker's
// failures throttle the attacker rather than locking the owner out.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext({ env: { TRUST_PROXY: 'true' } });
});
afterAll(async () => ctx?.close());

// The counters are fixed 15-minute windows: a test that straddled the start of a new window would
// see its counts reset half-way, so each test starts at least 45 s before the window ends.
beforeEach(async () => {
  const windowMs = LOGIN_LIMITS.perIp.windowMs;
  const left = windowMs - (Date.now() % windowMs);
  if (left < 45_000) await sleep(left + 50);
});

const password = 'correct horse battery';
const randomIp = (prefix = '198.51.100') => `${prefix}.${1 + Math.floor(Math.random() * 250)}`;

const login = (email: string, pw: string, xff: string) =>
  call(ctx.app, 'POST', '/api/auth/login', {
    body: { email, password: pw },
    headers: { 'x-forwarded-for': xff },
  });

describe('login throttling', () => {
  it('issue 9 #7: a spoofed leftmost X-Forwarded-For entry does not dodge the per-address limit', async () => {
    const client = randomIp('203.0.113');
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      // The client writes anything it likes on the left; the proxy appends the address it saw.
      const res = await login(uniqueEmail('spray'), 'whatever-it-is', `${randomIp('10.9')}, ${client}`);
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it('issue 9 #7: with TRUST_PROXY_HOPS=2 the client is the second entry from the right', async () => {
    const twoHops = await startTestContext({ env: { TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '2' } });
    try {
      const client = randomIp('192.0.2');
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++) {
        const xff = `${randomIp('10.8')}, ${client}, ${randomIp('10.7')}`; // spoof, client, CDN edge
        statuses.push(
          (
            await call(twoHops.app, 'POST', '/api/auth/login', {
              body: { email: uniqueEmail('hops'), password: 'whatever-it-is' },
              headers: { 'x-forwarded-for': xff },
            })
          ).status,
        );
      }
      expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
      expect(statuses[30]).toBe(429);
    } finally {
      await twoHops.close();
    }
  });

  it('issue 9 #7: of 20 concurrent wrong passwords at most 5 are checked; the rest get 429 with Retry-After', async () => {
    const user = await createUser(ctx.app, ctx.deps);
    const ip = randomIp();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => login(user.email, 'not the password', ip)),
    );
    const evaluated = results.filter((r) => r.status === 401);
    const throttled = results.filter((r) => r.status === 429);
    expect(evaluated.length).toBeLessThanOrEqual(5);
    expect(evaluated.length + throttled.length).toBe(20);
    for (const r of throttled) {
      expect(r.body.error.code).toBe('rate_limited');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('issue 9 #7: an attacker’s failed guesses throttle the attacker, not the owner on their own address', async () => {
    const owner = await createUser(ctx.app, ctx.deps);
    const home = randomIp('198.18.0');
    expect((await login(owner.email, password, home)).status).toBe(200); // the owner's known address

    const attacker = randomIp('100.64.0');
    for (let i = 0; i < 5; i++) expect((await login(owner.email, 'guess-guess', attacker)).status).toBe(401);
    const blocked = await login(owner.email, password, attacker);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);

    // The owner still gets in, from home and from a new address.
    expect((await login(owner.email, password, home)).status).toBe(200);
    expect((await login(owner.email, password, randomIp('198.19.0'))).status).toBe(200);

    // Guesses spread over many addresses hit the account-wide limit: new addresses are throttled,
    // the owner's known address is not.
    for (let i = 0; i < 6; i++) {
      const ip = `100.65.${i}.${1 + Math.floor(Math.random() * 250)}`;
      for (let j = 0; j < 4; j++) await login(owner.email, 'guess-guess', ip);
    }
    const fromNewAddress = await login(owner.email, password, randomIp('100.66.0'));
    expect(fromNewAddress.status).toBe(429);
    expect(fromNewAddress.body.error.message).toMatch(/this account/);
    expect((await login(owner.email, password, home)).status).toBe(200);
  });
});
