import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser } from '../support/users';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext();
});
afterAll(async () => ctx?.close());

describe('PUT /api/admin/users/{id}/role', () => {
  it('records who set the role and why in role_changes, so billing knows not to lower it', async () => {
    const operator = await createUser(ctx.app, ctx.deps, 'superuser');
    const user = await createUser(ctx.app, ctx.deps);
    const res = await call(ctx.app, 'PUT', `/api/admin/users/${user.id}/role`, {
      token: operator.token,
      body: { role: 'coach_pro_plus', reason: 'comped: club partnership' },
    });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('coach_pro_plus');
    const changes = await ctx.deps.db.roleChange.findMany({ where: { userId: user.id } });
    expect(changes).toMatchObject([
      {
        source: 'operator',
        fromRole: 'free',
        toRole: 'coach_pro_plus',
        actorId: operator.id,
        applied: true,
        reason: 'comped: club partnership',
      },
    ]);
  });

  it('refuses a reason with a NUL byte or over 500 characters, naming the field; nothing changes', async () => {
    const operator = await createUser(ctx.app, ctx.deps, 'superuser');
    const user = await createUser(ctx.app, ctx.deps);
    for (const reason of ['a\u0000b', 'x'.repeat(501)]) {
      const res = await call(ctx.app, 'PUT', `/api/admin/users/${user.id}/role`, {
        token: operator.token,
        body: { role: 'coach_pro', reason },
      });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.error)).toContain('reason');
    }
    const row = await ctx.deps.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.role).toBe('free');
    expect(await ctx.deps.db.roleChange.count({ where: { userId: user.id } })).toBe(0);
  });
});
