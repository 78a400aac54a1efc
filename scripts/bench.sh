#!/usr/bin/env bash
# Benchmarks opweek against the sqlite3 shell on the same data in the same
# run (see scripts/bench.py), and writes the results into BENCHMARKS.md.
#
#   scripts/bench.sh                  # N = 200k and 1M (about 10 minutes on 2 cores)
#   BENCH_SIZES=200000 scripts/bench.sh
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
