-- Migration 10: identity without a stored fingerprint. Never edit a released migration;
-- add a new file instead.

-- A message's identity (contract §1b) is its six fields, and its sort key is a function
-- of one of them (`created`), so the copies of a message are among the messages of its
-- sort key: the writer finds them through message_by_time and hashes their fields
-- (plupper_store::reconcile). The fingerprint column and its index cost every message
-- 16 bytes twice, a B-tree insert at a random place (the index outgrew the page cache
-- past a million messages), and the archive about 42 MiB per million messages.
-- The migration's Rust step then drops the column (when the table still has it), which
-- rewrites the message table once.
DROP INDEX IF EXISTS message_by_fingerprint;
