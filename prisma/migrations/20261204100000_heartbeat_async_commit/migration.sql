-- A heartbeat's transaction commits without waiting for its WAL to reach the disk (docs/adr/0012,
-- "Heartbeats commit asynchronously"). Measured on the benchmark machine: the heartbeat's p99 is set by
-- the disk's flush stalls (a backend in uninterruptible sleep 44–231 ms while every write queued
-- behind it), not by CPU. What it risks is bounded and repaired by design: a Postgres crash can lose
-- the heartbeats of the last ~0.6 s (3 × wal_writer_delay) that were answered 200; each heartbeat
-- carries the cumulative duration, so the player's next one restores the billed time, and a repeated
-- seq is inserted again rather than lost. Money never depends on an unflushed heartbeat: settlement
-- sets end_reason and captures in synchronously committed transactions, whose flush carries every
-- earlier WAL record, heartbeats included. set_config(..., true) is SET LOCAL: it ends with the
-- transaction, so the pooled connection's next statement (a booking, a capture) commits synchronously.
-- The group path (paid_session_heartbeat_batch) calls this function, so its transaction is covered too.
-- Body otherwise unchanged from 20261202091500.
CREATE OR REPLACE FUNCTION paid_session_heartbeat(
    p_session UUID, p_student UUID, p_auth_session UUID,
    p_seq INTEGER, p_duration INTEGER, p_completion DOUBLE PRECISION, p_lecture INTEGER,
    p_position DOUBLE PRECISION, p_tolerance_s INTEGER, p_gap_ms BIGINT)
RETURNS TABLE (
    authed BOOLEAN, status TEXT, is_student BOOLEAN, closing BOOLEAN, started_at TIMESTAMPTZ,
    "at" TIMESTAMPTZ, lecture_positions INTEGER[], locked_minor INTEGER, price_per_minute_minor INTEGER,
    currency TEXT, inserted BOOLEAN, duration_seconds INTEGER, observed_ms BIGINT,
    completion_pct DOUBLE PRECISION, content_progress JSONB, exhausted_seq INTEGER)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
BEGIN
  -- This transaction only (is_local): the connection's next transaction commits synchronously again.
  PERFORM set_config('synchronous_commit', 'off', true);
  RETURN QUERY
    WITH a AS (
      SELECT EXISTS (
        SELECT 1 FROM auth_sessions
        WHERE id = p_auth_session AND user_id = p_student AND revoked_at IS NULL AND expires_at > now()
      ) AS authed
    ), s AS (
      SELECT id, status, student_id, end_reason, started_at, last_heartbeat_at, lecture_positions,
             locked_minor, price_per_minute_minor, currency, duration_seconds, observed_ms,
             completion_pct, content_progress, exhausted_seq, date_trunc('milliseconds', clock_timestamp()) AS at
      FROM paid_sessions WHERE id = p_session FOR UPDATE
    ), ok AS (
      SELECT s.* FROM s, a
      WHERE a.authed AND status = 'active' AND end_reason IS NULL AND student_id = p_student
        AND p_duration <= EXTRACT(EPOCH FROM (at - started_at)) + p_tolerance_s
        AND p_lecture = ANY (lecture_positions)
    ), ins AS (
      INSERT INTO paid_session_heartbeats
        (session_id, seq, duration_seconds, completion_pct, lecture, position_seconds, received_at)
      SELECT id, p_seq, p_duration, p_completion, p_lecture,
             p_position, at
      FROM ok
      ON CONFLICT (session_id, seq) DO NOTHING
      RETURNING session_id
    ), nv AS (
      SELECT ok.id, ok.at,
        GREATEST(ok.duration_seconds, p_duration) AS d,
        ok.observed_ms + LEAST(GREATEST(
          floor(EXTRACT(EPOCH FROM (ok.at - COALESCE(ok.last_heartbeat_at, ok.started_at))) * 1000)::bigint, 0),
          p_gap_ms) AS o,
        ok.locked_minor, ok.price_per_minute_minor, ok.exhausted_seq,
        GREATEST(ok.last_heartbeat_at, ok.at) AS last_at,
        COALESCE(ok.content_progress -> p_lecture::text, '{}'::jsonb) AS lp
      FROM ok JOIN ins ON ins.session_id = ok.id
    ), upd AS (
      UPDATE paid_sessions p SET
        duration_seconds = nv.d,
        observed_ms = nv.o,
        last_heartbeat_at = COALESCE(nv.last_at, nv.at),
        completion_pct = GREATEST(p.completion_pct, p_completion),
        content_progress = COALESCE(p.content_progress, '{}'::jsonb) || jsonb_build_object(p_lecture::text, jsonb_build_object(
          'position_seconds', GREATEST(COALESCE((nv.lp ->> 'position_seconds')::float8, 0), p_position),
          'last_duration_seconds', GREATEST(COALESCE((nv.lp ->> 'last_duration_seconds')::int, 0), p_duration))),
        heartbeat_count = p.heartbeat_count + 1,
        exhausted_seq = CASE
          WHEN p.exhausted_seq IS NULL
           AND (GREATEST(nv.d::bigint, nv.o / 1000) * nv.price_per_minute_minor) / 60 >= nv.locked_minor
          THEN p_seq ELSE p.exhausted_seq END,
        updated_at = nv.at
      FROM nv WHERE p.id = nv.id
      RETURNING p.duration_seconds, p.observed_ms, p.completion_pct, p.content_progress, p.exhausted_seq
    )
    SELECT a.authed, s.status::text AS status, s.student_id = p_student AS is_student,
           s.end_reason IS NOT NULL AS closing, s.started_at, s.at, s.lecture_positions, s.locked_minor,
           s.price_per_minute_minor, s.currency::text AS currency,
           EXISTS (SELECT 1 FROM ins) AS inserted,
           COALESCE(upd.duration_seconds, s.duration_seconds) AS duration_seconds,
           COALESCE(upd.observed_ms, s.observed_ms) AS observed_ms,
           COALESCE(upd.completion_pct, s.completion_pct) AS completion_pct,
           COALESCE(upd.content_progress, s.content_progress, '{}'::jsonb) AS content_progress,
           COALESCE(upd.exhausted_seq, s.exhausted_seq) AS exhausted_seq
    FROM a LEFT JOIN s ON true LEFT JOIN upd ON true;
END
$fn$;
