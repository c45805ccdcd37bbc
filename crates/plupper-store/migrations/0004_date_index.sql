-- Migration 4: one index fewer. Never edit a released migration; add a new file instead.

-- A date range is answered with message_by_time: the written date bounds the instant to
-- within a day or two either way (plupper_store::query), so the time index selects a
-- superset of the rows, in answer order, and the written date is tested on each. The
-- date index cost every added message one more B-tree insert, and 14 MiB of the archive
-- per million messages.
DROP INDEX IF EXISTS message_by_date;
