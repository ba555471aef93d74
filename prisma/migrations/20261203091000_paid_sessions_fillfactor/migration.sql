-- A paid session's row is rewritten by every heartbeat (every 5 s while playing). None of the columns
-- a heartbeat writes is indexed, so each rewrite can be a HOT update (no index entries) as long as
-- the row's page has room for the new version: leave 30 % of each page free for them (docs/adr/0012).
ALTER TABLE paid_sessions SET (fillfactor = 70);
