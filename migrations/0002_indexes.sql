-- opweek schema, migration 2: an index that answers per-operation totals.
--
-- `op list`, `op show` and reports of an operation or a campaign sum
-- `count` over an operation's active events by type. With (op_id, date)
-- alone each event cost a look-up of its table row; with the columns those
-- queries read in the index itself they read the index only (`op list` at
-- a million events: 2.1 s of CPU to 0.2 s; BENCHMARKS.md). It starts with
-- (op_id, date), so it also serves everything event_op_date served, which
-- it replaces: the file grows by the extra columns only (about 4% at a
-- million events).
DROP INDEX event_op_date;
CREATE INDEX event_op_tally ON event (op_id, date, type_id, status, count);
