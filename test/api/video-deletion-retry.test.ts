import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/api/app';
import { currentUsage } from '../../src/data/usage';
import type { Deps } from '../../src/infra/deps';
import { listKeys } from '../../src/infra/object-files';
import { videoKeys } from '../../src/infra/video-objects';
import {
  resumeDeletionsWorkflowType,
  type ResumeDeletionsWorkflow,
} from '../../workflows/maintenance/definitions';
import { workflowIds } from '../../workflows/shared/ids';
import { DELETION_GRACE_MS } from '../../workers/schedules';
import { call, startTestContext, type TestContext } from '../support/harness';
import { generateClip, tempDir } from '../support/media';
import type { TestUser } from '../support/users';
import {
  coachWithPlayers,
  createSession,
  startUpload,
  uploadFile,
  waitFor,
  waitForVideo,
} from '../support/video';
import { freePort } from '../../src/dev/services';

// Issue 9 #11: deleting a video or a session always ends with the objects gone and the storage given
// back, even when Temporal cannot be reached the first time (503, and the same request again finishes
// it); and a session deleted while an upload into it starts never strands that upload's reservation.

let ctx: TestContext;
let clipPath: string;
let unreachable: { deps: Deps; app: App };

beforeAll(async () => {
  ctx = await startTestContext({ workers: true, env: { OPENAI_API_KEY: '' } });
  clipPath = await generateClip(join(await tempDir('video-deletion-'), 'short.mp4'), {
    seconds: 2,
    width: 320,
    height: 180,
  });
  // The same API, except that its Temporal client talks to a port where nothing listens: every call
  // fails on a real connection (no retries, so the test does not wait out the client's backoff).
  const connection = Connection.lazy({ address: `127.0.0.1:${await freePort()}`, interceptors: [] });
  const deps = {
    ...ctx.deps,
    temporal: new Client({ connection, namespace: ctx.deps.cfg.TEMPORAL_NAMESPACE }),
  };
  unreachable = { deps, app: createApp(deps) };
});
afterAll(async () => {
  await unreachable?.deps.temporal.connection.close().catch(() => undefined);
  await ctx?.close();
});

const storage = (user: TestUser) => currentUsage(ctx.deps.db, user.id, 'storage_bytes');
const objectsOf = (videoId: string) =>
  listKeys(ctx.deps.s3, ctx.deps.cfg.S3_BUCKET, videoKeys.prefix(videoId));

async function readyVideo() {
  const { coach } = await coachWithPlayers(ctx.app, ctx.deps, 0);
  const sessionId = (await createSession(ctx.app, coach.token)).id;
  const { videoId } = await uploadFile(ctx.app, coach.token, sessionId, clipPath);
  expect((await waitForVideo(ctx.app, coach.token, sessionId, videoId)).status).toBe('ready');
  expect(await storage(coach)).toBeGreaterThan(0);
  expect((await objectsOf(videoId)).length).toBeGreaterThan(1);
  return { coach, sessionId, videoId };
}

async function expectAllGone(coach: TestUser, videoId: string) {
  await waitFor(
    async () => ((await ctx.deps.db.video.count({ where: { id: videoId } })) === 0 ? true : undefined),
    60_000,
    'video rows removed',
  );
  expect(await objectsOf(videoId)).toEqual([]);
  expect(await storage(coach)).toBe(0);
  expect(await ctx.deps.temporal.workflow.getHandle(workflowIds.video(videoId)).result()).toBe('deleted');
}

describe('issue 9 #11: deletion is retryable and completes', () => {
  it('issue 9 #11: a video deletion whose Temporal call fails answers 503, and repeating it removes the objects and gives the storage back', async () => {
    const { coach, sessionId, videoId } = await readyVideo();
    const path = `/api/coaches/plus/sessions/${sessionId}/videos/${videoId}`;

    const failed = await call(unreachable.app, 'DELETE', path, { token: coach.token });
    expect(failed.status).toBe(503);
    expect(failed.body.error.code).toBe('temporarily_unavailable');
    expect(failed.headers.get('retry-after')).toMatch(/^\d+$/);
    // Hidden at once, as before...
    expect((await call(ctx.app, 'GET', path, { token: coach.token })).status).toBe(404);
    // ...and the same request finishes the job.
    const retry = await call(ctx.app, 'DELETE', path, { token: coach.token });
    expect(retry.status).toBe(202);
    await expectAllGone(coach, videoId);
    expect((await call(ctx.app, 'DELETE', path, { token: coach.token })).status).toBe(404);
  });

  it('issue 9 #11: a session deletion whose Temporal call fails answers 503, and repeating it removes the session, its objects and storage', async () => {
    const { coach, sessionId, videoId } = await readyVideo();
    const path = `/api/coaches/plus/sessions/${sessionId}`;

    const failed = await call(unreachable.app, 'DELETE', path, { token: coach.token });
    expect(failed.status).toBe(503);
    expect(failed.body.error.code).toBe('temporarily_unavailable');
    expect((await call(ctx.app, 'GET', path, { token: coach.token })).status).toBe(404);
    expect((await call(ctx.app, 'DELETE', path, { token: coach.token })).status).toBe(202);
    await expectAllGone(coach, videoId);
    await waitFor(
      async () =>
        (await ctx.deps.db.videoSession.count({ where: { id: sessionId } })) === 0 ? true : undefined,
      30_000,
      'session removed',
    );
  });

  it('issue 9 #11: a session deletion nobody repeats is finished by the deletion sweep (maintenance schedule)', async () => {
    const { coach, sessionId, videoId } = await readyVideo();
    const path = `/api/coaches/plus/sessions/${sessionId}`;
    expect((await call(unreachable.app, 'DELETE', path, { token: coach.token })).status).toBe(503);
    // The owner walks away. Once the grace period has passed, the sweep picks it up.
    const longAgo = new Date(Date.now() - DELETION_GRACE_MS - 60_000);
    await ctx.deps.db.video.update({ where: { id: videoId }, data: { deletedAt: longAgo } });
    await ctx.deps.db.videoSession.update({ where: { id: sessionId }, data: { deletedAt: longAgo } });

    const sweep = () =>
      ctx.deps.temporal.workflow.execute<ResumeDeletionsWorkflow>(resumeDeletionsWorkflowType, {
        taskQueue: ctx.deps.cfg.TEMPORAL_TASK_QUEUE,
        workflowId: `test-resume-deletions-${videoId}`,
        args: [{ graceMs: DELETION_GRACE_MS }],
      });
    const first = await sweep();
    expect(first.started + first.signalled).toBeGreaterThanOrEqual(1);
    await expectAllGone(coach, videoId);
    // The next sweep removes the emptied session row.
    await waitFor(
      async () => {
        await ctx.deps.temporal.workflow.execute<ResumeDeletionsWorkflow>(resumeDeletionsWorkflowType, {
          taskQueue: ctx.deps.cfg.TEMPORAL_TASK_QUEUE,
          workflowId: `test-resume-deletions-${videoId}-${Date.now()}`,
          args: [{ graceMs: DELETION_GRACE_MS }],
        });
        return (await ctx.deps.db.videoSession.count({ where: { id: sessionId } })) === 0 ? true : undefined;
      },
      30_000,
      'session removed by the sweep',
    );
  });

  it('issue 9 #11: a session deleted while an upload into it starts never strands the upload or its reservation', async () => {
    const { coach } = await coachWithPlayers(ctx.app, ctx.deps, 0);
    const sessionId = (await createSession(ctx.app, coach.token)).id;
    // Hold the session row (a lock that lets foreign-key checks through) so both requests reach
    // Postgres before either finishes: the deletion has seen an empty session, the upload is under way.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = ctx.deps.db.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM video_sessions WHERE id = ${sessionId}::uuid FOR NO KEY UPDATE`;
        locked();
        await held;
      },
      { timeout: 60_000 },
    );
    await isLocked;
    const waiting = async () => {
      const [row] = await ctx.deps.db.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
      return Number(row!.n);
    };
    const deletion = call(ctx.app, 'DELETE', `/api/coaches/plus/sessions/${sessionId}`, {
      token: coach.token,
    });
    await waitFor(async () => ((await waiting()) >= 1 ? true : undefined), 10_000, 'deletion waiting');
    const upload = startUpload(ctx.app, coach.token, sessionId, { size: 2_000_000 });
    // Give the upload time to get as far as it can while the row is held.
    await sleep(1500);
    release();
    await holder;
    const [deleted, started] = await Promise.all([deletion, upload]);
    expect([202, 204]).toContain(deleted.status);
    expect([201, 404]).toContain(started.status);

    // Whichever went first, nothing is left behind: no session, no video, no multipart upload, no storage.
    await waitFor(
      async () => ((await storage(coach)) === 0 ? true : undefined),
      30_000,
      'storage given back',
    );
    await waitFor(
      async () =>
        (await ctx.deps.db.videoSession.count({ where: { id: sessionId } })) === 0 ? true : undefined,
      30_000,
      'session removed',
    );
    expect(await ctx.deps.db.video.count({ where: { sessionId } })).toBe(0);
    if (started.status === 201) {
      const videoId = started.body.video.id as string;
      const uploads = await ctx.deps.s3.send(
        new ListMultipartUploadsCommand({
          Bucket: ctx.deps.cfg.S3_BUCKET,
          Prefix: videoKeys.source(videoId, 'mp4'),
        }),
      );
      expect(uploads.Uploads ?? []).toEqual([]);
    }
  });
});
