import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FfmpegError } from '../../src/infra/ffmpeg-commands';
import { mediaTempRoot } from '../../src/infra/video-objects';

// What the media activities (video.ts, clip.ts) share: how they fail, and their temp folders. Every
// step works in a per-video temp folder that the next attempt (after a crash) either reuses — a
// download or an encode that finished — or wipes.

/** Presigned URLs ffprobe/ffmpeg read from: internal, long enough for a slow probe of a big file. */
export const INTERNAL_URL_TTL_MS = 60 * 60 * 1000;
/** Temp folders of crashed attempts older than this are swept by any later media activity. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

export const invalidMedia = (message: string) =>
  ApplicationFailure.create({ type: 'InvalidMedia', message, nonRetryable: true });

/** The line of ffmpeg's output (or the error message) that says what went wrong. */
export function technical(err: unknown): string {
  if (err instanceof FfmpegError)
    return (err.stderrTail.split('\n').filter(Boolean).at(-1) ?? err.message).trim();
  return (err as Error)?.message ?? String(err);
}

/** Rethrows as a Temporal cancellation when the activity was cancelled (ffmpeg was killed for it). */
export function rethrow(err: unknown): never {
  const ctx = Context.current();
  if (ctx.cancellationSignal.aborted) throw new CancelledFailure('cancelled');
  throw err;
}

export function videoTempDir(videoId: string, step: string): string {
  return join(mediaTempRoot(tmpdir()), `video-${videoId}`, step);
}

export function clipTempDir(clipId: string): string {
  return join(mediaTempRoot(tmpdir()), `clip-${clipId}`);
}

/** Removes a video's whole temp folder (every step's). */
export async function removeVideoTemp(videoId: string): Promise<void> {
  await rm(join(mediaTempRoot(tmpdir()), `video-${videoId}`), { recursive: true, force: true });
}

/** Removes a step's folder, and the video's folder once no step folder is left. */
export async function removeStepDir(videoId: string, step: string): Promise<void> {
  await rm(videoTempDir(videoId, step), { recursive: true, force: true });
  await rmdir(join(mediaTempRoot(tmpdir()), `video-${videoId}`)).catch(() => undefined);
}

export async function sweepStaleTemp(): Promise<void> {
  const root = mediaTempRoot(tmpdir());
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const cutoff = Date.now() - STALE_TEMP_MS;
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const info = await stat(join(root, e.name)).catch(() => undefined);
    if (info && info.mtimeMs < cutoff) await rm(join(root, e.name), { recursive: true, force: true });
  }
}
