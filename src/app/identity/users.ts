import type { Role } from '../../domain/billing/plans';
import { notFound } from '../../domain/shared/errors';
import type { Db } from '../../infra/prisma';

/** Operator tool: sets a user's role (support, comped accounts). Paying users change plan through subscriptions. */
export async function setRole(db: Db, userId: string, role: Role) {
  const updated = await db.user.updateMany({ where: { id: userId }, data: { role } });
  if (updated.count === 0) throw notFound('User');
  return db.user.findUniqueOrThrow({ where: { id: userId } });
}
