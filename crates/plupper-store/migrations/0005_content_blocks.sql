-- Migration 5: content blocks. Never edit a released migration; add a new file instead.

-- The contents of every 4,096 consecutive archive ids in one row (plupper_store::
-- content_block), derived from the messages and written with them, so that a scan of
-- every content reads one row for 4,096 messages. The migration's Rust step writes the
-- blocks of the messages archived before it.
CREATE TABLE content_block (
    first_id  INTEGER PRIMARY KEY,             -- the first archive id it covers: 1, 4097, …
    lengths   BLOB NOT NULL,                   -- each content's length in bytes, LEB128
    contents  BLOB NOT NULL                    -- the contents' UTF-8, one after another
);
