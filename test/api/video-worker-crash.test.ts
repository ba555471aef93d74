import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/dev/services';
import { listKeys } from '../../src/infra/object-files';
import { mediaTempRoot, videoKeys } from '../../src/infra/video-objects';
import { createWorkers, type WorkerSet } from '../../workers/create-workers';
import { workflowIds } from '../../workflows/shared/ids';
import { videoProgressQuery } from '../../workflows/videos/definitions';
import { startTestContext, type TestContext } from '../support/harness';
import { ffprobe, generateClip, tempDir } from '../support/media';
import { coachWithPlayers, createSession, uploadFile, waitForVideo } from '../support/video';

// The media worker is a real `npm run worker` process (WORKER_QUEUES=media). It is SIGKILLed, with
// its ffmpeg, in the middle of the transcode — as when a machine dies — and a fresh one started.
// The heartbeat timeout notices, Temporal retries the activity on the new worker, and the video
// still becomes ready with exactly one set of outputs and no temp files left behind.

let ctx: TestContext;
let workflowWorkers: WorkerSet;
const children: ChildProcess[] = [];

function startMediaWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, WORKER_QUEUES: 'media', LOG_LEVEL: 'info' },
    detached: true, // its own process group, so the kill takes its ffmpeg too
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`media worker did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('workers running')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`media worker exited (${code}) before it started:\n${output}`));
    });
  });
}

/** Pids whose parent is `ppid` and whose command line contains `needle` (Linux /proc). */
async function childrenMatching(ppid: number, needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== ppid) continue;
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').join(' ');
      if (cmdline.includes(needle)) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** True once the process is gone or a zombie waiting to be reaped. */
async function processDead(pid: number, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (!stat || ['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)))
      return true;
    await sleep(50);
  }
  return false;
}

beforeAll(async () => {
  ctx = await startTestContext();
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed in this process
  }
  workflowWorkers = await createWorkers(ctx.deps, { queues: ['default'] });
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
  await workflowWorkers?.shutdown();
  await ctx?.close();
});

describe('a media worker killed during the transcode', () => {
  it('is replaced, and the video still becomes ready with one set of outputs', async () => {
    const first = await startMediaWorker();
    const { coach } = await coachWithPlayers(ctx.app, ctx.deps, 0);
    const session = await createSession(ctx.app, coach.token, { title: 'Crash test' });
    const dir = await tempDir('video-crash-');
    const path = await generateClip(join(dir, 'long.mp4'), { seconds: 8, width: 640, height: 360 });
    const { videoId } = await uploadFile(ctx.app, coach.token, session.id, path);

    // Wait for the transcode's ffmpeg (libx264) to run under the first worker, then kill the group.
    let ffmpegPid: number | undefined;
    const deadline = Date.now() + 60_000;
    while (!ffmpegPid && Date.now() < deadline) {
      ffmpegPid = (await childrenMatching(first.pid!, 'libx264'))[0];
      if (!ffmpegPid) await sleep(10);
    }
    expect(ffmpegPid, 'the transcode started on the first media worker').toBeDefined();
    process.kill(-first.pid!, 'SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect(await processDead(ffmpegPid!), 'ffmpeg died with its worker').toBe(true);

    const handle = ctx.deps.temporal.workflow.getHandle(workflowIds.video(videoId));
    expect((await handle.query(videoProgressQuery)).stage).toBe('transcoding');
    // What the dead attempt left on this machine: a temp folder the next attempt must deal with.
    expect(existsSync(join(mediaTempRoot(tmpdir()), `video-${videoId}`))).toBe(true);

    await startMediaWorker();
    const ready = await waitForVideo(ctx.app, coach.token, session.id, videoId, 120_000);
    expect(ready.status).toBe('ready');
    expect(ready.renditions.map((r: any) => [r.label, r.width, r.height])).toEqual([
      ['360p', 640, 360],
      ['240p', 426, 240],
    ]);
    const out = join(dir, 'after-crash.mp4');
    await writeFile(out, Buffer.from(await (await fetch(ready.playback.renditions[0].url)).arrayBuffer()));
    const probe = await ffprobe(out);
    expect(probe.durationSeconds).toBeCloseTo(8, 0);
    expect(probe.streams.find((s) => s.codec_type === 'video')).toMatchObject({ width: 640, height: 360 });

    // Temporal saw the first attempt time out on its heartbeat and ran a second one.
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.find(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'transcodeVideo',
    );
    const started = events.find(
      (e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled?.eventId),
    );
    expect(started?.activityTaskStartedEventAttributes?.attempt).toBeGreaterThanOrEqual(2);
    expect(
      started?.activityTaskStartedEventAttributes?.lastFailure?.timeoutFailureInfo?.timeoutType,
    ).toBeTruthy();

    // One set of outputs, nothing left in temp.
    const keys = await listKeys(ctx.deps.s3, ctx.deps.cfg.S3_BUCKET, videoKeys.prefix(videoId));
    expect(keys.filter((k) => !k.includes('/analysis/'))).toEqual(
      [
        videoKeys.poster(videoId),
        videoKeys.rendition(videoId, '240p'),
        videoKeys.rendition(videoId, '360p'),
        videoKeys.source(videoId, 'mp4'),
      ].sort(),
    );
    expect(keys.filter((k) => k.includes('/analysis/')).length).toBeGreaterThan(1);
    expect(existsSync(join(mediaTempRoot(tmpdir()), `video-${videoId}`))).toBe(false);
  });
});
