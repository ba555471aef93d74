import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ffmpegPath = () => process.env.FFMPEG_PATH ?? 'ffmpeg';
const ffprobePath = () => process.env.FFPROBE_PATH ?? 'ffprobe';

export async function tempDir(prefix = 'coachflow-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * Generates a small H.264/AAC clip with ffmpeg's lavfi sources: `testsrc2` video with a hard scene cut
 * to a different pattern (`smptebars`) half-way, plus a `sine` tone. Never commit media; make it.
 */
export async function generateClip(
  path: string,
  opts: {
    seconds?: number;
    width?: number;
    height?: number;
    fps?: number;
    sceneCut?: boolean;
    container?: 'mp4' | 'mov';
  } = {},
): Promise<string> {
  const seconds = opts.seconds ?? 4;
  const size = `${opts.width ?? 640}x${opts.height ?? 360}`;
  const fps = opts.fps ?? 25;
  const half = seconds / 2;
  const video =
    opts.sceneCut === false
      ? `testsrc2=size=${size}:rate=${fps}:duration=${seconds}[v]`
      : `testsrc2=size=${size}:rate=${fps}:duration=${half}[a];smptebars=size=${size}:rate=${fps}:duration=${half}[b];[a][b]concat=n=2:v=1:a=0[v]`;
  await run(ffmpegPath(), [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-filter_complex',
    `${video};sine=frequency=440:duration=${seconds}[s]`,
    '-map',
    '[v]',
    '-map',
    '[s]',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '64k',
    '-movflags',
    '+faststart',
    '-f',
    opts.container ?? 'mp4',
    path,
  ]);
  return path;
}

export interface ProbeResult {
  durationSeconds: number;
  streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
}

export async function ffprobe(path: string): Promise<ProbeResult> {
  const { stdout } = await run(ffprobePath(), [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    path,
  ]);
  const parsed = JSON.parse(stdout) as { format: { duration: string }; streams: ProbeResult['streams'] };
  return { durationSeconds: Number(parsed.format.duration), streams: parsed.streams };
}
