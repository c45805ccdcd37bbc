-- Migration 6: conversations without a membership table. Never edit a released migration;
-- add a new file instead.

-- The conversations of a key cut its messages, in answer order, into runs that follow one
-- another, and each conversation row records where its run starts (first_key,
-- first_message) and how many messages it holds. So a message's conversation is the one of
-- its key that starts last at or before it, and a conversation's messages are read from
-- the message table's key indexes (plupper_store::conversation). The membership table cost
-- every added message two more B-tree inserts, and 25 MiB per million messages.
DROP INDEX IF EXISTS conversation_message_by_conversation;
DROP TABLE IF EXISTS conversation_message;
