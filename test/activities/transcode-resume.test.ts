import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CancelledFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { videoTempDir } from '../../activities/shared/media';
import {
  videoMediaActivities,
  type TranscodeInput,
  type TranscodeResult,
} from '../../activities/videos/media';
import { selectRenditions } from '../../src/domain/videos/ladder';
import { VIDEO_PROGRESS_SIGNAL } from '../../src/domain/videos/status';
import type { Deps } from '../../src/infra/deps';
import { mockActivityEnv } from '../support/temporal-activity';

// transcodeVideo's crash recovery, driven through MockActivityEnvironment's heartbeat details: an
// attempt that finds the download and the encode of an earlier attempt in its temp folder runs no
// ffmpeg at all, and uploads only what the last heartbeat does not record as uploaded (checked
// against the object's size). S3, Postgres and the Temporal client are in-memory fakes; ffmpeg
// itself is not injectable (the encode path is covered by the end-to-end suite).

const renditions = selectRenditions({ width: 1280, height: 720, fps: 30 }); // 720p, 360p, 240p
const SIZES: Record<string, number> = { '720p': 3000, '360p': 1500, '240p': 800, poster: 200 };
const SOURCE_BYTES = 5000;

let savedTmp: string | undefined;
let root: string;
beforeAll(async () => {
  // The activity's temp folders (and its sweep of stale ones) live under os.tmpdir(): keep them here.
  savedTmp = process.env.TMPDIR;
  root = await mkdtemp(join(tmpdir(), 'coachflow-transcode-test-'));
  process.env.TMPDIR = root;
});
// The Heartbeater heartbeats its latest details every 2 s: each fake S3 upload "takes" that long.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  await rm(root, { recursive: true, force: true });
});

const keyOf = (videoId: string, label: string) =>
  label === 'poster' ? `videos/${videoId}/poster.jpg` : `videos/${videoId}/renditions/${label}.mp4`;

/** What an attempt that crashed after its encode leaves behind: the source, the outputs, the marker. */
async function leftByEarlierAttempt(videoId: string): Promise<string> {
  const dir = videoTempDir(videoId, 'transcode');
  await mkdir(join(dir, 'out'), { recursive: true });
  await writeFile(join(dir, 'source'), Buffer.alloc(SOURCE_BYTES));
  for (const r of renditions)
    await writeFile(join(dir, 'out', `${r.label}.mp4`), Buffer.alloc(SIZES[r.label]!));
  await writeFile(join(dir, 'out', 'poster.jpg'), Buffer.alloc(SIZES.poster!));
  await writeFile(join(dir, 'encoded.json'), '{}');
  return dir;
}

function fakes(videoId: string, opts: { remote?: Record<string, number>; failPut?: string } = {}) {
  const remote = new Map(
    Object.entries(opts.remote ?? {}).map(([label, size]) => [keyOf(videoId, label), size]),
  );
  const s3Calls: { command: string; key: string; bytes?: number }[] = [];
  const s3 = {
    async send(
      command: { input: { Key: string; Body?: Readable } },
      options?: { abortSignal?: AbortSignal },
    ) {
      const key = command.input.Key;
      // Like the AWS SDK: a request made with an aborted signal fails.
      if (options?.abortSignal?.aborted)
        throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
      if (command instanceof HeadObjectCommand) {
        s3Calls.push({ command: 'head', key });
        if (!remote.has(key)) throw Object.assign(new Error('NotFound'), { name: 'NotFound' });
        return { ContentLength: remote.get(key) };
      }
      if (command instanceof PutObjectCommand) {
        vi.advanceTimersByTime(2000);
        let bytes = 0;
        for await (const chunk of command.input.Body!) bytes += (chunk as Buffer).length;
        s3Calls.push({ command: 'put', key, bytes });
        if (key === opts.failPut) throw new Error('S3 answered 503 Slow Down');
        remote.set(key, bytes);
        return {};
      }
      if (command instanceof GetObjectCommand) s3Calls.push({ command: 'get', key });
      throw new Error(`unexpected S3 command for ${key}`);
    },
  };
  const dbWrites: unknown[] = [];
  const db = {
    video: {
      updateMany: async (q: unknown) => (dbWrites.push(q), { count: 1 }),
      update: async (q: unknown) => (dbWrites.push(q), {}),
    },
  };
  const signals: unknown[] = [];
  const temporal = {
    workflow: {
      getHandle: (workflowId: string) => ({
        signal: async (name: string, arg: unknown) => {
          signals.push({ workflowId, name, arg });
        },
      }),
    },
  };
  const deps = { cfg: { S3_BUCKET: 'media' }, s3, db, temporal } as unknown as Pick<
    Deps,
    'cfg' | 'db' | 's3' | 'temporal'
  >;
  return { activities: videoMediaActivities(deps), s3Calls, dbWrites, signals };
}

const input = (videoId: string): TranscodeInput => ({
  videoId,
  sourceKey: `uploads/${videoId}`,
  sourceBytes: SOURCE_BYTES,
  durationSeconds: 12,
  renditions,
  posterAt: 2,
});

interface Beat {
  percent: number;
  phase: string;
  uploaded: string[];
}

describe('transcodeVideo resumes from its heartbeat details', () => {
  it('skips the download, the encode and the uploads the last heartbeat recorded', async () => {
    const videoId = randomUUID();
    const dir = await leftByEarlierAttempt(videoId);
    // 720p made it to S3 whole; 360p is recorded but S3 holds a different size, so it goes again.
    const f = fakes(videoId, { remote: { '720p': SIZES['720p']!, '360p': 700 } });
    const { env, heartbeats } = mockActivityEnv({
      attempt: 2,
      heartbeatDetails: { percent: 95, phase: 'upload', uploaded: ['720p', '360p'] },
    });

    const result = (await env.run(f.activities.transcodeVideo, input(videoId))) as TranscodeResult;

    expect(f.s3Calls.filter((c) => c.command === 'get')).toEqual([]);
    expect(f.s3Calls.filter((c) => c.command === 'put').map((c) => [c.key, c.bytes])).toEqual([
      [keyOf(videoId, '360p'), SIZES['360p']],
      [keyOf(videoId, '240p'), SIZES['240p']],
      [keyOf(videoId, 'poster'), SIZES.poster],
    ]);
    expect(f.s3Calls.filter((c) => c.command === 'head').map((c) => c.key)).toEqual([
      keyOf(videoId, '720p'),
      keyOf(videoId, '360p'),
    ]);
    expect(result.posterKey).toBe(keyOf(videoId, 'poster'));
    expect(result.renditions.map((r) => [r.label, r.key, r.bytes])).toEqual(
      renditions.map((r) => [r.label, keyOf(videoId, r.label), SIZES[r.label]]),
    );
    // The first heartbeat carries the earlier record forward; each later one adds what was uploaded.
    expect(heartbeats as Beat[]).toEqual([
      { percent: 0, phase: 'download', uploaded: ['720p', '360p'] },
      { percent: 92.5, phase: 'upload', uploaded: ['720p', '360p'] },
      { percent: 95, phase: 'upload', uploaded: ['720p', '360p'] },
      { percent: 97.5, phase: 'upload', uploaded: ['720p', '360p', '240p'] },
    ]);
    expect(f.signals).toEqual(
      [90, 95, 100].map((percent) => ({
        workflowId: 'test',
        name: VIDEO_PROGRESS_SIGNAL,
        arg: { stage: 'transcoding', percent },
      })),
    );
    expect(existsSync(dir)).toBe(false);
  });

  it('without heartbeat details every output is uploaded, even if S3 already holds it', async () => {
    const videoId = randomUUID();
    await leftByEarlierAttempt(videoId);
    const f = fakes(videoId, { remote: { ...SIZES } });
    const { env } = mockActivityEnv({ attempt: 2 });
    await env.run(f.activities.transcodeVideo, input(videoId));
    expect(f.s3Calls.filter((c) => c.command === 'head')).toEqual([]);
    expect(f.s3Calls.filter((c) => c.command === 'put').map((c) => c.key)).toEqual(
      ['720p', '360p', '240p', 'poster'].map((l) => keyOf(videoId, l)),
    );
  });

  it('a failed upload keeps the temp folder, and the next attempt resumes from the last heartbeat', async () => {
    const videoId = randomUUID();
    const dir = await leftByEarlierAttempt(videoId);
    const first = fakes(videoId, { failPut: keyOf(videoId, '240p') });
    const crashed = mockActivityEnv({ attempt: 1 });
    await expect(crashed.env.run(first.activities.transcodeVideo, input(videoId))).rejects.toThrow(
      'S3 answered 503 Slow Down',
    );
    expect(existsSync(join(dir, 'encoded.json'))).toBe(true);
    const last = crashed.heartbeats.at(-1) as Beat;
    expect(last).toEqual({ percent: 95, phase: 'upload', uploaded: ['720p', '360p'] });

    // What Temporal hands the retry: the failed attempt's last heartbeat details; S3 has what it took.
    const second = fakes(videoId, { remote: { '720p': SIZES['720p']!, '360p': SIZES['360p']! } });
    const retry = mockActivityEnv({ attempt: 2, heartbeatDetails: last });
    await retry.env.run(second.activities.transcodeVideo, input(videoId));
    expect(second.s3Calls.filter((c) => c.command === 'put').map((c) => c.key)).toEqual([
      keyOf(videoId, '240p'),
      keyOf(videoId, 'poster'),
    ]);
    expect(existsSync(dir)).toBe(false);
  });

  it('a cancelled attempt removes its temp folder (there will be no retry to use it)', async () => {
    const videoId = randomUUID();
    const dir = await leftByEarlierAttempt(videoId);
    const f = fakes(videoId);
    const { env } = mockActivityEnv({ attempt: 1 });
    env.cancel();
    await expect(env.run(f.activities.transcodeVideo, input(videoId))).rejects.toBeInstanceOf(
      CancelledFailure,
    );
    expect(existsSync(dir)).toBe(false);
  });
});
