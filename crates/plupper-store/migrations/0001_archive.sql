-- Migration 1: the archive. Never edit a released migration; add a new file instead.

-- One row: which archive this is (the index records it to know whom it belongs to).
CREATE TABLE archive_info (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    uuid        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- One run of one source into the archive: an imported file, later a sync window.
CREATE TABLE batch (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    source       TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT
);

-- The messages. `id` is the archive id: AUTOINCREMENT, so never reused, and increasing
-- in the order messages were added.
CREATE TABLE message (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    fingerprint    BLOB NOT NULL,              -- §1b identity, 16 bytes
    content        TEXT NOT NULL,
    customer_id    TEXT,
    created        TEXT NOT NULL,              -- as written by the API
    visitor_id     INTEGER,
    type           TEXT NOT NULL,
    operator       TEXT,
    written_date   INTEGER NOT NULL,           -- the calendar date written in `created`, YYYYMMDD
    wall_clock     INTEGER NOT NULL,           -- the wall clock written in `created`, read as UTC, Unix seconds
    utc_offset     INTEGER,                    -- seconds east of UTC; NULL when the zone is unknown
    instant        INTEGER GENERATED ALWAYS AS (wall_clock - utc_offset) VIRTUAL,
    sort_key       INTEGER GENERATED ALWAYS AS (wall_clock - coalesce(utc_offset, 0)) VIRTUAL,
    -- 0: the original is the canonical API element of the six fields (plupper_model::wire,
    --    version 1), byte for byte, so it is not stored twice;
    -- 1: a JSON string literal, stored in `original`; 2: a plain object, stored in `original`.
    original_kind  INTEGER NOT NULL CHECK (original_kind IN (0, 1, 2)),
    original       TEXT CHECK ((original_kind = 0) = (original IS NULL)),
    batch_id       INTEGER NOT NULL REFERENCES batch (id),
    position       INTEGER NOT NULL            -- element number (0-based) in the batch's source
);

CREATE INDEX message_by_fingerprint ON message (fingerprint);
-- The answer order is (sort_key, id); the rowid is the last column of every index.
CREATE INDEX message_by_time ON message (sort_key);
CREATE INDEX message_by_operator ON message (operator, sort_key);
CREATE INDEX message_by_visitor ON message (visitor_id, sort_key);
CREATE INDEX message_by_customer ON message (customer_id, sort_key);
CREATE INDEX message_by_date ON message (written_date);

-- Elements that could not be archived, kept verbatim (bytes: they may not be UTF-8).
CREATE TABLE quarantine (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    text         BLOB NOT NULL,
    text_hash    BLOB NOT NULL UNIQUE,         -- SHA-256 of `text`: deduplicated by exact text
    reason       TEXT NOT NULL,
    source       TEXT NOT NULL,
    element      INTEGER,                      -- element number (0-based) in the source, if known
    byte_offset  INTEGER,                      -- where it starts in the source, if known
    batch_id     INTEGER NOT NULL REFERENCES batch (id)
);
