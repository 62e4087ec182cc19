#!/usr/bin/env bash
# check-report.sh REPORT.html [SCREENSHOT.png]
#
# Opens a passport HTML report in headless Chromium and checks that the page
# loads without script errors and that every image on it has loaded: the
# page records both on its <body> once loaded (data-errors, and data-images
# as "loaded/total"). With a second argument, also saves a screenshot of the
# top of the page (1400 × 2000) there, to look at.
#
# Exits 0 with a message when no Chromium is installed: the check is then
# skipped, not failed. Exits 1 when the page has errors or broken images.
set -euo pipefail

if [ $# -lt 1 ] || [ ! -f "$1" ]; then
  echo "usage: $0 REPORT.html [SCREENSHOT.png]" >&2
  exit 2
fi
report=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then
    browser=$b
    break
  fi
done
if [ -z "$browser" ]; then
  echo "check-report: no Chromium on PATH; skipping the browser check (install it with: apt-get install chromium)"
  exit 0
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --user-data-dir="$profile")

dom=$(timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$report" 2>/dev/null)
body=$(grep -o '<body[^>]*>' <<<"$dom" | head -n 1)
images=$(sed -n 's/.*data-images="\([0-9]*\/[0-9]*\)".*/\1/p' <<<"$body")
errors=$(sed -n 's/.*data-errors="\([0-9]*\)".*/\1/p' <<<"$body")

if [ -z "$images" ] || [ -z "$errors" ]; then
  echo "check-report: $report did not finish loading in $browser (no data-images/data-errors on <body>)" >&2
  exit 1
fi
loaded=${images%/*}
total=${images#*/}
echo "check-report: $report: $loaded of $total images loaded, $errors script errors ($browser)"
if [ "$loaded" != "$total" ] || [ "$total" = 0 ] || [ "$errors" != 0 ]; then
  exit 1
fi

if [ $# -ge 2 ]; then
  timeout 120 "$browser" "${flags[@]}" --hide-scrollbars --window-size=1400,2000 --screenshot="$2" "file://$report" >/dev/null 2>&1
  echo "check-report: screenshot saved to $2"
fi
