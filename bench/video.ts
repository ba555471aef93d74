// Over 400 lines on purpose: the upload, transcode and worker-memory benchmarks share one media set-up.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateClip } from '../test/support/media';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createApp, type App } from '../src/api/app';
import { REPO_ROOT } from '../src/dev/services';
import { posterTime, selectRenditions } from '../src/domain/videos/ladder';
import { parseMetadataPrint, selectKeyMoments } from '../src/domain/videos/signals';
import { loadConfig } from '../src/infra/config';
import { closeDeps, createDeps, type Deps } from '../src/infra/deps';
import { configureFfmpeg } from '../src/infra/ffmpeg';
import {
  encodeRenditionsCommand,
  factsDisplaySize,
  mediaFacts,
  probe,
  runCommand,
  signalsCommand,
  stillCommand,
} from '../src/infra/ffmpeg-commands';
import { createWorkers } from '../workers/create-workers';
import { workflowIds } from '../workflows/shared/ids';
import { benchStack, report } from './harness';
import { freePort } from '../src/dev/services';

// Video benchmarks (issue 5). `npm run bench video`, or on its own:
//   node --import tsx bench/video.ts [pipeline|upload]
//
// 1. video.pipeline_vs_bare — wall time from "upload complete" to READY through the real pipeline
//    (Temporal, both queues, S3 in and out, Postgres, analysis) against the same ffmpeg commands run
//    bare on the same local file. Goal: ratio ≤ 1.2.
// 2. video.upload_rss — a 200 MiB upload PUT straight to S3 through presigned part URLs while the API
//    and a worker per queue run as their own processes (the workers through scripts/worker.sh, as in
//    production; BENCH_WORKER=source runs workers/main.ts under tsx instead); their resident memory
//    is sampled every 50 ms. The bytes never pass through them, so the peak should stay flat, and
//    each worker under 250 MB (docs/adr/0010-worker-memory.md).
//
// Over 400 lines: both benchmarks share the coach, session and multipart-upload helpers.

async function json(res: Response): Promise<any> {
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}

/** A Coach Pro Plus account and an empty session, through the API (the role is set in Postgres). */
async function coachSession(
  request: (path: string, init?: RequestInit) => Promise<Response>,
  deps: Pick<Deps, 'db'>,
) {
  const reg = await json(
    await request('/api/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `bench-video-${Date.now()}-${randomBytes(3).toString('hex')}@example.test`,
        password: 'benchmark password',
        name: 'Bench Coach',
      }),
    }),
  );
  await deps.db.user.update({ where: { id: reg.user.id }, data: { role: 'coach_pro_plus' } });
  const headers = { authorization: `Bearer ${reg.token}`, 'content-type': 'application/json' };
  const session = await json(
    await request('/api/coaches/plus/sessions', {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'Bench session' }),
    }),
  );
  return { headers, sessionId: session.id as string, coachId: reg.user.id as string };
}

/** PUTs parts produced by `partBytes` to their presigned URLs, `concurrency` at a time. */
async function putParts(
  parts: { part_number: number; url: string; size: number }[],
  partBytes: (n: number, size: number) => Buffer,
  concurrency = 4,
) {
  const etags: { part_number: number; etag: string }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < parts.length) {
        const p = parts[next++]!;
        const res = await fetch(p.url, { method: 'PUT', body: partBytes(p.part_number, p.size) });
        if (res.status !== 200) throw new Error(`part ${p.part_number}: ${res.status} ${await res.text()}`);
        etags.push({ part_number: p.part_number, etag: res.headers.get('etag')! });
      }
    }),
  );
  return etags.sort((a, b) => a.part_number - b.part_number);
}

/** The ffmpeg work of the pipeline, run bare on a local file: probe, renditions, poster, signals, frames. */
export async function bareFfmpeg(input: string, workDir: string): Promise<number> {
  const started = performance.now();
  const facts = mediaFacts(await probe(input));
  const renditions = selectRenditions({ ...factsDisplaySize(facts), fps: facts.video?.fps });
  const outputs = renditions.map((rendition) => ({
    rendition,
    path: join(workDir, `${rendition.label}.mp4`),
  }));
  await runCommand(encodeRenditionsCommand(input, outputs));
  const top = renditions.find((r) => Math.min(r.width, r.height) <= 720) ?? renditions.at(-1)!;
  await runCommand(stillCommand(input, join(workDir, 'poster.jpg'), posterTime(facts.durationSeconds), top));
  const small =
    outputs.find((o) => Math.min(o.rendition.width, o.rendition.height) <= 360) ?? outputs.at(-1)!;
  const files = {
    scene: join(workDir, 'scene.txt'),
    motion: join(workDir, 'motion.txt'),
    audio: join(workDir, 'audio.txt'),
  };
  await runCommand(signalsCommand(small.path, files, Boolean(facts.audio)));
  const moments = selectKeyMoments({
    durationSeconds: facts.durationSeconds,
    scene: parseMetadataPrint(await readFile(files.scene, 'utf8'), 'lavfi.scene_score'),
    motion: parseMetadataPrint(await readFile(files.motion, 'utf8'), 'lavfi.signalstats.YDIF'),
    audio: parseMetadataPrint(
      await readFile(files.audio, 'utf8').catch(() => ''),
      'lavfi.astats.Overall.RMS_level',
    ),
  });
  for (const [i, m] of moments.entries()) {
    await runCommand(
      stillCommand(
        small.path,
        join(workDir, `frame-${i}.jpg`),
        Math.min(m.atSeconds, facts.durationSeconds - 0.05),
        small.rendition,
        4,
      ),
    );
  }
  return performance.now() - started;
}

/** Milliseconds each activity of the video's workflow took, scheduled → completed (last run). */
async function activityTimes(deps: Deps, videoId: string): Promise<Record<string, number>> {
  const history = await deps.temporal.workflow.getHandle(workflowIds.video(videoId)).fetchHistory();
  const ms = (t: unknown) => {
    const ts = t as { seconds?: { toNumber?: () => number } | number; nanos?: number };
    const sec = typeof ts.seconds === 'number' ? ts.seconds : (ts.seconds?.toNumber?.() ?? 0);
    return sec * 1000 + (ts.nanos ?? 0) / 1e6;
  };
  const scheduled = new Map<string, { name: string; at: number }>();
  const out: Record<string, number> = {};
  for (const e of history.events ?? []) {
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(e.eventId), { name: s.activityType?.name ?? '?', at: ms(e.eventTime) });
    const c = e.activityTaskCompletedEventAttributes;
    if (c) {
      const from = scheduled.get(String(c.scheduledEventId));
      if (from) out[from.name] = Math.round((out[from.name] ?? 0) + ms(e.eventTime) - from.at);
    }
  }
  return out;
}

/** Pipeline time vs bare ffmpeg on the same generated clip (best of `rounds`, alternating). */
export async function benchPipelineVsBare(opts: { seconds?: number; rounds?: number } = {}) {
  const seconds = opts.seconds ?? 20;
  const rounds = opts.rounds ?? 2;
  const cfg = loadConfig(process.env);
  configureFfmpeg(cfg);
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // already installed by another suite
  }
  const deps = await createDeps(cfg);
  const app: App = createApp(deps);
  const workers = await createWorkers(deps);
  const dir = await mkdtemp(join(tmpdir(), 'bench-video-'));
  try {
    const clip = join(dir, 'clip.mp4');
    await generateClip(clip, { seconds, width: 640, height: 360, fps: 25 });
    const bytes = await readFile(clip);
    const { headers, sessionId } = await coachSession((p, i) => Promise.resolve(app.request(p, i)), deps);
    const pipeline: number[] = [];
    const bare: number[] = [];
    let steps: Record<string, number> = {};
    for (let r = 0; r < rounds; r++) {
      const started = await json(
        await app.request(`/api/coaches/plus/sessions/${sessionId}/videos/upload`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            filename: 'bench.mp4',
            content_type: 'video/mp4',
            size_bytes: bytes.length,
          }),
        }),
      );
      const etags = await putParts(started.upload.parts, (n, size) =>
        bytes.subarray((n - 1) * started.upload.part_size, (n - 1) * started.upload.part_size + size),
      );
      const t0 = performance.now();
      const done = await app.request(
        `/api/coaches/plus/sessions/${sessionId}/videos/${started.video.id}/upload/complete`,
        { method: 'POST', headers, body: JSON.stringify({ parts: etags }) },
      );
      if (done.status !== 200) throw new Error(`complete: ${done.status} ${await done.text()}`);
      for (;;) {
        const row = await deps.db.video.findUniqueOrThrow({
          where: { id: started.video.id },
          select: { status: true, failureReason: true },
        });
        if (row.status === 'ready') break;
        if (row.status === 'failed') throw new Error(`pipeline failed: ${row.failureReason}`);
        await sleep(25);
      }
      pipeline.push(performance.now() - t0);
      steps = await activityTimes(deps, started.video.id);
      const work = await mkdtemp(join(dir, 'bare-'));
      bare.push(await bareFfmpeg(clip, work));
    }
    const p = Math.min(...pipeline);
    const b = Math.min(...bare);
    const result = {
      name: 'video.pipeline_vs_bare',
      ms: Number(p.toFixed(0)),
      bareMs: Number(b.toFixed(0)),
      ratio: Number((p / b).toFixed(2)),
      overheadMs: Number((p - b).toFixed(0)),
      clipSeconds: seconds,
      stepsMs: JSON.stringify(steps),
      clip: '640x360 25 fps H.264/AAC → 360p+240p, poster, signals, frames, signals-only report',
      rounds,
    };
    report(result);
    return result;
  } finally {
    await workers.shutdown();
    await closeDeps(deps);
    await rm(dir, { recursive: true, force: true });
  }
}

// --- Peak RSS of API and worker processes during a large upload ------------------------------------------------

function startProcess(
  name: string,
  command: string[],
  env: Record<string, string>,
  readyLine: string | RegExp,
): Promise<ChildProcess> {
  const child = spawn(command[0]!, command.slice(1), {
    cwd: REPO_ROOT,
    // `node` in scripts/worker.sh is the Node.js running this benchmark.
    env: { ...process.env, ...env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), 90_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (typeof readyLine === 'string' ? out.includes(readyLine) : readyLine.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${out}`)));
  });
}

/** `npm run build`: the compiled worker scripts/worker.sh runs. */
async function buildWorker(): Promise<void> {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: REPO_ROOT });
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Samples the RSS of `pids` every `everyMs` until stop() is called; returns the peaks. */
function sampleRss(pids: Record<string, number>, everyMs = 50) {
  const peaks: Record<string, number> = Object.fromEntries(Object.keys(pids).map((k) => [k, 0]));
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const [name, pid] of Object.entries(pids))
        peaks[name] = Math.max(peaks[name]!, await rssMb(pid).catch(() => 0));
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peaks;
    },
  };
}

/** An MP4 header (ftyp) then one `free` box to the end: generated per part, never held whole. */
function headerOnlyPart(total: number) {
  return (n: number, partSize: number) => {
    const chunk = randomBytes(partSize);
    if (n === 1) {
      Buffer.from([
        0, 0, 0, 20, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d, 0, 0, 2, 0, 0x69, 0x73, 0x6f, 0x6d,
      ]).copy(chunk, 0);
      chunk.writeUInt32BE(total - 20, 20);
      chunk.write('free', 24, 'latin1');
    }
    return chunk;
  };
}

/**
 * One upload of `size` bytes through presigned part URLs, completed, then until the pipeline has
 * checked it (it refuses it: a header and padding, no video index — the check reads box headers only).
 */
async function uploadAndCheck(
  request: (path: string, init?: RequestInit) => Promise<Response>,
  deps: Pick<Deps, 'db'>,
  headers: Record<string, string>,
  sessionId: string,
  size: number,
): Promise<number> {
  const t0 = performance.now();
  const started = await json(
    await request(`/api/coaches/plus/sessions/${sessionId}/videos/upload`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ filename: 'large.mp4', content_type: 'video/mp4', size_bytes: size }),
    }),
  );
  const etags = await putParts(started.upload.parts, headerOnlyPart(size));
  const uploadMs = performance.now() - t0;
  const done = await request(
    `/api/coaches/plus/sessions/${sessionId}/videos/${started.video.id}/upload/complete`,
    {
      method: 'POST',
      headers,
      body: JSON.stringify({ parts: etags }),
    },
  );
  if (done.status !== 200) throw new Error(`complete: ${done.status} ${await done.text()}`);
  for (let i = 0; i < 600; i++) {
    const row = await deps.db.video.findUniqueOrThrow({
      where: { id: started.video.id },
      select: { status: true },
    });
    if (row.status === 'failed' || row.status === 'ready') break;
    await sleep(100);
  }
  return uploadMs;
}

/**
 * A 200 MiB upload through presigned URLs while the API, a default-queue worker and a media-queue
 * worker run as their own processes (as in production). A small upload first warms every code path,
 * so the baseline is a running system and the delta is what the large upload costs.
 */
export async function benchUploadRss(opts: { megabytes?: number } = {}) {
  const size = (opts.megabytes ?? 200) * 1024 * 1024;
  const cfg = loadConfig(process.env);
  const deps = await createDeps(cfg);
  const port = await freePort();
  const env = { PORT: String(port), LOG_LEVEL: 'info' };
  // The workers run as in production (scripts/worker.sh: compiled JavaScript, memory settings), or
  // with BENCH_WORKER=source from the TypeScript sources as `npm start` runs them; the API as
  // `npm run api` does.
  const fromSource = process.env.BENCH_WORKER === 'source';
  if (!fromSource) await buildWorker();
  const worker = fromSource
    ? [process.execPath, '--import', 'tsx', 'workers/main.ts']
    : ['sh', 'scripts/worker.sh'];
  const procs = {
    api: await startProcess(
      'api',
      [process.execPath, '--import', 'tsx', 'src/api/server.ts'],
      env,
      'API listening',
    ),
    defaultWorker: await startProcess(
      'default worker',
      worker,
      { ...env, WORKER_QUEUES: 'default' },
      'workers running',
    ),
    mediaWorker: await startProcess(
      'media worker',
      worker,
      { ...env, WORKER_QUEUES: 'media' },
      'workers running',
    ),
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    const request = (path: string, init?: RequestInit) => fetch(`${base}${path}`, init);
    const { headers, sessionId } = await coachSession(request, deps);
    await uploadAndCheck(request, deps, headers, sessionId, 8 * 1024 * 1024);
    await sleep(1000);
    const pids = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, p.pid!]));
    const baseline: Record<string, number> = {};
    for (const [k, pid] of Object.entries(pids)) baseline[k] = await rssMb(pid);
    const sampler = sampleRss(pids);
    const uploadMs = await uploadAndCheck(request, deps, headers, sessionId, size);
    const peaks = await sampler.stop();
    const mb = (n: number) => Number(n.toFixed(1));
    const result = {
      name: 'video.upload_rss',
      ms: mb(uploadMs),
      sizeMb: size / 1024 / 1024,
      mbPerSec: mb(size / 1024 / 1024 / (uploadMs / 1000)),
      rssMb: mb(Math.max(...Object.values(peaks))),
      rssDeltaMb: mb(Math.max(...Object.keys(peaks).map((k) => peaks[k]! - baseline[k]!))),
      apiRssMb: mb(peaks.api!),
      apiBaselineMb: mb(baseline.api!),
      defaultWorkerRssMb: mb(peaks.defaultWorker!),
      defaultWorkerBaselineMb: mb(baseline.defaultWorker!),
      mediaWorkerRssMb: mb(peaks.mediaWorker!),
      mediaWorkerBaselineMb: mb(baseline.mediaWorker!),
      worker: fromSource ? 'source (tsx)' : 'scripts/worker.sh',
      goalMb: 250,
      meetsGoal: peaks.defaultWorker! < 250 && peaks.mediaWorker! < 250,
    };
    report(result);
    return result;
  } finally {
    for (const child of Object.values(procs)) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(15_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await closeDeps(deps);
  }
}

/** Both video benchmarks; for bench/run.ts (`video: videoBench`). */
export async function videoBench(): Promise<void> {
  await benchPipelineVsBare({ seconds: 20 });
  await benchPipelineVsBare({ seconds: 60 });
  await benchUploadRss();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const which = process.argv[2];
  const stack = await benchStack();
  try {
    if (!which || which === 'pipeline') {
      await benchPipelineVsBare({ seconds: 20 });
      await benchPipelineVsBare({ seconds: 60 });
    }
    if (!which || which === 'upload') await benchUploadRss();
  } finally {
    await stack.stop();
  }
  process.exit(0);
}
