import { conflict, notFound } from '../../domain/shared/errors';
import { isUniqueViolation } from '../../data/postgres-errors';
import type { CoachProfile } from '../../generated/prisma/client';
import type { Db } from '../../infra/prisma';

// A coach's public profile (slug, time zone, whether bookings and the shop are open) and the
// products they sell outright. Products are scoped by owner in every statement: someone else's
// product is simply not found.

export type ProfileInput = Pick<
  CoachProfile,
  'slug' | 'displayName' | 'bio' | 'avatarUrl' | 'timeZone' | 'bookingEnabled' | 'productsEnabled'
>;

export async function saveProfile(db: Db, userId: string, input: ProfileInput): Promise<CoachProfile> {
  try {
    return await db.coachProfile.upsert({ where: { userId }, create: { userId, ...input }, update: input });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw conflict(`The slug "${input.slug}" is taken; choose another`, 'slug_taken', [
        { field: 'slug', reason: 'already taken' },
      ]);
    }
    throw err;
  }
}

export async function profileOf(db: Db, userId: string): Promise<CoachProfile> {
  const profile = await db.coachProfile.findUnique({ where: { userId } });
  if (!profile) throw notFound('Coach profile');
  return profile;
}

export interface ProductInput {
  title: string;
  description: string;
  priceMinor: number;
  currency: string;
  active: boolean;
}

export const createProduct = (db: Db, coachId: string, input: ProductInput) =>
  db.product.create({ data: { ...input, coachId } });

export const productsOf = (db: Db, coachId: string) =>
  db.product.findMany({ where: { coachId }, orderBy: { createdAt: 'asc' } });

export async function updateProduct(db: Db, coachId: string, id: string, patch: Partial<ProductInput>) {
  const updated = await db.product.updateMany({ where: { id, coachId }, data: patch });
  if (updated.count === 0) throw notFound('Product');
  return db.product.findUniqueOrThrow({ where: { id } });
}

export async function removeProduct(db: Db, coachId: string, id: string): Promise<void> {
  const deleted = await db.product.deleteMany({ where: { id, coachId } });
  if (deleted.count === 0) throw notFound('Product');
}
