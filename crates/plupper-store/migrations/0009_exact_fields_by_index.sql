-- Migration 9: two indexes fewer. Never edit a released migration; add a new file instead.

-- Listings and counts by operator or customer id come from the search index (its terms
-- for the field, its fast fields for the answer order: plupper_search::executor); without
-- a current index the store answers them by walking message_by_time and testing each
-- row. Every added message cost these two B-tree inserts, and the archive about 38 MiB
-- per million messages. The visitor's index stays: conversations are read through it.
DROP INDEX IF EXISTS message_by_operator;
DROP INDEX IF EXISTS message_by_customer;
