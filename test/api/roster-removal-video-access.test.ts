import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { videoKeys } from '../../src/infra/video-objects';
import { call, startTestContext, type TestContext } from '../support/harness';
import type { TestUser } from '../support/users';
import { coachWithPlayers, createSession } from '../support/video';

// Issue 9 #10: a player's access to a coach's videos and clips lasts as long as they are on the
// coach's roster. Removed by the coach or leaving on their own, they can no longer list, open or
// get playback URLs for anything of that coach's; the coach can list everything that still names
// them (sessions, videos shared directly, clips).

let ctx: TestContext;
let coach: TestUser;
let removed: TestUser;
let leaver: TestUser;
let teamSessionId: string;
let teamVideoId: string;
let sharedVideoId: string;
let clipId: string;

async function put(key: string, body: string) {
  await ctx.deps.s3.send(
    new PutObjectCommand({ Bucket: ctx.deps.cfg.S3_BUCKET, Key: key, Body: body, ContentType: 'video/mp4' }),
  );
}

/** A ready video with one stored rendition; made directly (test setup) so this file needs no workers. */
async function readyVideo(sessionId: string, sharedPlayerIds: string[] = []) {
  const id = crypto.randomUUID();
  const rendition = videoKeys.rendition(id, '180p');
  await put(rendition, 'rendition bytes');
  await ctx.deps.db.video.create({
    data: {
      id,
      sessionId,
      coachId: coach.id,
      filename: 'nets.mp4',
      contentType: 'video/mp4',
      declaredBytes: 1000n,
      sourceKey: videoKeys.source(id, 'mp4'),
      partSize: 8 * 1024 * 1024,
      partCount: 1,
      uploadExpiresAt: new Date(),
      status: 'ready',
      stage: 'ready',
      durationSeconds: 4,
      renditions: [
        { label: '180p', key: rendition, width: 320, height: 180, bytes: 15, videoKbps: 300, audioKbps: 64 },
      ],
      sharedPlayerIds,
      readyAt: new Date(),
    },
  });
  return id;
}

beforeAll(async () => {
  ctx = await startTestContext();
  const team = await coachWithPlayers(ctx.app, ctx.deps, 2);
  coach = team.coach;
  [removed, leaver] = team.players as [TestUser, TestUser];
  teamSessionId = (await createSession(ctx.app, coach.token, { player_ids: [removed.id, leaver.id] })).id;
  teamVideoId = await readyVideo(teamSessionId);
  // A video of a session about nobody, shared with both players directly.
  const otherSession = (await createSession(ctx.app, coach.token, { title: 'Match day' })).id;
  sharedVideoId = await readyVideo(otherSession, [removed.id, leaver.id]);
  clipId = crypto.randomUUID();
  const clipKey = videoKeys.clip(teamVideoId, clipId);
  await put(clipKey, 'clip bytes');
  await ctx.deps.db.clip.create({
    data: {
      id: clipId,
      videoId: teamVideoId,
      sessionId: teamSessionId,
      coachId: coach.id,
      title: 'Cover drive',
      momentType: 'highlight',
      startSeconds: 1,
      endSeconds: 2,
      playerIds: [removed.id, leaver.id],
      status: 'ready',
      key: clipKey,
      readyAt: new Date(),
    },
  });
});
afterAll(async () => ctx?.close());

/** Everything a player could reach of the coach's media, as the API answers it. */
async function reach(player: TestUser) {
  const get = (path: string) => call(ctx.app, 'GET', path, { token: player.token });
  const videos = await get('/api/me/videos');
  const clips = await get('/api/me/clips');
  const teamVideo = await get(`/api/videos/${teamVideoId}`);
  const sharedVideo = await get(`/api/videos/${sharedVideoId}`);
  const annotations = await get(`/api/videos/${teamVideoId}/annotations`);
  const clip = await get(`/api/clips/${clipId}`);
  return {
    listedVideos: (videos.body as { id: string }[]).map((v) => v.id).sort(),
    listedVideosTotal: videos.headers.get('x-total-count'),
    listedClips: (clips.body as { id: string }[]).map((c) => c.id),
    statuses: [teamVideo.status, sharedVideo.status, annotations.status, clip.status],
    urls: [
      teamVideo.body?.playback?.renditions?.[0]?.url,
      sharedVideo.body?.playback?.renditions?.[0]?.url,
      clip.body?.playback?.url,
    ].filter(Boolean) as string[],
  };
}

const shares = (player: TestUser) =>
  call(ctx.app, 'GET', `/api/coaches/plus/players/${player.id}/shares`, { token: coach.token });

describe('issue 9 #10: roster removal and video access', () => {
  it('issue 9 #10: a player removed from the roster can no longer list, open or play the coach’s videos and clips; the coach sees what still names them', async () => {
    const before = await reach(removed);
    expect(before.listedVideos).toEqual([teamVideoId, sharedVideoId].sort());
    expect(before.listedClips).toEqual([clipId]);
    expect(before.statuses).toEqual([200, 200, 200, 200]);
    expect(before.urls).toHaveLength(3);
    for (const url of before.urls) expect((await fetch(url)).status).toBe(200);

    const res = await call(ctx.app, 'DELETE', `/api/coaches/me/players/${removed.id}`, {
      token: coach.token,
    });
    expect(res.status).toBe(204);

    const after = await reach(removed);
    expect(after).toEqual({
      listedVideos: [],
      listedVideosTotal: '0',
      listedClips: [],
      statuses: [404, 404, 404, 404],
      urls: [],
    });
    // The other player keeps their access.
    expect((await reach(leaver)).statuses).toEqual([200, 200, 200, 200]);

    // The coach's records still say who a session or clip is about (the library filters by player)...
    const byPlayer = await call(ctx.app, 'GET', `/api/coaches/plus/clips?player_id=${removed.id}`, {
      token: coach.token,
    });
    expect(byPlayer.body.map((c: { id: string }) => c.id)).toEqual([clipId]);
    // ...and the coach can list every share that names the player, with whether it is in effect.
    const listed = await shares(removed);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      player_id: removed.id,
      on_roster: false,
      sessions: [{ id: teamSessionId, title: 'Batting nets' }],
      videos: [{ id: sharedVideoId, session_id: expect.any(String), filename: 'nets.mp4' }],
      clips: [{ id: clipId, video_id: teamVideoId, title: 'Cover drive' }],
    });
    expect((await shares(leaver)).body.on_roster).toBe(true);
    // Only the coach sees it.
    expect(
      (await call(ctx.app, 'GET', `/api/coaches/plus/players/${removed.id}/shares`, { token: leaver.token }))
        .status,
    ).toBe(403);
  });

  it('issue 9 #10: a player who leaves the coach loses the same access', async () => {
    expect(
      (await call(ctx.app, 'DELETE', `/api/me/coaches/${coach.id}`, { token: leaver.token })).status,
    ).toBe(204);
    expect(await reach(leaver)).toMatchObject({
      listedVideos: [],
      listedClips: [],
      statuses: [404, 404, 404, 404],
      urls: [],
    });
  });

  it('issue 9 #10: sharing needs the player on the roster again, and rejoining restores what names them', async () => {
    const share = await call(
      ctx.app,
      'PUT',
      `/api/coaches/plus/sessions/${teamSessionId}/videos/${teamVideoId}/shares`,
      { token: coach.token, body: { player_ids: [removed.id] } },
    );
    expect(share.status).toBe(400);
    await call(ctx.app, 'POST', '/api/coaches/me/players', {
      token: coach.token,
      body: { email: removed.email },
    });
    // Invited is not enough.
    expect((await reach(removed)).statuses).toEqual([404, 404, 404, 404]);
    await call(ctx.app, 'POST', `/api/me/coaches/${coach.id}/accept`, { token: removed.token });
    expect((await reach(removed)).statuses).toEqual([200, 200, 200, 200]);
  });
});
