import { randomUUID } from 'node:crypto';
import { saleProblem, type SaleProblem } from '../../domain/purchases/packages';
import {
  conflict,
  invalid,
  notFound,
  rateLimited,
  unavailable,
  type DomainError,
} from '../../domain/shared/errors';
import * as rateLimit from '../../data/rate-limit';
import { purchaseDetails, type PurchaseDetails } from '../../data/purchases';
import type { Deps } from '../../infra/deps';
import type { PurchaseSnapshot } from '../../../workflows/purchases/definitions';
import { purchaseStartOptions, startPurchaseAndAwaitReady } from './workflow';
import { purchaseWorkflowType, type PurchaseWorkflow } from '../../../workflows/purchases/definitions';
import { CHECKOUT_LIMITS } from '../../domain/purchases/limits';

// POST /api/checkout/products/{id} (and …/packages/{id}): checks the product can be sold to this
// buyer, commits a PENDING purchase, then starts purchase-<id> and waits for its PaymentIntent in one
// call (docs/adr/0011), so the answer carries the client secret. The API never calls Stripe itself.

const MINUTE_MS = 60_000;

function saleError(p: SaleProblem): DomainError {
  const details = [{ field: p.field, reason: p.reason }];
  switch (p.code) {
    case 'own_product':
      return invalid('You cannot buy your own product', details, 'own_product');
    case 'archived':
      return conflict('This product is archived and no longer sold', 'product_archived', details);
    case 'empty_package':
      return conflict('This package has no contents; there is nothing to buy', 'empty_package', details);
    case 'free_product':
      return conflict('This product has no price; there is nothing to pay', 'free_product', details);
    default:
      return conflict('This product is not on sale', 'not_for_sale', details);
  }
}

async function throttle(deps: Pick<Deps, 'db'>, buyerId: string) {
  const rule = CHECKOUT_LIMITS.perBuyer;
  const counted = await rateLimit.hit(deps.db, `checkout:buyer:${buyerId}`, rule);
  if (!counted.allowed)
    throw rateLimited(
      `Too many checkouts: at most ${rule.limit} an hour; try again in ${Math.ceil(counted.retryAfterSeconds / 60)} min`,
      counted.retryAfterSeconds,
    );
}

export async function checkout(
  deps: Pick<Deps, 'db' | 'temporal' | 'cfg'>,
  buyerId: string,
  productId: string,
  now = new Date(),
): Promise<{ purchase: PurchaseDetails; created: boolean }> {
  const { db } = deps;
  await throttle(deps, buyerId);
  const [product, buyer] = await Promise.all([
    db.product.findUnique({
      where: { id: productId },
      include: {
        _count: { select: { contents: true } },
        creditService: { select: { active: true } },
        course: { select: { published: true } },
        coach: {
          select: {
            id: true,
            name: true,
            email: true,
            coachProfile: { select: { displayName: true, productsEnabled: true } },
          },
        },
      },
    }),
    db.user.findUniqueOrThrow({ where: { id: buyerId }, select: { id: true, name: true, email: true } }),
  ]);
  if (!product) throw notFound('Product', [{ field: 'id', reason: 'no product has this id' }]);
  const problem = saleProblem({
    buyerId,
    coachId: product.coachId,
    active: product.active,
    archived: product.archivedAt !== null,
    contents: {
      type: product.type,
      itemCount: product._count.contents,
      creditCount: product.creditCount,
      hasCourse: product.courseId !== null,
    },
    priceMinor: product.priceMinor,
    creditServiceActive: product.creditService ? product.creditService.active : null,
    coursePublished: product.course ? product.course.published : null,
  });
  if (problem) throw saleError(problem);
  if (!product.coach.coachProfile?.productsEnabled)
    throw conflict('This coach is not selling right now', 'shop_closed', [
      { field: 'id', reason: "the coach's shop is closed" },
    ]);

  // The same buyer's open checkout of this product is answered again instead of a second intent.
  const open = await db.purchase.findFirst({
    where: {
      buyerId,
      productId,
      status: 'PENDING',
      createdAt: { gt: new Date(now.getTime() - deps.cfg.PURCHASE_CHECKOUT_TIMEOUT + MINUTE_MS) },
    },
    orderBy: { createdAt: 'desc' },
  });
  const row =
    open ??
    (await db.purchase.create({
      data: {
        id: randomUUID(),
        buyerId,
        coachId: product.coachId,
        productId,
        title: product.title,
        amountMinor: product.priceMinor,
        currency: product.currency,
      },
    }));
  const snapshot: PurchaseSnapshot = {
    id: row.id,
    status: row.status,
    buyer,
    coach: {
      id: product.coach.id,
      name: product.coach.coachProfile?.displayName ?? product.coach.name,
      email: product.coach.email,
    },
    productId,
    title: row.title,
    amountMinor: row.amountMinor,
    currency: row.currency,
    paymentIntentId: row.paymentIntentId,
    createdAtMs: row.createdAt.getTime(),
    refundedMinor: row.refundedMinor,
  };
  const started = await startPurchaseAndAwaitReady(deps, row, snapshot);
  if (started === 'not_started') {
    if (!open)
      await db.purchase.deleteMany({ where: { id: row.id, status: 'PENDING', paymentIntentId: null } });
    throw unavailable('Checkout is briefly unavailable; try again', 'temporarily_unavailable');
  }
  await restartOrphans(deps, buyerId, now);
  return { purchase: await purchaseDetails(db, row.id), created: !open };
}

/**
 * The buyer's PENDING purchases long past their checkout timeout: the API committed them and died
 * before starting their workflow (docs/adr/0011). Starting it now expires them as it would have.
 */
async function restartOrphans(deps: Pick<Deps, 'db' | 'temporal' | 'cfg'>, buyerId: string, now: Date) {
  const orphans = await deps.db.purchase.findMany({
    where: {
      buyerId,
      status: 'PENDING',
      createdAt: { lt: new Date(now.getTime() - deps.cfg.PURCHASE_CHECKOUT_TIMEOUT - 5 * MINUTE_MS) },
    },
    take: 5,
  });
  await Promise.allSettled(
    orphans.map((o) =>
      deps.temporal.workflow.start<PurchaseWorkflow>(purchaseWorkflowType, purchaseStartOptions(deps, o)),
    ),
  );
}
