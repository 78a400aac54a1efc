-- opweek schema, migration 1.
--
-- Applied by src/store/migrate.rs inside one transaction, after which
-- PRAGMA user_version is 1. Migrations are append-only: once this file has
-- shipped, never edit it; add the next numbered step in src/store/migrate.rs.
--
-- Size matters as much as clarity: a regional database holds millions of
-- events. So operations and activity types are referenced by INTEGER keys,
-- the event's UUID is stored as a 16-byte BLOB (the `events` view shows it as
-- text), and events carry only the indexes that reports and lookups use.
-- Tables are STRICT so a value of the wrong type is refused, not coerced.

CREATE TABLE operation (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    start_date  TEXT NOT NULL,          -- YYYY-MM-DD
    end_date    TEXT NOT NULL,          -- YYYY-MM-DD, inclusive
    force       TEXT,
    unit        TEXT,
    campaign    TEXT,
    notes       TEXT,
    created_at  TEXT NOT NULL,          -- UTC, RFC 3339
    CHECK (end_date >= start_date)
) STRICT;

CREATE INDEX operation_campaign ON operation (campaign) WHERE campaign IS NOT NULL;

CREATE TABLE activity_type (
    id        INTEGER PRIMARY KEY,
    key       TEXT NOT NULL UNIQUE,     -- kebab-case
    label     TEXT NOT NULL,            -- "Offender visits"
    noun      TEXT NOT NULL,            -- "registered sex offender"
    plural    TEXT NOT NULL,            -- "registered sex offenders"
    -- Briefing template: {count} and {noun} always resolve; {detail},
    -- {partner}, {area} and {force} resolve when every event of the tally
    -- shares one value; a [bracketed] part is dropped when a placeholder in
    -- it does not resolve.
    phrase    TEXT NOT NULL,
    position  INTEGER NOT NULL,         -- order in reports
    retired   INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1))
) STRICT;

INSERT INTO activity_type (key, label, noun, plural, phrase, position) VALUES
    ('offender-visit', 'Offender visits', 'registered sex offender', 'registered sex offenders',
     'visited {count} {noun} to ensure they were abiding by their sexual harm prevention orders', 1),
    ('warrant', 'Warrants', 'warrant', 'warrants',
     'carried out {count} {noun}[ in relation to {detail}]', 2),
    ('device-seizure', 'Device seizures', 'electronic device', 'electronic devices',
     'seized {count} {noun} for further examination', 3),
    ('arrest', 'Arrests', 'person', 'people',
     'arrested {count} {noun}[ on suspicion of {detail}]', 4),
    ('safeguarding-visit', 'Safeguarding visits', 'safeguarding visit', 'safeguarding visits',
     'made {count} {noun} to children[ in relation to {detail}]', 5),
    ('victim-identified', 'Victims identified', 'victim', 'victims',
     'identified {count} {noun} of these crimes[ during {detail}]', 6),
    ('school-session', 'School sessions', 'training session', 'training sessions',
     'delivered {count} {noun} to schools[ across {area}][ to teach children about {detail}][, in conjunction with {partner}]', 7);

CREATE TABLE event (
    id           INTEGER PRIMARY KEY,
    uuid         BLOB NOT NULL UNIQUE CHECK (length(uuid) = 16),
    op_id        INTEGER NOT NULL REFERENCES operation (id),
    type_id      INTEGER NOT NULL REFERENCES activity_type (id),
    date         TEXT NOT NULL,         -- YYYY-MM-DD
    time         TEXT,                  -- HH:MM
    count        INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1),
    force        TEXT,
    team         TEXT,
    area         TEXT,
    officer      TEXT,                  -- collar number
    reference    TEXT,                  -- warrant, crime or case reference
    detail       TEXT,
    partner      TEXT,
    outcome      TEXT,
    notes        TEXT,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,         -- UTC, RFC 3339
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'voided'))
) STRICT;

-- Reports select by operation and date range, or by date range alone
-- (--week, --from/--to); type is a grouping, not a filter worth an index.
CREATE INDEX event_op_date ON event (op_id, date);
CREATE INDEX event_date ON event (date);

-- Every write to events, append-only, in one hash chain:
-- * `log` and `import` rows record new events. `event_id` is the first event
--   the write stored; it covers that event and every later one (by id) up to
--   the next such row. `changes` is {"events": N, "digest": ".."}, the digest
--   a SHA-256 over those events' content as first stored (chain.rs), so an
--   event edited, added or removed behind the tool's back is caught. One row
--   per write, not per event: a million-row import adds one row.
-- * `amend` and `void` rows record a correction of one event; `changes` is
--   {"field": {"old": .., "new": ..}}, values as exported.
-- `hash` is SHA-256 (hex) over this row's content and the previous row's
-- hash, so an edit behind the tool's back breaks the chain (`opweek check`).
CREATE TABLE event_history (
    seq         INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL REFERENCES event (id),
    action      TEXT NOT NULL CHECK (action IN ('log', 'import', 'amend', 'void')),
    changed_by  TEXT NOT NULL,
    changed_at  TEXT NOT NULL,          -- UTC, RFC 3339
    reason      TEXT NOT NULL,
    changes     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
) STRICT;

CREATE INDEX event_history_event ON event_history (event_id);

CREATE TRIGGER event_history_no_update BEFORE UPDATE ON event_history
BEGIN
    SELECT RAISE(ABORT, 'event_history is append-only');
END;

CREATE TRIGGER event_history_no_delete BEFORE DELETE ON event_history
BEGIN
    SELECT RAISE(ABORT, 'event_history is append-only');
END;

-- Events are voided, never deleted.
CREATE TRIGGER event_no_delete BEFORE DELETE ON event
BEGIN
    SELECT RAISE(ABORT, 'events are voided, never deleted');
END;

-- Disclosure log (Data Protection Act 2018, s.62): every export of events,
-- who made it, when, with which filters, how many rows, where to, and for
-- whom. Append-only, like the history.
CREATE TABLE disclosure (
    id            INTEGER PRIMARY KEY,
    disclosed_at  TEXT NOT NULL,        -- UTC, RFC 3339
    disclosed_by  TEXT NOT NULL,
    filters       TEXT NOT NULL,        -- the export's selection, as flags
    rows          INTEGER NOT NULL,
    destination   TEXT NOT NULL,        -- file path, or "stdout"
    recipient     TEXT,
    reason        TEXT
) STRICT;

CREATE TRIGGER disclosure_no_update BEFORE UPDATE ON disclosure
BEGIN
    SELECT RAISE(ABORT, 'the disclosure log is append-only');
END;

CREATE TRIGGER disclosure_no_delete BEFORE DELETE ON disclosure
BEGIN
    SELECT RAISE(ABORT, 'the disclosure log is append-only');
END;

-- Human-readable view for the plain sqlite3 shell.
CREATE VIEW events AS
SELECT
    lower(substr(hex(e.uuid), 1, 8) || '-' || substr(hex(e.uuid), 9, 4) || '-' ||
          substr(hex(e.uuid), 13, 4) || '-' || substr(hex(e.uuid), 17, 4) || '-' ||
          substr(hex(e.uuid), 21, 12)) AS id,
    o.code AS operation,
    t.key AS type,
    e.date, e.time, e.count, e.force, e.team, e.area, e.officer, e.reference,
    e.detail, e.partner, e.outcome, e.notes, e.recorded_by, e.recorded_at, e.status
FROM event e
JOIN operation o ON o.id = e.op_id
JOIN activity_type t ON t.id = e.type_id;
