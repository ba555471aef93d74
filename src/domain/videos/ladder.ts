/**
 * Which renditions a source gets, and what the source must look like to be accepted. Like PeerTube:
 * only rungs at or below the input (never upscaled), even dimensions (H.264 with 4:2:0 chroma needs
 * them), aspect ratio kept. Rungs are named by the short side, so a portrait phone video at
 * 1080x1920 gets "1080p" at 1080x1920, not a 607x1080 letterbox. Pure.
 */

export interface Rung {
  label: string;
  /** Short side in pixels. */
  short: number;
  videoKbps: number;
  audioKbps: number;
}

/** H.264 bitrates for sports footage (lots of motion) at up to 30 fps; 60 fps gets 1.5×. */
export const LADDER: readonly Rung[] = [
  { label: '1080p', short: 1080, videoKbps: 5000, audioKbps: 128 },
  { label: '720p', short: 720, videoKbps: 2800, audioKbps: 128 },
  { label: '360p', short: 360, videoKbps: 800, audioKbps: 96 },
  { label: '240p', short: 240, videoKbps: 400, audioKbps: 64 },
];

export interface Rendition {
  label: string;
  width: number;
  height: number;
  /** Target average video bitrate (kbit/s); the encoder runs CRF capped at maxrate. */
  videoKbps: number;
  maxrateKbps: number;
  bufsizeKbps: number;
  audioKbps: number;
  fps: number;
}

export const MAX_FPS = 60;

/** Rounds to the nearest even number, at least 2. */
export function even(n: number): number {
  return Math.max(2, 2 * Math.round(n / 2));
}

/** Rounds down to an even number, at least 2. */
export function evenFloor(n: number): number {
  return Math.max(2, 2 * Math.floor(n / 2));
}

/**
 * The size a player shows: coded size × sample aspect ratio, swapped when the stream carries a 90°
 * or 270° rotation (phones record sideways and flag it).
 */
export function displaySize(input: {
  width: number;
  height: number;
  rotation?: number;
  sampleAspectRatio?: string;
}): { width: number; height: number } {
  let width = input.width;
  const sar = /^(\d+):(\d+)$/.exec(input.sampleAspectRatio ?? '');
  if (sar && Number(sar[1]) > 0 && Number(sar[2]) > 0 && sar[1] !== sar[2])
    width = Math.round((width * Number(sar[1])) / Number(sar[2]));
  const quarterTurns = Math.round(((((input.rotation ?? 0) % 360) + 360) % 360) / 90) % 4;
  return quarterTurns % 2 === 1 ? { width: input.height, height: width } : { width, height: input.height };
}

/** Output frame rate: the source's, capped at 60 (cameras that report 1000 fps time bases exist). */
export function outputFps(sourceFps: number | undefined): number {
  if (!sourceFps || !Number.isFinite(sourceFps) || sourceFps <= 0) return 30;
  return Math.min(MAX_FPS, Math.round(sourceFps * 1000) / 1000);
}

/**
 * Renditions for a source of display size width×height: every rung whose short side is ≤ the
 * source's, highest first; a source smaller than the lowest rung gets one rendition at its own size.
 */
export function selectRenditions(
  source: { width: number; height: number; fps?: number },
  ladder: readonly Rung[] = LADDER,
): Rendition[] {
  const { width, height } = source;
  if (!(width > 0 && height > 0))
    throw new RangeError(`source size must be positive, got ${width}x${height}`);
  const fps = outputFps(source.fps);
  const fpsFactor = fps > 31 ? 1.5 : 1;
  const landscape = width >= height;
  const sourceShort = landscape ? height : width;
  const sourceLong = landscape ? width : height;
  const rungs = [...ladder].sort((a, b) => b.short - a.short).filter((r) => r.short <= sourceShort);
  const lowest = [...ladder].sort((a, b) => a.short - b.short)[0];
  const chosen: Rung[] =
    rungs.length > 0
      ? rungs
      : lowest
        ? [{ ...lowest, label: `${evenFloor(sourceShort)}p`, short: sourceShort }]
        : [];
  return chosen.map((rung) => {
    const short = Math.min(evenFloor(sourceShort), even(rung.short));
    const long = Math.min(evenFloor(sourceLong), even((short * sourceLong) / sourceShort));
    const videoKbps = Math.round(rung.videoKbps * fpsFactor);
    return {
      label: rung.label,
      width: landscape ? long : short,
      height: landscape ? short : long,
      videoKbps,
      maxrateKbps: Math.round(videoKbps * 1.5),
      bufsizeKbps: videoKbps * 2,
      audioKbps: rung.audioKbps,
      fps,
    };
  });
}

/** Parses ffprobe's "30000/1001" frame rates. */
export function parseFrameRate(rate: string | undefined): number | undefined {
  if (!rate) return undefined;
  const m = /^(\d+(?:\.\d+)?)(?:\/(\d+(?:\.\d+)?))?$/.exec(rate.trim());
  if (!m) return undefined;
  const value = Number(m[1]) / (m[2] ? Number(m[2]) : 1);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

// --- What we accept after ffprobe ------------------------------------------------------------------------

/** The facts ffprobe gives us about a source, reduced to what the pipeline needs. */
export interface MediaFacts {
  formatName: string;
  durationSeconds: number;
  video?: {
    codec: string;
    width: number;
    height: number;
    rotation?: number;
    sampleAspectRatio?: string;
    fps?: number;
    pixFmt?: string;
  };
  audio?: { codec: string; channels?: number; sampleRate?: number };
}

/** Longest video we process: a full day's session is at most a few hours. */
export const MAX_DURATION_SECONDS = 4 * 60 * 60;
export const MIN_DURATION_SECONDS = 0.5;
/** Larger than 8K is not a camera we know. */
export const MAX_DIMENSION = 8192;

const ACCEPTED_FORMATS = ['mov', 'mp4', 'm4a', '3gp', '3g2', 'mj2'];

/** Accepts or refuses a probed source, with a reason written for the coach. */
export function checkMedia(facts: MediaFacts): { ok: true } | { ok: false; reason: string } {
  const formats = facts.formatName.split(',').map((f) => f.trim());
  if (!formats.some((f) => ACCEPTED_FORMATS.includes(f))) {
    return {
      ok: false,
      reason: `The file is a ${facts.formatName} file, not MP4 or MOV. Export the video as MP4 (H.264) or MOV and upload it again.`,
    };
  }
  if (!facts.video) {
    return {
      ok: false,
      reason: 'The file has no video picture (it looks like audio only). Upload the video recording itself.',
    };
  }
  if (!facts.video.codec || facts.video.codec === 'none' || facts.video.codec === 'unknown') {
    return {
      ok: false,
      reason: 'The video uses a format we cannot read. Export it as MP4 (H.264) and upload it again.',
    };
  }
  if (
    !(facts.video.width > 0 && facts.video.height > 0) ||
    facts.video.width > MAX_DIMENSION ||
    facts.video.height > MAX_DIMENSION
  ) {
    return {
      ok: false,
      reason: `The video's picture size (${facts.video.width}x${facts.video.height}) is not something we can process. Export it at 4K or smaller.`,
    };
  }
  if (!Number.isFinite(facts.durationSeconds) || facts.durationSeconds < MIN_DURATION_SECONDS) {
    return {
      ok: false,
      reason:
        'The video is shorter than half a second or its length cannot be read. Check that the recording plays, then upload it again.',
    };
  }
  if (facts.durationSeconds > MAX_DURATION_SECONDS) {
    const hours = MAX_DURATION_SECONDS / 3600;
    return {
      ok: false,
      reason: `The video is ${formatDuration(facts.durationSeconds)} long; we accept up to ${hours} hours. Trim it or split it into parts.`,
    };
  }
  return { ok: true };
}

/** 3725.4 → "1:02:05"; 65 → "1:05". */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** Where the poster frame is taken: a tenth in (past fade-ins), at most 5 s, inside the video. */
export function posterTime(durationSeconds: number): number {
  return Math.max(0, Math.min(5, durationSeconds * 0.1, durationSeconds - 0.1));
}
