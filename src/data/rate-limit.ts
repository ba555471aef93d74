import type { Db } from '../infra/prisma';

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

export interface RateLimitResult {
  allowed: boolean;
  count: number;
  retryAfterSeconds: number;
}

/**
 * Counts one hit for `key` in the current fixed window (one atomic upsert, shared by every API
 * instance) and says whether it is within the rule. Count first, then act: reading a count and
 * adding to it later lets concurrent requests all pass the read (issue 9 #7).
 */
export async function hit(
  db: Db,
  key: string,
  rule: RateLimitRule,
  now = Date.now(),
): Promise<RateLimitResult> {
  const windowStart = new Date(Math.floor(now / rule.windowMs) * rule.windowMs);
  const rows = await db.$queryRaw<{ count: number }[]>`
    INSERT INTO rate_limit_hits (key, window_start, count) VALUES (${key}, ${windowStart}, 1)
    ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_hits.count + 1
    RETURNING count`;
  const count = rows[0]!.count;
  const retryAfterSeconds = Math.ceil((windowStart.getTime() + rule.windowMs - now) / 1000);
  return { allowed: count <= rule.limit, count, retryAfterSeconds };
}

/** Gives back one hit of the current window (an attempt that turned out legitimate). */
export async function release(db: Db, key: string, rule: RateLimitRule, now = Date.now()): Promise<void> {
  const windowStart = new Date(Math.floor(now / rule.windowMs) * rule.windowMs);
  await db.rateLimitHit.updateMany({
    where: { key, windowStart, count: { gt: 0 } },
    data: { count: { decrement: 1 } },
  });
}

export async function reset(db: Db, key: string): Promise<void> {
  await db.rateLimitHit.deleteMany({ where: { key } });
}

/** Old windows are worthless; keep the table small. */
export async function prune(db: Db, olderThan: Date): Promise<number> {
  return (await db.rateLimitHit.deleteMany({ where: { windowStart: { lt: olderThan } } })).count;
}
