-- Migration 11: the message mark. Never edit a released migration; add a new file instead.

-- No table changes. From this version on, every transaction that adds messages also
-- writes the mark of the archive's uuid and last id into the database header's
-- application id (plupper_store::mark), where a process reads it without opening the
-- database: a count the search index answers alone then needs no SQLite at all. The
-- migration's Rust step writes the mark of the messages archived before it. A program
-- that knows only version 10 would add messages without updating the mark, so it must
-- not write this archive: it refuses a newer schema version.
