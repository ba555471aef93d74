import { Prisma } from '../generated/prisma/client';
import type { Db } from '../infra/prisma';
import {
  DURATION_TOLERANCE_SECONDS,
  OBSERVED_GAP_CAP_SECONDS,
  type Heartbeat,
  type LectureProgress,
} from '../domain/billing/metering';

// The paid-session heartbeat: the hot path (every 5 s per viewer), ONE statement, the SQL form of
// src/domain/billing/metering.ts applyHeartbeat:
//
//   a    the caller's login session is live (not revoked or expired): the route verified the access
//        token's signature, and this replaces the middleware's separate session lookup, so a
//        heartbeat is one round trip to Postgres (docs/adr/0012);
//   s    locks the session row (FOR UPDATE: a concurrent heartbeat of the same session waits, then
//        reads the row it left, so every merge starts from the latest totals);
//   ok   keeps it only if the heartbeat may count (active, not closing, the caller is its student,
//        duration not ahead of the wall clock since start + tolerance, a lecture of the course);
//   ins  records (session, seq) once: ON CONFLICT DO NOTHING makes a repeated seq a no-op;
//   nv   computes the new totals from the locked row (max-merges, observed time with the gap cap);
//   upd  writes them only when ins inserted; exhausted_seq is set by the one heartbeat whose cost
//        first reaches the lock, so only that request signals the workflow.
//
// The final SELECT always returns the session's facts, so a refused heartbeat is explained without a
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

export async function recordHeartbeat(
  db: Db,
  sessionId: string,
  studentId: string,
  authSessionId: string,
  h: Heartbeat,
): Promise<HeartbeatRow> {
  const lecture = String(h.currentLecture);
  const rows = await db.$queryRaw<HeartbeatRow[]>`
    WITH a AS (
      SELECT EXISTS (
        SELECT 1 FROM auth_sessions
        WHERE id = ${authSessionId}::uuid AND user_id = ${studentId}::uuid AND revoked_at IS NULL AND expires_at > now()
      ) AS authed
    ), s AS (
      SELECT id, status, student_id, end_reason, started_at, last_heartbeat_at, lecture_positions,
             locked_minor, price_per_minute_minor, currency, duration_seconds, observed_ms,
             completion_pct, content_progress, exhausted_seq, date_trunc('milliseconds', clock_timestamp()) AS at
      FROM paid_sessions WHERE id = ${sessionId}::uuid FOR UPDATE
    ), ok AS (
      SELECT s.* FROM s, a
      WHERE a.authed AND status = 'active' AND end_reason IS NULL AND student_id = ${studentId}::uuid
        AND ${h.durationSeconds}::int <= EXTRACT(EPOCH FROM (at - started_at)) + ${DURATION_TOLERANCE_SECONDS}
        AND ${h.currentLecture}::int = ANY (lecture_positions)
    ), ins AS (
      INSERT INTO paid_session_heartbeats
        (session_id, seq, duration_seconds, completion_pct, lecture, position_seconds, received_at)
      SELECT id, ${h.seq}::int, ${h.durationSeconds}::int, ${h.completionPct}::float8, ${h.currentLecture}::int,
             ${h.positionSeconds}::float8, at
      FROM ok
      ON CONFLICT (session_id, seq) DO NOTHING
      RETURNING session_id
    ), nv AS (
      SELECT ok.id, ok.at,
        GREATEST(ok.duration_seconds, ${h.durationSeconds}::int) AS d,
        ok.observed_ms + LEAST(GREATEST(
          floor(EXTRACT(EPOCH FROM (ok.at - COALESCE(ok.last_heartbeat_at, ok.started_at))) * 1000)::bigint, 0),
          ${OBSERVED_GAP_CAP_SECONDS * 1000}::bigint) AS o,
        ok.locked_minor, ok.price_per_minute_minor, ok.exhausted_seq,
        GREATEST(ok.last_heartbeat_at, ok.at) AS last_at,
        COALESCE(ok.content_progress -> ${lecture}, '{}'::jsonb) AS lp
      FROM ok JOIN ins ON ins.session_id = ok.id
    ), upd AS (
      UPDATE paid_sessions p SET
        duration_seconds = nv.d,
        observed_ms = nv.o,
        last_heartbeat_at = COALESCE(nv.last_at, nv.at),
        completion_pct = GREATEST(p.completion_pct, ${h.completionPct}::float8),
        content_progress = COALESCE(p.content_progress, '{}'::jsonb) || jsonb_build_object(${lecture}::text, jsonb_build_object(
          'position_seconds', GREATEST(COALESCE((nv.lp ->> 'position_seconds')::float8, 0), ${h.positionSeconds}::float8),
          'last_duration_seconds', GREATEST(COALESCE((nv.lp ->> 'last_duration_seconds')::int, 0), ${h.durationSeconds}::int))),
        heartbeat_count = p.heartbeat_count + 1,
        exhausted_seq = CASE
          WHEN p.exhausted_seq IS NULL
           AND (GREATEST(nv.d::bigint, nv.o / 1000) * nv.price_per_minute_minor) / 60 >= nv.locked_minor
          THEN ${h.seq}::int ELSE p.exhausted_seq END,
        updated_at = nv.at
      FROM nv WHERE p.id = nv.id
      RETURNING p.duration_seconds, p.observed_ms, p.completion_pct, p.content_progress, p.exhausted_seq
    )
    SELECT a.authed, s.status::text AS status, s.student_id = ${studentId}::uuid AS is_student,
           s.end_reason IS NOT NULL AS closing, s.started_at, s.at, s.lecture_positions, s.locked_minor,
           s.price_per_minute_minor, s.currency::text AS currency,
           EXISTS (SELECT 1 FROM ins) AS inserted,
           COALESCE(upd.duration_seconds, s.duration_seconds) AS duration_seconds,
           COALESCE(upd.observed_ms, s.observed_ms) AS observed_ms,
           COALESCE(upd.completion_pct, s.completion_pct) AS completion_pct,
           COALESCE(upd.content_progress, s.content_progress, '{}'::jsonb) AS content_progress,
           COALESCE(upd.exhausted_seq, s.exhausted_seq) AS exhausted_seq
    FROM a LEFT JOIN s ON true LEFT JOIN upd ON true`;
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
