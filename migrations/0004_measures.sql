-- Measures: a type may carry money (pounds, held in pence) or weight
-- (kilograms, held in grams) besides its count, and an event of such a type
-- its value. Whole numbers of the smallest part, so sums are exact.
-- Existing types have no measure and existing events no value, so the
-- history chain's digests of them are unchanged (see fields.rs, Hashed).

ALTER TABLE activity_type ADD COLUMN measure TEXT CHECK (measure IN ('money', 'weight'));

ALTER TABLE event ADD COLUMN value INTEGER CHECK (value BETWEEN 0 AND 1000000000000);

-- The shell's view shows the value in its unit, as export writes it.
DROP VIEW events;
CREATE VIEW events AS
SELECT
    lower(substr(hex(e.uuid), 1, 8) || '-' || substr(hex(e.uuid), 9, 4) || '-' ||
          substr(hex(e.uuid), 13, 4) || '-' || substr(hex(e.uuid), 17, 4) || '-' ||
          substr(hex(e.uuid), 21, 12)) AS id,
    o.code AS operation,
    t.key AS type,
    e.date, e.time, e.count,
    CASE
        WHEN e.value IS NULL THEN NULL
        WHEN t.measure = 'money' THEN printf('%d.%02d', e.value / 100, e.value % 100)
        WHEN t.measure = 'weight' THEN printf('%d.%03d', e.value / 1000, e.value % 1000)
    END AS value,
    e.force, e.team, e.area, e.officer, e.reference,
    e.detail, e.partner, e.outcome, e.notes, e.recorded_by, e.recorded_at, e.status
FROM event e
JOIN operation o ON o.id = e.op_id
JOIN activity_type t ON t.id = e.type_id;
