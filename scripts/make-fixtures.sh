#!/usr/bin/env bash
# Makes the spreadsheet fixtures under tests/fixtures/ for real: the
# reference week exported by opweek, then opened and re-saved by LibreOffice
# Calc (the files a team sends back after editing the export). The commands
# below are the ones that made the committed files; rerun after changing the
# reference week. Needs `soffice` (Debian: libreoffice-calc-nogui).
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --quiet
bin=target/debug/opweek
OPWEEK_USER=fixtures "$bin" demo "$work/demo.db" >/dev/null
OPWEEK_USER=fixtures "$bin" --db "$work/demo.db" export -o "$work/week.csv" 2>/dev/null

# CSV import options: comma, double quote, UTF-8, from line 1, no column
# types, language en-GB (2057), quoted fields not as text, detect special
# numbers (so dates and times become date and time cells).
in='CSV:44,34,76,1,,2057,false,true'
# Re-saved as CSV in a UK locale, cells as shown: times as 06:00:00.
soffice --headless --infilter="$in" \
  --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,2057,false,true,true' \
  --outdir "$work/shown" "$work/week.csv" >/dev/null
cp "$work/shown/week.csv" "$out/libreoffice-uk.csv"
# Re-saved with "save cell contents as shown" off: times as 06:00:00 AM
# (what made the import refuse 108 of 116 rows before).
soffice --headless --infilter="$in" \
  --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,2057,false,true,false' \
  --outdir "$work/raw" "$work/week.csv" >/dev/null
cp "$work/raw/week.csv" "$out/libreoffice-ampm.csv"
# Saved as Excel and as OpenDocument workbooks.
soffice --headless --infilter="$in" --convert-to xlsx --outdir "$work" "$work/week.csv" >/dev/null
cp "$work/week.xlsx" "$out/libreoffice.xlsx"
soffice --headless --infilter="$in" --convert-to ods --outdir "$work" "$work/week.csv" >/dev/null
cp "$work/week.ods" "$out/libreoffice.ods"
echo "fixtures written to $out"

# A team's own sheet (no ids), typed by hand in a UK locale: dates as
# DD/MM/YYYY date cells, values as currency cells, a formula cell, blank
# columns, the header in other case; and one whose formulas fail (#DIV/0!).
# Made from the CSVs beside them (tests/fixtures/team-*.csv), with formulas
# evaluated (the CSV filter's 12th option).
in_formulas='CSV:44,34,76,1,,2057,false,true,false,false,false,-1'
for f in team-cash team-errors; do
  for x in xlsx ods; do
    soffice --headless --infilter="$in_formulas" --convert-to "$x" --outdir "$work" "$out/$f.csv" >/dev/null
    cp "$work/$f.$x" "$out/$f.$x"
  done
done
