import type { Db } from '../infra/prisma';

// Usage against plan limits lives in Postgres. Taking units is one conditional UPDATE, so two
// concurrent requests can never both take the last unit; giving back never goes below zero.

export type UsageMetric = 'ai_reports' | 'storage_bytes';

/** Monthly metrics reset each calendar month (UTC); storage is a running total. */
export function usagePeriod(metric: UsageMetric, now = new Date()): string {
  return metric === 'storage_bytes' ? 'total' : now.toISOString().slice(0, 7);
}

export async function currentUsage(
  db: Db,
  userId: string,
  metric: UsageMetric,
  now = new Date(),
): Promise<number> {
  const row = await db.usageCounter.findUnique({
    where: { userId_metric_period: { userId, metric, period: usagePeriod(metric, now) } },
  });
  return Number(row?.used ?? 0n);
}

/**
 * Takes `amount` units if `used + amount <= limit` (limit null = unlimited). Returns the new total,
 * or undefined when the limit would be exceeded (nothing is taken then).
 */
export async function tryConsume(
  db: Db,
  userId: string,
  metric: UsageMetric,
  amount: number,
  limit: number | null,
  now = new Date(),
): Promise<number | undefined> {
  const period = usagePeriod(metric, now);
  const amt = BigInt(amount);
  if (limit !== null && amt > BigInt(limit)) return undefined;
  await db.$executeRaw`INSERT INTO usage_counters (user_id, metric, period, used)
    VALUES (${userId}::uuid, ${metric}, ${period}, 0) ON CONFLICT DO NOTHING`;
  const rows =
    limit === null
      ? await db.$queryRaw<{ used: bigint }[]>`UPDATE usage_counters SET used = used + ${amt}
          WHERE user_id = ${userId}::uuid AND metric = ${metric} AND period = ${period} RETURNING used`
      : await db.$queryRaw<{ used: bigint }[]>`UPDATE usage_counters SET used = used + ${amt}
          WHERE user_id = ${userId}::uuid AND metric = ${metric} AND period = ${period} AND used + ${amt} <= ${BigInt(limit)}
          RETURNING used`;
  return rows[0] ? Number(rows[0].used) : undefined;
}

/** Gives units back (a failed upload, a skipped analysis); never below zero. */
export async function release(
  db: Db,
  userId: string,
  metric: UsageMetric,
  amount: number,
  period = usagePeriod(metric),
): Promise<void> {
  await db.$executeRaw`UPDATE usage_counters SET used = GREATEST(used - ${BigInt(amount)}, 0)
    WHERE user_id = ${userId}::uuid AND metric = ${metric} AND period = ${period}`;
}
