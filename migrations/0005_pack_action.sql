-- opweek migration: a type pack added is one entry in the history chain.
--
-- `opweek type pack add NAME` adds the pack's activity types that are not
-- there yet in one transaction, recorded as ONE history row (subject
-- 'pack:NAME', action 'type-pack-add', the added types' fields in its
-- changes) rather than a row per type. SQLite cannot alter a CHECK, so the
-- table is rebuilt as 0003_chain_everything.sql rebuilt it, with the one new
-- action allowed. Existing rows are copied unchanged (same seq, same hashes),
-- so the chain verifies with the same head after this step.
--
-- Self-contained: it touches only event_history and its own indexes and
-- triggers, which it recreates as they were.

CREATE TABLE event_history_new (
    seq         INTEGER PRIMARY KEY,
    event_id    INTEGER REFERENCES event (id),
    subject     TEXT,                   -- 'op:CODE', 'type:KEY' or 'pack:NAME' when event_id is NULL
    action      TEXT NOT NULL CHECK (action IN (
                    'log', 'import', 'amend', 'void',
                    'op-add', 'op-edit', 'sign-off', 'reopen',
                    'type-add', 'type-edit', 'type-retire', 'type-restore',
                    'type-pack-add')),
    changed_by  TEXT NOT NULL,
    changed_at  TEXT NOT NULL,          -- UTC, RFC 3339
    reason      TEXT NOT NULL,
    changes     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    CHECK ((event_id IS NULL) <> (subject IS NULL))
) STRICT;

INSERT INTO event_history_new (seq, event_id, subject, action, changed_by, changed_at, reason, changes, prev_hash, hash)
SELECT seq, event_id, subject, action, changed_by, changed_at, reason, changes, prev_hash, hash
FROM event_history ORDER BY seq;

-- Dropping a table drops its indexes and triggers first, so the append-only
-- triggers do not fire on the rows it removes.
DROP TABLE event_history;
ALTER TABLE event_history_new RENAME TO event_history;

CREATE INDEX event_history_event ON event_history (event_id);
-- An operation's sign-off state is its latest sign-off or reopen row.
CREATE INDEX event_history_subject ON event_history (subject, seq) WHERE subject IS NOT NULL;

CREATE TRIGGER event_history_no_update BEFORE UPDATE ON event_history
BEGIN
    SELECT RAISE(ABORT, 'event_history is append-only');
END;

CREATE TRIGGER event_history_no_delete BEFORE DELETE ON event_history
BEGIN
    SELECT RAISE(ABORT, 'event_history is append-only');
END;
