import { ApplicationFailure } from '@temporalio/activity';
import { creditExpiry } from '../../src/domain/purchases/packages';
import { refundPlan, type RefundPlan } from '../../src/domain/purchases/refunds';
import type { Deps } from '../../src/infra/deps';
import {
  PurchaseFailure,
  type PurchaseSnapshot,
  type PurchaseStatus,
} from '../../workflows/purchases/definitions';

// Postgres side of purchase-<id>. The workflow is the only writer of a purchase after its PENDING
// insert; every write is conditional on the current status, so a retried or replayed activity never
// grants credits twice or revokes them twice.

export interface GrantedCredit {
  serviceTitle: string;
  count: number;
  expiresAt: string;
}

export interface CompletedPurchase {
  status: PurchaseStatus;
  /** What the buyer received (credits per service; bundled product titles). */
  credits: GrantedCredit[];
  products: string[];
  /** Titles of the courses the purchase opened (course_grants not revoked). */
  courses: string[];
}

export interface SettledRefund {
  status: PurchaseStatus;
  refundedMinor: number;
  revokedCredits: number;
  keptCredits: number;
  note: string;
  /** Titles of the courses whose access the refund withdrew. */
  revokedCourses: string[];
}

export function purchasePostgresActivities(deps: Pick<Deps, 'db'>) {
  const { db } = deps;

  /** What the buyer has from the purchase (credits and bundled products), read after it is paid. */
  async function delivered(purchaseId: string): Promise<Omit<CompletedPurchase, 'status'>> {
    const p = await db.purchase.findUniqueOrThrow({
      where: { id: purchaseId },
      include: {
        credits: { include: { service: { select: { title: true } } } },
        product: { include: { contents: { include: { product: { select: { title: true } } } } } },
        courseGrants: { where: { revokedAt: null }, include: { course: { select: { title: true } } } },
      },
    });
    return {
      credits: p.credits.map((c) => ({
        serviceTitle: c.service.title,
        count: c.total,
        expiresAt: c.expiresAt.toISOString(),
      })),
      products: p.product.contents.map((c) => c.product.title),
      courses: p.courseGrants.map((g) => g.course.title),
    };
  }

  return {
    async loadPurchaseSnapshot(purchaseId: string): Promise<PurchaseSnapshot> {
      const p = await db.purchase.findUnique({
        where: { id: purchaseId },
        include: {
          buyer: { select: { id: true, name: true, email: true } },
          coach: {
            select: { id: true, name: true, email: true, coachProfile: { select: { displayName: true } } },
          },
        },
      });
      if (!p)
        throw ApplicationFailure.retryable(
          `purchase ${purchaseId} is not (yet) in the database`,
          PurchaseFailure.PurchaseNotFound,
        );
      return {
        id: p.id,
        status: p.status,
        buyer: p.buyer,
        coach: {
          id: p.coach.id,
          name: p.coach.coachProfile?.displayName ?? p.coach.name,
          email: p.coach.email,
        },
        productId: p.productId,
        title: p.title,
        amountMinor: p.amountMinor,
        currency: p.currency,
        paymentIntentId: p.paymentIntentId,
        createdAtMs: p.createdAt.getTime(),
        refundedMinor: p.refundedMinor,
      };
    },

    /**
     * PENDING → PAID and the credits and course access granted, in one transaction: the status change
     * is the guard, so a second attempt finds it PAID and grants nothing. Expiry counts from
     * `paidAtMs` (workflow time).
     */
    async completePurchase(input: { purchaseId: string; paidAtMs: number }): Promise<CompletedPurchase> {
      const paidAt = new Date(input.paidAtMs);
      const status = await db.$transaction(async (tx) => {
        const moved = await tx.purchase.updateMany({
          where: { id: input.purchaseId, status: 'PENDING' },
          data: { status: 'PAID', paidAt },
        });
        const p = await tx.purchase.findUniqueOrThrow({
          where: { id: input.purchaseId },
          include: { product: true },
        });
        if (moved.count === 1 && p.product.creditCount > 0 && p.product.creditServiceId) {
          await tx.creditGrant.create({
            data: {
              purchaseId: p.id,
              userId: p.buyerId,
              coachId: p.coachId,
              serviceId: p.product.creditServiceId,
              total: p.product.creditCount,
              remaining: p.product.creditCount,
              expiresAt: creditExpiry(paidAt, p.product.expiryDays ?? 365),
            },
          });
        }
        if (moved.count === 1 && p.product.courseId) {
          await tx.courseGrant.create({
            data: { purchaseId: p.id, userId: p.buyerId, courseId: p.product.courseId, createdAt: paidAt },
          });
        }
        return p.status;
      });
      return { status, ...(await delivered(input.purchaseId)) };
    },

    /** PENDING → EXPIRED (an abandoned checkout); no-op otherwise. */
    async expirePurchase(purchaseId: string): Promise<{ status: PurchaseStatus }> {
      await db.purchase.updateMany({
        where: { id: purchaseId, status: 'PENDING' },
        data: { status: 'EXPIRED', expiredAt: new Date() },
      });
      return db.purchase.findUniqueOrThrow({ where: { id: purchaseId }, select: { status: true } });
    },

    /** What a refund now would give back by default and what it would revoke (read-only). */
    async planPurchaseRefund(purchaseId: string): Promise<RefundPlan & { status: PurchaseStatus }> {
      const p = await db.purchase.findUniqueOrThrow({
        where: { id: purchaseId },
        include: { credits: { include: { service: { select: { title: true } } } } },
      });
      const now = Date.now();
      return {
        status: p.status,
        ...refundPlan({
          amountMinor: p.amountMinor,
          refundedMinor: p.refundedMinor,
          credits: p.credits.map((c) => ({
            serviceTitle: c.service.title,
            total: c.total,
            remaining: c.revokedAt ? 0 : c.remaining,
            expired: c.expiresAt.getTime() <= now,
          })),
        }),
      };
    },

    /**
     * PAID → REFUNDED: records what was refunded and revokes every credit still unused, in one
     * transaction guarded by the status (a second settle, e.g. Stripe's echo of our own refund, is a
     * no-op that returns what was recorded).
     */
    async settlePurchaseRefund(input: {
      purchaseId: string;
      refundedMinor: number;
      refundId: string | null;
    }): Promise<SettledRefund> {
      return db.$transaction(async (tx) => {
        const p = await tx.purchase.findUniqueOrThrow({
          where: { id: input.purchaseId },
          include: { credits: { include: { service: { select: { title: true } } } } },
        });
        const kept = p.credits.reduce((n, c) => n + (c.total - c.remaining - c.revokedCount), 0);
        if (p.status !== 'PAID') {
          const withdrawn = await tx.courseGrant.findMany({
            where: { purchaseId: p.id, revokedAt: { not: null } },
            include: { course: { select: { title: true } } },
          });
          return {
            status: p.status,
            refundedMinor: p.refundedMinor,
            revokedCredits: p.credits.reduce((n, c) => n + c.revokedCount, 0),
            keptCredits: kept,
            note: p.refundNote ?? '',
            revokedCourses: withdrawn.map((g) => g.course.title),
          };
        }
        const now = new Date();
        const plan = refundPlan({
          amountMinor: p.amountMinor,
          refundedMinor: 0,
          credits: p.credits.map((c) => ({
            serviceTitle: c.service.title,
            total: c.total,
            remaining: c.remaining,
            expired: c.expiresAt.getTime() <= now.getTime(),
          })),
        });
        // Everything unused goes, expired or not, so nothing of a refunded purchase can be booked.
        let revoked = 0;
        for (const c of p.credits) {
          const r = await tx.$queryRaw<{ revoked_count: number }[]>`
            UPDATE credit_grants SET revoked_count = remaining, remaining = 0, revoked_at = ${now}
             WHERE id = ${c.id}::uuid AND revoked_at IS NULL
            RETURNING revoked_count`;
          revoked += r[0]?.revoked_count ?? 0;
        }
        // Course access bought with the purchase goes with the refund (courseAccessFacts reads it per request).
        const courses = await tx.$queryRaw<{ title: string }[]>`
          UPDATE course_grants AS g SET revoked_at = ${now}
            FROM courses AS c
           WHERE g.purchase_id = ${p.id}::uuid AND g.revoked_at IS NULL AND c.id = g.course_id
          RETURNING c.title`;
        const revokedCourses = courses.map((c) => c.title);
        const amount = Math.min(input.refundedMinor, p.amountMinor);
        const note =
          `${amount} ${p.currency} refunded; ${plan.note}` +
          revokedCourses.map((t) => `; access to the course “${t}” withdrawn`).join('');
        await tx.purchase.update({
          where: { id: p.id },
          data: {
            status: 'REFUNDED',
            refundedMinor: amount,
            refundedAt: now,
            refundNote: note,
            ...(input.refundId && !p.refundId ? { refundId: input.refundId } : {}),
          },
        });
        return {
          status: 'REFUNDED' as const,
          refundedMinor: amount,
          revokedCredits: revoked,
          keptCredits: plan.keptCredits,
          note,
          revokedCourses,
        };
      });
    },
  };
}
