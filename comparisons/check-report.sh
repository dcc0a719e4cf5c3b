#!/usr/bin/env bash
# Renders the comparisons report in headless Chromium and takes a
# screenshot, to check that report.html displays in a real browser.
#
#   comparisons/check-report.sh [REPORT_HTML] [SCREENSHOT_PNG]
#
# Without REPORT_HTML, a small report is generated first
# (cargo run --release -p comparisons -- --lesson spawn,yield_now,spawn_blocking
# into target/comparisons-check/). The screenshot goes next to the report
# (report.png) unless SCREENSHOT_PNG is given; look at it.
#
# Also checks that the page is self-contained (no scripts, stylesheets or
# images fetched by URL). Skips with a message where Chromium is not
# installed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"

browser=""
for candidate in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$candidate" >/dev/null 2>&1; then
        browser="$candidate"
        break
    fi
done
if [[ -z "$browser" ]]; then
    echo "report check skipped: chromium not installed (apt-get install chromium)"
    exit 0
fi

report="${1:-}"
if [[ -z "$report" ]]; then
    out="$root/target/comparisons-check"
    echo "generating a small report in $out"
    (cd "$root" && cargo run --quiet --release -p comparisons -- \
        --lesson spawn,yield_now,spawn_blocking --out "$out" >/dev/null)
    report="$out/report.html"
fi
if [[ ! -f "$report" ]]; then
    echo "error: no report at $report" >&2
    exit 1
fi
report="$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
png="${2:-$(dirname "$report")/report.png}"

# Self-contained: nothing loaded from the network.
if grep -Eq '<(script|link|img|iframe)[ >]|src="https?:|href="https?:|url\(' "$report"; then
    echo "error: $report loads something by URL:" >&2
    grep -Eno '<(script|link|img|iframe)[ >]|src="https?:[^"]*|href="https?:[^"]*|url\([^)]*' "$report" | head >&2
    exit 1
fi
svgs=$(grep -o '<svg' "$report" | wc -l)
if [[ "$svgs" -lt 2 ]]; then
    echo "error: $report has $svgs inline SVG charts, expected at least 2" >&2
    exit 1
fi

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
rm -f "$png"
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars \
    --screenshot="$png" --window-size=1400,3000 "file://$report" >/dev/null 2>&1 || true
if [[ ! -s "$png" ]]; then
    echo "error: $browser wrote no screenshot of $report" >&2
    exit 1
fi
size=$(wc -c <"$png")
if [[ "$size" -lt 20000 ]]; then
    echo "error: the screenshot $png is only $size bytes: the page looks blank" >&2
    exit 1
fi
echo "report check: $report rendered ($svgs inline SVGs); screenshot $png ($size bytes)"
