import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app';
import { currentUsage } from '../../src/data/usage';
import type { Deps } from '../../src/infra/deps';
import { listKeys } from '../../src/infra/object-files';
import { videoKeys } from '../../src/infra/video-objects';
import { startTestContext, testDeps, type TestContext } from '../support/harness';
import type { TestUser } from '../support/users';
import {
  coachWithPlayers,
  createSession,
  startUpload,
  waitForVideo,
  type StartedUpload,
} from '../support/video';

// Issue 9 #8, against the real MinIO: a part URL takes exactly the bytes it was issued for, so an
// upload can never hold more than the size that was reserved; and an upload that is never completed
// leaves nothing behind: no multipart upload, no object, no storage held.

let ctx: TestContext;
let shortTimeout: Deps;

beforeAll(async () => {
  ctx = await startTestContext({ workers: true, env: { OPENAI_API_KEY: '' } });
  shortTimeout = await testDeps({ VIDEO_UPLOAD_TIMEOUT: '3s' });
});
afterAll(async () => {
  shortTimeout?.s3.destroy();
  shortTimeout?.mailer.close();
  await shortTimeout?.db.$disconnect();
  await shortTimeout?.temporal.connection.close();
  await ctx?.close();
});

const MiB = 1024 * 1024;
const storage = (user: TestUser) => currentUsage(ctx.deps.db, user.id, 'storage_bytes');
const put = (url: string, bytes: number) => fetch(url, { method: 'PUT', body: Buffer.alloc(bytes, 7) });

/** Multipart uploads S3 still holds for the key, whatever their upload id (MinIO lists by exact key). */
async function openUploads(key: string): Promise<string[]> {
  const res = await ctx.deps.s3.send(
    new ListMultipartUploadsCommand({ Bucket: ctx.deps.cfg.S3_BUCKET, Prefix: key }),
  );
  return (res.Uploads ?? []).map((u) => u.UploadId!);
}

async function coachAndSession() {
  const { coach } = await coachWithPlayers(ctx.app, ctx.deps, 0);
  return { coach, sessionId: (await createSession(ctx.app, coach.token)).id };
}

describe('issue 9 #8: upload bytes are bounded by the declared size', () => {
  it('issue 9 #8: S3 refuses a part PUT with more (or fewer) bytes than its URL was issued for, and takes the declared size', async () => {
    const { coach, sessionId } = await coachAndSession();
    // 8 MiB + 1 KiB: one full 8 MiB part and a 1 KiB last part.
    const declared = 8 * MiB + 1024;
    const started = await startUpload(ctx.app, coach.token, sessionId, { size: declared });
    expect(started.status).toBe(201);
    const { upload } = started.body as StartedUpload;
    const [first, last] = upload.parts as [
      StartedUpload['upload']['parts'][0],
      StartedUpload['upload']['parts'][0],
    ];
    expect([first.size, last.size]).toEqual([8 * MiB, 1024]);
    expect(await storage(coach)).toBe(declared);

    // The last part's URL would otherwise take up to 5 GiB while only 1 KiB is reserved.
    const tooBig = await put(last.url, 8 * MiB);
    expect(tooBig.status).toBeGreaterThanOrEqual(400);
    expect(tooBig.status).toBeLessThan(500);
    const oneByteMore = await put(first.url, 8 * MiB + 1);
    expect(oneByteMore.status).toBeGreaterThanOrEqual(400);
    expect(oneByteMore.status).toBeLessThan(500);
    expect((await put(last.url, 1023)).status).toBeGreaterThanOrEqual(400);

    expect((await put(first.url, first.size)).status).toBe(200);
    expect((await put(last.url, last.size)).status).toBe(200);
    // Reusing a URL (it stays valid for its TTL) can only replace the part with the same number of bytes.
    expect((await put(last.url, last.size)).status).toBe(200);
    expect((await put(last.url, 2 * last.size)).status).toBeGreaterThanOrEqual(400);
  });

  it('issue 9 #8: an abandoned upload leaves no multipart upload, no object and no storage held', async () => {
    const app = createApp(shortTimeout);
    const { coach, sessionId } = await coachAndSession();
    const started = await startUpload(app, coach.token, sessionId, { size: 6 * MiB });
    expect(started.status).toBe(201);
    const { video, upload } = started.body as StartedUpload;
    expect(await storage(coach)).toBe(6 * MiB);
    expect((await put(upload.parts[0]!.url, upload.parts[0]!.size)).status).toBe(200);
    // A second multipart upload under the video's key that the row does not know about: what a
    // CreateMultipartUpload retried by the SDK after a lost answer leaves behind.
    const row = await ctx.deps.db.video.findUniqueOrThrow({ where: { id: video.id } });
    const stray = await ctx.deps.s3.send(
      new CreateMultipartUploadCommand({ Bucket: ctx.deps.cfg.S3_BUCKET, Key: row.sourceKey }),
    );
    await ctx.deps.s3.send(
      new UploadPartCommand({
        Bucket: ctx.deps.cfg.S3_BUCKET,
        Key: row.sourceKey,
        UploadId: stray.UploadId!,
        PartNumber: 1,
        Body: Buffer.alloc(1024),
      }),
    );
    expect((await openUploads(row.sourceKey)).sort()).toEqual([row.uploadId, stray.UploadId].sort());

    // ...and the client never completes.
    const failed = await waitForVideo(app, coach.token, sessionId, video.id, 30_000);
    expect(failed.failure.kind).toBe('upload_abandoned');
    expect(await openUploads(row.sourceKey)).toEqual([]);
    expect(await listKeys(ctx.deps.s3, ctx.deps.cfg.S3_BUCKET, videoKeys.prefix(video.id))).toEqual([]);
    expect(await storage(coach)).toBe(0);
    const after = await ctx.deps.db.video.findUniqueOrThrow({ where: { id: video.id } });
    expect(after.reservedBytes).toBe(0n);
  });
});
