import { z } from '@hono/zod-openapi';
import {
  COURSE_ACCESS_TYPES,
  MAX_PRICE_PER_MINUTE_MINOR,
  SLUG_MAX,
  SLUG_MIN,
  SLUG_PATTERN,
} from '../../domain/courses/course';
import { MAX_LECTURES_PER_COURSE } from '../../domain/courses/lectures';
import { pagination } from '../openapi';

// Courses and lectures (seed 003 §6, seed 002 content_structure). Bodies are strict; the rules that
// span fields (price vs access type, a lecture's range vs its video) are the domain's, answered with
// the same { field, reason } details.

export const CourseAccessTypeSchema = z.enum(COURSE_ACCESS_TYPES).openapi('CourseAccessType');

const Slug = z
  .string()
  .min(SLUG_MIN)
  .max(SLUG_MAX)
  .regex(SLUG_PATTERN, 'must be lower-case letters and digits in words joined by single hyphens');
const Currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO 4217 code such as gbp')
  .transform((s) => s.toLowerCase());
const PricePerMinute = z
  .number()
  .int('must be a whole number of minor units')
  .min(0)
  .max(MAX_PRICE_PER_MINUTE_MINOR);
/** Whole seconds into the video, bounded well past any real video (a day). */
const Second = z.number().int('must be a whole number of seconds').min(0).max(86_400);

const CourseFields = {
  slug: Slug,
  title: z.string().trim().min(1).max(200),
  description: z.string().max(10_000),
  accessType: CourseAccessTypeSchema,
  pricePerMinuteMinor: PricePerMinute,
  currency: Currency,
};

export const CreateCourseBody = z
  .object({
    ...CourseFields,
    description: CourseFields.description.default(''),
    pricePerMinuteMinor: PricePerMinute.default(0),
    currency: Currency.default('usd'),
  })
  .strict()
  .openapi('CreateCourse');

export const UpdateCourseBody = z
  .object({ ...CourseFields, published: z.boolean() })
  .partial()
  .strict()
  .openapi('UpdateCourse');

export const LectureBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    videoId: z.uuid(),
    startSeconds: Second.nullable().default(null),
    endSeconds: Second.nullable().default(null),
  })
  .strict()
  .openapi('CreateLecture');

export const UpdateLectureBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    videoId: z.uuid(),
    startSeconds: Second.nullable(),
    endSeconds: Second.nullable(),
  })
  .partial()
  .strict()
  .openapi('UpdateLecture');

export const ReorderBody = z
  .object({ lectureIds: z.array(z.uuid()).min(1).max(MAX_LECTURES_PER_COURSE) })
  .strict()
  .openapi('LectureOrder');

export const EnrolBody = z
  .object({ emailConsent: z.boolean().optional() })
  .strict()
  .openapi('CourseEnrolment');

export const ProgressBody = z
  .object({
    positionSeconds: Second,
    completed: z.boolean().default(false),
  })
  .strict()
  .openapi('LectureProgressReport');

export const CourseIdParam = z.object({ id: z.uuid() });
export const LectureParams = z.object({ id: z.uuid(), lectureId: z.uuid() });
/** The path's `{id}` is the course: the use cases name it so. */
export const lectureIds = ({ id, lectureId }: z.infer<typeof LectureParams>) => ({ courseId: id, lectureId });
export const CourseSlugParam = z.object({ slug: Slug });
export const PageQuery = z.object(pagination);

export const LectureSchema = z
  .object({
    id: z.uuid(),
    position: z.number().int(),
    title: z.string(),
    durationSeconds: z.number().int(),
    videoId: z.uuid(),
    startSeconds: z.number().int().nullable(),
    endSeconds: z.number().int().nullable(),
  })
  .openapi('Lecture');

const Price = {
  accessType: CourseAccessTypeSchema,
  pricePerMinuteMinor: z.number().int(),
  currency: z.string(),
};

export const CourseSchema = z
  .object({
    id: z.uuid(),
    coachId: z.uuid(),
    slug: z.string(),
    title: z.string(),
    description: z.string(),
    ...Price,
    published: z.boolean(),
    publishedAt: z.string().nullable(),
    totalDurationSeconds: z.number().int(),
    lectures: z.array(LectureSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Course');

export const PublicLectureSchema = LectureSchema.pick({
  id: true,
  position: true,
  title: true,
  durationSeconds: true,
}).openapi('PublicLecture');

export const PublicCourseSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    title: z.string(),
    description: z.string(),
    ...Price,
    totalDurationSeconds: z.number().int(),
    lectures: z.array(PublicLectureSchema),
    coach: z.object({
      id: z.uuid(),
      /** The coach's public page, when they have one. */
      slug: z.string().nullable(),
      displayName: z.string(),
    }),
  })
  .openapi('PublicCourse');

/** A course as listed on its coach's public page. */
export const CourseSummarySchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    title: z.string(),
    ...Price,
    lectureCount: z.number().int(),
    totalDurationSeconds: z.number().int(),
  })
  .openapi('CourseSummary');

export const EnrolmentSchema = z
  .object({
    courseId: z.uuid(),
    enrolledAt: z.string(),
    emailConsentAt: z.string().nullable(),
  })
  .openapi('CourseEnrolmentRecord');

export const LectureProgressSchema = z
  .object({
    lectureId: z.uuid(),
    positionSeconds: z.number().int(),
    completed: z.boolean(),
    completedAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi('LectureProgress');

export const MyCourseSchema = z
  .object({
    course: PublicCourseSchema.omit({ coach: true }),
    enrolledAt: z.string(),
    completedLectures: z.number().int(),
    progress: z.array(LectureProgressSchema),
  })
  .openapi('MyCourse');

export const LecturePlaybackSchema = z
  .object({
    url: z.string(),
    expiresAt: z.string(),
    startSeconds: z.number().int(),
    endSeconds: z.number().int(),
    renditions: z.array(
      z.object({ label: z.string(), width: z.number().int(), height: z.number().int(), url: z.string() }),
    ),
    posterUrl: z.string().nullable(),
  })
  .openapi('LecturePlayback');
