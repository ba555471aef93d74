import type { FieldProblem } from '../shared/errors';

// A lecture is a stretch of one of the coach's ready videos (seed 002's video_timestamp_start/end),
// and the lectures of a course are numbered 1..n in order.

/** Far beyond any real course; keeps one course's reorder and page bounded. */
export const MAX_LECTURES_PER_COURSE = 500;

export interface LectureRangeInput {
  startSeconds: number | null;
  endSeconds: number | null;
  /** The video's probed duration (a float: ffprobe reports fractions of a second). */
  videoDurationSeconds: number;
}

/**
 * start and end are whole seconds inside the video with end > start; either may be omitted (the
 * video's start / end). The end may be the video's last whole second or the rounded-up duration, so
 * "to the end" can be written out as well as left out.
 */
export function lectureRangeProblems(r: LectureRangeInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const limit = Math.ceil(r.videoDurationSeconds);
  const { startSeconds: start, endSeconds: end } = r;
  if (start !== null && (!Number.isSafeInteger(start) || start < 0 || start >= r.videoDurationSeconds))
    problems.push({
      field: 'startSeconds',
      reason: `must be a whole number of seconds from 0 to below the video's duration (${r.videoDurationSeconds}s)`,
    });
  if (end !== null && (!Number.isSafeInteger(end) || end <= 0 || end > limit))
    problems.push({
      field: 'endSeconds',
      reason: `must be a whole number of seconds from 1 to the video's duration (${limit}s)`,
    });
  if (problems.length === 0 && start !== null && end !== null && end <= start)
    problems.push({ field: 'endSeconds', reason: 'must be greater than startSeconds' });
  return problems;
}

/** The lecture's length in whole seconds (rounded up, at least 1): what the course page shows. */
export function lectureDurationSeconds(r: LectureRangeInput): number {
  const start = r.startSeconds ?? 0;
  const end = r.endSeconds === null ? r.videoDurationSeconds : Math.min(r.endSeconds, r.videoDurationSeconds);
  return Math.max(1, Math.ceil(end - start));
}

/** A new order must name every current lecture exactly once, and nothing else. */
export function reorderProblems(currentIds: readonly string[], requested: readonly string[]): FieldProblem[] {
  const current = new Set(currentIds);
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  requested.forEach((id, i) => {
    if (!current.has(id))
      problems.push({ field: `lectureIds.${i}`, reason: 'is not a lecture of this course' });
    else if (seen.has(id)) problems.push({ field: `lectureIds.${i}`, reason: 'appears more than once' });
    seen.add(id);
  });
  if (problems.length === 0 && seen.size !== current.size)
    problems.push({
      field: 'lectureIds',
      reason: `must list all ${current.size} lectures of the course (got ${seen.size})`,
    });
  return problems;
}

/** Positions 1..n for ids in the given order. */
export const positionsOf = (ids: readonly string[]): { id: string; position: number }[] =>
  ids.map((id, i) => ({ id, position: i + 1 }));

export interface LectureProgressState {
  positionSeconds: number;
  completed: boolean;
}

/**
 * Progress only moves forward: the furthest position wins and a completed lecture stays completed,
 * so reports arriving late or twice (several devices, retries) never undo each other. Reaching the
 * end counts as completing it. The SQL upsert in src/data/courses.ts is this function.
 */
export function mergeProgress(
  prev: LectureProgressState | undefined,
  report: LectureProgressState,
  lectureDurationSeconds: number,
): LectureProgressState {
  const positionSeconds = Math.max(prev?.positionSeconds ?? 0, report.positionSeconds);
  return {
    positionSeconds,
    completed: Boolean(prev?.completed) || report.completed || positionSeconds >= lectureDurationSeconds,
  };
}
