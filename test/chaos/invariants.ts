import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { ledgerDifferences } from '../../scripts/reconcile';
import type { StripeCall } from '../support/payouts';
import { messagesTo } from '../support/mailbox';
import type { ChaosWorld } from './world';

// The invariants every chaos scenario ends with. Each returns the violations it found as sentences;
// an empty list is a pass. Global ones look at the whole chaos database (only this suite writes it).

export type Violations = string[];

async function withClient<T>(world: ChaosWorld, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: world.ctx.deps.cfg.DATABASE_URL,
    application_name: 'chaos-admin',
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** npm run reconcile's ledger checks: every transaction balances, captures split, holds cleared, payouts ≤ earned. */
export async function ledgerBalanced(world: ChaosWorld): Promise<Violations> {
  return withClient(world, async (c) =>
    (await ledgerDifferences(c)).map((d) => `ledger ${d.check} (${d.reference}): ${d.message}`),
  );
}

/** PENDING and CONFIRMED bookings of one coach never overlap (blocked ranges, buffers included). */
export async function noOverlappingBookings(world: ChaosWorld): Promise<Violations> {
  return withClient(world, async (c) => {
    const { rows } = await c.query<{ a: string; b: string }>(`
      SELECT x.id AS a, y.id AS b FROM bookings x JOIN bookings y
        ON x.coach_id = y.coach_id AND x.id < y.id
       AND tstzrange(x.blocked_start, x.blocked_end) && tstzrange(y.blocked_start, y.blocked_end)
      WHERE x.status IN ('PENDING', 'CONFIRMED') AND y.status IN ('PENDING', 'CONFIRMED')`);
    return rows.map((r) => `bookings ${r.a} and ${r.b} overlap while both active`);
  });
}

/** Credits never below zero nor above what was granted; usage counters never negative. */
export async function noNegativeCredits(world: ChaosWorld): Promise<Violations> {
  return withClient(world, async (c) => {
    const credits = await c.query<{ id: string; remaining: number; total: number }>(
      `SELECT id, remaining, total FROM credit_grants WHERE remaining < 0 OR remaining > total`,
    );
    const usage = await c.query<{ user_id: string; metric: string; used: string }>(
      `SELECT user_id, metric, used FROM usage_counters WHERE used < 0`,
    );
    return [
      ...credits.rows.map((r) => `credit grant ${r.id}: remaining ${r.remaining} of ${r.total}`),
      ...usage.rows.map((r) => `usage counter ${r.metric} of ${r.user_id} is ${r.used}`),
    ];
  });
}

/**
 * Storage: each coach's storage_bytes counter equals what their videos and clips hold; every object
 * in the bucket belongs to a video (or clip) row; every ready video's and clip's objects exist.
 */
export async function storageConsistent(world: ChaosWorld): Promise<Violations> {
  const out: Violations = [];
  const { deps } = world.ctx;
  await withClient(world, async (c) => {
    const { rows } = await c.query<{ coach: string; used: string; held: string }>(`
      WITH held AS (
        SELECT coach_id, sum(reserved_bytes) AS held FROM (
          SELECT coach_id, reserved_bytes FROM videos UNION ALL SELECT coach_id, reserved_bytes FROM clips) r
        GROUP BY coach_id)
      SELECT coalesce(u.user_id, h.coach_id) AS coach, coalesce(u.used, 0) AS used, coalesce(h.held, 0) AS held
      FROM (SELECT user_id, used FROM usage_counters WHERE metric = 'storage_bytes' AND period = 'total') u
      FULL JOIN held h ON h.coach_id = u.user_id
      WHERE coalesce(u.used, 0) <> coalesce(h.held, 0)`);
    for (const r of rows)
      out.push(`coach ${r.coach}: storage counter ${r.used} bytes, videos and clips hold ${r.held}`);
  });

  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await deps.s3.send(
      new ListObjectsV2Command({ Bucket: deps.cfg.S3_BUCKET, Prefix: 'videos/', ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) keys.push(o.Key!);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const stored = new Set(keys);
  const videos = await deps.db.video.findMany({
    select: { id: true, status: true, posterKey: true, renditions: true, sourceKey: true },
  });
  const clips = await deps.db.clip.findMany({
    select: { id: true, videoId: true, status: true, key: true, posterKey: true },
  });
  const videoIds = new Set(videos.map((v) => v.id));
  const clipIds = new Set(clips.map((c) => c.id));
  for (const key of keys) {
    const m = /^videos\/([^/]+)\/(?:clips\/([^/]+)\/)?/.exec(key);
    if (!m || !videoIds.has(m[1]!)) out.push(`orphaned object ${key}: no video row`);
    else if (m[2] && !clipIds.has(m[2])) out.push(`orphaned object ${key}: no clip row`);
  }
  for (const v of videos.filter((v) => v.status === 'ready' && !world.syntheticVideos.has(v.id))) {
    const want = [v.posterKey, ...(v.renditions as { key: string }[]).map((r) => r.key)].filter(
      (k): k is string => !!k,
    );
    for (const k of want) if (!stored.has(k)) out.push(`ready video ${v.id}: object ${k} missing`);
  }
  for (const c of clips.filter((c) => c.status === 'ready'))
    for (const k of [c.key, c.posterKey].filter((k): k is string => !!k))
      if (!stored.has(k)) out.push(`ready clip ${c.id}: object ${k} missing`);
  return out;
}

export async function globalInvariants(world: ChaosWorld): Promise<Violations> {
  return [
    ...(await ledgerBalanced(world)),
    ...(await noOverlappingBookings(world)),
    ...(await noNegativeCredits(world)),
    ...(await storageConsistent(world)),
  ];
}

/** Writes Stripe ran (not replays of a key it had seen, not refusals). */
export const stripeRan = (world: ChaosWorld, path: RegExp, key?: string): StripeCall[] =>
  world.stripe.calls.filter(
    (c) =>
      c.method === 'POST' &&
      path.test(c.path) &&
      !c.replayed &&
      c.status < 400 &&
      (key === undefined || c.idempotencyKey === key),
  );

/**
 * Exactly `expected` effective Stripe writes with this key, and none to the same endpoint for this
 * business id under another key (a second capture/refund/transfer would need one).
 */
export function exactlyStripe(
  world: ChaosWorld,
  what: string,
  path: RegExp,
  key: string,
  businessId: string,
  expected: number,
): Violations {
  const ran = stripeRan(world, path).filter((c) => c.idempotencyKey?.includes(businessId));
  const keys = new Set(ran.map((c) => c.idempotencyKey));
  const out: Violations = [];
  const mine = ran.filter((c) => c.idempotencyKey === key).length;
  if (mine !== expected) out.push(`${what}: ${mine} Stripe write(s) with key ${key}, expected ${expected}`);
  keys.delete(key);
  if (keys.size > 0) out.push(`${what}: Stripe writes under other keys ${[...keys].join(', ')}`);
  return out;
}

/** Every POST the app made to Stripe carried a key of its own (not the SDK's random retry key). */
export function stripeWritesKeyed(world: ChaosWorld, since = 0): Violations {
  return world.stripe.calls
    .slice(since)
    .filter(
      (c) => c.method === 'POST' && (!c.idempotencyKey || c.idempotencyKey.startsWith('stripe-node-retry')),
    )
    .map((c) => `Stripe POST ${c.path} without the app's idempotency key (${c.idempotencyKey ?? 'none'})`);
}

/**
 * Every email exactly once: each delivery recorded in email_deliveries was sent and sits in Mailpit
 * exactly once (its Message-ID is derived from the delivery's key, so a repeated send shows up as a
 * second copy), and a recipient has no message that no delivery accounts for.
 */
export async function emailsExactlyOnce(world: ChaosWorld, recipients: string[]): Promise<Violations> {
  const out: Violations = [];
  const bare = (id: string) => id.replace(/^<|>$/g, '');
  for (const to of recipients) {
    const messages = await messagesTo(to);
    const copies = new Map<string, number>();
    for (const m of messages) copies.set(bare(m.MessageID), (copies.get(bare(m.MessageID)) ?? 0) + 1);
    const rows = await world.ctx.deps.db.emailDelivery.findMany({ where: { recipient: to } });
    for (const r of rows) {
      const n = copies.get(bare(r.messageId)) ?? 0;
      if (r.sentAt === null) out.push(`${to}: ${r.template} (${r.reference}) never sent`);
      else if (n !== 1) out.push(`${to}: ${r.template} (${r.reference}) delivered ${n} times`);
      copies.delete(bare(r.messageId));
    }
    for (const [id, n] of copies) out.push(`${to}: ${n} message(s) ${id} that no delivery accounts for`);
  }
  return out;
}

/** The workflow's own state agrees with the row: its status, and the DomainStatus it advertises. */
export async function workflowState(
  world: ChaosWorld,
  workflowId: string,
  expected: { status: 'RUNNING' | 'COMPLETED' | readonly ('RUNNING' | 'COMPLETED')[]; domainStatus?: string },
): Promise<Violations> {
  const d = await world.gate.shared(() => world.ctx.deps.temporal.workflow.getHandle(workflowId).describe());
  const out: Violations = [];
  const statuses = typeof expected.status === 'string' ? [expected.status] : expected.status;
  if (!statuses.includes(d.status.name as 'RUNNING'))
    out.push(`${workflowId} is ${d.status.name}, expected ${statuses.join(' or ')}`);
  const domain = d.searchAttributes.DomainStatus as string[] | undefined;
  if (expected.domainStatus && domain?.[0] !== expected.domainStatus)
    out.push(`${workflowId} advertises DomainStatus ${domain?.[0]}, expected ${expected.domainStatus}`);
  return out;
}
