#!/usr/bin/env bash
# Issue 5 §3: the HTML report of a run opens in headless Chromium and renders with its diagrams.
# Usage: html_report_renders.sh <nsslab binary> <scenario folder> <work dir>
set -euo pipefail
nsslab=$1 scenario=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
"$nsslab" run "$scenario" --out "$work/run" > "$work/run.log"
report="$work/run/report.html"
[ -s "$report" ] || { echo "FAIL: no report at $report"; exit 1; }
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "FAIL: chromium is not installed (scripts/setup.sh installs it)"; exit 1; }
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$work/profile")
timeout 120 "$chromium" "${flags[@]}" --dump-dom "file://$report" > "$work/dom.html" 2> "$work/chromium.log"
timeout 120 "$chromium" "${flags[@]}" --window-size=1400,1800 --screenshot="$work/report.png" "file://$report" \
  >> "$work/chromium.log" 2>&1
svgs=$(grep -o '<svg' "$work/dom.html" | wc -l)
arrows=$(grep -o '<line' "$work/dom.html" | wc -l)
png=$(stat -c %s "$work/report.png" 2>/dev/null || echo 0)
echo "rendered DOM: $svgs svg elements, $arrows lines; screenshot $png bytes"
# One timeline and one sequence diagram per scenario at least, arrows drawn, a real picture.
[ "$svgs" -ge 2 ] || { echo "FAIL: expected the report's SVG diagrams in the rendered DOM"; exit 1; }
[ "$arrows" -ge 5 ] || { echo "FAIL: expected message arrows in the sequence diagram"; exit 1; }
[ "$png" -ge 20000 ] || { echo "FAIL: the screenshot looks blank ($png bytes)"; exit 1; }
grep -q 'nss-failover-to-backup' "$work/dom.html" || { echo "FAIL: scenario missing from the report"; exit 1; }
echo "1 passed, 0 failed"
