import { spawnSync } from 'node:child_process';
import ffmpeg from 'fluent-ffmpeg';
import type { Config } from './config';

/** Fails with an actionable message when ffmpeg/ffprobe are missing; configures fluent-ffmpeg's paths. */
export function configureFfmpeg(cfg: Pick<Config, 'FFMPEG_PATH' | 'FFPROBE_PATH'>): void {
  for (const [name, path] of [
    ['FFMPEG_PATH', cfg.FFMPEG_PATH],
    ['FFPROBE_PATH', cfg.FFPROBE_PATH],
  ] as const) {
    const probe = spawnSync(path, ['-version'], { stdio: 'ignore' });
    if (probe.error || probe.status !== 0) {
      throw new Error(
        `${path} was not found or does not run (${name}). Install it with "apt-get install -y ffmpeg" ` +
          `(Debian/Ubuntu) or "brew install ffmpeg" (macOS), or set ${name} to its full path.`,
      );
    }
  }
  ffmpeg.setFfmpegPath(cfg.FFMPEG_PATH);
  ffmpeg.setFfprobePath(cfg.FFPROBE_PATH);
}

export { ffmpeg };
