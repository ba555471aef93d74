import type { FieldProblem } from '../shared/errors';

// What a product or package is, and when one may be sold (seed 003 §2). Pure: the use cases read the
// rows and ask these functions.

export const PRODUCT_TYPES = ['PRODUCT', 'PACKAGE'] as const;
export type ProductType = (typeof PRODUCT_TYPES)[number];

/** Upper bounds that keep a typo from selling a thousand years of sessions. */
export const PACKAGE_LIMITS = { maxCredits: 500, maxExpiryDays: 3650, maxItems: 20 } as const;

export interface PackageContents {
  type: ProductType;
  /** Products bundled (ids). */
  productIds: readonly string[];
  creditServiceId: string | null;
  creditCount: number;
  expiryDays: number | null;
  /** One of the coach's courses the buyer gets access to (any access type), or null. */
  courseId: string | null;
}

/** Problems with a product's package fields as the coach wrote them (field names as in the API). */
export function packageProblems(p: PackageContents): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (p.type === 'PRODUCT') {
    if (p.productIds.length > 0)
      problems.push({ field: 'productIds', reason: 'only a PACKAGE bundles products' });
    if (p.creditCount > 0 || p.creditServiceId)
      problems.push({ field: 'credits', reason: 'only a PACKAGE carries session credits' });
    if (p.courseId) problems.push({ field: 'courseId', reason: 'only a PACKAGE includes a course' });
    return problems;
  }
  if (new Set(p.productIds).size !== p.productIds.length)
    problems.push({ field: 'productIds', reason: 'lists a product more than once' });
  if (p.productIds.length > PACKAGE_LIMITS.maxItems)
    problems.push({ field: 'productIds', reason: `at most ${PACKAGE_LIMITS.maxItems} products` });
  if (!Number.isSafeInteger(p.creditCount) || p.creditCount < 0 || p.creditCount > PACKAGE_LIMITS.maxCredits)
    problems.push({
      field: 'credits.count',
      reason: `must be a whole number from 1 to ${PACKAGE_LIMITS.maxCredits}`,
    });
  if (p.creditCount > 0 && !p.creditServiceId)
    problems.push({ field: 'credits.serviceId', reason: 'is required with credits' });
  if (p.creditCount > 0 && p.expiryDays === null)
    problems.push({ field: 'credits.expiryDays', reason: 'is required with credits (e.g. 90)' });
  if (
    p.expiryDays !== null &&
    (!Number.isSafeInteger(p.expiryDays) || p.expiryDays < 1 || p.expiryDays > PACKAGE_LIMITS.maxExpiryDays)
  )
    problems.push({
      field: 'credits.expiryDays',
      reason: `must be a whole number of days from 1 to ${PACKAGE_LIMITS.maxExpiryDays}`,
    });
  return problems;
}

/** True when a package gives nothing: no products, no credits and no course. */
export const isEmptyPackage = (p: {
  type: ProductType;
  itemCount: number;
  creditCount: number;
  hasCourse?: boolean;
}) => p.type === 'PACKAGE' && p.itemCount === 0 && p.creditCount === 0 && !p.hasCourse;

export interface SaleFacts {
  buyerId: string;
  coachId: string;
  active: boolean;
  archived: boolean;
  contents: { type: ProductType; itemCount: number; creditCount: number; hasCourse?: boolean };
  priceMinor: number;
  /** Whether the coach's credit service still takes bookings (null when the package has no credits). */
  creditServiceActive: boolean | null;
  /** Whether the package's course is published (null or absent when it has none): nothing to watch otherwise. */
  coursePublished?: boolean | null;
}

export type SaleProblem =
  | { code: 'own_product'; field: string; reason: string }
  | { code: 'archived'; field: string; reason: string }
  | { code: 'not_for_sale'; field: string; reason: string }
  | { code: 'empty_package'; field: string; reason: string }
  | { code: 'free_product'; field: string; reason: string };

/** Why a product cannot be bought right now, or null. Checked in this order; the first wins. */
export function saleProblem(f: SaleFacts): SaleProblem | null {
  if (f.buyerId === f.coachId)
    return { code: 'own_product', field: 'id', reason: 'is your own product; you cannot buy it' };
  if (f.archived) return { code: 'archived', field: 'id', reason: 'is archived and no longer sold' };
  if (!f.active) return { code: 'not_for_sale', field: 'id', reason: 'is not on sale' };
  if (isEmptyPackage(f.contents))
    return {
      code: 'empty_package',
      field: 'id',
      reason: 'is a package with no contents (no products, no credits, no course)',
    };
  if (f.contents.creditCount > 0 && f.creditServiceActive === false)
    return { code: 'not_for_sale', field: 'id', reason: "its sessions' service is no longer offered" };
  if (f.coursePublished === false)
    return { code: 'not_for_sale', field: 'id', reason: 'its course is not published' };
  if (f.priceMinor <= 0)
    return { code: 'free_product', field: 'id', reason: 'has no price; there is nothing to pay' };
  return null;
}

const DAY_MS = 86_400_000;

/** When credits bought at `paidAt` stop counting. */
export const creditExpiry = (paidAt: Date, expiryDays: number) =>
  new Date(paidAt.getTime() + expiryDays * DAY_MS);
