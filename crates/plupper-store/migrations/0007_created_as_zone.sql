-- Migration 7: `created` kept as its zone when Java's format gives it back. Never edit a
-- released migration; add a new file instead.

-- No table changes. From this version on, a message whose `created` is exactly what
-- Java's `Date.toString()` writes for its wall clock and zone (`wall_clock`, the zone
-- as written) keeps in `created` only the zone, as a BLOB of its UTF-8 (`CET`: 4 bytes
-- instead of 29); any other `created` stays TEXT, byte for byte. Readers write the text
-- again from `wall_clock` (plupper_store::read, plupper_model::date::format_java_date).
-- The version number makes a program older than this refuse the archive (too new)
-- instead of failing on a BLOB. Rows archived before keep their TEXT.
SELECT 1;
