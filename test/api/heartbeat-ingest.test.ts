import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeartbeatIngest, IngestOverloaded } from '../../src/data/heartbeat-ingest';
import { heartbeatStatement } from '../../src/data/paid-sessions';
import type { Heartbeat } from '../../src/domain/paid-sessions/metering';
import { startTestContext, type TestContext } from '../support/harness';
import { createPaidCourse, type PaidCourse } from '../support/paid-sessions';
import { createUser, type TestUser } from '../support/users';

// The heartbeat ingest's group commit on real Postgres (src/data/heartbeat-ingest.ts, migration
// 20261203090000): heartbeats that arrive while a write is under way go together in one statement,
// and come out exactly as if each had been written alone; a group that fails is written item by
// item; the queue is bounded.
let ctx: TestContext;
let course: PaidCourse;
let student: TestUser;
let authSessionId: string;

beforeAll(async () => {
  ctx = await startTestContext();
  course = await createPaidCourse(ctx.app, ctx.deps);
  student = await createUser(ctx.app, ctx.deps, 'free', 'viewer');
  authSessionId = JSON.parse(Buffer.from(student.token.split('.')[1]!, 'base64url').toString()).sid;
});
afterAll(async () => ctx?.close());

/** An active session that started an hour ago (rows written directly: the workflow is not the subject). */
async function activeSession(): Promise<string> {
  const hourAgo = new Date(Date.now() - 3_600_000);
  const row = await ctx.deps.db.paidSession.create({
    data: {
      studentId: student.id,
      coachId: course.coach.id,
      courseId: course.courseId,
      status: 'active',
      lockedMinor: 1_000_000,
      currency: course.currency,
      pricePerMinuteMinor: course.pricePerMinute,
      lecturePositions: course.lectures.map((l) => l.position),
      authorisedAt: hourAgo,
      startedAt: hourAgo,
      lastHeartbeatAt: hourAgo,
    },
  });
  return row.id;
}

const beat = (seq: number): Heartbeat => ({
  seq,
  durationSeconds: seq * 5,
  completionPct: seq,
  currentLecture: seq <= 10 ? 1 : 2,
  positionSeconds: seq,
});

describe('heartbeat ingest', () => {
  it('groups heartbeats that arrive together, and each comes out as if written alone', async () => {
    const ingest = new HeartbeatIngest(ctx.deps.db, { maxInFlight: 1, maxBatch: 50, maxQueued: 1000 });
    const sessions = await Promise.all(Array.from({ length: 5 }, () => activeSession()));
    // 20 heartbeats each, a quarter sent twice (a player's retry), all at once and shuffled.
    const sent = sessions
      .flatMap((id) =>
        Array.from({ length: 20 }, (_, k) => [
          { id, h: beat(k + 1) },
          ...(k % 4 === 0 ? [{ id, h: beat(k + 1) }] : []),
        ]).flat(),
      )
      .sort(() => Math.random() - 0.5);
    const rows = await Promise.all(sent.map(({ id, h }) => ingest.record(id, student.id, authSessionId, h)));

    expect(ingest.stats.heartbeats).toBe(sent.length);
    expect(ingest.stats.writes).toBeLessThan(sent.length / 5); // groups formed: one write at a time
    expect(ingest.stats.fallbacks).toBe(0);
    expect(rows.every((r) => r.authed && r.status === 'active' && r.is_student)).toBe(true);
    // Every (session, seq) was inserted exactly once; the repeats answered as duplicates.
    const inserted = new Map<string, number>();
    sent.forEach(({ id, h }, i) => {
      if (rows[i]!.inserted) inserted.set(`${id}:${h.seq}`, (inserted.get(`${id}:${h.seq}`) ?? 0) + 1);
    });
    expect(inserted.size).toBe(100);
    expect([...inserted.values()].every((n) => n === 1)).toBe(true);
    for (const id of sessions) {
      const row = await ctx.deps.db.paidSession.findUniqueOrThrow({ where: { id } });
      expect(row).toMatchObject({ durationSeconds: 100, heartbeatCount: 20, completionPct: 20 });
      expect(row.contentProgress).toMatchObject({
        '1': { last_duration_seconds: 50, position_seconds: 10 },
        '2': { last_duration_seconds: 100, position_seconds: 20 },
      });
    }
  });

  it('a group that fails as a whole is written item by item: only the bad item fails', async () => {
    const ingest = new HeartbeatIngest(ctx.deps.db, { maxInFlight: 1, maxBatch: 50, maxQueued: 1000 });
    const id = await activeSession();
    const first = ingest.record(id, student.id, authSessionId, beat(1)); // written alone
    const group = [
      ingest.record(id, student.id, authSessionId, beat(2)),
      ingest.record('not-a-uuid', student.id, authSessionId, beat(1)),
      ingest.record(id, student.id, authSessionId, beat(3)),
    ];
    const settled = await Promise.allSettled([first, ...group]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(ingest.stats.fallbacks).toBe(1);
    const row = await ctx.deps.db.paidSession.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ durationSeconds: 15, heartbeatCount: 3 });
  });

  it('refuses heartbeats past its bound instead of queueing without end', async () => {
    const ingest = new HeartbeatIngest(ctx.deps.db, { maxInFlight: 1, maxBatch: 1, maxQueued: 2 });
    const id = await activeSession();
    const settled = await Promise.allSettled(
      Array.from({ length: 6 }, (_, k) => ingest.record(id, student.id, authSessionId, beat(k + 1))),
    );
    // One written at once, two queued, three refused.
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(3);
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(refused).toHaveLength(3);
    expect(refused.every((r) => r.reason instanceof IngestOverloaded)).toBe(true);
    expect((await ctx.deps.db.paidSession.findUniqueOrThrow({ where: { id } })).heartbeatCount).toBe(3);
  });

  it("commits a heartbeat's transaction asynchronously, and only that transaction", async () => {
    // One connection, so "the next transaction on it" is certain (the pool reuses connections).
    const client = new pg.Client({ connectionString: ctx.deps.cfg.DATABASE_URL });
    await client.connect();
    try {
      const id = await activeSession();
      const stmt = heartbeatStatement(id, student.id, authSessionId, beat(1));
      const show = async () => (await client.query('SHOW synchronous_commit')).rows[0].synchronous_commit;
      expect(await show()).toBe('on');
      await client.query('BEGIN');
      const r = await client.query(stmt.text, stmt.values as unknown[]);
      expect(r.rows[0]).toMatchObject({ authed: true, inserted: true, duration_seconds: 5 });
      expect(await show()).toBe('off');
      await client.query('COMMIT');
      // The money paths that run next on this connection commit synchronously again.
      expect(await show()).toBe('on');
      await client.query(stmt.text, stmt.values as unknown[]);
      expect(await show()).toBe('on');
    } finally {
      await client.end();
    }
  });
});
