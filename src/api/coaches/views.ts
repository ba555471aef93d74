import type { z } from '@hono/zod-openapi';
import type { CoachProfile, Product } from '../../generated/prisma/client';
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

export const productView = (p: Product): z.infer<typeof ProductSchema> => ({
  id: p.id,
  title: p.title,
  description: p.description,
  priceMinor: p.priceMinor,
  currency: p.currency,
  active: p.active,
});

export function publicCoachView(page: {
  profile: CoachProfile;
  cta: { book: boolean; buy: boolean };
  products: Product[];
}): z.infer<typeof PublicCoachSchema> {
  const { profile, cta, products } = page;
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
    })),
  };
}
