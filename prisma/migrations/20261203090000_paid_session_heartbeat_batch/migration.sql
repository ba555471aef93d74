-- Heartbeats that arrive together, written in one statement and one transaction (docs/adr/0012).
-- The API sends a heartbeat at once when a connection is free and groups the ones that arrive while
-- earlier writes are under way (src/data/heartbeat-ingest.ts), so under load the round trip, the
-- statement's fixed cost and the commit are shared by the group; alone, a heartbeat waits for nobody.
-- Each item goes through paid_session_heartbeat unchanged, so the rules are written once. Items run
-- in (session, seq, idx) order: two groups lock the sessions they share in the same order and cannot
-- deadlock, and a session's heartbeats in one group apply in seq order.
CREATE FUNCTION paid_session_heartbeat_batch(p_items JSONB, p_tolerance_s INTEGER, p_gap_ms BIGINT)
RETURNS TABLE (
    idx INTEGER, authed BOOLEAN, status TEXT, is_student BOOLEAN, closing BOOLEAN, started_at TIMESTAMPTZ,
    "at" TIMESTAMPTZ, lecture_positions INTEGER[], locked_minor INTEGER, price_per_minute_minor INTEGER,
    currency TEXT, inserted BOOLEAN, duration_seconds INTEGER, observed_ms BIGINT,
    completion_pct DOUBLE PRECISION, content_progress JSONB, exhausted_seq INTEGER)
LANGUAGE plpgsql AS $fn$
DECLARE
  it RECORD;
BEGIN
  FOR it IN
    SELECT * FROM jsonb_to_recordset(p_items) AS x(
      i INTEGER, session UUID, student UUID, auth UUID, seq INTEGER, duration INTEGER,
      completion DOUBLE PRECISION, lecture INTEGER, pos DOUBLE PRECISION)
    ORDER BY x.session, x.seq, x.i
  LOOP
    RETURN QUERY
      SELECT it.i, h.* FROM paid_session_heartbeat(
        it.session, it.student, it.auth, it.seq, it.duration, it.completion, it.lecture, it.pos,
        p_tolerance_s, p_gap_ms) AS h;
  END LOOP;
END
$fn$;
