#!/usr/bin/env bash
# Runs every libFuzzer target for FUZZ_SECONDS (default 60) each, growing its corpus in place.
set -euo pipefail
build=$1; secs=${2:-60}
root="$(cd "$(dirname "$0")/.." && pwd)"
for f in "$build"/tests/*_fuzzer; do
  name=$(basename "$f" _fuzzer)
  corpus="$root/tests/fuzz/corpora/$name"
  mkdir -p "$corpus" "$build/fuzz-artifacts/$name"
  echo "== fuzz $name for ${secs}s"
  "$f" -max_total_time="$secs" -artifact_prefix="$build/fuzz-artifacts/$name/" "$corpus"
done
