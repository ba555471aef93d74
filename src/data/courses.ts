import type { Role } from '../domain/subscriptions/plans';
import type { LectureAccessFacts } from '../domain/courses/access';
import { membershipIncludesCourses } from '../domain/courses/course';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/prisma';
import { planInEffectOf } from './access';
import { hasActivePaidSession } from './paid-sessions';

// Course queries shared by the course use cases and the paid-session feature: the facts lecture
// access is decided on, the coach's own ready videos, and the monotonic progress upsert.

type Tx = Prisma.TransactionClient;

/**
 * Facts for src/domain/courses/access.ts lectureAccess, read now (access is decided per request);
 * undefined when the course does not exist. Membership is looked up only for membership courses.
 */
export async function courseAccessFacts(
  db: Db,
  userId: string,
  courseId: string,
): Promise<LectureAccessFacts | undefined> {
  const course = await db.course.findUnique({
    where: { id: courseId },
    select: { coachId: true, published: true, accessType: true },
  });
  if (!course) return undefined;
  const isOwner = course.coachId === userId;
  const [enrolled, membershipActive, activePaidSession, purchased] = await Promise.all([
    db.courseEnrollment.count({ where: { courseId, userId } }).then((n) => n > 0),
    course.accessType === 'membership' && !isOwner ? membershipOf(db, userId) : Promise.resolve(false),
    course.accessType === 'paid_per_minute' && !isOwner
      ? hasActivePaidSession(db, userId, courseId)
      : Promise.resolve(false),
    // A refund sets revoked_at in the same transaction as the purchase's REFUNDED status.
    isOwner
      ? Promise.resolve(false)
      : db.courseGrant.count({ where: { courseId, userId, revokedAt: null } }).then((n) => n > 0),
  ]);
  return {
    isOwner,
    published: course.published,
    accessType: course.accessType,
    enrolled,
    membershipActive,
    activePaidSession,
    purchased,
  };
}

/** Whether the user's plan in effect (their own or an org seat's) includes membership courses. */
export async function membershipOf(db: Db, userId: string): Promise<boolean> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { role: true } });
  if (!user) return false;
  return membershipIncludesCourses(await planInEffectOf(db, { id: userId, role: user.role as Role }));
}

/** A video a lecture may use: the coach's own, ready, and neither it nor its session deleted. */
export async function coachReadyVideo(db: Db | Tx, coachId: string, videoId: string) {
  return db.video.findFirst({
    where: { id: videoId, coachId, deletedAt: null, session: { deletedAt: null } },
    select: { id: true, status: true, durationSeconds: true },
  });
}

/**
 * Serialises changes to one course's lectures (positions are unique per course and renumbered after
 * every change): locks the course row for the rest of the transaction. False when it is not the coach's.
 */
export async function lockCoachCourse(tx: Tx, coachId: string, courseId: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM courses WHERE id = ${courseId}::uuid AND coach_id = ${coachId}::uuid FOR UPDATE`;
  return rows.length > 0;
}

/** Writes positions 1..n in the given order: first out of the way (negative), then into place. */
export async function renumberLectures(
  tx: Tx,
  courseId: string,
  orderedIds: readonly string[],
): Promise<void> {
  if (orderedIds.length === 0) return;
  await tx.$executeRaw`UPDATE course_lectures SET position = -position WHERE course_id = ${courseId}::uuid`;
  await tx.$executeRaw`
    UPDATE course_lectures AS l SET position = o.position, updated_at = now()
      FROM unnest(${orderedIds as string[]}::uuid[]) WITH ORDINALITY AS o(id, position)
     WHERE l.id = o.id AND l.course_id = ${courseId}::uuid`;
}

export interface StoredProgress {
  lectureId: string;
  positionSeconds: number;
  completedAt: Date | null;
  updatedAt: Date;
}

/**
 * One statement, monotonic (src/domain/courses/lectures.ts mergeProgress): the furthest position wins
 * and the first completion time stays, so late or repeated reports never move progress back.
 */
export async function recordLectureProgress(
  db: Db,
  p: { courseId: string; userId: string; lectureId: string; positionSeconds: number; completed: boolean },
): Promise<StoredProgress> {
  const rows = await db.$queryRaw<StoredProgress[]>`
    INSERT INTO course_lecture_progress AS p (course_id, user_id, lecture_id, position_seconds, completed_at, updated_at)
    VALUES (${p.courseId}::uuid, ${p.userId}::uuid, ${p.lectureId}::uuid, ${p.positionSeconds},
            CASE WHEN ${p.completed} THEN now() END, now())
    ON CONFLICT (user_id, lecture_id) DO UPDATE
       SET position_seconds = GREATEST(p.position_seconds, EXCLUDED.position_seconds),
           completed_at = COALESCE(p.completed_at, EXCLUDED.completed_at),
           updated_at = now()
    RETURNING lecture_id AS "lectureId", position_seconds AS "positionSeconds",
              completed_at AS "completedAt", updated_at AS "updatedAt"`;
  return rows[0]!;
}
