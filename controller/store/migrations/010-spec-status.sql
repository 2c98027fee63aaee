-- A Space's row in two halves (ARCHITECTURE.md "State: spec and status"). Spec, what the owner asks
-- for, is written only by SpaceService; status, what Spaceport observed, is written with a
-- condition on `version`, the row's version that every spec and status write bumps, so a decision
-- taken on a stale read is refused and taken again.
-- `lifecycle` mixed both (the owner's pause, the idle policy's sleep) in one column that the
-- reconciler and the build pipeline overwrote: it becomes `paused` (spec) and `asleep_since`
-- (status, ms since the epoch); the record's `lifecycle` is computed from them.
ALTER TABLE spaces ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spaces ADD COLUMN asleep_since INTEGER;
ALTER TABLE spaces ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
UPDATE spaces SET
  paused = (lifecycle = 'paused'),
  asleep_since = CASE WHEN lifecycle = 'asleep' THEN CAST(strftime('%s', 'now') AS INTEGER) * 1000 END;
ALTER TABLE spaces DROP COLUMN lifecycle;
