import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/prisma';
import type { PageRequest } from '../domain/shared/pages';
import { readPage } from './pages';

// Purchases as the API shows them: to the buyer (with the client secret while PENDING), and to the
// coach as sales. Scoped by owner in every statement.

const details = {
  credits: { include: { service: { select: { title: true } } } },
  product: { select: { type: true } },
} as const satisfies Prisma.PurchaseInclude;

export type PurchaseDetails = Prisma.PurchaseGetPayload<{ include: typeof details }>;

export const purchaseDetails = (db: Db, id: string): Promise<PurchaseDetails> =>
  db.purchase.findUniqueOrThrow({ where: { id }, include: details });

export async function listPurchases(
  db: Db,
  where: { buyerId: string } | { coachId: string },
  page: PageRequest & { status?: PurchaseDetails['status'] },
) {
  const filter = { ...where, ...(page.status ? { status: page.status } : {}) };
  return readPage(
    (p) => db.purchase.findMany({ where: filter, include: details, orderBy: { createdAt: 'desc' }, ...p }),
    () => db.purchase.count({ where: filter }),
    page,
  );
}

/** One purchase for its buyer or its coach; anyone else: null (not found). */
export const purchaseVisibleTo = (db: Db, userId: string, id: string) =>
  db.purchase.findFirst({ where: { id, OR: [{ buyerId: userId }, { coachId: userId }] }, include: details });
