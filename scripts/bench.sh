#!/usr/bin/env bash
# Benchmarks opweek against the sqlite3 shell on the same data in the same
# run (see scripts/bench.py), then against psql on a throwaway PostgreSQL
# cluster (scripts/bench_pg.py, started with scripts/pg-cluster.sh on the
# first free port from OPWEEK_PG_PORT, stopped at the end), and writes the
# results into BENCHMARKS.md.
#
#   scripts/bench.sh                  # N = 200k and 1M (about 15 minutes on 2 cores)
#   BENCH_SIZES=200000 scripts/bench.sh
#   BENCH_PG=0 scripts/bench.sh       # SQLite only
#   BENCH_PG_DIR=DIR scripts/bench.sh # a cluster already started by pg-cluster.sh
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v sqlite3 >/dev/null || need+=(sqlite3)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]} ..." >&2
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

cargo build --release --locked --bin opweek --example generate

pg_dir=""
if [ "${BENCH_PG:-1}" != 0 ]; then
    command -v psql >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql-client >/dev/null; }
    if [ -n "${BENCH_PG_DIR:-}" ]; then
        export BENCH_PG_ENV="$BENCH_PG_DIR/env"
    else
        pg_dir=$(scripts/pg-cluster.sh start)
        trap 'scripts/pg-cluster.sh stop "$pg_dir"' EXIT
        export BENCH_PG_ENV="$pg_dir/env"
    fi
fi

results=$(mktemp)
BENCH_OUT="$results" python3 scripts/bench.py
python3 - "$results" <<'PY'
import sys
results = open(sys.argv[1]).read()
path = "BENCHMARKS.md"
text = open(path).read()
start, end = "<!-- results -->", "<!-- /results -->"
before, rest = text.split(start, 1)
_, after = rest.split(end, 1)
open(path, "w").write(f"{before}{start}\n{results}{end}{after}")
PY
rm -f "$results"
echo "results written to BENCHMARKS.md" >&2
