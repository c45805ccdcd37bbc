-- Migration 3: the integrity chain and conversations. Never edit a released migration;
-- add a new file instead. The migration's Rust step (schema::migrate) then links the
-- messages already archived and derives their conversations.

-- One link per write transaction (per applied chunk) that adds messages, written in that
-- transaction; see plupper_store::chain for the hash.
CREATE TABLE chain_link (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id       INTEGER REFERENCES batch (id),   -- NULL: the messages archived before migration 3
    first_id       INTEGER NOT NULL,                -- the archive ids it covers: first_id..=last_id
    last_id        INTEGER NOT NULL,
    added          INTEGER NOT NULL,
    hash           BLOB NOT NULL,                   -- SHA-256, 32 bytes
    previous_hash  BLOB NOT NULL                    -- the hash of the link before; 32 zero bytes for the first
);

-- Conversations, derived from the messages and kept up to date in the transactions that
-- add them; see plupper_store::conversation for the rule and the ids.
CREATE TABLE conversation (
    id             INTEGER PRIMARY KEY,             -- the smallest archive id among its messages
    visitor_id     INTEGER,                         -- the key: a visitor, or
    customer_id    TEXT,                            -- (visitor_id NULL) the customer of anonymous messages
    first_message  INTEGER NOT NULL,                -- its first message in answer order
    first_key      INTEGER NOT NULL,                -- the sort_key of its first message
    last_key       INTEGER NOT NULL,                -- the sort_key of its last message
    messages       INTEGER NOT NULL
);

CREATE INDEX conversation_by_start ON conversation (first_key, first_message);
CREATE INDEX conversation_by_key ON conversation (visitor_id, customer_id, first_key, first_message);

CREATE TABLE conversation_message (
    message_id       INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL
);

CREATE INDEX conversation_message_by_conversation ON conversation_message (conversation_id);

-- Messages without a visitor are grouped by customer.
CREATE INDEX message_by_anonymous ON message (customer_id, sort_key) WHERE visitor_id IS NULL;
