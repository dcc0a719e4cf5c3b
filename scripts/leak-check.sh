#!/usr/bin/env bash
# Runs mini_runtime's test binaries under valgrind's memcheck and fails if
# any reports memory "definitely lost" (or any memory error). The heaviest
# stress tests are skipped: under valgrind they take minutes and exercise
# the same code paths as the smaller tests that do run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null 2>&1; then
  echo "leak check skipped: valgrind is not installed (apt-get install valgrind)"
  exit 0
fi

# Build the test binaries and collect their paths.
mapfile -t bins < <(cargo test -p mini_runtime --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*"' | sed 's/"executable":"\(.*\)"/\1/')

skip=(--skip hundred_thousand --skip million --skip a_thousand_times --skip stress
      --skip two_hundred_tasks --skip ping_pongs --skip hundred_thousand_times --skip ten_thousand_deep)
status=0
for bin in "${bins[@]}"; do
  name=$(basename "$bin")
  log=$(mktemp)
  if valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=42 \
      "$bin" --test-threads=1 "${skip[@]}" >"$log" 2>&1; then
    lost=$(grep -o 'definitely lost: [0-9,]* bytes' "$log" | head -1)
    echo "ok   $name: ${lost:-no leaks possible (all heap blocks freed)}"
  else
    echo "FAIL $name (valgrind or the tests failed):"
    grep -E "definitely lost|ERROR SUMMARY|FAILED|panicked|Invalid" "$log" | head -20
    status=1
  fi
  rm -f "$log"
done
exit $status
