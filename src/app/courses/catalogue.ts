import { notFound } from '../../domain/shared/errors';
import type { Db } from '../../infra/prisma';

// What anyone may see without logging in: a published course by slug with its lectures' titles and
// durations, its price and its coach; and a coach's published courses for their public page.

export async function publicCourse(db: Db, slug: string) {
  const course = await db.course.findFirst({
    where: { slug, published: true },
    include: {
      lectures: { orderBy: { position: 'asc' } },
      coach: { select: { name: true, coachProfile: { select: { slug: true, displayName: true } } } },
    },
  });
  if (!course) throw notFound('Course');
  return course;
}

export type PublicCourse = Awaited<ReturnType<typeof publicCourse>>;

/**
 * A coach's published courses (newest first, at most 50 on the page) with their lecture lengths. One
 * left without lectures (its videos deleted) is nothing to buy, so it is not listed.
 */
export function publishedCoursesOf(db: Db, coachId: string) {
  return db.course.findMany({
    where: { coachId, published: true, lectures: { some: {} } },
    orderBy: { publishedAt: 'desc' },
    take: 50,
    include: { lectures: { select: { durationSeconds: true } } },
  });
}
