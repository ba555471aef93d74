import {
  ANALYTICS_LIMITS,
  clientEventKey,
  duplicateKeyProblems,
  occurredAtProblem,
  type ClientEventType,
} from '../../domain/analytics/events';
import { funnelOf, rangeProblem, type Granularity } from '../../domain/analytics/funnel';
import { renderAnalyticsSvg } from '../../domain/analytics/svg';
import { rateLimited, rejectProblems, type FieldProblem } from '../../domain/shared/errors';
import { coachSeries, coachTotals, insertEvents, resolveCoaches, type EventRow } from '../../data/analytics';
import * as rateLimit from '../../data/rate-limit';
import type { Db } from '../../infra/prisma';

// Ingest and reports. A batch is validated whole (one bad event refuses the batch: nothing is
// stored), then written with one INSERT … ON CONFLICT (key) DO NOTHING, so a batch sent twice counts
// once. Batches without an account are limited per client address.

export interface ClientEvent {
  key: string;
  type: ClientEventType;
  /** The coach's slug (as on their public page) or id. */
  coach: string;
  occurredAt?: string;
  path?: string;
}

/** Slug or id → coach id, for a page's burst of batches without a lookup each (bounded, short-lived). */
const COACH_CACHE_MAX = 1_000;
const COACH_CACHE_TTL_MS = 30_000;
const coachCache = new Map<string, { id: string; at: number }>();

/**
 * Resolves coach references, from the cache when fresh. Unknown ones are never cached (a coach who
 * just published is found at once); a slug given up and taken by another coach may be attributed to
 * the old one for at most COACH_CACHE_TTL_MS, which only moves page views.
 */
async function coachIds(db: Db, refs: string[], now = Date.now()): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const missing: string[] = [];
  for (const ref of new Set(refs)) {
    const hit = coachCache.get(ref);
    if (hit && now - hit.at < COACH_CACHE_TTL_MS) found.set(ref, hit.id);
    else missing.push(ref);
  }
  if (missing.length === 0) return found;
  const resolved = await resolveCoaches(db, missing);
  for (const ref of missing) {
    const id = resolved.get(ref);
    if (!id) continue;
    found.set(ref, id);
    coachCache.delete(ref);
    coachCache.set(ref, { id, at: now });
    // Oldest first in insertion order: drop from the front beyond the bound.
    while (coachCache.size > COACH_CACHE_MAX) coachCache.delete(coachCache.keys().next().value!);
  }
  return found;
}

export async function ingest(
  db: Db,
  input: { events: ClientEvent[]; userId: string | null; ip: string | undefined },
  now = new Date(),
): Promise<{ accepted: number; duplicates: number }> {
  if (!input.userId) {
    const rule = ANALYTICS_LIMITS.anonymousPerIp;
    const counted = await rateLimit.hit(db, `analytics:ip:${input.ip ?? 'unknown'}`, rule);
    if (!counted.allowed)
      throw rateLimited(
        `Too many analytics batches from your address: at most ${rule.limit} a minute`,
        counted.retryAfterSeconds,
      );
  }
  const problems: FieldProblem[] = [...duplicateKeyProblems(input.events.map((e) => e.key))];
  const coaches = await coachIds(
    db,
    input.events.map((e) => e.coach),
  );
  const rows: EventRow[] = [];
  input.events.forEach((e, i) => {
    const coachId = coaches.get(e.coach);
    if (!coachId) problems.push({ field: `events.${i}.coach`, reason: 'no coach has this slug or id' });
    const at = e.occurredAt ? new Date(e.occurredAt) : now;
    const timing = occurredAtProblem(i, at.getTime(), now.getTime());
    if (timing) problems.push(timing);
    if (coachId)
      rows.push({
        key: clientEventKey(e.key),
        coachId,
        type: e.type,
        occurredAt: at,
        userId: input.userId,
        amountMinor: null,
        currency: null,
        path: e.path ?? null,
      });
  });
  rejectProblems(problems, 'Invalid events');
  const accepted = await insertEvents(db, rows);
  return { accepted, duplicates: rows.length - accepted };
}

const DAY_MS = 86_400_000;

export interface ReportQuery {
  /** UTC days, both included (YYYY-MM-DD). */
  from: string;
  to: string;
  granularity: Granularity;
}

export async function coachReport(db: Db, coachId: string, q: ReportQuery) {
  const from = new Date(`${q.from}T00:00:00Z`);
  const to = new Date(new Date(`${q.to}T00:00:00Z`).getTime() + DAY_MS);
  const problem = rangeProblem(from, to);
  if (problem) rejectProblems([problem], 'Invalid range');
  const [series, totals] = await Promise.all([
    coachSeries(db, coachId, from, to, q.granularity),
    coachTotals(db, coachId, from, to),
  ]);
  return { from: q.from, to: q.to, granularity: q.granularity, series, totals, funnel: funnelOf(totals) };
}

export async function coachReportSvg(db: Db, coachId: string, q: ReportQuery): Promise<string> {
  const report = await coachReport(db, coachId, q);
  // The chart shows the currency the coach earned most in over the range.
  const currency =
    Object.entries(report.totals.revenue).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ??
    null;
  return renderAnalyticsSvg({ funnel: report.funnel, series: report.series, currency });
}
