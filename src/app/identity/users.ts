import type { Role } from '../../domain/subscriptions/plans';
import { notFound } from '../../domain/shared/errors';
import type { Db } from '../../infra/prisma';

/**
 * Operator tool: sets a user's role (support, comped accounts). Paying users change plan through
 * subscriptions. The change is recorded in role_changes as the operator's, in the same transaction,
 * so billing (src/data/subscriptions.ts billingOwnsRole) never lowers a role an operator gave.
 */
export async function setRole(
  db: Db,
  input: { userId: string; role: Role; actorId: string; reason?: string },
) {
  return db.$transaction(async (tx) => {
    const [current] = await tx.$queryRaw<{ role: Role }[]>`
      SELECT role::text AS role FROM users WHERE id = ${input.userId}::uuid FOR UPDATE`;
    if (!current) throw notFound('User');
    const user = await tx.user.update({ where: { id: input.userId }, data: { role: input.role } });
    await tx.roleChange.create({
      data: {
        userId: input.userId,
        fromRole: current.role,
        toRole: input.role,
        source: 'operator',
        applied: true,
        actorId: input.actorId,
        reason: input.reason ?? 'set by an operator (PUT /api/admin/users/{id}/role)',
      },
    });
    return user;
  });
}
