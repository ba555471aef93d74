import type { z } from '@hono/zod-openapi';
import type { CoachProfile, Product } from '../../generated/prisma/client';
import { courseSummaryView } from '../courses/views';
import type { ProductSchema, ProfileSchema, PublicCoachSchema } from './schemas';

export const profileView = (p: CoachProfile): z.infer<typeof ProfileSchema> => ({
  userId: p.userId,
  slug: p.slug,
  displayName: p.displayName,
  bio: p.bio,
  avatarUrl: p.avatarUrl,
  timeZone: p.timeZone,
  bookingEnabled: p.bookingEnabled,
  productsEnabled: p.productsEnabled,
  stripeAccountId: p.stripeAccountId,
});

type ProductRow = Product & { contents?: { productId: string }[] };

const packageFields = (p: ProductRow) => ({
  type: p.type,
  productIds: (p.contents ?? []).map((c) => c.productId),
  credits:
    p.creditCount > 0 && p.creditServiceId && p.expiryDays
      ? { serviceId: p.creditServiceId, count: p.creditCount, expiryDays: p.expiryDays }
      : null,
  courseId: p.courseId,
});

export const productView = (p: ProductRow): z.infer<typeof ProductSchema> => ({
  id: p.id,
  title: p.title,
  description: p.description,
  priceMinor: p.priceMinor,
  currency: p.currency,
  active: p.active,
  ...packageFields(p),
  archived: p.archivedAt !== null,
});

export function publicCoachView(page: {
  profile: CoachProfile;
  cta: { book: boolean; buy: boolean };
  products: ProductRow[];
  courses: Parameters<typeof courseSummaryView>[0][];
}): z.infer<typeof PublicCoachSchema> {
  const { profile, cta, products, courses } = page;
  return {
    slug: profile.slug,
    displayName: profile.displayName,
    bio: profile.bio,
    avatarUrl: profile.avatarUrl,
    timeZone: profile.timeZone,
    cta,
    // Only active products reach the page, so `active` says nothing there.
    products: products.map((p) => ({
      id: p.id,
      title: p.title,
      description: p.description,
      priceMinor: p.priceMinor,
      currency: p.currency,
      ...packageFields(p),
    })),
    courses: courses.map(courseSummaryView),
  };
}
