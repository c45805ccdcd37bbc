-- Migration 8: the evidence bundles exported from the archive, recorded in the integrity
-- chain. Never edit a released migration; add a new file instead.

-- One row per export, beside its chain link: a link that records no message (`added` 0,
-- the empty id range after the link before) and whose hash covers this row (see
-- plupper_store::chain::export_hash). Links written after it chain over it, so an export
-- record cannot be changed or removed unnoticed by whoever holds a later chain head.
CREATE TABLE IF NOT EXISTS export (
    link_id          INTEGER PRIMARY KEY REFERENCES chain_link (id),
    exported_at      TEXT NOT NULL,                 -- RFC 3339, UTC, as the manifest says
    filter           TEXT NOT NULL,                 -- the filter as applied, an API query string
    messages         INTEGER NOT NULL,              -- the selected messages
    context          INTEGER NOT NULL,              -- the other messages of their conversations
    conversations    INTEGER NOT NULL,
    manifest_sha256  TEXT NOT NULL                  -- the SHA-256 of the bundle's manifest.json, hex
);
