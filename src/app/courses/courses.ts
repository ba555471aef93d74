import {
  normaliseCurrency,
  pricingProblems,
  publishProblems,
  slugProblem,
  type CourseAccessType,
  type CoursePricing,
} from '../../domain/courses/course';
import {
  conflict,
  invalidFields,
  notFound,
  rejectProblems,
  type FieldProblem,
} from '../../domain/shared/errors';
import type { Course, Lecture } from '../../generated/prisma/client';
import type { Db } from '../../infra/prisma';
import { readPage } from '../../data/pages';
import type { PageRequest } from '../../domain/shared/pages';
import { isUniqueViolation } from '../../data/postgres-errors';
import { Prisma } from '../../generated/prisma/client';

// A coach's courses: create, list, read, change (publish/unpublish included) and delete. The plan gate
// (paid_sessions_enabled) is the route's; ownership is checked here on every call.

export interface CourseInput {
  slug: string;
  title: string;
  description: string;
  accessType: CourseAccessType;
  pricePerMinuteMinor: number;
  currency: string;
}

export type CoursePatch = Partial<CourseInput> & { published?: boolean };

export type CourseWithLectures = Course & { lectures: Lecture[] };

const INVALID = 'Invalid course';
const byPosition = { orderBy: { position: 'asc' as const } };

function courseProblems(c: { slug?: string } & CoursePricing): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (c.slug !== undefined) {
    const reason = slugProblem(c.slug);
    if (reason) problems.push({ field: 'slug', reason });
  }
  return [...problems, ...pricingProblems(c)];
}

const slugTaken = () =>
  invalidFields([{ field: 'slug', reason: 'is already used by another course' }], 'slug_taken', INVALID);

/** A unique-slug race between the check and the insert still ends as the same 400, never a 500. */
async function savingSlug<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isUniqueViolation(err)) throw slugTaken();
    throw err;
  }
}

export async function createCourse(db: Db, coachId: string, input: CourseInput): Promise<CourseWithLectures> {
  const data = { ...input, currency: normaliseCurrency(input.currency) };
  rejectProblems(courseProblems(data), INVALID);
  if (await db.course.count({ where: { slug: data.slug } })) throw slugTaken();
  return savingSlug(() =>
    db.course.create({ data: { ...data, coachId }, include: { lectures: byPosition } }),
  );
}

export function coursesOf(db: Db, coachId: string, page: PageRequest) {
  const where = { coachId };
  return readPage(
    (p) =>
      db.course.findMany({ where, orderBy: { createdAt: 'desc' }, include: { lectures: byPosition }, ...p }),
    () => db.course.count({ where }),
    page,
  );
}

export async function coachCourse(db: Db, coachId: string, id: string): Promise<CourseWithLectures> {
  const course = await db.course.findFirst({ where: { id, coachId }, include: { lectures: byPosition } });
  if (!course) throw notFound('Course');
  return course;
}

/**
 * The patch is judged together with what is stored (a new access type with the old price, say), and
 * publishing needs a lecture. Changing the price does not touch paid sessions already locked.
 */
export async function updateCourse(
  db: Db,
  coachId: string,
  id: string,
  patch: CoursePatch,
): Promise<CourseWithLectures> {
  const current = await coachCourse(db, coachId, id);
  const next = {
    ...patch,
    accessType: patch.accessType ?? current.accessType,
    currency: normaliseCurrency(patch.currency ?? current.currency),
    // Switching away from paid_per_minute without naming a price drops the price rather than refusing.
    pricePerMinuteMinor:
      patch.pricePerMinuteMinor ??
      (patch.accessType && patch.accessType !== 'paid_per_minute' ? 0 : current.pricePerMinuteMinor),
  };
  const problems = courseProblems(next);
  if (patch.published === true && !current.published)
    problems.push(...publishProblems(current.lectures.length));
  rejectProblems(problems, INVALID);
  if (
    patch.slug !== undefined &&
    patch.slug !== current.slug &&
    (await db.course.count({ where: { slug: patch.slug } }))
  )
    throw slugTaken();
  const publishedAt =
    patch.published === undefined || patch.published === current.published
      ? undefined
      : patch.published
        ? new Date()
        : null;
  return savingSlug(() =>
    db.course.update({
      where: { id },
      data: { ...next, ...(publishedAt !== undefined ? { publishedAt } : {}) },
      include: { lectures: byPosition },
    }),
  );
}

/** Enrolments and progress go with it; a course that paid sessions were sold for cannot be deleted. */
export async function deleteCourse(db: Db, coachId: string, id: string): Promise<void> {
  await coachCourse(db, coachId, id);
  try {
    await db.course.delete({ where: { id } });
  } catch (err) {
    // A foreign key from another feature's records (paid sessions, purchases) keeps the course.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2003')
      throw conflict('The course has paid sessions or purchases; unpublish it instead', 'course_in_use');
    throw err;
  }
}
