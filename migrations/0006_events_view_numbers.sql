-- The shell's view gives the value as a number in its unit (pounds,
-- kilograms), not as text: as text, `WHERE value > 100000` matched every
-- valued event (SQLite ranks text above any number) and `ORDER BY value`
-- sorted 9.00 after 120000.00. Exact sums are `opweek report`'s; the
-- stored whole pence and grams are in `event.value`.
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
        WHEN t.measure = 'money' THEN e.value / 100.0
        WHEN t.measure = 'weight' THEN e.value / 1000.0
    END AS value,
    e.force, e.team, e.area, e.officer, e.reference,
    e.detail, e.partner, e.outcome, e.notes, e.recorded_by, e.recorded_at, e.status
FROM event e
JOIN operation o ON o.id = e.op_id
JOIN activity_type t ON t.id = e.type_id;
