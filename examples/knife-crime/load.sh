#!/bin/sh
# Builds a regional coordinator's database from six forces' exports of a
# knife-crime week of action (campaign sceptre-may24, 13-19 May 2024): the
# knife-crime type pack, one operation per force, then each force's export.
# Re-running it is safe: the pack and operations that exist are kept, and
# re-imported rows are skipped, never counted twice.
#
#   OPWEEK=target/release/opweek sh examples/knife-crime/load.sh knife.db
#   opweek --db knife.db report --campaign sceptre-may24 --by force
set -eu
db=${1:?usage: load.sh DATABASE}
opweek=${OPWEEK:-opweek}
here=$(dirname "$0")

"$opweek" --db "$db" type pack add knife-crime >/dev/null

add() { # code, force
    if ! "$opweek" --db "$db" op show "$1" >/dev/null 2>&1; then
        "$opweek" --db "$db" op add "$1" --title "Knife crime week of action" --start 2024-05-13 \
            --force "$2" --campaign sceptre-may24 >/dev/null
    fi
}

add mersey-sceptre "Merseyside Police"
add cheshire-sceptre "Cheshire Constabulary"
add gmp-sceptre "Greater Manchester Police"
add lancs-sceptre "Lancashire Constabulary"
add cumbria-sceptre "Cumbria Constabulary"
add nwales-sceptre "North Wales Police"

for f in mersey cheshire gmp lancs cumbria nwales; do
    "$opweek" --db "$db" import "$here/$f-sceptre.csv"
done
