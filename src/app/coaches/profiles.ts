import { priceProblems } from '../../domain/billing/charge-limits';
import { conflict, notFound, rejectProblems } from '../../domain/shared/errors';
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

const INVALID_PRODUCT = 'Invalid product';

/** A product's price must be one Stripe can charge in its currency. */
export async function createProduct(db: Db, coachId: string, input: ProductInput) {
  rejectProblems(priceProblems(input), INVALID_PRODUCT);
  return db.product.create({ data: { ...input, coachId } });
}

export const productsOf = (db: Db, coachId: string) =>
  db.product.findMany({ where: { coachId }, orderBy: { createdAt: 'asc' } });

/** A new price or currency is judged together with the stored other half. */
export async function updateProduct(db: Db, coachId: string, id: string, patch: Partial<ProductInput>) {
  if (patch.priceMinor !== undefined || patch.currency !== undefined) {
    const current = await db.product.findFirst({ where: { id, coachId } });
    if (!current) throw notFound('Product');
    rejectProblems(
      priceProblems({
        priceMinor: patch.priceMinor ?? current.priceMinor,
        currency: patch.currency ?? current.currency,
      }),
      INVALID_PRODUCT,
    );
  }
  const updated = await db.product.updateMany({ where: { id, coachId }, data: patch });
  if (updated.count === 0) throw notFound('Product');
  return db.product.findUniqueOrThrow({ where: { id } });
}

export async function removeProduct(db: Db, coachId: string, id: string): Promise<void> {
  const deleted = await db.product.deleteMany({ where: { id, coachId } });
  if (deleted.count === 0) throw notFound('Product');
}
