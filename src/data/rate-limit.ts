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
 * instance) and says whether it is within the rule.
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

/** Current count without adding a hit. */
export async function peek(
  db: Db,
  key: string,
  rule: RateLimitRule,
  now = Date.now(),
): Promise<RateLimitResult> {
  const windowStart = new Date(Math.floor(now / rule.windowMs) * rule.windowMs);
  const row = await db.rateLimitHit.findUnique({ where: { key_windowStart: { key, windowStart } } });
  const count = row?.count ?? 0;
  return {
    allowed: count < rule.limit,
    count,
    retryAfterSeconds: Math.ceil((windowStart.getTime() + rule.windowMs - now) / 1000),
  };
}

export async function reset(db: Db, key: string): Promise<void> {
  await db.rateLimitHit.deleteMany({ where: { key } });
}

/** Old windows are worthless; keep the table small. */
export async function prune(db: Db, olderThan: Date): Promise<number> {
  return (await db.rateLimitHit.deleteMany({ where: { windowStart: { lt: olderThan } } })).count;
}
