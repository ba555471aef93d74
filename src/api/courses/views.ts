import type { z } from '@hono/zod-openapi';
import type { Course, CourseEnrollment, Lecture, LectureProgress } from '../../generated/prisma/client';
import type { LecturePlayback } from '../../app/courses/playback';
import type { PublicCourse } from '../../app/courses/catalogue';
import type { StoredProgress } from '../../app/courses/enrolment';
import type {
  CourseSchema,
  CourseSummarySchema,
  EnrolmentSchema,
  LecturePlaybackSchema,
  LectureProgressSchema,
  LectureSchema,
  MyCourseSchema,
  PublicCourseSchema,
} from './schemas';

const total = (lectures: { durationSeconds: number }[]) =>
  lectures.reduce((s, l) => s + l.durationSeconds, 0);

export const lectureView = (l: Lecture): z.infer<typeof LectureSchema> => ({
  id: l.id,
  position: l.position,
  title: l.title,
  durationSeconds: l.durationSeconds,
  videoId: l.videoId,
  startSeconds: l.startSeconds,
  endSeconds: l.endSeconds,
});

const price = (c: Course) => ({
  accessType: c.accessType,
  pricePerMinuteMinor: c.pricePerMinuteMinor,
  currency: c.currency,
});

export const courseView = (c: Course & { lectures: Lecture[] }): z.infer<typeof CourseSchema> => ({
  id: c.id,
  coachId: c.coachId,
  slug: c.slug,
  title: c.title,
  description: c.description,
  ...price(c),
  published: c.published,
  publishedAt: c.publishedAt?.toISOString() ?? null,
  totalDurationSeconds: total(c.lectures),
  lectures: c.lectures.map(lectureView),
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

const publicCourseBody = (c: Course & { lectures: Lecture[] }) => ({
  id: c.id,
  slug: c.slug,
  title: c.title,
  description: c.description,
  ...price(c),
  totalDurationSeconds: total(c.lectures),
  lectures: c.lectures.map((l) => ({
    id: l.id,
    position: l.position,
    title: l.title,
    durationSeconds: l.durationSeconds,
  })),
});

export const publicCourseView = (c: PublicCourse): z.infer<typeof PublicCourseSchema> => ({
  ...publicCourseBody(c),
  coach: {
    id: c.coachId,
    slug: c.coach.coachProfile?.slug ?? null,
    displayName: c.coach.coachProfile?.displayName ?? c.coach.name,
  },
});

export const courseSummaryView = (
  c: Course & { lectures: { durationSeconds: number }[] },
): z.infer<typeof CourseSummarySchema> => ({
  id: c.id,
  slug: c.slug,
  title: c.title,
  ...price(c),
  lectureCount: c.lectures.length,
  totalDurationSeconds: total(c.lectures),
});

export const enrolmentView = (e: CourseEnrollment): z.infer<typeof EnrolmentSchema> => ({
  courseId: e.courseId,
  enrolledAt: e.createdAt.toISOString(),
  emailConsentAt: e.emailConsentAt?.toISOString() ?? null,
});

export const progressView = (p: StoredProgress | LectureProgress): z.infer<typeof LectureProgressSchema> => ({
  lectureId: p.lectureId,
  positionSeconds: p.positionSeconds,
  completed: p.completedAt !== null,
  completedAt: p.completedAt?.toISOString() ?? null,
  updatedAt: p.updatedAt.toISOString(),
});

export const myCourseView = (
  e: CourseEnrollment & { course: Course & { lectures: Lecture[] }; progress: LectureProgress[] },
): z.infer<typeof MyCourseSchema> => ({
  course: publicCourseBody(e.course),
  enrolledAt: e.createdAt.toISOString(),
  completedLectures: e.progress.filter((p) => p.completedAt !== null).length,
  progress: e.progress.map(progressView),
});

export const playbackView = (p: LecturePlayback): z.infer<typeof LecturePlaybackSchema> => ({
  ...p,
  expiresAt: p.expiresAt.toISOString(),
});
