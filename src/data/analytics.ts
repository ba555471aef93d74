import type { Granularity, PeriodTotals } from '../domain/analytics/funnel';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/prisma';

// Analytics in Postgres: ingest is one multi-row INSERT … ON CONFLICT (key) DO NOTHING per batch; the
// daily rollup is recomputed for the (coach, day) pairs touched since its watermark; reports are
// GROUP BYs over the rollup. Days are UTC days.

export interface EventRow {
  key: string;
  coachId: string;
  type: string;
  occurredAt: Date;
  userId: string | null;
  amountMinor: number | null;
  currency: string | null;
  path: string | null;
}

/** Inserts the events not seen before (by key); returns how many were new. */
export async function insertEvents(db: Db, rows: readonly EventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  return db.$executeRaw`
    INSERT INTO analytics_events (key, coach_id, type, occurred_at, user_id, amount_minor, currency, path)
    SELECT * FROM unnest(
      ${rows.map((r) => r.key)}::text[],
      ${rows.map((r) => r.coachId)}::uuid[],
      ${rows.map((r) => r.type)}::text[],
      ${rows.map((r) => r.occurredAt)}::timestamptz[],
      ${rows.map((r) => r.userId)}::uuid[],
      ${rows.map((r) => r.amountMinor)}::int[],
      ${rows.map((r) => r.currency)}::text[],
      ${rows.map((r) => r.path)}::text[])
    ON CONFLICT (key) DO NOTHING`;
}

/** Coach ids for slugs or ids (a coach is anyone with a coach profile); unknown ones are left out. */
export async function resolveCoaches(db: Db, refs: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(refs)];
  const rows = await db.$queryRaw<{ slug: string; user_id: string }[]>`
    SELECT slug, user_id::text AS user_id FROM coach_profiles
     WHERE slug = ANY(${unique}::text[]) OR user_id::text = ANY(${unique}::text[])`;
  const map = new Map<string, string>();
  for (const r of rows) {
    map.set(r.slug, r.user_id);
    map.set(r.user_id, r.user_id);
  }
  return map;
}

const ROLLUP_ID = 'daily';
/** Inserts commit within milliseconds; a minute of overlap lets none fall between two refreshes. */
const ROLLUP_OVERLAP_MS = 60_000;

/**
 * Recomputes analytics_daily for every (coach, UTC day) with events received since the watermark,
 * from all of that day's events (so a refresh is idempotent), then moves the watermark to a minute
 * before now. One refresh at a time (advisory lock). Returns the number of (coach, day) pairs.
 */
export async function refreshRollup(db: Db): Promise<number> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('analytics-rollup'))`;
      const state = await tx.analyticsRollupState.findUnique({ where: { id: ROLLUP_ID } });
      const since = state ? new Date(state.refreshedThrough.getTime()) : new Date(0);
      const [clock] = await tx.$queryRaw<{ now: Date }[]>`SELECT now() AS now`;
      await tx.$executeRaw`
        CREATE TEMP TABLE touched ON COMMIT DROP AS
        SELECT DISTINCT coach_id, (occurred_at AT TIME ZONE 'UTC')::date AS day
          FROM analytics_events WHERE received_at >= ${since}`;
      await tx.$executeRaw`
        DELETE FROM analytics_daily d USING touched t WHERE d.coach_id = t.coach_id AND d.day = t.day`;
      const pairs = await tx.$executeRaw`
        INSERT INTO analytics_daily (coach_id, day, type, currency, count, amount_minor)
        SELECT e.coach_id, t.day, e.type, COALESCE(upper(e.currency), ''), count(*), COALESCE(sum(e.amount_minor), 0)
          FROM touched t
          JOIN analytics_events e
            ON e.coach_id = t.coach_id
           AND e.occurred_at >= t.day::timestamp AT TIME ZONE 'UTC'
           AND e.occurred_at < (t.day + 1)::timestamp AT TIME ZONE 'UTC'
         GROUP BY e.coach_id, t.day, e.type, COALESCE(upper(e.currency), '')`;
      const through = new Date(clock!.now.getTime() - ROLLUP_OVERLAP_MS);
      await tx.analyticsRollupState.upsert({
        where: { id: ROLLUP_ID },
        create: { id: ROLLUP_ID, refreshedThrough: through },
        update: { refreshedThrough: through },
      });
      return pairs;
    },
    { timeout: 60_000 },
  );
}

// The sums both reports make, written once: the funnel's counts per event type and the revenue per
// currency, over the coach's analytics_daily rows in [from, to) (a CTE named `daily`).

/** Each count of the report and the event type it counts. */
const COUNTED = {
  views: 'page_view',
  ctaClicks: 'cta_click',
  checkouts: 'checkout_started',
  purchases: 'purchase',
  bookings: 'booking_created',
} as const;
type Counts = Record<keyof typeof COUNTED, number>;
const COUNT_NAMES = Object.keys(COUNTED) as (keyof typeof COUNTED)[];

/** Every count over the rows in scope (0 when none); constants only, so raw SQL is safe. */
const COUNTS = Prisma.raw(
  Object.entries(COUNTED)
    .map(([name, type]) => `COALESCE(sum(count) FILTER (WHERE type = '${type}'), 0)::int AS "${name}"`)
    .join(',\n'),
);

/**
 * Net revenue of the rows in scope per currency (and period, for the series): purchases + paid
 * bookings + paid sessions − refunds.
 */
const netRevenue = (by: 'currency' | 'period, currency') => Prisma.sql`
  SELECT ${Prisma.raw(by)},
         sum(CASE WHEN type = 'purchase_refund' THEN -amount_minor ELSE amount_minor END) AS amount
    FROM daily
   WHERE currency <> ''
     AND type IN ('purchase', 'booking_created', 'paid_session_revenue', 'purchase_refund')
   GROUP BY ${Prisma.raw(by)}`;

/** The coach's rollup rows for the UTC days in [from, to). */
const coachDays = (coachId: string, from: Date, to: Date) => Prisma.sql`
  coach_id = ${coachId}::uuid
  AND day >= (${from}::timestamptz AT TIME ZONE 'UTC')::date
  AND day < (${to}::timestamptz AT TIME ZONE 'UTC')::date`;

type SummedRow = Counts & { revenue: Record<string, string | number> };

/** Postgres's sums as the report's numbers (jsonb brings amounts back as text or numbers). */
const totalsOf = (row: SummedRow): Omit<PeriodTotals, 'period'> => ({
  ...(Object.fromEntries(COUNT_NAMES.map((name) => [name, row[name]])) as Counts),
  revenue: Object.fromEntries(Object.entries(row.revenue).map(([k, v]) => [k, Number(v)])),
});

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Per period (day, ISO week from Monday, or month; UTC) in [from, to): the counts and the revenue per
 * currency. Every period appears, empty or not.
 */
export async function coachSeries(
  db: Db,
  coachId: string,
  from: Date,
  to: Date,
  granularity: Granularity,
): Promise<PeriodTotals[]> {
  const step = `1 ${granularity}`;
  const orZero = Prisma.raw(COUNT_NAMES.map((name) => `COALESCE(c."${name}", 0) AS "${name}"`).join(', '));
  const rows = await db.$queryRaw<(SummedRow & { period: Date })[]>`
    WITH periods AS (
      SELECT generate_series(
               date_trunc(${granularity}, ${from}::timestamptz AT TIME ZONE 'UTC'),
               (${to}::timestamptz AT TIME ZONE 'UTC') - interval '1 microsecond',
               ${step}::interval)::date AS period
    ), daily AS (
      SELECT date_trunc(${granularity}, day::timestamp)::date AS period, type, currency, count, amount_minor
        FROM analytics_daily WHERE ${coachDays(coachId, from, to)}
    ), counts AS (
      SELECT period, ${COUNTS} FROM daily GROUP BY period
    ), revenue AS (
      SELECT period, jsonb_object_agg(currency, amount) AS revenue
        FROM (${netRevenue('period, currency')}) r
       GROUP BY period
    )
    SELECT p.period, ${orZero}, COALESCE(r.revenue, '{}'::jsonb) AS revenue
      FROM periods p LEFT JOIN counts c USING (period) LEFT JOIN revenue r USING (period)
     ORDER BY p.period`;
  return rows.map((r) => ({ period: isoDay(r.period), ...totalsOf(r) }));
}

/** The same sums over the whole range (the funnel's stages and revenue per currency). */
export async function coachTotals(db: Db, coachId: string, from: Date, to: Date) {
  const [row] = await db.$queryRaw<SummedRow[]>`
    WITH daily AS (
      SELECT type, currency, count, amount_minor FROM analytics_daily WHERE ${coachDays(coachId, from, to)}
    )
    SELECT ${COUNTS},
           COALESCE((SELECT jsonb_object_agg(currency, amount) FROM (${netRevenue('currency')}) r),
                    '{}'::jsonb) AS revenue
      FROM daily`;
  return totalsOf(row!);
}
