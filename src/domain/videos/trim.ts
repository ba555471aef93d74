/**
 * Clip trimming. A stream copy is exact and instant but can only start on a keyframe (a frame that
 * decodes on its own); the renditions are encoded with a keyframe every 2 seconds, so a clip starting
 * on (or within a frame of) one is copied, anything else is re-encoded from the requested time. The
 * end can be anywhere: copying simply stops there. Pure.
 */

export const MIN_CLIP_SECONDS = 0.5;
export const MAX_CLIP_SECONDS = 10 * 60;
/** The renditions' keyframe interval (see src/infra/ffmpeg-commands.ts). */
export const KEYFRAME_INTERVAL_SECONDS = 2;

export interface ClipRange {
  startSeconds: number;
  endSeconds: number;
}

/** Field problems with a requested range for a video of `durationSeconds`. */
export function checkClipRange(
  range: ClipRange,
  durationSeconds: number,
): { field: string; reason: string }[] {
  const problems: { field: string; reason: string }[] = [];
  const { startSeconds: s, endSeconds: e } = range;
  if (!Number.isFinite(s) || s < 0) problems.push({ field: 'start_seconds', reason: 'must be 0 or more' });
  else if (s >= durationSeconds)
    problems.push({
      field: 'start_seconds',
      reason: `must be before the end of the video (${durationSeconds.toFixed(2)} s)`,
    });
  if (!Number.isFinite(e) || e <= 0) problems.push({ field: 'end_seconds', reason: 'must be more than 0' });
  else if (e > durationSeconds + 0.05)
    problems.push({
      field: 'end_seconds',
      reason: `must be within the video (${durationSeconds.toFixed(2)} s)`,
    });
  if (problems.length === 0) {
    if (e - s < MIN_CLIP_SECONDS)
      problems.push({
        field: 'end_seconds',
        reason: `must be at least ${MIN_CLIP_SECONDS} s after start_seconds`,
      });
    else if (e - s > MAX_CLIP_SECONDS)
      problems.push({
        field: 'end_seconds',
        reason: `a clip can be at most ${MAX_CLIP_SECONDS / 60} minutes long`,
      });
  }
  return problems;
}

export type TrimPlan =
  | { mode: 'copy'; startSeconds: number; endSeconds: number; keyframe: number }
  | { mode: 'reencode'; startSeconds: number; endSeconds: number };

/**
 * Stream copy when a keyframe lies within `tolerance` seconds of the start (one frame at the video's
 * rate, so the clip starts where the coach asked), otherwise re-encode.
 */
export function planTrim(
  range: ClipRange,
  keyframes: readonly number[],
  fps: number,
  durationSeconds: number,
): TrimPlan {
  const end = Math.min(range.endSeconds, durationSeconds);
  const tolerance = fps > 0 ? 1 / fps : 0.04;
  let nearest: number | undefined;
  for (const k of keyframes) {
    if (
      Math.abs(k - range.startSeconds) <= tolerance &&
      (nearest === undefined || Math.abs(k - range.startSeconds) < Math.abs(nearest - range.startSeconds))
    )
      nearest = k;
  }
  if (nearest !== undefined)
    return { mode: 'copy', startSeconds: nearest, endSeconds: end, keyframe: nearest };
  return { mode: 'reencode', startSeconds: range.startSeconds, endSeconds: end };
}

/** Parses `ffprobe -select_streams v:0 -skip_frame nokey -show_entries frame=pts_time -of csv=p=0` output. */
export function parseKeyframeTimes(csv: string): number[] {
  return csv
    .split(/\r?\n/)
    .map((l) => l.split(',')[0]!.trim())
    .filter((l) => l !== '')
    .map(Number)
    .filter((n) => Number.isFinite(n) && n >= 0)
    .sort((a, b) => a - b);
}
