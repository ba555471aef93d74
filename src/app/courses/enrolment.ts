import { enrolmentBar, lectureAccess } from '../../domain/courses/access';
import { mergeProgress } from '../../domain/courses/lectures';
import { conflict, forbidden, invalidFields, notFound, rejectProblems } from '../../domain/shared/errors';
import type { CourseEnrollment } from '../../generated/prisma/client';
import type { Db } from '../../infra/prisma';
import {
  courseAccessFacts,
  membershipOf,
  recordLectureProgress,
  type StoredProgress,
} from '../../data/courses';

// Enrolment in free, email-gated and membership courses, the enrolled user's course list and
// per-lecture progress. Paid courses are watched through a metered paid session, never enrolled in.

export type { StoredProgress };

export interface Enrolment {
  enrollment: CourseEnrollment;
  created: boolean;
}

/**
 * Idempotent: enrolling again answers the existing enrolment (and its first consent). An unpublished
 * course reads as missing to everyone but its coach.
 */
export async function enrol(
  db: Db,
  user: { id: string; email: string },
  courseId: string,
  opts: { emailConsent?: boolean },
): Promise<Enrolment> {
  const course = await db.course.findUnique({
    where: { id: courseId },
    select: { id: true, coachId: true, published: true, accessType: true },
  });
  if (!course || (!course.published && course.coachId !== user.id)) throw notFound('Course');
  if (enrolmentBar(course.accessType))
    throw conflict(
      'A paid_per_minute course is watched through a paid session (POST /api/sessions/create), not an enrolment',
      'paid_course',
    );
  const existing = await db.courseEnrollment.findUnique({
    where: { courseId_userId: { courseId, userId: user.id } },
  });
  if (existing) return { enrollment: existing, created: false };
  if (course.accessType === 'email_gate' && opts.emailConsent !== true)
    throw invalidFields(
      [
        {
          field: 'emailConsent',
          reason: 'must be true: this course is given in exchange for the coach’s emails',
        },
      ],
      'email_consent_required',
      'Invalid enrolment',
    );
  if (course.accessType === 'membership' && !(await membershipOf(db, user.id)))
    throw forbidden(
      'This course is included with a paid membership; upgrade your plan to enrol',
      'membership_required',
    );
  const consent =
    course.accessType === 'email_gate' ? { emailConsentAt: new Date(), consentEmail: user.email } : {};
  // Two enrolments racing: the loser's insert is skipped and it reads the winner's row.
  await db.courseEnrollment.createMany({
    data: [{ courseId, userId: user.id, ...consent }],
    skipDuplicates: true,
  });
  const enrollment = await db.courseEnrollment.findUniqueOrThrow({
    where: { courseId_userId: { courseId, userId: user.id } },
  });
  return { enrollment, created: true };
}

/**
 * The user's enrolments in published courses, newest first, each with its course, lectures and the
 * user's progress. An unpublished course drops out (and comes back, progress kept, if republished).
 */
export async function myCourses(db: Db, userId: string, page: { limit: number; offset: number }) {
  const where = { userId, course: { published: true } };
  const [items, total] = await Promise.all([
    db.courseEnrollment.findMany({
      where,
      orderBy: { createdAt: 'desc' },
      take: page.limit,
      skip: page.offset,
      include: {
        course: { include: { lectures: { orderBy: { position: 'asc' } } } },
        progress: true,
      },
    }),
    db.courseEnrollment.count({ where }),
  ]);
  return { items, total };
}

/**
 * Progress is for someone entitled to the lecture now (enrolled and, for membership courses, still a
 * member); positions past the lecture's end are refused, not clamped, so a bad client is heard.
 */
export async function reportProgress(
  db: Db,
  userId: string,
  ids: { courseId: string; lectureId: string },
  report: { positionSeconds: number; completed: boolean },
): Promise<StoredProgress & { completed: boolean }> {
  const facts = await courseAccessFacts(db, userId, ids.courseId);
  if (!facts || (!facts.published && !facts.isOwner)) throw notFound('Course');
  const lecture = await db.lecture.findFirst({
    where: { id: ids.lectureId, courseId: ids.courseId },
    select: { durationSeconds: true },
  });
  if (!lecture) throw notFound('Lecture');
  if (!facts.enrolled)
    throw forbidden(
      facts.accessType === 'paid_per_minute'
        ? 'Progress in a paid course comes from its paid session'
        : 'Enrol in the course first',
      'not_enrolled',
    );
  const access = lectureAccess(facts);
  if (!access.allowed) throw forbidden(`No access to this lecture now (${access.reason})`, access.reason);
  rejectProblems(
    report.positionSeconds > lecture.durationSeconds
      ? [
          {
            field: 'positionSeconds',
            reason: `must be at most the lecture's duration (${lecture.durationSeconds}s)`,
          },
        ]
      : [],
    'Invalid progress',
  );
  // Reaching the end completes the lecture (mergeProgress), in the same single statement.
  const merged = mergeProgress(undefined, report, lecture.durationSeconds);
  const stored = await recordLectureProgress(db, { ...ids, userId, ...merged });
  return { ...stored, completed: stored.completedAt !== null };
}
