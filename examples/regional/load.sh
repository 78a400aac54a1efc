#!/bin/sh
# Builds a regional coordinator's database from the six forces' exports of
# the November 2017 week of action (campaign nw-nov17), as a coordinator
# would: one operation per force, then each force's export imported.
# Re-running it is safe: operations that exist are kept, and re-imported
# rows are skipped, never counted twice.
#
#   OPWEEK=target/release/opweek sh examples/regional/load.sh regional.db
set -eu
db=${1:?usage: load.sh DATABASE}
opweek=${OPWEEK:-opweek}
here=$(dirname "$0")

add() { # code, force
    if ! "$opweek" --db "$db" op show "$1" >/dev/null 2>&1; then
        "$opweek" --db "$db" op add "$1" --title "Week of action" --start 2017-11-13 \
            --force "$2" --unit "Public Protection" --campaign nw-nov17 >/dev/null
    fi
}

add nov17-mersey "Merseyside Police"
add cheshire-nov17 "Cheshire Constabulary"
add gmp-nov17 "Greater Manchester Police"
add lancs-nov17 "Lancashire Constabulary"
add cumbria-nov17 "Cumbria Constabulary"
add nwales-nov17 "North Wales Police"

"$opweek" --db "$db" import "$here/../nov2017-merseyside.csv"
for f in cheshire-nov17 gmp-nov17 lancs-nov17 cumbria-nov17 nwales-nov17; do
    "$opweek" --db "$db" import "$here/$f.csv"
done
