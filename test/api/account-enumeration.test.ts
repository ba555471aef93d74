import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestContext, uniqueEmail, type TestContext } from '../support/harness';
import { createUser } from '../support/users';

// Issue 9 #14 (accounts and operations): an invitation answers the same whether or not the address
// has an account and shows no name or id before the invitee accepts; /ready says which dependency
// is down but keeps the raw error text for the logs (and for operators).

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext();
});
afterAll(async () => ctx?.close());

const shape = (body: Record<string, unknown>) => JSON.stringify(Object.keys(body).sort());

describe('invitations disclose nothing about accounts', () => {
  it('issue 9 #14: a roster invite answers alike for a registered and an unknown email, without the athlete’s name or id', async () => {
    const coach = await createUser(ctx.app, ctx.deps, 'coach_pro');
    const athlete = await createUser(ctx.app, ctx.deps, 'player_pro', 'athlete');
    const stranger = uniqueEmail('nobody-yet');

    const known = await call(ctx.app, 'POST', '/api/coaches/me/players', {
      token: coach.token,
      body: { email: athlete.email },
    });
    const unknown = await call(ctx.app, 'POST', '/api/coaches/me/players', {
      token: coach.token,
      body: { email: stranger },
    });
    expect([known.status, unknown.status]).toEqual([201, 201]);
    expect(shape(known.body)).toBe(shape(unknown.body));
    expect(shape(known.body.person)).toBe(shape(unknown.body.person));
    for (const [res, email] of [
      [known, athlete.email],
      [unknown, stranger],
    ] as const) {
      expect(res.body).toMatchObject({ coachId: coach.id, status: 'invited', acceptedAt: null });
      expect(res.body.person).toEqual({ id: res.body.playerId, name: email, email });
    }
    expect(JSON.stringify(known.body)).not.toContain(athlete.id);
    expect(JSON.stringify(known.body)).not.toContain('Test athlete');
    // Asking again is refused the same way for both.
    for (const email of [athlete.email, stranger]) {
      const again = await call(ctx.app, 'POST', '/api/coaches/me/players', {
        token: coach.token,
        body: { email },
      });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('already_on_roster');
    }
    const roster = await call(ctx.app, 'GET', '/api/coaches/me/players', { token: coach.token });
    expect(JSON.stringify(roster.body)).not.toContain(athlete.id);

    // Whoever registers the unknown address later finds the invitation; once they accept, the coach
    // sees who they are.
    const late = await call(ctx.app, 'POST', '/api/auth/register', {
      body: { email: stranger, password: 'correct horse battery', name: 'Late Joiner' },
    });
    expect(late.status).toBe(201);
    const waiting = await call(ctx.app, 'GET', '/api/me/coaches', { token: late.body.token });
    expect(waiting.body.items).toMatchObject([{ coachId: coach.id, status: 'invited' }]);
    const accepted = await call(ctx.app, 'POST', `/api/me/coaches/${coach.id}/accept`, {
      token: late.body.token,
    });
    expect(accepted.status).toBe(200);
    const after = await call(ctx.app, 'GET', '/api/coaches/me/players', { token: coach.token });
    expect(after.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          playerId: late.body.user.id,
          status: 'active',
          person: { id: late.body.user.id, name: 'Late Joiner', email: stranger },
        }),
      ]),
    );
  });

  it('issue 9 #14: an org invite answers alike for a registered and an unknown email and lists no name or id', async () => {
    const owner = await createUser(ctx.app, ctx.deps, 'org_pro');
    const member = await createUser(ctx.app, ctx.deps, 'player_pro', 'member');
    const org = await call(ctx.app, 'POST', '/api/orgs', { token: owner.token, body: { name: 'Quiet CC' } });
    const known = await call(ctx.app, 'POST', `/api/orgs/${org.body.id}/members`, {
      token: owner.token,
      body: { email: member.email, role: 'player' },
    });
    const unknown = await call(ctx.app, 'POST', `/api/orgs/${org.body.id}/members`, {
      token: owner.token,
      body: { email: uniqueEmail('nobody-yet'), role: 'player' },
    });
    expect([known.status, unknown.status]).toEqual([201, 201]);
    expect(JSON.stringify(known.body)).not.toContain(member.id);
    const invitations = await call(ctx.app, 'GET', `/api/orgs/${org.body.id}/invitations`, {
      token: owner.token,
    });
    expect(JSON.stringify(invitations.body)).not.toContain(member.id);
    expect(JSON.stringify(invitations.body)).not.toContain('Test member');
    expect(invitations.body.items).toHaveLength(2);
  });
});

describe('/ready', () => {
  it('issue 9 #14: /ready names the dependency that is down but shows its error text only to operators', async () => {
    const broken = await startTestContext({ env: { S3_BUCKET: 'no-such-bucket-anywhere' } });
    try {
      const anonymous = await call(broken.app, 'GET', '/ready');
      expect(anonymous.status).toBe(503);
      expect(anonymous.body.checks.s3.ok).toBe(false);
      expect(anonymous.body.checks.postgres.ok).toBe(true);
      for (const check of Object.values(anonymous.body.checks) as Record<string, unknown>[])
        expect(Object.keys(check).sort()).toEqual(['ms', 'ok']);

      const user = await createUser(broken.app, broken.deps, 'coach_pro');
      const asUser = await call(broken.app, 'GET', '/ready', { token: user.token });
      expect(asUser.body.checks.s3).not.toHaveProperty('error');

      const operator = await createUser(broken.app, broken.deps, 'superuser');
      const asOperator = await call(broken.app, 'GET', '/ready', { token: operator.token });
      expect(asOperator.status).toBe(503);
      expect(typeof asOperator.body.checks.s3.error).toBe('string');
    } finally {
      await broken.close();
    }
  });
});
