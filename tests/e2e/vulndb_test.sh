#!/bin/bash
# Advisory DB end to end: import of the shared OSV tree (records/s, DB size vs JSON size), kill -9
# during an import leaves the old DB readable, zip archives (a good one, a zip bomb), a 1 GB file,
# nothing readable -> exit 1, and `db update` from a local HTTP server with an interrupted download
# that the next run resumes.
source "$(dirname "$0")/lib.sh"
[ -x "$BW_PY" ] || bw_skip "Debian python3 missing at $BW_PY"
bw_tmpdir vulndb
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
B() { "$BULWARK" "$@"; }
info_count() { B db info --db "$1" | awk '/^advisories:/ {print $2}'; }

# --- synthetic records (written here from nothing but the OSV schema) ---
gen() { # gen DIR N PREFIX ECO: N small records
  "$BW_PY" - "$@" <<'PY'
import json, os, sys
d, n, prefix, eco = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
os.makedirs(d, exist_ok=True)
for i in range(n):
    rec = {"id": f"{prefix}-{i:06d}", "modified": "2024-01-01T00:00:00Z", "summary": f"test advisory {i}",
           "affected": [{"package": {"ecosystem": eco, "name": f"pkg{i % 997}"},
                         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": f"1.{i}"}]}]}]}
    with open(os.path.join(d, f"{prefix}-{i:06d}.json"), "w") as f:
        json.dump(rec, f)
PY
}

# --- 1. the shared OSV tree ---
OSV="$BW_SHARED_DATA/osv"
if [ -d "$OSV" ]; then
  t0=$(date +%s.%N)
  B db import -q --db "$T/full.sqlite" "$OSV" 2>"$T/full.log" || true
  t1=$(date +%s.%N)
  cat "$T/full.log"
  json=$(du -sb "$OSV" | cut -f1)
  dbs=$(stat -c %s "$T/full.sqlite")
  n=$(info_count "$T/full.sqlite")
  echo "full import: $n advisories in $(echo "$t1 - $t0" | bc) s; DB $dbs bytes vs JSON $json bytes"
  bw_check "full shared OSV tree imported" test "${n:-0}" -gt 10000
  bw_check "DB smaller than the JSON ($dbs < $json)" test "$dbs" -lt "$json"
  bw_check "import rate printed" grep -q "records/s" "$T/full.log"
  # a second import of the same tree changes nothing
  B db import -q --db "$T/full.sqlite" "$OSV" 2>"$T/again.log" || true
  cat "$T/again.log"
  bw_check "re-import: nothing inserted or updated" grep -q " 0 inserted, 0 updated" "$T/again.log"
else
  echo "SKIP: $OSV missing: the full-tree import is not measured (the rest runs)"
fi

# --- 2. kill -9 in the middle of an import ---
gen "$T/small" 50 KILLA npm
gen "$T/big" 40000 KILLB PyPI
B db import -q --db "$T/k.sqlite" "$T/small" 2>/dev/null
before=$(info_count "$T/k.sqlite")
# the binary itself in the background (not the shell function B): kill -9 must hit bulwark
"$BULWARK" db import -q --db "$T/k.sqlite" "$T/big" 2>/dev/null &
pid=$!
sleep 2
if kill -0 "$pid" 2>/dev/null; then
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  after=$(info_count "$T/k.sqlite" || echo failed)
  bw_check "after kill -9, db info shows the old DB ($before = $after)" test "$after" = "$before"
  B db import -q --db "$T/k.sqlite" "$T/big" 2>/dev/null
  bw_check "import after the kill completes" test "$(info_count "$T/k.sqlite")" = "$((before + 40000))"
else
  wait "$pid" || true
  echo "note: the import finished within 2 s, kill -9 not exercised"
fi

# --- 3. zip archives, zip bomb, 1 GB file ---
mkdir -p "$T/z"
"$BW_PY" - "$T/z" <<'PY'
import json, sys, zipfile
d = sys.argv[1]
with zipfile.ZipFile(f"{d}/npm-all.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(3):
        z.writestr(f"GHSA-test-000{i}.json", json.dumps({"id": f"GHSA-test-000{i}", "modified": "2024-01-01T00:00:00Z",
            "affected": [{"package": {"ecosystem": "npm", "name": f"zpkg{i}"},
                          "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "2.0.0"}]}]}]}))
    z.writestr("not-a-record.txt", "ignored")
# zip bomb: 1 GiB of zeros deflates to ~1 MiB
with zipfile.ZipFile(f"{d}/bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("bomb.json", "w", force_zip64=True) as f:
        chunk = b"\0" * (1 << 20)
        for _ in range(1024):
            f.write(chunk)
PY
truncate -s 1G "$T/z/huge.json"
bw_check "bomb archive is small ($(stat -c %s "$T/z/bomb.zip") bytes)" test "$(stat -c %s "$T/z/bomb.zip")" -lt 20000000
s0=$(date +%s)
B db import -q --db "$T/z.sqlite" "$T/z/npm-all.zip" "$T/z/bomb.zip" "$T/z/huge.json" 2>"$T/z.log"
rc=$?
s1=$(date +%s)
cat "$T/z.log"
bw_check "zip import exit 0" test "$rc" = 0
bw_check "3 records from the zip" grep -q "3 inserted" "$T/z.log"
bw_check "bomb and 1 GB file skipped as too large" grep -q "too large 2" "$T/z.log"
bw_check "skipping them took under 30 s ($((s1 - s0)) s)" test $((s1 - s0)) -lt 30
bw_check "3 advisories in the DB" test "$(info_count "$T/z.sqlite")" = 3
set +e
B db import -q --db "$T/none.sqlite" "$T/z/huge.json" 2>"$T/none.log"
rc=$?
set -e
bw_check "nothing readable: exit 1 ($rc)" test "$rc" = 1

# --- 4. db update from a local HTTP server, interrupted and resumed ---
mkdir -p "$T/srv/npm" "$T/srv/PyPI"
cp "$T/z/npm-all.zip" "$T/srv/npm/all.zip"
gen "$T/pypi-src" 3000 PYUPD PyPI
(cd "$T/pypi-src" && "$BW_PY" -c "
import os, zipfile
with zipfile.ZipFile('$T/srv/PyPI/all.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    for n in sorted(os.listdir('.')): z.write(n)
")
"$BW_PY" "$BW_E2E_DIR/vulndb_serve.py" "$T/srv" "$T/port" "$T/srv.log" 1 &
srv=$!
bw_on_exit "kill $srv 2>/dev/null"
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
URL="http://127.0.0.1:$(cat "$T/port")"
cp "$T/k.sqlite" "$T/u.sqlite"
old=$(info_count "$T/u.sqlite")
set +e
B db update -q --db "$T/u.sqlite" --from "$URL" --ecosystem npm --ecosystem PyPI 2>"$T/u1.log"
rc1=$?
set -e
cat "$T/u1.log"
bw_check "interrupted download fails the update ($rc1)" test "$rc1" = 1
bw_check "old DB intact after a failed update" test "$(info_count "$T/u.sqlite")" = "$old"
# each archive's first download is cut: npm resumes on the 2nd run, PyPI on the 3rd
set +e
for attempt in 2 3; do
  B db update -q --db "$T/u.sqlite" --from "$URL" --ecosystem npm --ecosystem PyPI --ecosystem Hackage 2>"$T/u2.log"
  rc2=$?
  cat "$T/u2.log"
  [ "$rc2" = 0 ] && break
  bw_check "old DB intact after failed update $attempt" test "$(info_count "$T/u.sqlite")" = "$old"
done
set -e
bw_check "update succeeds on attempt $attempt ($rc2)" test "$rc2" = 0
bw_check "download resumed with a Range request" grep -q "bytes=" "$T/srv.log"
bw_check "update imported both archives" test "$(info_count "$T/u.sqlite")" = "$((old + 3 + 3000))"
bw_check "missing ecosystem archive is a warning" grep -q "Hackage has no all.zip" "$T/u2.log"
bw_check "no temporary files left" sh -c "! ls '$T'/u.sqlite.* 2>/dev/null | grep -q ."
B db info --db "$T/u.sqlite"
bw_finish
