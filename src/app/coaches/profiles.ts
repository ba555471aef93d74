import { priceProblems } from '../../domain/payments/charge-limits';
import { conflict, notFound, rejectProblems } from '../../domain/shared/errors';
import { isUniqueViolation } from '../../data/postgres-errors';
import { Prisma } from '../../generated/prisma/client';
import type { CoachProfile, Product } from '../../generated/prisma/client';
import { packageProblems, type PackageContents, type ProductType } from '../../domain/purchases/packages';
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
  /** Packages (issue 13): absent = PRODUCT on create, unchanged on update. */
  type?: ProductType;
  productIds?: string[];
  credits?: { serviceId: string; count: number; expiryDays: number } | null;
  courseId?: string | null;
}

const INVALID_PRODUCT = 'Invalid product';

const withContents = { contents: { select: { productId: true } } } as const;
export type ProductWithContents = Product & { contents: { productId: string }[] };

/**
 * A package's contents must be the coach's own: bundled products that are plain products on sale
 * (not packages, not archived), credits of one of the coach's active services. Someone else's id is
 * reported as not found, like any other id that is not yours.
 */
async function checkContents(db: Db, coachId: string, selfId: string | null, c: PackageContents) {
  rejectProblems(packageProblems(c), INVALID_PRODUCT);
  const problems = [];
  if (c.productIds.length > 0) {
    const found = await db.product.findMany({
      where: { id: { in: [...c.productIds] }, coachId },
      select: { id: true, type: true, archivedAt: true },
    });
    for (const id of c.productIds) {
      const p = found.find((f) => f.id === id);
      if (!p || id === selfId)
        problems.push({ field: 'productIds', reason: `${id} is not one of your products` });
      else if (p.type === 'PACKAGE')
        problems.push({ field: 'productIds', reason: `${id} is a package; packages do not nest` });
      else if (p.archivedAt) problems.push({ field: 'productIds', reason: `${id} is archived` });
    }
  }
  if (c.creditServiceId) {
    const service = await db.bookingService.findFirst({ where: { id: c.creditServiceId, coachId } });
    if (!service || !service.active)
      problems.push({ field: 'credits.serviceId', reason: 'is not one of your active services' });
  }
  // Another coach's course reads as unknown, like any id that is not yours (no hint it exists).
  if (
    c.courseId &&
    !(await db.course.findFirst({ where: { id: c.courseId, coachId }, select: { id: true } }))
  )
    problems.push({ field: 'courseId', reason: `${c.courseId} is not one of your courses` });
  rejectProblems(problems, INVALID_PRODUCT);
}

const contentsOf = (input: Partial<ProductInput>, current?: ProductWithContents): PackageContents => {
  const credits =
    input.credits !== undefined
      ? input.credits
      : current && current.creditCount > 0
        ? { serviceId: current.creditServiceId!, count: current.creditCount, expiryDays: current.expiryDays! }
        : null;
  return {
    type: input.type ?? current?.type ?? 'PRODUCT',
    productIds: input.productIds ?? current?.contents.map((c) => c.productId) ?? [],
    creditServiceId: credits?.serviceId ?? null,
    creditCount: credits?.count ?? 0,
    expiryDays: credits?.expiryDays ?? null,
    courseId: input.courseId !== undefined ? input.courseId : (current?.courseId ?? null),
  };
};

const contentsData = (c: PackageContents) => ({
  type: c.type,
  creditServiceId: c.creditServiceId,
  creditCount: c.creditCount,
  expiryDays: c.expiryDays,
  courseId: c.courseId,
});

/** A product's price must be one Stripe can charge in its currency; a package's contents must be the coach's. */
export async function createProduct(
  db: Db,
  coachId: string,
  input: ProductInput,
): Promise<ProductWithContents> {
  rejectProblems(priceProblems(input), INVALID_PRODUCT);
  const contents = contentsOf(input);
  await checkContents(db, coachId, null, contents);
  const { type: _t, productIds: _p, credits: _c, courseId: _course, ...plain } = input;
  return db.product.create({
    data: {
      ...plain,
      ...contentsData(contents),
      coachId,
      contents: { create: contents.productIds.map((productId) => ({ productId })) },
    },
    include: withContents,
  });
}

export const productsOf = (db: Db, coachId: string) =>
  db.product.findMany({ where: { coachId }, orderBy: { createdAt: 'asc' }, include: withContents });

const archivedProduct = () =>
  conflict('This product is archived (it has been sold): it can no longer be changed', 'product_archived', [
    { field: 'id', reason: 'is archived' },
  ]);

/** A new price or currency is judged together with the stored other half; so are package contents. */
export async function updateProduct(
  db: Db,
  coachId: string,
  id: string,
  patch: Partial<ProductInput>,
): Promise<ProductWithContents> {
  const current = await db.product.findFirst({ where: { id, coachId }, include: withContents });
  if (!current) throw notFound('Product');
  if (current.archivedAt) throw archivedProduct();
  rejectProblems(
    priceProblems({
      priceMinor: patch.priceMinor ?? current.priceMinor,
      currency: patch.currency ?? current.currency,
    }),
    INVALID_PRODUCT,
  );
  const touchesContents =
    patch.type !== undefined ||
    patch.productIds !== undefined ||
    patch.credits !== undefined ||
    patch.courseId !== undefined;
  const contents = contentsOf(patch, current);
  if (touchesContents) await checkContents(db, coachId, id, contents);
  const { type: _t, productIds: _p, credits: _c, courseId: _course, ...plain } = patch;
  await db.$transaction(async (tx) => {
    // Conditional on not archived: a sale that archived it meanwhile wins.
    const updated = await tx.product.updateMany({
      where: { id, coachId, archivedAt: null },
      data: { ...plain, ...(touchesContents ? contentsData(contents) : {}) },
    });
    if (updated.count === 0) throw archivedProduct();
    if (patch.productIds !== undefined || patch.type !== undefined) {
      await tx.packageItem.deleteMany({ where: { packageId: id } });
      await tx.packageItem.createMany({
        data: contents.productIds.map((productId) => ({ packageId: id, productId })),
      });
    }
  });
  return db.product.findUniqueOrThrow({ where: { id }, include: withContents });
}

/**
 * Removes a product nobody has bought and no package bundles; one that was sold (or is bundled) is
 * archived instead, since purchases refer to it: it leaves the shop and cannot be bought again.
 */
export async function removeProduct(db: Db, coachId: string, id: string): Promise<void> {
  const product = await db.product.findFirst({
    where: { id, coachId },
    select: { _count: { select: { purchases: true, includedIn: true } } },
  });
  if (!product) throw notFound('Product');
  if (product._count.purchases > 0 || product._count.includedIn > 0) {
    await db.product.updateMany({
      where: { id, coachId, archivedAt: null },
      data: { archivedAt: new Date(), active: false },
    });
    return;
  }
  try {
    await db.product.deleteMany({ where: { id, coachId } });
  } catch (err) {
    // Bought or bundled between the count and the delete: archive after all.
    if (!(err instanceof Prisma.PrismaClientKnownRequestError)) throw err;
    await db.product.updateMany({ where: { id, coachId }, data: { archivedAt: new Date(), active: false } });
  }
}
