-- Migration 2: the sync state. Never edit a released migration; add a new file instead.

-- One row per date window pulled completely from an upstream API and applied to the
-- archive, written in the same transaction as the window's messages. The windows of one
-- upstream (base URL + user) say which days are pulled for good; see plupper_sync::window.
CREATE TABLE sync_window (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    url               TEXT NOT NULL,             -- the API's base URL, without credentials
    user              TEXT NOT NULL,
    date_from         INTEGER,                   -- YYYYMMDD; NULL: no `from` (the history's start)
    date_to           INTEGER,                   -- YYYYMMDD; NULL: no `to` (whatever is dated later)
    pulled_on         INTEGER NOT NULL,          -- the local date the sync ran on ("today"), YYYYMMDD
    finished_at       TEXT NOT NULL,             -- when the transaction committed (SQLite's clock)
    elements          INTEGER NOT NULL,
    added             INTEGER NOT NULL,
    already_archived  INTEGER NOT NULL,
    quarantined       INTEGER NOT NULL,
    batch_id          INTEGER NOT NULL REFERENCES batch (id)
);

CREATE INDEX sync_window_by_upstream ON sync_window (url, user, id);
