import {
  MAX_LECTURES_PER_COURSE,
  lectureDurationSeconds,
  lectureRangeProblems,
  positionsOf,
  reorderProblems,
} from '../../domain/courses/lectures';
import {
  conflict,
  invalidFields,
  notFound,
  rejectProblems,
  type FieldProblem,
} from '../../domain/shared/errors';
import type { Lecture, Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/prisma';
import { coachReadyVideo, lockCoachCourse, renumberLectures } from '../../data/courses';

// A course's lectures: each a stretch of one of the coach's own ready videos. Every change runs in a
// transaction holding the course row, so positions stay 1..n without gaps under concurrent edits.

type Tx = Prisma.TransactionClient;

export interface LectureInput {
  title: string;
  videoId: string;
  startSeconds: number | null;
  endSeconds: number | null;
}

const INVALID = 'Invalid lecture';

async function inCourse<T>(
  db: Db,
  coachId: string,
  courseId: string,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  return db.$transaction(async (tx) => {
    if (!(await lockCoachCourse(tx, coachId, courseId))) throw notFound('Course');
    return work(tx);
  });
}

/** The video must be the coach's own and ready; the range must lie inside it. Returns the duration. */
async function checkedRange(tx: Tx, coachId: string, input: LectureInput): Promise<number> {
  const video = await coachReadyVideo(tx, coachId, input.videoId);
  const problems: FieldProblem[] = [];
  // Another coach's video and a missing one read the same: nothing about it is revealed.
  if (!video) problems.push({ field: 'videoId', reason: 'is not one of your videos' });
  else if (video.status !== 'ready')
    problems.push({ field: 'videoId', reason: `is not ready yet (status ${video.status})` });
  else if (video.durationSeconds === null || !(video.durationSeconds > 0))
    problems.push({ field: 'videoId', reason: 'has no known duration' });
  rejectProblems(problems, INVALID);
  const range = { ...input, videoDurationSeconds: video!.durationSeconds! };
  rejectProblems(lectureRangeProblems(range), INVALID);
  return lectureDurationSeconds(range);
}

/** Appended at the end of the course. */
export function addLecture(db: Db, coachId: string, courseId: string, input: LectureInput): Promise<Lecture> {
  return inCourse(db, coachId, courseId, async (tx) => {
    const durationSeconds = await checkedRange(tx, coachId, input);
    const last = await tx.lecture.aggregate({ where: { courseId }, _max: { position: true }, _count: true });
    if (last._count >= MAX_LECTURES_PER_COURSE)
      throw conflict(`A course holds at most ${MAX_LECTURES_PER_COURSE} lectures`, 'too_many_lectures');
    return tx.lecture.create({
      data: { ...input, courseId, durationSeconds, position: (last._max.position ?? 0) + 1 },
    });
  });
}

export function updateLecture(
  db: Db,
  coachId: string,
  ids: { courseId: string; lectureId: string },
  patch: Partial<LectureInput>,
): Promise<Lecture> {
  return inCourse(db, coachId, ids.courseId, async (tx) => {
    const current = await tx.lecture.findFirst({ where: { id: ids.lectureId, courseId: ids.courseId } });
    if (!current) throw notFound('Lecture');
    const next: LectureInput = {
      title: patch.title ?? current.title,
      videoId: patch.videoId ?? current.videoId,
      startSeconds: patch.startSeconds === undefined ? current.startSeconds : patch.startSeconds,
      endSeconds: patch.endSeconds === undefined ? current.endSeconds : patch.endSeconds,
    };
    const durationSeconds = await checkedRange(tx, coachId, next);
    return tx.lecture.update({ where: { id: current.id }, data: { ...next, durationSeconds } });
  });
}

/** The lectures after it move up one; a published course keeps at least one lecture. */
export function deleteLecture(
  db: Db,
  coachId: string,
  ids: { courseId: string; lectureId: string },
): Promise<void> {
  return inCourse(db, coachId, ids.courseId, async (tx) => {
    const lectures = await tx.lecture.findMany({
      where: { courseId: ids.courseId },
      orderBy: { position: 'asc' },
    });
    if (!lectures.some((l) => l.id === ids.lectureId)) throw notFound('Lecture');
    const course = await tx.course.findUniqueOrThrow({
      where: { id: ids.courseId },
      select: { published: true },
    });
    if (course.published && lectures.length === 1)
      throw invalidFields(
        [
          {
            field: 'lectureId',
            reason: 'is the only lecture of a published course; unpublish the course first',
          },
        ],
        'last_lecture',
        INVALID,
      );
    await tx.lecture.delete({ where: { id: ids.lectureId } });
    await renumberLectures(
      tx,
      ids.courseId,
      lectures.filter((l) => l.id !== ids.lectureId).map((l) => l.id),
    );
  });
}

/** The new order names every lecture once; positions become 1..n in that order. */
export function reorderLectures(
  db: Db,
  coachId: string,
  courseId: string,
  lectureIds: string[],
): Promise<Lecture[]> {
  return inCourse(db, coachId, courseId, async (tx) => {
    const current = await tx.lecture.findMany({ where: { courseId }, select: { id: true } });
    rejectProblems(
      reorderProblems(
        current.map((l) => l.id),
        lectureIds,
      ),
      INVALID,
    );
    await renumberLectures(
      tx,
      courseId,
      positionsOf(lectureIds).map((p) => p.id),
    );
    return tx.lecture.findMany({ where: { courseId }, orderBy: { position: 'asc' } });
  });
}
