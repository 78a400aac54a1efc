-- opweek migration: operation and type changes, sign-offs and reopenings
-- enter the history chain.
--
-- Until now every history row was about one event (`event_id NOT NULL`,
-- action one of log/import/amend/void). A briefing's wording also depends on
-- the operation (its dates) and the activity types (label, nouns, phrase),
-- and a signed-off week's state must be on the record too. So the table is
-- rebuilt with:
-- * `event_id` nullable and a new `subject` ('op:CODE' or 'type:KEY') for
--   rows about an operation or a type; exactly one of the two is set;
-- * the new actions: op-add, op-edit, sign-off, reopen, type-add, type-edit,
--   type-retire, type-restore.
-- Existing rows are copied unchanged (same seq, same hashes): a row with an
-- event is hashed exactly as before, so the chain verifies with the same
-- head after this step.
--
-- Self-contained: it touches only event_history and its own index and
-- triggers, which it recreates as they were.

CREATE TABLE event_history_new (
    seq         INTEGER PRIMARY KEY,
    event_id    INTEGER REFERENCES event (id),
    subject     TEXT,                   -- 'op:CODE' or 'type:KEY' when event_id is NULL
    action      TEXT NOT NULL CHECK (action IN (
                    'log', 'import', 'amend', 'void',
                    'op-add', 'op-edit', 'sign-off', 'reopen',
                    'type-add', 'type-edit', 'type-retire', 'type-restore')),
    changed_by  TEXT NOT NULL,
    changed_at  TEXT NOT NULL,          -- UTC, RFC 3339
    reason      TEXT NOT NULL,
    changes     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    CHECK ((event_id IS NULL) <> (subject IS NULL))
) STRICT;

INSERT INTO event_history_new (seq, event_id, subject, action, changed_by, changed_at, reason, changes, prev_hash, hash)
SELECT seq, event_id, NULL, action, changed_by, changed_at, reason, changes, prev_hash, hash
FROM event_history ORDER BY seq;

-- Dropping a table drops its triggers first, so the append-only triggers do
-- not fire on the rows it removes.
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
