#!/usr/bin/env bash
# Renders the reference week's briefing page (`report --format html`) in a
# real browser: headless Chromium prints it to PDF and takes a PNG. Checks
# that the PDF holds the published figures and bullets and is one A4 page,
# and keeps the PNG (target/artifacts/briefing.png) for a human look.
# Installs Debian's chromium and poppler-utils when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v pdftotext >/dev/null || need+=(poppler-utils)
[[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || need+=(fonts-dejavu-core)
if ((${#need[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

cargo build --quiet
bin=target/debug/opweek
work=$(mktemp -d)
profile=$(mktemp -d)
trap 'rm -rf "$work" "$profile"' EXIT
out=target/artifacts
mkdir -p "$out"

OPWEEK_USER=ci "$bin" demo "$work/demo.db" >/dev/null
OPWEEK_USER=ci "$bin" --db "$work/demo.db" report --op nov17-mersey --format html -o "$work/briefing.html" 2>/dev/null

# No network: every flag that would let Chromium reach out is off, and the
# page itself names nothing outside the file.
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --user-data-dir="$profile")
chromium "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$out/briefing.pdf" \
  "file://$work/briefing.html" 2>/dev/null
chromium "${flags[@]}" --hide-scrollbars --window-size=1000,1000 \
  --screenshot="$out/briefing.png" "file://$work/briefing.html" 2>/dev/null
cp "$work/briefing.html" "$out/briefing.html"

text=$(pdftotext -layout "$out/briefing.pdf" -)
fail=0
for want in "80" "nine warrants" "visited 80 registered sex offenders" "Merseyside Police" "13–19 November 2017"; do
  if ! grep -qF -- "$want" <<<"$text"; then
    echo "render-page: the PDF lacks \"$want\"" >&2
    fail=1
  fi
done
pages=$(pdfinfo "$out/briefing.pdf" | awk '/^Pages:/ {print $2}')
size=$(pdfinfo "$out/briefing.pdf" | awk -F: '/^Page size:/ {print $2}')
if [[ "$pages" != 1 ]]; then
  echo "render-page: the PDF has $pages pages, expected 1" >&2
  fail=1
fi
if [[ "$size" != *"(A4)"* ]]; then
  echo "render-page: the PDF page is$size, expected A4 (595 x 842 pts)" >&2
  fail=1
fi
[[ -s "$out/briefing.png" ]] || { echo "render-page: no PNG" >&2; fail=1; }

# A week with money and eleven types (the county-lines demo) must print on
# one page too, with its values.
OPWEEK_USER=ci "$bin" --db "$work/cl.db" demo county-lines >/dev/null
OPWEEK_USER=ci "$bin" --db "$work/cl.db" report --format html -o "$work/county-lines.html" 2>/dev/null
chromium "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$out/county-lines.pdf" \
  "file://$work/county-lines.html" 2>/dev/null
text=$(pdftotext -layout "$out/county-lines.pdf" -)
for want in "seized £77,115 in cash" "£229,045" "Total money"; do
  if ! grep -qF -- "$want" <<<"$text"; then
    echo "render-page: the county-lines PDF lacks \"$want\"" >&2
    fail=1
  fi
done
pages=$(pdfinfo "$out/county-lines.pdf" | awk '/^Pages:/ {print $2}')
if [[ "$pages" != 1 ]]; then
  echo "render-page: the county-lines PDF has $pages pages, expected 1" >&2
  fail=1
fi

((fail == 0)) || exit 1
echo "render-page: $out/briefing.pdf and $out/county-lines.pdf (1 A4 page each) and $out/briefing.png"
