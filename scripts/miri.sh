#!/usr/bin/env bash
# Runs mini_runtime's unit tests under Miri (undefined-behaviour checker),
# with strict provenance, where a nightly toolchain with Miri is available.
# Elsewhere it prints "miri skipped: <why>" and exits 0.
#
#   scripts/miri.sh              # all unit tests
#   scripts/miri.sh task::       # a filter, passed to the test harness
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "miri skipped: no nightly toolchain installed (rustup toolchain install nightly --component miri)"
  exit 0
fi
if ! cargo +nightly miri --version >/dev/null 2>&1; then
  # Try to add the component; on a machine without access to the Rust
  # distribution server this fails quickly and we skip.
  if ! timeout 300 rustup component add --toolchain nightly miri rust-src >/dev/null 2>&1; then
    echo "miri skipped: the nightly toolchain has no miri component and it could not be installed"
    exit 0
  fi
fi

# Isolation off: tests read the clock and sleep. Strict provenance: no
# integer-to-pointer casts anywhere (parking_lot is swapped for std's locks
# under cfg(miri) in src/sync.rs for that reason).
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-disable-isolation -Zmiri-strict-provenance}"
echo "miri: cargo +nightly miri test -p mini_runtime --lib (MIRIFLAGS=$MIRIFLAGS)"
cargo +nightly miri test -p mini_runtime --lib --target-dir target/miri -- "$@"
