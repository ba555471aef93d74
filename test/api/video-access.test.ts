import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentUsage } from '../../src/data/usage';
import { workflowIds } from '../../workflows/shared/ids';
import { call, startTestContext, type TestContext } from '../support/harness';
import { createUser, type TestUser } from '../support/users';
import { coachWithPlayers, createSession, startUpload } from '../support/video';

// Who may touch a video session, and the session API's shapes (seed 000) and validation. Denials are
// checked on every route with real ids: another coach and a player not assigned to the session get
// 404 (existence does not leak), a player gets 403 on coach-only routes, anonymous callers 401.

let ctx: TestContext;
let coach: TestUser;
let assigned: TestUser;
let unassigned: TestUser;
let otherCoach: TestUser;
let orgAdmin: TestUser;
let sessionId: string;
let videoId: string;
let clipId: string;
let annotationId: string;

beforeAll(async () => {
  ctx = await startTestContext();
  const team = await coachWithPlayers(ctx.app, ctx.deps, 2);
  coach = team.coach;
  [assigned, unassigned] = team.players as [TestUser, TestUser];
  otherCoach = (await coachWithPlayers(ctx.app, ctx.deps, 0)).coach;
  orgAdmin = await createUser(ctx.app, ctx.deps, 'org_pro', 'orgadmin');
  const org = await call(ctx.app, 'POST', '/api/orgs', {
    token: orgAdmin.token,
    body: { name: 'Riverside CC' },
  });
  await call(ctx.app, 'POST', `/api/orgs/${org.body.id}/members`, {
    token: orgAdmin.token,
    body: { email: coach.email, role: 'coach' },
  });
  // Membership needs the coach's consent (issue 9 #2); even then it shares the account, not videos.
  const accepted = await call(ctx.app, 'POST', `/api/me/orgs/${org.body.id}/accept`, { token: coach.token });
  if (accepted.status !== 200)
    throw new Error(`accept failed: ${accepted.status} ${JSON.stringify(accepted.body)}`);

  sessionId = (await createSession(ctx.app, coach.token, { player_ids: [assigned.id] })).id;
  const started = await startUpload(ctx.app, coach.token, sessionId, { size: 1_000_000 });
  videoId = started.body.video.id;
  // Rows a ready video would have; made directly (test setup) so this file needs no workers.
  clipId = (
    await ctx.deps.db.clip.create({
      data: {
        videoId,
        sessionId,
        coachId: coach.id,
        title: 'Cover drive',
        momentType: 'highlight',
        startSeconds: 1,
        endSeconds: 2,
        playerIds: [assigned.id],
      },
    })
  ).id;
  annotationId = (
    await ctx.deps.db.videoAnnotation.create({
      data: { videoId, authorId: coach.id, kind: 'note', atSeconds: 1, text: 'Head still' },
    })
  ).id;
});
afterAll(async () => {
  // No workers run in this file: stop the upload's workflow rather than leave it waiting a day.
  await ctx?.deps.temporal.workflow
    .getHandle(workflowIds.video(videoId))
    .terminate('test finished')
    .catch(() => undefined);
  await ctx?.close();
});

describe('video sessions (seed 000 shapes)', () => {
  it('creates a session with exactly the seed fields, status pending', async () => {
    const res = await call(ctx.app, 'POST', '/api/coaches/plus/sessions', {
      token: coach.token,
      body: {
        title: 'Batting Technique Session',
        player_ids: [assigned.id],
        notes: 'Focus on front foot technique',
      },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual([
      'coach_id',
      'created_at',
      'id',
      'notes',
      'player_ids',
      'status',
      'title',
      'updated_at',
    ]);
    expect(res.body).toMatchObject({
      coach_id: coach.id,
      title: 'Batting Technique Session',
      player_ids: [assigned.id],
      status: 'pending',
      notes: 'Focus on front foot technique',
    });
  });

  it('lists sessions as an array, newest first, paginated with a total, filtered by player and date', async () => {
    const { coach: c, players } = await coachWithPlayers(ctx.app, ctx.deps, 1);
    const a = await createSession(ctx.app, c.token, { title: 'A' });
    const b = await createSession(ctx.app, c.token, { title: 'B', player_ids: [players[0]!.id] });
    const page = await call(ctx.app, 'GET', '/api/coaches/plus/sessions?limit=1&offset=0', {
      token: c.token,
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('x-total-count')).toBe('2');
    expect(page.body.map((s: any) => s.id)).toEqual([b.id]);
    expect(
      (
        await call(ctx.app, 'GET', '/api/coaches/plus/sessions?limit=1&offset=1', { token: c.token })
      ).body.map((s: any) => s.id),
    ).toEqual([a.id]);
    const byPlayer = await call(ctx.app, 'GET', `/api/coaches/plus/sessions?player_id=${players[0]!.id}`, {
      token: c.token,
    });
    expect(byPlayer.body.map((s: any) => s.id)).toEqual([b.id]);
    const today = new Date().toISOString().slice(0, 10);
    expect(
      (await call(ctx.app, 'GET', `/api/coaches/plus/sessions?from=${today}&to=${today}`, { token: c.token }))
        .body,
    ).toHaveLength(2);
    expect(
      (await call(ctx.app, 'GET', '/api/coaches/plus/sessions?to=2020-01-01', { token: c.token })).body,
    ).toEqual([]);
    const bad = await call(ctx.app, 'GET', '/api/coaches/plus/sessions?from=yesterday', { token: c.token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('query.from');
  });

  it('updates and deletes a session', async () => {
    const s = await createSession(ctx.app, coach.token, { title: 'Old' });
    const patched = await call(ctx.app, 'PATCH', `/api/coaches/plus/sessions/${s.id}`, {
      token: coach.token,
      body: { title: 'New', notes: null, player_ids: [unassigned.id] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: 'New', notes: null, player_ids: [unassigned.id] });
    expect(
      (await call(ctx.app, 'DELETE', `/api/coaches/plus/sessions/${s.id}`, { token: coach.token })).status,
    ).toBe(204);
    expect(
      (await call(ctx.app, 'GET', `/api/coaches/plus/sessions/${s.id}`, { token: coach.token })).status,
    ).toBe(404);
  });

  it('names the field for bad input: players off the roster or not yet accepted, unknown fields, empty titles', async () => {
    const invited = await createUser(ctx.app, ctx.deps, 'free', 'invited');
    await call(ctx.app, 'POST', '/api/coaches/me/players', {
      token: coach.token,
      body: { email: invited.email },
    });
    for (const playerId of [otherCoach.id, invited.id]) {
      const res = await call(ctx.app, 'POST', '/api/coaches/plus/sessions', {
        token: coach.token,
        body: { title: 'x', player_ids: [playerId] },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([
        { field: 'player_ids', reason: `not active players on the coach's roster: ${playerId}` },
      ]);
    }
    const unknown = await call(ctx.app, 'POST', '/api/coaches/plus/sessions', {
      token: coach.token,
      body: { title: 'x', video_url: 'http://x' },
    });
    expect(unknown.body.error.details).toEqual([{ field: 'video_url', reason: 'unknown field' }]);
    const empty = await call(ctx.app, 'POST', '/api/coaches/plus/sessions', {
      token: coach.token,
      body: { title: '  ' },
    });
    expect(empty.body.error.details[0].field).toBe('title');
    const upload = await startUpload(ctx.app, coach.token, sessionId, {
      filename: 'notes.txt',
      contentType: 'text/plain',
      size: 10,
    });
    expect(upload.status).toBe(400);
    expect(upload.body.error.details.map((d: any) => d.field)).toEqual(['filename', 'content_type']);
  });

  it('answers 403 with the feature named for plans without video uploads', async () => {
    const proCoach = await createUser(ctx.app, ctx.deps, 'coach_pro');
    const res = await call(ctx.app, 'GET', '/api/coaches/plus/sessions', { token: proCoach.token });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({
      code: 'feature_not_in_plan',
      message: 'Insufficient feature access: video_upload_enabled',
    });
  });
});

describe('access to every video route', () => {
  const routes = (): [string, string, unknown?][] => {
    const s = `/api/coaches/plus/sessions/${sessionId}`;
    const v = `${s}/videos/${videoId}`;
    return [
      ['GET', s],
      ['PATCH', s, { title: 'Hijacked' }],
      ['DELETE', s],
      ['POST', `${s}/videos/upload`, { filename: 'a.mp4', content_type: 'video/mp4', size_bytes: 1000 }],
      ['GET', `${s}/videos`],
      ['GET', v],
      ['GET', `${v}/upload`],
      ['POST', `${v}/upload/complete`, { parts: [{ part_number: 1, etag: 'abc' }] }],
      ['DELETE', `${v}/upload`],
      ['POST', `${v}/retry`],
      ['DELETE', v],
      ['PUT', `${v}/shares`, { player_ids: [] }],
      ['POST', `${v}/annotations`, { kind: 'note', at_seconds: 1, text: 'x' }],
      ['PATCH', `${v}/annotations/${annotationId}`, { text: 'x' }],
      ['DELETE', `${v}/annotations/${annotationId}`],
      ['POST', `${v}/clips`, { title: 'x', start_seconds: 0, end_seconds: 1 }],
      ['PUT', `/api/coaches/plus/clips/${clipId}/shares`, { player_ids: [] }],
      ['DELETE', `/api/coaches/plus/clips/${clipId}`],
      ['GET', `/api/videos/${videoId}`],
      ['GET', `/api/videos/${videoId}/annotations`],
      ['GET', `/api/clips/${clipId}`],
    ];
  };
  const coachOnly = (path: string) => path.startsWith('/api/coaches/plus/');

  it('denies anonymous callers everywhere (401)', async () => {
    for (const [method, path, body] of routes()) {
      expect((await call(ctx.app, method, path, { body })).status, `${method} ${path}`).toBe(401);
    }
  });

  it('hides everything from another coach (404)', async () => {
    for (const [method, path, body] of routes()) {
      const res = await call(ctx.app, method, path, { token: otherCoach.token, body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect(
      (await call(ctx.app, 'GET', '/api/coaches/plus/sessions', { token: otherCoach.token })).body,
    ).toEqual([]);
    expect((await call(ctx.app, 'GET', '/api/coaches/plus/clips', { token: otherCoach.token })).body).toEqual(
      [],
    );
  });

  it('denies a player who is not assigned: 403 on coach routes (feature), 404 on the video and clip', async () => {
    for (const [method, path, body] of routes()) {
      const res = await call(ctx.app, method, path, { token: unassigned.token, body });
      expect(res.status, `${method} ${path}`).toBe(coachOnly(path) ? 403 : 404);
    }
    expect((await call(ctx.app, 'GET', '/api/me/clips', { token: unassigned.token })).body).toEqual([]);
  });

  it('lets the assigned player read, never write; an org admin of the coach (accepted member) reaches nothing', async () => {
    expect((await call(ctx.app, 'GET', `/api/videos/${videoId}`, { token: assigned.token })).status).toBe(
      200,
    );
    expect(
      (await call(ctx.app, 'GET', `/api/videos/${videoId}/annotations`, { token: assigned.token })).status,
    ).toBe(200);
    expect((await call(ctx.app, 'GET', `/api/clips/${clipId}`, { token: assigned.token })).status).toBe(200);
    for (const [method, path, body] of routes().filter(([, p]) => coachOnly(p))) {
      expect(
        (await call(ctx.app, method, path, { token: assigned.token, body })).status,
        `${method} ${path}`,
      ).toBe(403);
    }
    // Issue 9 #2: org admins reach members' accounts, never their videos (docs/adr/0007).
    expect((await call(ctx.app, 'GET', `/api/videos/${videoId}`, { token: orgAdmin.token })).status).toBe(
      404,
    );
    expect(
      (await call(ctx.app, 'GET', `/api/coaches/plus/sessions/${sessionId}`, { token: orgAdmin.token }))
        .status,
    ).toBe(404);
    const retry = await call(
      ctx.app,
      'POST',
      `/api/coaches/plus/sessions/${sessionId}/videos/${videoId}/retry`,
      { token: orgAdmin.token },
    );
    expect(retry.status).toBe(404);
  });

  it('changed nothing while denying', async () => {
    const session = await ctx.deps.db.videoSession.findUniqueOrThrow({ where: { id: sessionId } });
    expect(session).toMatchObject({ title: 'Batting nets', deletedAt: null });
    const video = await ctx.deps.db.video.findUniqueOrThrow({ where: { id: videoId } });
    expect(video).toMatchObject({ status: 'pending', deletedAt: null, sharedPlayerIds: [] });
    expect(await ctx.deps.db.videoAnnotation.count({ where: { id: annotationId } })).toBe(1);
    expect(await ctx.deps.db.clip.count({ where: { id: clipId } })).toBe(1);
    expect(await currentUsage(ctx.deps.db, otherCoach.id, 'storage_bytes')).toBe(0);
  });
});
