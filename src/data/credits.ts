import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/prisma';

// Package credits in Postgres. Taking a credit is one conditional UPDATE (remaining > 0, not expired,
// not revoked) in the booking's own transaction, and the table's CHECK keeps remaining ≥ 0 whatever
// runs concurrently; giving one back is keyed on the booking (credit_returned_at), so it happens once.

type Tx = Prisma.TransactionClient;

export interface TakenCredit {
  id: string;
  remaining: number;
}

/**
 * Takes one credit of `serviceId` for `userId`: the given grant, or the usable grant that expires
 * first. Returns null when there is none to take (used up, expired, revoked, or not this service).
 */
export async function takeCredit(
  tx: Tx,
  input: { userId: string; serviceId: string; creditId?: string; now: Date },
): Promise<TakenCredit | null> {
  const rows = input.creditId
    ? await tx.$queryRaw<TakenCredit[]>`
        UPDATE credit_grants SET remaining = remaining - 1
         WHERE id = ${input.creditId}::uuid AND user_id = ${input.userId}::uuid
           AND service_id = ${input.serviceId}::uuid AND remaining > 0
           AND revoked_at IS NULL AND expires_at > ${input.now}
        RETURNING id, remaining`
    : await tx.$queryRaw<TakenCredit[]>`
        UPDATE credit_grants SET remaining = remaining - 1
         WHERE id = (
           SELECT id FROM credit_grants
            WHERE user_id = ${input.userId}::uuid AND service_id = ${input.serviceId}::uuid
              AND remaining > 0 AND revoked_at IS NULL AND expires_at > ${input.now}
            ORDER BY expires_at, created_at
            LIMIT 1
            FOR UPDATE)
           AND remaining > 0
        RETURNING id, remaining`;
  return rows[0] ?? null;
}

/** Why a named credit cannot pay for this service, for the 4xx answer (null when it could). */
export async function creditMismatch(
  db: Db | Tx,
  input: { userId: string; serviceId: string; creditId: string; now: Date },
): Promise<{ code: 'not_found' | 'other_service' | 'expired' | 'revoked' | 'used_up' } | null> {
  const g = await db.creditGrant.findFirst({ where: { id: input.creditId, userId: input.userId } });
  if (!g) return { code: 'not_found' };
  if (g.serviceId !== input.serviceId) return { code: 'other_service' };
  if (g.revokedAt) return { code: 'revoked' };
  if (g.expiresAt.getTime() <= input.now.getTime()) return { code: 'expired' };
  if (g.remaining <= 0) return { code: 'used_up' };
  return null;
}

/** Gives the booking's credit back, once; false when it had none or it was already returned. */
export async function returnBookingCredit(db: Db, bookingId: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const marked = await tx.booking.updateMany({
      where: { id: bookingId, creditGrantId: { not: null }, creditReturnedAt: null },
      data: { creditReturnedAt: new Date() },
    });
    if (marked.count === 0) return false;
    const b = await tx.booking.findUniqueOrThrow({
      where: { id: bookingId },
      select: { creditGrantId: true },
    });
    // A revoked grant (refunded purchase) stays at zero: the refund already settled what it was worth.
    await tx.$executeRaw`
      UPDATE credit_grants SET remaining = remaining + 1
       WHERE id = ${b.creditGrantId}::uuid AND revoked_at IS NULL AND remaining < total`;
    return true;
  });
}

/**
 * Removes a PENDING booking no workflow runs for (its start failed), and gives back the credit it
 * took, in one transaction: the credit must not vanish with the hold.
 */
export async function removeUnstartedBooking(db: Db, bookingId: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const [removed] = await tx.$queryRaw<{ credit_grant_id: string | null }[]>`
      DELETE FROM bookings WHERE id = ${bookingId}::uuid AND status = 'PENDING' AND payment_intent_id IS NULL
      RETURNING credit_grant_id::text`;
    if (removed?.credit_grant_id)
      await tx.$executeRaw`
        UPDATE credit_grants SET remaining = remaining + 1
         WHERE id = ${removed.credit_grant_id}::uuid AND revoked_at IS NULL AND remaining < total`;
  });
}

/** The user's credits, newest first. */
export const creditsOf = (db: Db, userId: string) =>
  db.creditGrant.findMany({
    where: { userId },
    orderBy: { createdAt: 'desc' },
    include: {
      service: { select: { title: true } },
      purchase: { select: { title: true } },
    },
  });
