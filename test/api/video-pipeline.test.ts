// Over 400 lines on purpose: one real upload -> transcode -> analysis run is shared by the tests
// that inspect its renditions, emails, progress and playback (a second run would double the time).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { currentUsage } from '../../src/data/usage';
import { listKeys } from '../../src/infra/object-files';
import { videoKeys } from '../../src/infra/video-objects';
import { workflowIds } from '../../workflows/shared/ids';
import { call, startTestContext, testDeps, type TestContext } from '../support/harness';
import { readMessage, waitForMessages } from '../support/mailbox';
import { ffprobe, generateClip, tempDir } from '../support/media';
import type { TestUser } from '../support/users';
import {
  coachWithPlayers,
  createSession,
  putParts,
  startChatServer,
  startUpload,
  waitFor,
  waitForVideo,
  type ChatServer,
  type StartedUpload,
} from '../support/video';

// The whole pipeline on the real stack with the AI path: a generated clip (testsrc2 → smptebars cut
// at 2 s, 440 Hz sine) uploaded in two parts straight to MinIO (one part resumed with a re-issued
// URL), processed by the real workers on both queues, analysed through the real openai SDK against a
// local server speaking the chat completions API, emailed to Mailpit, played back through presigned URLs.

let ctx: TestContext;
let ai: ChatServer;
let dir: string;
let coach: TestUser;
let player: TestUser;
let player2: TestUser;
let outsider: TestUser;
let sessionId: string;
let videoId: string;
let fileBytes: number;
let ready: any;

/** The clip plus a 9 MiB `free` box: still a valid MP4 (players skip free boxes), but two 8 MiB parts. */
async function twoPartVideo(path: string): Promise<Buffer> {
  await generateClip(path, { seconds: 4, width: 640, height: 360 });
  const clip = await readFile(path);
  const padding = Buffer.alloc(9 * 1024 * 1024);
  padding.writeUInt32BE(padding.length, 0);
  padding.write('free', 4, 'latin1');
  const bytes = Buffer.concat([clip, padding]);
  await writeFile(path, bytes);
  return bytes;
}

beforeAll(async () => {
  ai = await startChatServer();
  ctx = await startTestContext({
    workers: true,
    env: { OPENAI_API_KEY: 'sk-local-test', OPENAI_BASE_URL: ai.baseUrl, OPENAI_MODEL: 'local-vision-test' },
  });
  dir = await tempDir('video-pipeline-');
  const team = await coachWithPlayers(ctx.app, ctx.deps, 2);
  coach = team.coach;
  player = team.players[0]!;
  player2 = team.players[1]!;
  outsider = (await coachWithPlayers(ctx.app, ctx.deps, 0)).coach;
});

afterAll(async () => {
  await ctx?.close();
  await ai?.close();
});

describe('upload → process → ready', () => {
  it('uploads straight to S3 in parts, resumes a missing part, and completes with the ETags', async () => {
    const session = await createSession(ctx.app, coach.token, { player_ids: [player.id] });
    sessionId = session.id;
    const bytes = await twoPartVideo(join(dir, 'nets.mp4'));
    fileBytes = bytes.length;

    const started = await startUpload(ctx.app, coach.token, sessionId, {
      filename: 'nets.mp4',
      size: bytes.length,
    });
    expect(started.status).toBe(201);
    const { video, upload } = started.body as StartedUpload;
    videoId = video.id;
    expect(video.status).toBe('pending');
    expect(upload.part_size).toBe(8 * 1024 * 1024);
    expect(upload.part_count).toBe(2);
    expect(upload.parts.map((p) => [p.part_number, p.size])).toEqual([
      [1, 8 * 1024 * 1024],
      [2, bytes.length - 8 * 1024 * 1024],
    ]);
    // Storage is reserved before a byte is sent.
    expect(await currentUsage(ctx.deps.db, coach.id, 'storage_bytes')).toBe(bytes.length);

    // The client sends part 2, loses its URLs, and asks where it stands.
    const [part2] = await putParts(bytes, upload.part_size, [upload.parts[1]!]);
    const resume = await call(
      ctx.app,
      'GET',
      `/api/coaches/plus/sessions/${sessionId}/videos/${videoId}/upload`,
      { token: coach.token },
    );
    expect(resume.status).toBe(200);
    expect(resume.body.uploaded).toEqual([
      { part_number: 2, etag: part2!.etag, size: bytes.length - 8 * 1024 * 1024 },
    ]);
    expect(resume.body.parts.map((p: any) => p.part_number)).toEqual([1]);
    const [part1] = await putParts(bytes, upload.part_size, resume.body.parts);

    // Complete with a part missing: 400 naming the field; then with both ETags.
    const incomplete = await call(
      ctx.app,
      'POST',
      `/api/coaches/plus/sessions/${sessionId}/videos/${videoId}/upload/complete`,
      {
        token: coach.token,
        body: { parts: [part2] },
      },
    );
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.error.details).toEqual([{ field: 'parts', reason: 'missing part 1 of 2' }]);

    const done = await call(
      ctx.app,
      'POST',
      `/api/coaches/plus/sessions/${sessionId}/videos/${videoId}/upload/complete`,
      {
        token: coach.token,
        body: { parts: [part1, part2] },
      },
    );
    expect(done.status).toBe(200);
    expect(['uploaded', 'processing', 'ready']).toContain(done.body.status);
    // A repeated complete (lost response) answers with the current state instead of failing.
    const again = await call(
      ctx.app,
      'POST',
      `/api/coaches/plus/sessions/${sessionId}/videos/${videoId}/upload/complete`,
      {
        token: coach.token,
        body: { parts: [part1, part2] },
      },
    );
    expect(again.status).toBe(200);
  });

  it('becomes ready with renditions ffprobe confirms, a poster, an AI report and the email', async () => {
    ready = await waitForVideo(ctx.app, coach.token, sessionId, videoId);
    expect(ready.failure).toBeNull();
    expect(ready.status).toBe('ready');
    expect(ready.progress).toEqual({ stage: 'ready', percent: 100 });
    expect(ready.size_bytes).toBe(fileBytes);
    expect(ready.duration_seconds).toBeCloseTo(4, 0);
    expect(ready.renditions.map((r: any) => [r.label, r.width, r.height])).toEqual([
      ['360p', 640, 360],
      ['240p', 426, 240],
    ]);

    for (const r of ready.playback.renditions) {
      const res = await fetch(r.url);
      expect(res.status).toBe(200);
      const path = join(dir, `out-${r.label}.mp4`);
      await writeFile(path, Buffer.from(await res.arrayBuffer()));
      const probe = await ffprobe(path);
      expect(probe.streams.find((s) => s.codec_type === 'video')).toMatchObject({
        codec_name: 'h264',
        width: r.width,
        height: r.height,
      });
      expect(probe.streams.find((s) => s.codec_type === 'audio')).toMatchObject({ codec_name: 'aac' });
      expect(probe.durationSeconds).toBeCloseTo(4, 0);
    }

    const poster = Buffer.from(await (await fetch(ready.playback.poster_url)).arrayBuffer());
    expect([...poster.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);

    const report = (await (await fetch(ready.playback.analysis_url)).json()) as any;
    expect(report).toMatchObject({
      version: 1,
      source: 'ai',
      model: 'local-vision-test',
      note: null,
      duration_seconds: expect.any(Number),
    });
    expect(report.summary).toMatch(/^Reviewed 4(\.\d+)?s of "Batting nets"/);
    expect(report.coaching_points).toEqual([
      'Keep the head still through contact',
      'Hold the finish for a count of two',
    ]);
    // The scene cut at 2 s was found in the signals, sent to the model and came back typed and framed.
    const cut = report.key_moments.find((m: any) => Math.abs(m.at_seconds - 2) < 0.1);
    expect(cut).toMatchObject({
      type: 'form_issue',
      title: 'Head falls over at the cut',
      frame: expect.stringMatching(/^frames\/\d+\.jpg$/),
    });
    expect(report.signals.sceneChanges).toContain(2);
    expect(ready.analysis).toMatchObject({ status: 'done', source: 'ai' });
    expect(ready.playback.frames.length).toBeGreaterThan(0);
    expect((await fetch(ready.playback.frames[0].url)).status).toBe(200);

    // The request the real SDK sent: structured output with our JSON schema, and the frames as images.
    expect(ai.requests).toHaveLength(1);
    const request = ai.requests[0].body;
    expect(ai.requests[0].headers.authorization).toBe('Bearer sk-local-test');
    expect(request.model).toBe('local-vision-test');
    expect(request.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: { name: 'video_analysis_report', strict: true },
    });
    const images = request.messages[1].content.filter((p: any) => p.type === 'image_url');
    expect(images.length).toBe(ready.playback.frames.length);
    expect(images[0].image_url.url).toMatch(/^data:image\/jpeg;base64,\/9j\//);

    const [mail] = await waitForMessages(coach.email, { subject: /^Video ready: Batting nets$/ });
    const message = await readMessage(mail!.ID);
    expect(message.Text).toContain('"nets.mp4" for "Batting nets" is ready to watch (0:04, 360p / 240p)');
    expect(message.Text).toContain('AI analysis: ');
    expect(message.Text).toContain(`/api/coaches/plus/sessions/${sessionId}/videos/${videoId}`);

    // Accounting: the reservation follows the real size; one AI report used.
    expect(await currentUsage(ctx.deps.db, coach.id, 'storage_bytes')).toBe(fileBytes);
    expect(await currentUsage(ctx.deps.db, coach.id, 'ai_reports')).toBe(1);
    const session = await call(ctx.app, 'GET', `/api/coaches/plus/sessions/${sessionId}`, {
      token: coach.token,
    });
    expect(session.body.status).toBe('ready');

    // Operators find it in Temporal by business key and search attributes.
    const description = await ctx.deps.temporal.workflow.getHandle(workflowIds.video(videoId)).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.searchAttributes).toMatchObject({
      DomainStatus: ['READY'],
      VideoId: [videoId],
      CoachId: [coach.id],
    });

    // Exactly one set of outputs under the video's prefix.
    const keys = await listKeys(ctx.deps.s3, ctx.deps.cfg.S3_BUCKET, videoKeys.prefix(videoId));
    const frames = keys.filter((k) => k.includes('/analysis/frames/'));
    expect(keys.filter((k) => !k.includes('/analysis/frames/'))).toEqual(
      [
        videoKeys.analysis(videoId),
        videoKeys.poster(videoId),
        videoKeys.rendition(videoId, '240p'),
        videoKeys.rendition(videoId, '360p'),
        videoKeys.source(videoId, 'mp4'),
      ].sort(),
    );
    expect(frames).toHaveLength(report.key_moments.filter((m: any) => m.frame).length);
  });

  it('lets the assigned player watch it, and lists it in their videos', async () => {
    const res = await call(ctx.app, 'GET', `/api/videos/${videoId}`, { token: player.token });
    expect(res.status).toBe(200);
    expect(res.body.playback.renditions).toHaveLength(2);
    expect(
      (await fetch(res.body.playback.renditions[1].url, { headers: { range: 'bytes=0-15' } })).status,
    ).toBe(206);
    const mine = await call(ctx.app, 'GET', '/api/me/videos', { token: player.token });
    expect(mine.body.map((v: any) => v.id)).toContain(videoId);
    const denied = await call(ctx.app, 'GET', `/api/videos/${videoId}`, { token: outsider.token });
    expect(denied.status).toBe(404);
  });
});

describe('playback URLs', () => {
  it('are short-lived: with a 1 s TTL they work at once and are refused after they expire', async () => {
    const deps = await testDeps({ S3_PRESIGN_TTL: '1s' });
    try {
      const app = createApp(deps);
      const res = await call(app, 'GET', `/api/videos/${videoId}`, { token: player.token });
      expect(res.status).toBe(200);
      const url = res.body.playback.renditions[0].url as string;
      expect(new Date(res.body.playback.expires_at).getTime() - Date.now()).toBeLessThanOrEqual(1000);
      expect(url).toContain('X-Amz-Expires=1');
      const first = await fetch(url, { headers: { range: 'bytes=0-15' } });
      expect(first.status).toBe(206);
      await sleep(2500);
      const later = await fetch(url);
      expect(later.status).toBe(403);
      expect(await later.text()).toMatch(/expired/i);
      // Objects are private: the plain object URL is refused too.
      const plain = await fetch(
        `${deps.cfg.S3_ENDPOINT}/${deps.cfg.S3_BUCKET}/${videoKeys.rendition(videoId, '360p')}`,
      );
      expect(plain.status).toBe(403);
    } finally {
      deps.s3.destroy();
      await deps.db.$disconnect();
      await deps.temporal.connection.close();
      deps.mailer.close();
    }
  });
});

describe('clips', () => {
  const base = () => `/api/coaches/plus/sessions/${sessionId}/videos/${videoId}/clips`;
  async function clipReady(id: string) {
    return waitFor(
      async () => {
        const res = await call(ctx.app, 'GET', `/api/clips/${id}`, { token: coach.token });
        return res.body.status === 'ready' || res.body.status === 'failed' ? res.body : undefined;
      },
      60_000,
      `clip ${id}`,
    );
  }
  let copyClip: any;
  let cutClip: any;

  it('stream-copies a clip that starts on a keyframe and re-encodes one that does not', async () => {
    const a = await call(ctx.app, 'POST', base(), {
      token: coach.token,
      body: {
        title: 'Drive at the cut',
        start_seconds: 2,
        end_seconds: 3.5,
        moment_type: 'form_issue',
        player_ids: [player.id],
      },
    });
    expect(a.status).toBe(202);
    expect(a.body).toMatchObject({ status: 'pending', moment_type: 'form_issue', player_ids: [player.id] });
    const b = await call(ctx.app, 'POST', base(), {
      token: coach.token,
      body: {
        title: 'Stance',
        start_seconds: 0.7,
        end_seconds: 1.9,
        moment_type: 'highlight',
        player_ids: [player.id],
      },
    });
    expect(b.status).toBe(202);
    copyClip = await clipReady(a.body.id);
    cutClip = await clipReady(b.body.id);
    expect(copyClip).toMatchObject({
      status: 'ready',
      trim_mode: 'copy',
      start_seconds: 2,
      width: 640,
      height: 360,
    });
    expect(cutClip).toMatchObject({
      status: 'ready',
      trim_mode: 'reencode',
      start_seconds: 0.7,
      width: 640,
      height: 360,
    });
    // A re-encode is exact; a stream copy starts exactly on its keyframe and may end a frame or two late.
    for (const [clip, seconds, slack] of [
      [copyClip, 1.5, 0.2],
      [cutClip, 1.2, 0.1],
    ] as const) {
      const path = join(dir, `clip-${clip.id}.mp4`);
      await writeFile(path, Buffer.from(await (await fetch(clip.playback.url)).arrayBuffer()));
      const probe = await ffprobe(path);
      expect(probe.durationSeconds).toBeGreaterThan(seconds - 0.1);
      expect(probe.durationSeconds).toBeLessThan(seconds + slack);
      expect(probe.streams.find((st) => st.codec_type === 'video')).toMatchObject({
        codec_name: 'h264',
        width: 640,
        height: 360,
      });
    }
    // Clips count against storage, like the upload.
    expect(await currentUsage(ctx.deps.db, coach.id, 'storage_bytes')).toBe(
      fileBytes + copyClip.size_bytes + cutClip.size_bytes,
    );
  });

  it('refuses ranges outside the video and players who are not on the roster, naming the field', async () => {
    const late = await call(ctx.app, 'POST', base(), {
      token: coach.token,
      body: { title: 'x', start_seconds: 3, end_seconds: 9 },
    });
    expect(late.status).toBe(400);
    expect(late.body.error.details).toEqual([
      { field: 'end_seconds', reason: expect.stringMatching(/^must be within the video/) },
    ]);
    const stranger = await call(ctx.app, 'POST', base(), {
      token: coach.token,
      body: { title: 'x', start_seconds: 0, end_seconds: 1, player_ids: [outsider.id] },
    });
    expect(stranger.status).toBe(400);
    expect(stranger.body.error.details[0].field).toBe('player_ids');
  });

  it('files clips in the library by player and date, and shares them', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const lib = await call(
      ctx.app,
      'GET',
      `/api/coaches/plus/clips?player_id=${player.id}&from=${today}&to=${today}`,
      { token: coach.token },
    );
    expect(lib.status).toBe(200);
    expect(lib.headers.get('x-total-count')).toBe('2');
    expect(lib.body.map((c: any) => c.id).sort()).toEqual([copyClip.id, cutClip.id].sort());
    expect(lib.body[0].date).toBe(today);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect(
      (await call(ctx.app, 'GET', `/api/coaches/plus/clips?from=${tomorrow}`, { token: coach.token })).body,
    ).toEqual([]);
    expect(
      (await call(ctx.app, 'GET', `/api/coaches/plus/clips?player_id=${player2.id}`, { token: coach.token }))
        .body,
    ).toEqual([]);

    // The clip's player watches it; the other player cannot even see it until it is shared with them.
    const watched = await call(ctx.app, 'GET', `/api/clips/${copyClip.id}`, { token: player.token });
    expect(watched.status).toBe(200);
    expect((await fetch(watched.body.playback.url, { headers: { range: 'bytes=0-15' } })).status).toBe(206);
    expect((await call(ctx.app, 'GET', `/api/clips/${copyClip.id}`, { token: player2.token })).status).toBe(
      404,
    );
    const shared = await call(ctx.app, 'PUT', `/api/coaches/plus/clips/${copyClip.id}/shares`, {
      token: coach.token,
      body: { player_ids: [player.id, player2.id] },
    });
    expect(shared.status).toBe(200);
    expect((await call(ctx.app, 'GET', `/api/clips/${copyClip.id}`, { token: player2.token })).status).toBe(
      200,
    );
    const theirs = await call(ctx.app, 'GET', '/api/me/clips', { token: player2.token });
    expect(theirs.body.map((c: any) => c.id)).toEqual([copyClip.id]);
    expect((await call(ctx.app, 'GET', `/api/clips/${copyClip.id}`, { token: outsider.token })).status).toBe(
      404,
    );
  });

  it('shares the video itself with another roster player', async () => {
    expect((await call(ctx.app, 'GET', `/api/videos/${videoId}`, { token: player2.token })).status).toBe(404);
    const res = await call(
      ctx.app,
      'PUT',
      `/api/coaches/plus/sessions/${sessionId}/videos/${videoId}/shares`,
      { token: coach.token, body: { player_ids: [player2.id] } },
    );
    expect(res.status).toBe(200);
    expect(res.body.shared_player_ids).toEqual([player2.id]);
    expect((await call(ctx.app, 'GET', `/api/videos/${videoId}`, { token: player2.token })).status).toBe(200);
  });
});

describe('annotations', () => {
  const base = () => `/api/coaches/plus/sessions/${sessionId}/videos/${videoId}/annotations`;

  it('adds notes, markers and drawings with timestamps, and players read them in time order', async () => {
    const drawing = await call(ctx.app, 'POST', base(), {
      token: coach.token,
      body: {
        kind: 'drawing',
        at_seconds: 2.2,
        end_seconds: 3,
        shapes: [
          { type: 'arrow', from: { x: 0.2, y: 0.8 }, to: { x: 0.4, y: 0.5 }, color: '#00ff00' },
          { type: 'angle', a: { x: 0.5, y: 0.2 }, vertex: { x: 0.5, y: 0.5 }, b: { x: 0.7, y: 0.6 } },
        ],
      },
    });
    expect(drawing.status).toBe(201);
    expect(drawing.body.shapes[1]).toEqual({
      type: 'angle',
      a: { x: 0.5, y: 0.2 },
      vertex: { x: 0.5, y: 0.5 },
      b: { x: 0.7, y: 0.6 },
      color: '#ff3b30',
      width: 3,
    });
    const note = await call(ctx.app, 'POST', base(), {
      token: coach.token,
      body: { kind: 'note', at_seconds: 1.5, text: 'Weight on the back foot' },
    });
    expect(note.status).toBe(201);
    const marker = await call(ctx.app, 'POST', base(), {
      token: coach.token,
      body: { kind: 'marker', at_seconds: 2, text: 'Rep 2' },
    });
    expect(marker.status).toBe(201);

    const list = await call(ctx.app, 'GET', `/api/videos/${videoId}/annotations`, { token: player.token });
    expect(list.status).toBe(200);
    expect(list.body.map((a: any) => [a.kind, a.at_seconds])).toEqual([
      ['note', 1.5],
      ['marker', 2],
      ['drawing', 2.2],
    ]);

    const edited = await call(ctx.app, 'PATCH', `${base()}/${note.body.id}`, {
      token: coach.token,
      body: { text: 'Weight forward earlier' },
    });
    expect(edited.body).toMatchObject({ text: 'Weight forward earlier', at_seconds: 1.5 });
    expect(
      (await call(ctx.app, 'DELETE', `${base()}/${marker.body.id}`, { token: coach.token })).status,
    ).toBe(204);
    expect(
      (await call(ctx.app, 'GET', `/api/videos/${videoId}/annotations`, { token: player.token })).body,
    ).toHaveLength(2);
  });

  it('refuses annotations that do not make sense, naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ kind: 'drawing', at_seconds: 1 }, 'shapes'],
      [{ kind: 'note', at_seconds: 1 }, 'text'],
      [{ kind: 'note', at_seconds: 60, text: 'late' }, 'at_seconds'],
      [
        { kind: 'drawing', at_seconds: 1, shapes: [{ type: 'circle', center: { x: 2, y: 0 }, radius: 0.1 }] },
        'shapes.0.center.x',
      ],
      [{ kind: 'note', at_seconds: 1, text: 'x', colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of cases) {
      const res = await call(ctx.app, 'POST', base(), { token: coach.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
    }
  });
});

describe('deletion', () => {
  it('removes every object, gives all storage back and removes the rows', async () => {
    const res = await call(ctx.app, 'DELETE', `/api/coaches/plus/sessions/${sessionId}/videos/${videoId}`, {
      token: coach.token,
    });
    expect(res.status).toBe(202);
    // Hidden at once.
    expect((await call(ctx.app, 'GET', `/api/videos/${videoId}`, { token: coach.token })).status).toBe(404);
    await waitFor(
      async () => ((await ctx.deps.db.video.count({ where: { id: videoId } })) === 0 ? true : undefined),
      30_000,
      'video row removed',
    );
    expect(await listKeys(ctx.deps.s3, ctx.deps.cfg.S3_BUCKET, videoKeys.prefix(videoId))).toEqual([]);
    expect(await ctx.deps.db.clip.count({ where: { videoId } })).toBe(0);
    expect(await currentUsage(ctx.deps.db, coach.id, 'storage_bytes')).toBe(0);
    const session = await call(ctx.app, 'GET', `/api/coaches/plus/sessions/${sessionId}`, {
      token: coach.token,
    });
    expect(session.body.status).toBe('pending');
  });
});
