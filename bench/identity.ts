import { createApp } from '../src/api/app';
import { loadConfig } from '../src/infra/config';
import { closeDeps, createDeps } from '../src/infra/deps';
import { hashPassword } from '../src/infra/passwords';
import { tryConsume } from '../src/data/usage';
import { report, timeIt } from './harness';

/** Cost of authentication per request, relative to an unauthenticated route in the same run. */
export async function identityBench(): Promise<void> {
  const deps = await createDeps(loadConfig(process.env));
  const app = createApp(deps);
  try {
    const reg = await app.request('/api/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `bench-${Date.now()}@example.test`,
        password: 'benchmark password',
        name: 'Bench',
      }),
    });
    const { token, user } = (await reg.json()) as { token: string; user: { id: string } };
    const n = 2000;
    await timeIt(200, () => app.request('/health')); // warm-up
    const baseline = await timeIt(n, () => app.request('/health'), 8);
    const authed = await timeIt(
      n,
      () => app.request('/api/me', { headers: { authorization: `Bearer ${token}` } }),
      8,
    );
    report({ name: 'api.health (baseline)', ...baseline });
    report({
      name: 'api.me (JWT + session + user lookup)',
      ...authed,
      ratioVsBaseline: Number((authed.ms / baseline.ms).toFixed(2)),
    });

    const hash = await timeIt(10, () => hashPassword('benchmark password'));
    report({ name: 'scrypt hashPassword (N=2^15)', ...hash });

    const usage = await timeIt(1000, () => tryConsume(deps.db, user.id, 'ai_reports', 1, null), 8);
    report({ name: 'usage.tryConsume (atomic counter)', ...usage });
  } finally {
    await closeDeps(deps);
  }
}
