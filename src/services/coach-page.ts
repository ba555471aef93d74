import { ctaFlags } from '../domain/coach-page';
import type { Db } from '../infra/prisma';

/** Facts for the public page: active products, and whether any bookable slot is open. */
export async function coachPageCtas(db: Db, profile: { userId: string; bookingEnabled: boolean; productsEnabled: boolean }, now: Date) {
  const products = profile.productsEnabled
    ? await db.product.findMany({ where: { coachId: profile.userId, active: true }, orderBy: { createdAt: 'asc' } })
    : [];
  const hasOpenSlot = profile.bookingEnabled ? await hasOpenBookingSlot(db, profile.userId, now) : false;
  return {
    cta: ctaFlags({ bookingEnabled: profile.bookingEnabled, hasOpenSlot, productsEnabled: profile.productsEnabled, activeProducts: products.length }),
    products,
  };
}

/**
 * Whether the coach has a bookable service with an open slot. Bookable services arrive with the
 * booking engine; until a coach has any, there is nothing to book.
 */
async function hasOpenBookingSlot(_db: Db, _coachId: string, _now: Date): Promise<boolean> {
  return false;
}
