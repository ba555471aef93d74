import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser, type TestUser } from '../support/users';

// Issue 9 #2: joining an organisation takes the invitee's consent, a member can leave, org admins
// reach only what membership shares (the member's account, not their videos), and a seat is the
// plan its role names (Coach Pro / Analyst Pro), so seat limits bound something real.

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startTestContext();
});
afterAll(async () => ctx?.close());

async function orgOf(owner: TestUser, name = 'Riverside CC') {
  const org = await call(ctx.app, 'POST', '/api/orgs', { token: owner.token, body: { name } });
  expect(org.status).toBe(201);
  return org.body.id as string;
}

/** A coach's video session with one video, made directly (test setup; no upload workflow runs). */
async function coachVideo(coach: TestUser) {
  const session = await ctx.deps.db.videoSession.create({ data: { coachId: coach.id, title: 'Nets' } });
  const video = await ctx.deps.db.video.create({
    data: {
      sessionId: session.id,
      coachId: coach.id,
      filename: 'nets.mp4',
      contentType: 'video/mp4',
      declaredBytes: 1000n,
      sourceKey: `videos/${session.id}/source.mp4`,
      partSize: 8 * 1024 * 1024,
      partCount: 1,
      uploadExpiresAt: new Date(Date.now() + 86_400_000),
    },
  });
  return { sessionId: session.id, videoId: video.id };
}

const entitlements = async (u: TestUser) =>
  (await call(ctx.app, 'GET', '/api/me/entitlements', { token: u.token })).body;

describe('organisation membership', () => {
  it('issue 9 #2: an org admin cannot enrol anyone; the invitee accepts or declines, can leave, and org admins never reach members’ videos', async () => {
    const owner = await createUser(ctx.app, ctx.deps, 'org_pro');
    const coach = await createUser(ctx.app, ctx.deps, 'coach_pro_plus');
    const orgId = await orgOf(owner);
    const { sessionId, videoId } = await coachVideo(coach);

    const invited = await call(ctx.app, 'POST', `/api/orgs/${orgId}/members`, {
      token: owner.token,
      body: { email: coach.email, role: 'coach' },
    });
    expect(invited.status).toBe(201);
    // An invitation, not a membership: nothing of the coach is the org's yet.
    expect(invited.body.members.map((m: { userId: string }) => m.userId)).toEqual([owner.id]);
    expect(await ctx.deps.db.orgMember.count({ where: { orgId, userId: coach.id } })).toBe(0);
    expect((await call(ctx.app, 'GET', `/api/players/${coach.id}`, { token: owner.token })).status).toBe(404);
    expect((await call(ctx.app, 'GET', `/api/videos/${videoId}`, { token: owner.token })).status).toBe(404);
    const pending = await call(ctx.app, 'GET', `/api/orgs/${orgId}/invitations`, { token: owner.token });
    expect(pending.status).toBe(200);
    expect(pending.body.items).toMatchObject([{ email: coach.email, role: 'coach' }]);
    expect(invited.headers.get('location')).toBe(
      `/api/orgs/${orgId}/invitations/${pending.body.items[0].id}`,
    );

    // The invitee sees the invitation and accepts it.
    const mine = await call(ctx.app, 'GET', '/api/me/orgs', { token: coach.token });
    expect(mine.status).toBe(200);
    expect(mine.body.items).toMatchObject([
      { orgId, name: 'Riverside CC', role: 'coach', status: 'invited' },
    ]);
    const accepted = await call(ctx.app, 'POST', `/api/me/orgs/${orgId}/accept`, { token: coach.token });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ orgId, role: 'coach', status: 'active' });
    expect((await call(ctx.app, 'POST', `/api/me/orgs/${orgId}/accept`, { token: coach.token })).status).toBe(
      200,
    );
    const org = await call(ctx.app, 'GET', `/api/orgs/${orgId}`, { token: owner.token });
    expect(org.body.members.map((m: { userId: string }) => m.userId).sort()).toEqual(
      [owner.id, coach.id].sort(),
    );
    expect(
      (await call(ctx.app, 'GET', `/api/orgs/${orgId}/invitations`, { token: owner.token })).body,
    ).toEqual({ items: [] });

    // Membership shares the member's account with the org's admins, never their video content.
    expect((await call(ctx.app, 'GET', `/api/players/${coach.id}`, { token: owner.token })).status).toBe(200);
    expect((await call(ctx.app, 'GET', `/api/videos/${videoId}`, { token: owner.token })).status).toBe(404);
    expect(
      (await call(ctx.app, 'GET', `/api/coaches/plus/sessions/${sessionId}`, { token: owner.token })).status,
    ).toBe(404);
    expect((await call(ctx.app, 'GET', `/api/videos/${videoId}`, { token: coach.token })).status).toBe(200);

    // The member leaves; the owner cannot.
    expect((await call(ctx.app, 'DELETE', `/api/me/orgs/${orgId}`, { token: coach.token })).status).toBe(204);
    expect((await call(ctx.app, 'GET', `/api/orgs/${orgId}`, { token: coach.token })).status).toBe(404);
    expect((await call(ctx.app, 'GET', `/api/players/${coach.id}`, { token: owner.token })).status).toBe(404);
    const ownerLeaves = await call(ctx.app, 'DELETE', `/api/me/orgs/${orgId}`, { token: owner.token });
    expect(ownerLeaves.status).toBe(409);
    expect(ownerLeaves.body.error.code).toBe('owner_cannot_leave');

    // Declining an invitation, and an admin withdrawing one.
    const player = await createUser(ctx.app, ctx.deps, 'player_pro');
    await call(ctx.app, 'POST', `/api/orgs/${orgId}/members`, {
      token: owner.token,
      body: { email: player.email, role: 'player' },
    });
    expect((await call(ctx.app, 'DELETE', `/api/me/orgs/${orgId}`, { token: player.token })).status).toBe(
      204,
    );
    expect(
      (await call(ctx.app, 'POST', `/api/me/orgs/${orgId}/accept`, { token: player.token })).status,
    ).toBe(404);
    const again = await call(ctx.app, 'POST', `/api/orgs/${orgId}/members`, {
      token: owner.token,
      body: { email: player.email, role: 'player' },
    });
    expect(again.status).toBe(201);
    const withdrawn = await call(ctx.app, 'DELETE', again.headers.get('location')!, { token: owner.token });
    expect(withdrawn.status).toBe(204);
    expect((await call(ctx.app, 'GET', '/api/me/orgs', { token: player.token })).body).toEqual({ items: [] });
  });

  it('issue 9 #2: an invitation holds its seat, and a seat is the plan its role names while the member stays', async () => {
    const owner = await createUser(ctx.app, ctx.deps, 'org_pro');
    const orgId = await orgOf(owner, 'Hill Academy'); // starter: 4 coach seats, 1 analyst seat
    const analyst = await createUser(ctx.app, ctx.deps, 'free', 'analyst');
    const second = await createUser(ctx.app, ctx.deps, 'free', 'second');

    const first = await call(ctx.app, 'POST', `/api/orgs/${orgId}/members`, {
      token: owner.token,
      body: { email: analyst.email, role: 'analyst' },
    });
    expect(first.status).toBe(201);
    expect(first.body.seats.analyst).toEqual({ used: 1, limit: 1 });
    const full = await call(ctx.app, 'POST', `/api/orgs/${orgId}/members`, {
      token: owner.token,
      body: { email: second.email, role: 'analyst' },
    });
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('seat_limit_reached');
    // A player is a member without a seat: it takes none and gives no plan.
    const asPlayer = await call(ctx.app, 'POST', `/api/orgs/${orgId}/members`, {
      token: owner.token,
      body: { email: second.email, role: 'player' },
    });
    expect(asPlayer.status).toBe(201);

    // Before accepting, the seat gives nothing.
    expect((await entitlements(analyst)).role).toBe('free');
    await call(ctx.app, 'POST', `/api/me/orgs/${orgId}/accept`, { token: analyst.token });
    await call(ctx.app, 'POST', `/api/me/orgs/${orgId}/accept`, { token: second.token });

    const seated = await entitlements(analyst);
    expect(seated.role).toBe('analyst_pro');
    expect(seated.features).toMatchObject({ analyst_workspace: true, player_assignment: true });
    expect(seated.limits.ai_reports_per_month).toBe(200);
    expect((await call(ctx.app, 'GET', '/api/coaches/me/players', { token: analyst.token })).status).toBe(
      200,
    );
    expect((await entitlements(second)).role).toBe('free');
    expect((await call(ctx.app, 'GET', '/api/coaches/me/players', { token: second.token })).status).toBe(403);

    // Leaving gives the seat back: the plan goes with it, and the seat can be offered again.
    expect((await call(ctx.app, 'DELETE', `/api/me/orgs/${orgId}`, { token: analyst.token })).status).toBe(
      204,
    );
    expect((await entitlements(analyst)).role).toBe('free');
    expect((await call(ctx.app, 'GET', '/api/coaches/me/players', { token: analyst.token })).status).toBe(
      403,
    );
    const third = await createUser(ctx.app, ctx.deps, 'free', 'third');
    expect(
      (
        await call(ctx.app, 'POST', `/api/orgs/${orgId}/members`, {
          token: owner.token,
          body: { email: third.email, role: 'analyst' },
        })
      ).status,
    ).toBe(201);

    // A seat lasts as long as the organisation is paid for.
    await call(ctx.app, 'POST', `/api/me/orgs/${orgId}/accept`, { token: third.token });
    expect((await entitlements(third)).role).toBe('analyst_pro');
    await ctx.deps.db.user.update({ where: { id: owner.id }, data: { role: 'free' } });
    expect((await entitlements(third)).role).toBe('free');
  });
});
