import { serve } from '@hono/node-server';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createApp } from '../src/api/app';
import { heartbeatStatement, recordHeartbeat } from '../src/data/paid-sessions';
import { secondsPerLecture } from '../src/domain/billing/metering';
import { loadConfig } from '../src/infra/config';
import { closeDeps, createDeps, type Deps } from '../src/infra/deps';
import { report } from './harness';

// Paid-session heartbeats (PATCH /api/sessions/{id}/metrics), the hot path of docs/adr/0012:
// sustained load through the whole local stack (HTTP on a real socket → Hono → JWT → the one
// heartbeat statement → Postgres) against the bare statement run in this same process with the same
// concurrency and the same Prisma pool. Afterwards the database is checked: every session's duration
// must be exactly what its highest seq reported, each accepted seq counted once (duplicates are sent
// on purpose), and the per-lecture seconds must add up to the duration — zero lost or double-counted
// seconds. Goal: ≥ 2,000 heartbeats/s (10,000 viewers at one per 5 s) with p99 < 50 ms.
//
// Sessions are inserted active with a start a day back (the lock and start are the workflow's
// business and are measured elsewhere); the lock is large so no heartbeat reaches it (no signal).

const SESSIONS = 400;
const STUDENTS = 20;
const CONCURRENCY = 64;
const PER_PHASE = 12_000;
/** Every Nth request repeats the seq its session sent before (a client retry): must change nothing. */
const DUPLICATE_EVERY = 20;
const SECONDS_PER_BEAT = 5;

interface Viewer {
  sessionId: string;
  token: string;
  studentId: string;
  /** The login session the token belongs to (the statement checks it is live). */
  authSessionId: string;
}

async function setUp(deps: Deps, app: ReturnType<typeof createApp>, tag: string): Promise<Viewer[]> {
  const coach = await deps.db.user.create({
    data: {
      email: `bench-coach-${tag}-${Date.now()}@example.test`,
      name: 'Bench coach',
      passwordHash: 'x',
      role: 'coach_pro',
    },
  });
  const vs = await deps.db.videoSession.create({
    data: { coachId: coach.id, title: 'bench', status: 'ready' },
  });
  const video = await deps.db.video.create({
    data: {
      sessionId: vs.id,
      coachId: coach.id,
      filename: 'b.mp4',
      contentType: 'video/mp4',
      declaredBytes: 1n,
      sourceKey: `bench/${vs.id}`,
      partSize: 5_242_880,
      partCount: 1,
      uploadExpiresAt: new Date(),
      status: 'ready',
    },
  });
  const course = await deps.db.course.create({
    data: {
      coachId: coach.id,
      slug: `bench-${tag}-${Date.now().toString(36)}`,
      title: 'Bench course',
      accessType: 'paid_per_minute',
      pricePerMinuteMinor: 1,
      currency: 'gbp',
      published: true,
      lectures: {
        create: [1, 2, 3].map((position) => ({
          position,
          title: `L${position}`,
          durationSeconds: 600,
          videoId: video.id,
        })),
      },
    },
  });
  const students: { id: string; token: string; sid: string }[] = [];
  for (let i = 0; i < STUDENTS; i++) {
    const res = await app.request('/api/auth/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `bench-${tag}-${i}-${Date.now()}@example.test`,
        password: 'benchmark password',
        name: 'S',
      }),
    });
    const body = (await res.json()) as { token: string; user: { id: string } };
    const login = await deps.db.authSession.findFirstOrThrow({ where: { userId: body.user.id } });
    students.push({ id: body.user.id, token: body.token, sid: login.id });
  }
  const dayAgo = new Date(Date.now() - 86_400_000);
  const viewers: Viewer[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const st = students[i % STUDENTS]!;
    const row = await deps.db.paidSession.create({
      data: {
        studentId: st.id,
        coachId: coach.id,
        courseId: course.id,
        status: 'active',
        lockedMinor: 1_000_000,
        currency: 'gbp',
        pricePerMinuteMinor: 1,
        lecturePositions: [1, 2, 3],
        authorisedAt: dayAgo,
        startedAt: dayAgo,
        lastHeartbeatAt: dayAgo,
      },
    });
    viewers.push({ sessionId: row.id, token: st.token, studentId: st.id, authSessionId: st.sid });
  }
  return viewers;
}

/** Request i: session i mod S, its seq-th heartbeat (every DUPLICATE_EVERY-th repeats the previous seq). */
function heartbeatOf(i: number) {
  const round = Math.floor(i / SESSIONS);
  const dup = i % DUPLICATE_EVERY === 0 && round > 0;
  const seq = dup ? round : round + 1;
  const duration = seq * SECONDS_PER_BEAT;
  const lecture = 1 + (Math.floor(duration / 120) % 3);
  return { session: i % SESSIONS, seq, duration, lecture, dup };
}

async function drive(total: number, send: (i: number) => Promise<void>) {
  const cpuBefore = process.cpuUsage();
  const samples: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        try {
          await send(i);
        } catch {
          failures++;
        }
        samples.push(performance.now() - t);
      }
    }),
  );
  const ms = performance.now() - started;
  samples.sort((a, b) => a - b);
  const pct = (p: number) =>
    Number(samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!.toFixed(2));
  const cpu = process.cpuUsage(cpuBefore);
  return {
    // This process's CPU per heartbeat: for the HTTP phase the client (fetch) and the API together.
    nodeCpuMsPerHeartbeat: Number(((cpu.user + cpu.system) / 1000 / total).toFixed(3)),
    ms: Number(ms.toFixed(0)),
    perSec: Number(((total / ms) * 1000).toFixed(0)),
    p50: pct(0.5),
    p99: pct(0.99),
    failures,
  };
}

/**
 * CPU time (ms) the Postgres backends serving this process's database have used so far (utime +
 * stime from /proc, 100 ticks a second): the capacity model's "heartbeats per Postgres core-second"
 * does not depend on how busy the rest of the machine is. Background processes (WAL writer,
 * checkpointer) are not included.
 */
async function postgresBackendCpu(deps: Deps): Promise<Map<number, number>> {
  const rows = await deps.db.$queryRaw<{ pid: number }[]>`
    SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`;
  const ms = new Map<number, number>();
  for (const { pid } of rows) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ms.set(pid, (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10);
  }
  return ms;
}

/** CPU ms the backends used between two snapshots (a backend new in `after` counts from zero). */
const cpuBetween = (before: Map<number, number>, after: Map<number, number>) =>
  [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);

/** What the database holds against what was sent: lost and double-counted seconds and heartbeats. */
async function verify(deps: Deps, viewers: Viewer[], total: number) {
  const expected = new Map<string, { maxSeq: number; seqs: Set<number> }>();
  for (let i = 0; i < total; i++) {
    const h = heartbeatOf(i);
    const id = viewers[h.session]!.sessionId;
    const e = expected.get(id) ?? { maxSeq: 0, seqs: new Set() };
    e.maxSeq = Math.max(e.maxSeq, h.seq);
    e.seqs.add(h.seq);
    expected.set(id, e);
  }
  const ids = [...expected.keys()];
  const rows = await deps.db.paidSession.findMany({
    where: { id: { in: ids } },
    select: { id: true, durationSeconds: true, heartbeatCount: true },
  });
  const beats = await deps.db.paidSessionHeartbeat.findMany({
    where: { sessionId: { in: ids } },
    select: { sessionId: true, seq: true, durationSeconds: true, lecture: true },
  });
  const bySession = new Map<string, { seq: number; durationSeconds: number; currentLecture: number }[]>();
  for (const b of beats)
    bySession.set(b.sessionId, [
      ...(bySession.get(b.sessionId) ?? []),
      { seq: b.seq, durationSeconds: b.durationSeconds, currentLecture: b.lecture },
    ]);
  let lostSeconds = 0;
  let doubleSeconds = 0;
  let lostBeats = 0;
  let doubleBeats = 0;
  let lectureMismatch = 0;
  for (const r of rows) {
    const e = expected.get(r.id)!;
    const diff = r.durationSeconds - e.maxSeq * SECONDS_PER_BEAT;
    if (diff < 0) lostSeconds += -diff;
    else doubleSeconds += diff;
    const count = e.seqs.size;
    if (r.heartbeatCount < count) lostBeats += count - r.heartbeatCount;
    else doubleBeats += r.heartbeatCount - count;
    const parts = [...secondsPerLecture(bySession.get(r.id) ?? []).values()].reduce((a, b) => a + b, 0);
    if (parts !== r.durationSeconds) lectureMismatch++;
  }
  return {
    lostSeconds,
    doubleCountedSeconds: doubleSeconds,
    lostHeartbeats: lostBeats,
    doubleCountedHeartbeats: doubleBeats,
    lectureMismatch,
  };
}

export async function heartbeatsBench(): Promise<void> {
  const deps = await createDeps(loadConfig(process.env));
  const app = createApp(deps);
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const viaHttp = await setUp(deps, app, 'http');
    const bare = await setUp(deps, app, 'bare');
    const direct = await setUp(deps, app, 'pg');
    // The same statement over node-postgres with a pool of Prisma's size: what Prisma itself costs.
    const pool = new pg.Pool({ connectionString: deps.cfg.DATABASE_URL, max: 10 });
    const body = (h: ReturnType<typeof heartbeatOf>) => ({
      seq: h.seq,
      duration_seconds: h.duration,
      completion_pct: Math.min(100, h.duration / 18),
      current_lecture: h.lecture,
      position_seconds: h.duration % 120,
    });

    // Warm-up (JIT, connection pool, plan cache), then the two phases.
    await drive(400, async (i) => {
      const v = viaHttp[i % SESSIONS]!;
      await recordHeartbeat(deps.db, v.sessionId, v.studentId, v.authSessionId, {
        seq: 1_000_000 + i,
        durationSeconds: 0,
        completionPct: 0,
        currentLecture: 1,
        positionSeconds: 0,
      });
    });
    await deps.db.$executeRaw`DELETE FROM paid_session_heartbeats WHERE seq >= 1000000`;
    await deps.db
      .$executeRaw`UPDATE paid_sessions SET heartbeat_count = 0, observed_ms = 0, content_progress = '{}'`;

    const cpu0 = await postgresBackendCpu(deps);
    const http = await drive(PER_PHASE, async (i) => {
      const h = heartbeatOf(i);
      const v = viaHttp[h.session]!;
      const res = await fetch(`${base}/api/sessions/${v.sessionId}/metrics`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${v.token}` },
        body: JSON.stringify(body(h)),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`status ${res.status}`);
    });
    const cpu1 = await postgresBackendCpu(deps);
    const statement = await drive(PER_PHASE, async (i) => {
      const h = heartbeatOf(i);
      const v = bare[h.session]!;
      const b = body(h);
      const r = await recordHeartbeat(deps.db, v.sessionId, v.studentId, v.authSessionId, {
        seq: b.seq,
        durationSeconds: b.duration_seconds,
        completionPct: b.completion_pct,
        currentLecture: b.current_lecture,
        positionSeconds: b.position_seconds,
      });
      if (!r.authed || r.status !== 'active') throw new Error('refused');
    });
    const cpu2 = await postgresBackendCpu(deps);
    // Postgres CPU of this phase: its own pool's backends (the Prisma pool idles meanwhile).
    const cpuPg0 = await postgresBackendCpu(deps);
    const viaPg = await drive(PER_PHASE, async (i) => {
      const h = heartbeatOf(i);
      const v = direct[h.session]!;
      const b = body(h);
      const stmt = heartbeatStatement(v.sessionId, v.studentId, v.authSessionId, {
        seq: b.seq,
        durationSeconds: b.duration_seconds,
        completionPct: b.completion_pct,
        currentLecture: b.current_lecture,
        positionSeconds: b.position_seconds,
      });
      // A named (prepared) statement: parsed and planned once per connection, not per heartbeat.
      const r = await pool.query({
        name: 'paid-session-heartbeat',
        text: stmt.text,
        values: stmt.values as unknown[],
      });
      if (!r.rows[0]?.authed || r.rows[0]?.status !== 'active') throw new Error('refused');
    });
    const cpuPg1 = await postgresBackendCpu(deps);
    await pool.end();
    const pgCheck = await verify(deps, direct, PER_PHASE);
    const perCoreSecond = (ms: number) => (ms > 0 ? Math.round(PER_PHASE / (ms / 1000)) : 0);
    const httpCheck = await verify(deps, viaHttp, PER_PHASE);
    const bareCheck = await verify(deps, bare, PER_PHASE);
    const zero = (c: typeof httpCheck) => Object.values(c).every((v) => v === 0);
    report({
      name: 'heartbeat.statement (baseline: the bare SQL, same process and pool)',
      concurrency: CONCURRENCY,
      heartbeats: PER_PHASE,
      perSec: statement.perSec,
      p50: statement.p50,
      p99: statement.p99,
      failures: statement.failures,
      nodeCpuMsPerHeartbeat: statement.nodeCpuMsPerHeartbeat,
      postgresCpuMs: cpuBetween(cpu1, cpu2),
      heartbeatsPerPostgresCoreSecond: perCoreSecond(cpuBetween(cpu1, cpu2)),
      ...bareCheck,
    });
    report({
      name: 'heartbeat.node-postgres (the same statement, prepared once per connection, no Prisma)',
      concurrency: CONCURRENCY,
      heartbeats: PER_PHASE,
      perSec: viaPg.perSec,
      p50: viaPg.p50,
      p99: viaPg.p99,
      failures: viaPg.failures,
      nodeCpuMsPerHeartbeat: viaPg.nodeCpuMsPerHeartbeat,
      postgresCpuMs: cpuBetween(cpuPg0, cpuPg1),
      heartbeatsPerPostgresCoreSecond: perCoreSecond(cpuBetween(cpuPg0, cpuPg1)),
      ...pgCheck,
      ratio: Number((statement.perSec / viaPg.perSec).toFixed(2)),
    });
    report({
      name: 'heartbeat.http (PATCH /api/sessions/{id}/metrics)',
      concurrency: CONCURRENCY,
      heartbeats: PER_PHASE,
      sessions: SESSIONS,
      duplicatesSent: Math.floor(PER_PHASE / DUPLICATE_EVERY),
      perSec: http.perSec,
      p50: http.p50,
      p99: http.p99,
      failures: http.failures,
      nodeCpuMsPerHeartbeat: http.nodeCpuMsPerHeartbeat,
      postgresCpuMs: cpuBetween(cpu0, cpu1),
      heartbeatsPerPostgresCoreSecond: perCoreSecond(cpuBetween(cpu0, cpu1)),
      loadAverage1m: Number((await readFile('/proc/loadavg', 'utf8')).split(' ')[0]),
      ...httpCheck,
      ratio: Number((statement.perSec / http.perSec).toFixed(2)),
      meetsGoal: http.perSec >= 2000 && http.p99 < 50 && zero(httpCheck) && http.failures === 0,
    });
  } finally {
    server.close();
    await closeDeps(deps);
  }
}
