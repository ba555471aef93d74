import type { Role } from '../../src/domain/subscriptions/plans';
import type { App } from '../../src/api/app';
import type { Deps } from '../../src/infra/deps';
import { call, uniqueEmail } from './harness';

export interface TestUser {
  id: string;
  email: string;
  token: string;
  refreshToken: string;
  role: Role;
}

/** Registers a real account through the API, then (test setup only) sets its role in Postgres. */
export async function createUser(
  app: App,
  deps: Deps,
  role: Role = 'free',
  tag: string = role,
): Promise<TestUser> {
  const email = uniqueEmail(tag);
  const res = await call(app, 'POST', '/api/auth/register', {
    body: { email, password: 'correct horse battery', name: `Test ${tag}` },
  });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  if (role !== 'free') await deps.db.user.update({ where: { id: res.body.user.id }, data: { role } });
  return { id: res.body.user.id, email, token: res.body.token, refreshToken: res.body.refreshToken, role };
}
