import { computeSlots } from '../../domain/availability/slots';
import { ctaFlags } from '../../domain/identity/coach-page';
import { hasFeature } from '../../domain/subscriptions/plans';
import { planInEffectOf } from '../../data/access';
import { notFound } from '../../domain/shared/errors';
import type { Db } from '../../infra/prisma';
import { loadSlotQuery, serviceRules } from '../../data/availability';
import { publishedCoursesOf } from '../courses/catalogue';

/** A coach's public page: the profile, its calls to action, the products for sale and published courses. */
export async function publicCoachPage(db: Db, slug: string, now: Date) {
  const profile = await db.coachProfile.findUnique({ where: { slug } });
  if (!profile) throw notFound('Coach');
  return { profile, ...(await coachPageCtas(db, profile, now)) };
}

/** Facts for the public page: active products, and whether any bookable slot is open. */
async function coachPageCtas(
  db: Db,
  profile: { userId: string; timeZone: string; bookingEnabled: boolean; productsEnabled: boolean },
  now: Date,
) {
  const products = profile.productsEnabled
    ? await db.product.findMany({
        where: { coachId: profile.userId, active: true },
        orderBy: { createdAt: 'asc' },
        include: { contents: { select: { productId: true } } },
      })
    : [];
  const hasOpenSlot = profile.bookingEnabled
    ? await hasOpenBookingSlot(db, profile.userId, profile.timeZone, now)
    : false;
  const courses = await publishedCoursesOf(db, profile.userId);
  return {
    cta: ctaFlags({
      bookingEnabled: profile.bookingEnabled,
      hasOpenSlot,
      productsEnabled: profile.productsEnabled,
      activeProducts: products.length,
      publishedCourses: courses.length,
    }),
    products,
    courses,
  };
}

const DAY_MS = 86_400_000;
/** Slots are searched a fortnight at a time so a coach with an open slot this week answers at once. */
const SEARCH_CHUNK_DAYS = 14;

/**
 * Whether the coach can take a booking now: their plan includes bookings, and at least one active
 * service has an open slot within its horizon. One load of the coach's schedule and busy time, then
 * the pure slot computation per service, stopping at the first open slot.
 */
async function hasOpenBookingSlot(db: Db, coachId: string, timeZone: string, now: Date): Promise<boolean> {
  const [coach, services] = await Promise.all([
    db.user.findUnique({ where: { id: coachId }, select: { role: true } }),
    db.bookingService.findMany({ where: { coachId, active: true }, orderBy: { createdAt: 'asc' }, take: 20 }),
  ]);
  if (!coach || services.length === 0) return false;
  // An org seat can give a coach bookings their own plan lacks.
  if (!hasFeature(await planInEffectOf(db, { id: coachId, role: coach.role }), 'bookings_enabled'))
    return false;
  const horizonDays = Math.max(...services.map((s) => s.horizonDays));
  const query = await loadSlotQuery(db, {
    coachId,
    timeZone,
    service: services[0]!,
    from: now,
    to: new Date(now.getTime() + horizonDays * DAY_MS),
    now,
  });
  if (query.windows.length === 0 && !query.overrides.some((o) => o.windows.length > 0)) return false;
  for (let day = 0; day < horizonDays; day += SEARCH_CHUNK_DAYS) {
    const from = new Date(now.getTime() + day * DAY_MS);
    const to = new Date(now.getTime() + Math.min(horizonDays, day + SEARCH_CHUNK_DAYS) * DAY_MS);
    for (const s of services) {
      if (day >= s.horizonDays) continue;
      if (computeSlots({ ...query, service: serviceRules(s), from, to }).length > 0) return true;
    }
  }
  return false;
}
