#!/usr/bin/env bash
# The advisory DB benchmark (Scan engine III): imports the whole shared OSV advisory set into a
# fresh DB and prints records/s and the DB size against the JSON it came from; then, when the
# application-heavy bench image exists, times `bulwark scan` matching of its inventory.
#
#   bench/vulndb.sh PATH/TO/bulwark [OSV_DIR]     (make bench runs it after run.sh)
#
# Targets (issue 4): import >= 2,000 advisories/s; matching a 2,000-package image < 100 ms with the
# full DB; DB file smaller than the JSON.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

bulwark=${1:?usage: vulndb.sh PATH/TO/bulwark [OSV_DIR]}
osv=${2:-${BW_SHARED_DATA:-$root/../shared/data}/osv}
bench=${BENCH_DIR:-$root/build/bench}
if [ ! -d "$osv" ]; then
  log "vulndb: no advisory data at $osv: skipped"
  exit 0
fi
"$bulwark" db --help >/dev/null 2>&1 || { log "vulndb: this bulwark has no db command: skipped"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/db.sqlite
json_bytes=$(find "$osv" -name '*.json' -printf '%s\n' | awk '{ s += $1 } END { print s }')
files=$(find "$osv" -name '*.json' | wc -l)
log "vulndb: importing $files OSV files ($((json_bytes / 1048576)) MiB of JSON)"
t0=$(date +%s.%N)
"$bulwark" db import --db "$db" "$osv" >"$tmp/import.out" 2>"$tmp/import.err" || { cat "$tmp/import.err" >&2; die "import failed"; }
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc -l)
db_bytes=$(stat -c %s "$db")
rate=$(echo "$files / $secs" | bc -l)
printf '\nAdvisory DB benchmark\n'
printf '%-44s %10s\n' "OSV files imported" "$files"
printf '%-44s %10.2f\n' "import wall s" "$secs"
printf '%-44s %10.0f   (target >= 2000)  %s\n' "advisories/s" "$rate" "$([ "$(echo "$rate >= 2000" | bc)" = 1 ] && echo PASS || echo MISS)"
printf '%-44s %10.1f\n' "JSON MiB" "$(echo "$json_bytes / 1048576" | bc -l)"
printf '%-44s %10.1f   (target < JSON)   %s\n' "DB MiB" "$(echo "$db_bytes / 1048576" | bc -l)" "$([ "$db_bytes" -lt "$json_bytes" ] && echo PASS || echo MISS)"
app=$bench/app-image/oci
if [ -d "$app" ] && "$bulwark" scan --help >/dev/null 2>&1; then
  "$bulwark" scan "oci:$app:app" --db "$db" --cache-dir "$tmp/cache" --format json -o "$tmp/warmup.json" 2>/dev/null || true
  "$bulwark" scan "oci:$app:app" --db "$db" --cache-dir "$tmp/cache" --format json -o "$tmp/scan.json" 2>"$tmp/scan.err" || true
  npk=$(jq '.packages | length' "$tmp/scan.json" 2>/dev/null || echo 0)
  nv=$(jq '.vulnerabilities | length' "$tmp/scan.json" 2>/dev/null || echo 0)
  mt=$(grep -oE 'match(ing)?[^0-9]*[0-9.]+ ?m?s' "$tmp/scan.err" | tail -1 || true)
  printf '%-44s %10s\n' "app image packages matched (cached layers)" "$npk"
  printf '%-44s %10s\n' "vulnerabilities found" "$nv"
  printf '%-44s %s   (target < 100 ms for 2,000 packages)\n' "matching time (from the scan's log)" "${mt:-not logged}"
fi
