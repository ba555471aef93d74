import { serve } from '@hono/node-server';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createApp } from '../src/api/app';
import { freePort } from '../src/dev/services';
import { loadConfig } from '../src/infra/config';
import { closeDeps, createDeps } from '../src/infra/deps';
import { report, timeIt } from './harness';

// Analytics ingest (issue 13): events/s in batches of 100 through the whole local stack (HTTP on a
// real socket, validation, auth, coach lookup, one INSERT … ON CONFLICT DO NOTHING) against a bare
// multi-row INSERT … ON CONFLICT DO NOTHING of the same rows over one pg pool, in the same run.
// Goal: ≥ 10,000 events/s through the stack (Lago's REST figure).

const BATCH = 100;
const BATCHES = 200;
const CONCURRENCY = 8;
const GOAL_EVENTS_PER_SEC = 10_000;

export async function analyticsBench(): Promise<void> {
  const cfg = loadConfig(process.env);
  const deps = await createDeps(cfg);
  const app = createApp(deps);
  const port = await freePort();
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  const pool = new pg.Pool({ connectionString: cfg.DATABASE_URL, max: CONCURRENCY });
  try {
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    const register = async (tag: string) => {
      const res = await post('/api/auth/register', {
        email: `bench-${tag}-${randomUUID()}@example.test`,
        password: 'benchmark password',
        name: `Bench ${tag}`,
      });
      return (await res.json()) as { token: string; user: { id: string } };
    };
    const coach = await register('coach');
    await deps.db.user.update({ where: { id: coach.user.id }, data: { role: 'coach_pro' } });
    const slug = `bench-${Date.now().toString(36)}`;
    await deps.db.coachProfile.create({
      data: {
        userId: coach.user.id,
        slug,
        displayName: 'Bench coach',
        timeZone: 'UTC',
        productsEnabled: true,
      },
    });
    // Signed in: anonymous batches are rate limited per address (120 a minute), as they should be.
    const visitor = await register('visitor');

    const batchOf = (tag: string, i: number) =>
      Array.from({ length: BATCH }, (_, j) => ({
        key: `${tag}-${i}-${j}`,
        type: j % 5 === 0 ? 'cta_click' : 'page_view',
        coach: slug,
        path: `/${slug}`,
      }));

    const viaStack = async (tag: string, i: number) => {
      const res = await post('/api/analytics/events', { events: batchOf(tag, i) }, visitor.token);
      if (res.status !== 200) throw new Error(`ingest ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };
    const bare = async (tag: string, i: number) => {
      const events = batchOf(tag, i);
      const values: unknown[] = [];
      const rows = events.map((e, k) => {
        values.push(`c:${e.key}`, coach.user.id, e.type, new Date(), visitor.user.id, e.path);
        const o = k * 6;
        return `($${o + 1}, $${o + 2}::uuid, $${o + 3}, $${o + 4}, $${o + 5}::uuid, $${o + 6})`;
      });
      await pool.query(
        `INSERT INTO analytics_events (key, coach_id, type, occurred_at, user_id, path) VALUES ${rows.join(', ')} ON CONFLICT (key) DO NOTHING`,
        values,
      );
    };

    const run = randomUUID().slice(0, 8);
    await timeIt(20, (i) => bare(`warm-bare-${run}`, i), CONCURRENCY);
    await timeIt(20, (i) => viaStack(`warm-stack-${run}`, i), CONCURRENCY);
    const baseline = await timeIt(BATCHES, (i) => bare(`bare-${run}`, i), CONCURRENCY);
    const stack = await timeIt(BATCHES, (i) => viaStack(`stack-${run}`, i), CONCURRENCY);
    // Every batch again: duplicates are accepted and stored once.
    const repeat = await timeIt(BATCHES, (i) => viaStack(`stack-${run}`, i), CONCURRENCY);
    const stored = await deps.db.analyticsEvent.count({ where: { key: { startsWith: `c:stack-${run}-` } } });

    const eps = (ms: number) => Math.round((BATCHES * BATCH * 1000) / ms);
    report({
      name: 'analytics.ingest bare INSERT … ON CONFLICT (baseline)',
      ...baseline,
      eventsPerSec: eps(baseline.ms),
      batch: BATCH,
      concurrency: CONCURRENCY,
    });
    report({
      name: 'analytics.ingest POST /api/analytics/events (100/batch)',
      ...stack,
      eventsPerSec: eps(stack.ms),
      ratioVsBaseline: Number((stack.ms / baseline.ms).toFixed(2)),
      meetsGoal: eps(stack.ms) >= GOAL_EVENTS_PER_SEC,
      goal: `>= ${GOAL_EVENTS_PER_SEC} events/s`,
    });
    report({
      name: 'analytics.ingest same batches again (all duplicates)',
      ...repeat,
      eventsPerSec: eps(repeat.ms),
      storedOnce: stored === BATCHES * BATCH,
    });
  } finally {
    server.close();
    await pool.end();
    await closeDeps(deps);
  }
}
