#!/usr/bin/env bash
# The decompression floor: inflates every layer blob given, all at once on all cores
# (xargs -P nproc), output discarded. `bench/floor.sh TOOL BLOB...` with TOOL igzip or gzip.
# No scanner can list an image's packages faster than it can inflate the image's layers.
set -euo pipefail
tool=$1; shift
printf '%s\0' "$@" | xargs -0 -n1 -P "$(nproc)" "$tool" -dc >/dev/null
