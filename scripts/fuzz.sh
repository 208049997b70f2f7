#!/usr/bin/env bash
# Runs every libFuzzer target for FUZZ_SECONDS (default 60) each, growing its corpus in place.
set -euo pipefail
build=$1; secs=${2:-60}
root="$(cd "$(dirname "$0")/.." && pwd)"
# undefined behaviour is a finding like a crash: stop and keep the input
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
for f in "$build"/tests/*_fuzzer; do
  name=$(basename "$f" _fuzzer)
  corpus="$root/tests/fuzz/corpora/$name"
  work="$build/fuzz-corpus/$name"
  mkdir -p "$corpus" "$work" "$build/fuzz-artifacts/$name"
  echo "== fuzz $name for ${secs}s"
  # new inputs go to the build tree; commit a crash reproducer into $corpus by hand
  "$f" -max_total_time="$secs" -artifact_prefix="$build/fuzz-artifacts/$name/" "$work" "$corpus"
done
