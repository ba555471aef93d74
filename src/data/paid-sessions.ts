import { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/prisma';
import {
  DURATION_TOLERANCE_SECONDS,
  OBSERVED_GAP_CAP_SECONDS,
  type Heartbeat,
  type LectureProgress,
} from '../domain/paid-sessions/metering';

// The paid-session heartbeat: the hot path (every 5 s per viewer), ONE statement, the SQL form of
// src/domain/paid-sessions/metering.ts applyHeartbeat (test/api/metering-sql-vs-model.test.ts holds
// them equal). Its text is the PL/pgSQL function paid_session_heartbeat (migration 20261202091500;
// 20261204100000 redefines it to commit asynchronously), so Postgres plans it once per connection,
// not once per call (docs/adr/0012: planning was two thirds of its CPU). The query inside:
//
//   a    the caller's login session is live (not revoked or expired): the route verified the access
//        token's signature, and this replaces the middleware's separate session lookup, so a
//        heartbeat is one round trip to Postgres;
//   s    locks the session row (FOR UPDATE: a concurrent heartbeat of the same session waits, then
//        reads the row it left, so every merge starts from the latest totals);
//   ok   keeps it only if the heartbeat may count (active, not closing, the caller is its student,
//        duration not ahead of the wall clock since start + tolerance, a lecture of the course);
//   ins  records (session, seq) once: ON CONFLICT DO NOTHING makes a repeated seq a no-op;
//   nv   computes the new totals from the locked row (max-merges, observed time with the gap cap);
//   upd  writes them only when ins inserted; exhausted_seq is set by the one heartbeat whose cost
//        first reaches the lock, so only that request signals the workflow.
//
// It always returns one row with the session's facts, so a refused heartbeat is explained without a
// second query and a duplicate answers the current totals.

export interface HeartbeatRow {
  authed: boolean;
  /** null: no such session. */
  status: string | null;
  is_student: boolean;
  closing: boolean;
  started_at: Date | null;
  at: Date;
  lecture_positions: number[];
  locked_minor: number;
  price_per_minute_minor: number;
  currency: string;
  inserted: boolean;
  duration_seconds: number;
  observed_ms: bigint;
  completion_pct: number;
  content_progress: Record<string, LectureProgress>;
  exhausted_seq: number | null;
}

/** The statement with its parameters (bench/heartbeats.ts also runs it over node-postgres). */
export function heartbeatStatement(
  sessionId: string,
  studentId: string,
  authSessionId: string,
  h: Heartbeat,
): Prisma.Sql {
  return Prisma.sql`SELECT * FROM paid_session_heartbeat(
    ${sessionId}::uuid, ${studentId}::uuid, ${authSessionId}::uuid, ${h.seq}::int, ${h.durationSeconds}::int,
    ${h.completionPct}::float8, ${h.currentLecture}::int, ${h.positionSeconds}::float8,
    ${DURATION_TOLERANCE_SECONDS}::int, ${OBSERVED_GAP_CAP_SECONDS * 1000}::bigint)`;
}

export async function recordHeartbeat(
  db: Db,
  sessionId: string,
  studentId: string,
  authSessionId: string,
  h: Heartbeat,
): Promise<HeartbeatRow> {
  const rows = await db.$queryRaw<HeartbeatRow[]>(heartbeatStatement(sessionId, studentId, authSessionId, h));
  return rows[0]!;
}

/** The session row with what lists and the status view show. */
export const paidSessionInclude = {
  course: { select: { id: true, title: true, slug: true } },
  student: { select: { id: true, name: true } },
  coach: { select: { id: true, name: true } },
} satisfies Prisma.PaidSessionInclude;

export type PaidSessionDetails = Prisma.PaidSessionGetPayload<{ include: typeof paidSessionInclude }>;

export async function findPaidSession(db: Db, id: string): Promise<PaidSessionDetails | null> {
  return db.paidSession.findUnique({ where: { id }, include: paidSessionInclude });
}

export async function listPaidSessions(
  db: Db,
  where: { studentId: string } | { coachId: string },
  page: { limit: number; offset: number; status?: string },
): Promise<{ items: PaidSessionDetails[]; total: number }> {
  const filter: Prisma.PaidSessionWhereInput = {
    ...where,
    ...(page.status ? { status: page.status as Prisma.PaidSessionWhereInput['status'] } : {}),
  };
  const [items, total] = await Promise.all([
    db.paidSession.findMany({
      where: filter,
      include: paidSessionInclude,
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      take: page.limit,
      skip: page.offset,
    }),
    db.paidSession.count({ where: filter }),
  ]);
  return { items, total };
}

/** Seconds per lecture and the accepted heartbeats' count, from the recorded heartbeats. */
export async function heartbeatsOf(
  db: Db,
  sessionId: string,
): Promise<{ seq: number; durationSeconds: number; currentLecture: number }[]> {
  const rows = await db.paidSessionHeartbeat.findMany({
    where: { sessionId },
    select: { seq: true, durationSeconds: true, lecture: true },
  });
  return rows.map((r) => ({ seq: r.seq, durationSeconds: r.durationSeconds, currentLecture: r.lecture }));
}

/** Whether `userId` is inside an active paid session of the course right now (lecture access). */
export async function hasActivePaidSession(db: Db, userId: string, courseId: string): Promise<boolean> {
  const n = await db.paidSession.count({
    where: { studentId: userId, courseId, status: 'active', endReason: null },
  });
  return n > 0;
}
