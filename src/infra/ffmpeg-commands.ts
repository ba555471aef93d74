import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FfmpegCommand, FfprobeData } from 'fluent-ffmpeg';
import { ffmpeg } from './ffmpeg';
import { displaySize, parseFrameRate, type MediaFacts, type Rendition } from '../domain/videos/ladder';
import { parseKeyframeTimes } from '../domain/videos/trim';

const execFileAsync = promisify(execFile);

// The ffmpeg commands of the video pipeline, built with fluent-ffmpeg and run with progress and
// cancellation. The activities run them around S3 and Temporal; bench/video.ts runs the very same
// functions bare to measure what the pipeline adds.

/** Renditions have a keyframe every 2 s, so clips starting on an even second can be stream-copied. */
export const KEYFRAME_SECONDS = 2;

export interface RunOptions {
  /** Seconds of output written so far, from ffmpeg's `time=` progress lines. */
  onTime?: (seconds: number) => void;
  signal?: AbortSignal;
}

/** Parses ffmpeg's "time=00:01:02.50" progress field (negative during pre-roll). */
export function parseProgressTime(line: string): number | undefined {
  const m = /time=\s*(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(line);
  if (!m) return undefined;
  const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  return m[1] === '-' ? 0 : seconds;
}

export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly stderrTail: string,
  ) {
    super(message);
  }
}

/** Runs a prepared command; rejects with the last lines of ffmpeg's stderr; kills ffmpeg on abort. */
export function runCommand(command: FfmpegCommand, opts: RunOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) return reject(new Error('cancelled before ffmpeg started'));
    const tail: string[] = [];
    const onAbort = () => command.kill('SIGKILL');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    command
      .on('stderr', (line: string) => {
        tail.push(line);
        if (tail.length > 30) tail.shift();
        if (opts.onTime) {
          const t = parseProgressTime(line);
          if (t !== undefined) opts.onTime(t);
        }
      })
      .on('end', () => {
        opts.signal?.removeEventListener('abort', onAbort);
        resolve();
      })
      .on('error', (err: Error) => {
        opts.signal?.removeEventListener('abort', onAbort);
        const stderrTail = tail
          .filter((l) => !/^\s*(frame|size)=/.test(l))
          .slice(-8)
          .join('\n');
        reject(new FfmpegError(err.message, stderrTail));
      })
      .run();
  });
}

// The output options every MP4 the pipeline writes is made of (renditions and clips).

/** Frames between keyframes at `fps`: one keyframe every KEYFRAME_SECONDS. */
const gopFrames = (fps: number) => Math.max(1, Math.round(fps * KEYFRAME_SECONDS));

/** The chosen video stream and the source's first audio stream when it has one. */
const videoAndAudio = (video: string) => ['-map', video, '-map', '0:a:0?'];

/** H.264 at the pipeline's speed preset: quality-targeted (CRF) under a rate cap. */
const x264 = (o: { profile?: string; crf: number; maxrateKbps: number; bufsizeKbps: number }) => [
  '-c:v',
  'libx264',
  '-preset',
  'veryfast',
  ...(o.profile ? ['-profile:v', o.profile] : []),
  '-crf',
  String(o.crf),
  '-maxrate',
  `${o.maxrateKbps}k`,
  '-bufsize',
  `${o.bufsizeKbps}k`,
];

const aac = (kbps: number) => ['-c:a', 'aac', '-b:a', `${kbps}k`];

/** MP4 with its index up front, so playback starts before the whole file has arrived. */
const MP4 = ['-movflags', '+faststart', '-f', 'mp4'];

/** One pass over the source: decode once, scale into every rendition, H.264/AAC MP4 with faststart. */
export function encodeRenditionsCommand(
  input: string,
  outputs: { rendition: Rendition; path: string }[],
): FfmpegCommand {
  const n = outputs.length;
  const scales = outputs.map(
    (o, i) =>
      `[s${i}]scale=${o.rendition.width}:${o.rendition.height}:flags=bicubic,setsar=1,format=yuv420p[v${i}]`,
  );
  const filter = `[0:v]split=${n}${outputs.map((_, i) => `[s${i}]`).join('')};${scales.join(';')}`;
  const cmd = ffmpeg(input).inputOptions(['-nostdin']).complexFilter(filter);
  outputs.forEach((o, i) => {
    const r = o.rendition;
    const gop = String(gopFrames(r.fps));
    cmd
      .output(o.path)
      .outputOptions([
        ...videoAndAudio(`[v${i}]`),
        ...x264({ profile: 'high', crf: 23, maxrateKbps: r.maxrateKbps, bufsizeKbps: r.bufsizeKbps }),
        '-r',
        String(r.fps),
        '-g',
        gop,
        '-keyint_min',
        gop,
        '-sc_threshold',
        '0',
        ...aac(r.audioKbps),
        '-ac',
        '2',
        '-ar',
        '48000',
        '-map_metadata',
        '-1',
        ...MP4,
      ]);
  });
  return cmd;
}

/** A JPEG still at `atSeconds`, scaled to width×height (input seeking: fast on any length). */
export function stillCommand(
  input: string,
  output: string,
  atSeconds: number,
  size: { width: number; height: number },
  quality = 3,
): FfmpegCommand {
  return ffmpeg(input)
    .inputOptions(['-nostdin', '-ss', atSeconds.toFixed(3)])
    .output(output)
    .outputOptions([
      '-frames:v',
      '1',
      '-vf',
      `scale=${size.width}:${size.height}:flags=bicubic,setsar=1`,
      '-q:v',
      String(quality),
      '-f',
      'image2',
    ]);
}

/**
 * One decode of a (small) rendition printing the signals key moments are chosen from: per-frame
 * scene score and luma difference, and the audio RMS level per 4,800-sample window (0.1 s at 48 kHz).
 */
export function signalsCommand(
  input: string,
  files: { scene: string; motion: string; audio: string },
  hasAudio: boolean,
): FfmpegCommand {
  const esc = (p: string) => p.replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/'/g, "\\'");
  const video = `[0:v]scale=160:-2,select='gte(scene\\,0)',metadata=mode=print:key=lavfi.scene_score:file='${esc(files.scene)}',signalstats,metadata=mode=print:key=lavfi.signalstats.YDIF:file='${esc(files.motion)}'[v]`;
  const audio = `[0:a:0]asetnsamples=n=4800,astats=metadata=1:reset=1,ametadata=mode=print:key=lavfi.astats.Overall.RMS_level:file='${esc(files.audio)}'[a]`;
  const cmd = ffmpeg(input)
    .inputOptions(['-nostdin'])
    .complexFilter(hasAudio ? `${video};${audio}` : video);
  cmd.output('-').outputOptions(['-map', '[v]', ...(hasAudio ? ['-map', '[a]'] : []), '-f', 'null']);
  return cmd;
}

/** Trims [start, end) of `input`: stream copy (start must be a keyframe) or an exact re-encode. */
export function trimCommand(
  input: string,
  output: string,
  plan: { mode: 'copy' | 'reencode'; startSeconds: number; endSeconds: number },
  encode: { width: number; height: number; fps: number; videoKbps: number; audioKbps: number },
): FfmpegCommand {
  const duration = (plan.endSeconds - plan.startSeconds).toFixed(3);
  if (plan.mode === 'copy') {
    // Reading stops at the end time; with B-frames the last picture may run a frame or two long.
    return ffmpeg(input)
      .inputOptions(['-nostdin', '-ss', plan.startSeconds.toFixed(3), '-t', duration])
      .output(output)
      .outputOptions([...videoAndAudio('0:v:0'), '-c', 'copy', ...MP4]);
  }
  return ffmpeg(input)
    .inputOptions(['-nostdin', '-ss', plan.startSeconds.toFixed(3)])
    .output(output)
    .outputOptions([
      '-t',
      duration,
      ...videoAndAudio('0:v:0'),
      ...x264({
        crf: 21,
        maxrateKbps: Math.round(encode.videoKbps * 1.5),
        bufsizeKbps: encode.videoKbps * 2,
      }),
      '-g',
      String(gopFrames(encode.fps)),
      '-pix_fmt',
      'yuv420p',
      ...aac(encode.audioKbps),
      ...MP4,
    ]);
}

// --- ffprobe --------------------------------------------------------------------------------------------------

export function probe(input: string, extraOptions: string[] = []): Promise<FfprobeData> {
  return new Promise((resolve, reject) => {
    ffmpeg.ffprobe(input, extraOptions, (err: Error | null, data: FfprobeData) =>
      err ? reject(err) : resolve(data),
    );
  });
}

/** The facts the pipeline needs from ffprobe's answer. */
export function mediaFacts(data: FfprobeData): MediaFacts {
  const v = data.streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const a = data.streams.find((s) => s.codec_type === 'audio');
  const duration = Number(data.format.duration ?? v?.duration ?? NaN);
  let rotation: number | undefined;
  if (v) {
    // fluent-ffmpeg flattens the display-matrix side data into the stream (`rotation`); older files
    // carry a `rotate` tag; ffprobe's JSON output nests it in side_data_list.
    const flat = (v as { rotation?: number | string }).rotation;
    const side = (v as { side_data_list?: { rotation?: number | string }[] }).side_data_list?.find(
      (d) => d.rotation !== undefined,
    );
    const tag = (v.tags as Record<string, string> | undefined)?.rotate;
    const r = flat ?? side?.rotation ?? tag;
    rotation = r === undefined ? undefined : Number(r);
  }
  return {
    formatName: data.format.format_name ?? 'unknown',
    durationSeconds: duration,
    video: v
      ? {
          codec: v.codec_name ?? 'unknown',
          width: v.width ?? 0,
          height: v.height ?? 0,
          rotation: Number.isFinite(rotation) ? rotation : undefined,
          sampleAspectRatio:
            v.sample_aspect_ratio && v.sample_aspect_ratio !== '0:1' && v.sample_aspect_ratio !== 'N/A'
              ? v.sample_aspect_ratio
              : undefined,
          fps: parseFrameRate(v.avg_frame_rate) ?? parseFrameRate(v.r_frame_rate),
          pixFmt: v.pix_fmt,
        }
      : undefined,
    audio: a
      ? {
          codec: a.codec_name ?? 'unknown',
          channels: a.channels,
          sampleRate: a.sample_rate ? Number(a.sample_rate) : undefined,
        }
      : undefined,
  };
}

/** The size a viewer sees (rotation and pixel aspect applied). */
export function factsDisplaySize(facts: MediaFacts): { width: number; height: number } {
  return facts.video ? displaySize(facts.video) : { width: 0, height: 0 };
}

/**
 * Keyframe times of the first video stream within [from, from + seconds), reading only that part
 * (ffprobe seeks with range requests when `input` is a URL).
 */
export async function keyframesNear(
  ffprobePath: string,
  input: string,
  from: number,
  seconds: number,
): Promise<number[]> {
  const { stdout } = await execFileAsync(
    ffprobePath,
    [
      '-v',
      'error',
      '-read_intervals',
      `${Math.max(0, from).toFixed(3)}%+${seconds}`,
      '-select_streams',
      'v:0',
      '-show_entries',
      'packet=pts_time,flags',
      '-of',
      'csv=p=0',
      input,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return parseKeyframeTimes(
    stdout
      .split(/\r?\n/)
      .filter((line) => /,K/.test(line))
      .join('\n'),
  );
}
