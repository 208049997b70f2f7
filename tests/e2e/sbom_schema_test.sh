#!/usr/bin/env bash
# SBOM documents against the official schemas and reference implementations, offline:
#  - the report writers' unit test (tests/unit/report/sbom_test.c) writes JSON, CycloneDX, SPDX and
#    table documents for Debian, Rocky and Alpine results into $BW_WORK/sbom;
#  - every CycloneDX file must validate against the CycloneDX 1.5 JSON schema shipped by the npm
#    package @cyclonedx/cyclonedx-library (with the spdx and jsf schemas it $refs, resolved locally);
#  - every purl must decode, with the purl project's packageurl-js, to the component's parts;
#  - every SPDX licence/exception id the licence normaliser emits must be on the official SPDX
#    lists (npm spdx-license-ids, spdx-exceptions);
#  - the SPDX files are validated against the SPDX 2.3 JSON schema when one is available
#    (BW_SPDX23_SCHEMA=path/to/spdx-schema.json): no npm or Debian package ships it, so by default
#    only the structural checks of the unit test cover SPDX.
# Packages come from scripts/fetch-schemas.sh (pinned by tests/schemas/package-lock.json).
set -uo pipefail
: "${BW_SRC:?}" "${BW_BUILD:?}" "${BW_WORK:=$BW_BUILD/e2e-work}"

skip() { echo "SKIP: $*"; exit 77; }
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

command -v python3 >/dev/null || skip "python3 not installed (scripts/install-deps.sh test)"
python3 -c "import jsonschema" 2>/dev/null || skip "python3-jsonschema not installed (scripts/install-deps.sh test)"
command -v node >/dev/null || skip "node not installed (scripts/install-deps.sh test)"

modules=$("$BW_SRC/scripts/fetch-schemas.sh" "$BW_BUILD/schemas")
case $? in
  0) ;;
  3) skip "npm not installed: cannot fetch the official schemas (scripts/install-deps.sh test)" ;;
  *) skip "could not install the pinned schema packages from npm (offline?): see scripts/fetch-schemas.sh" ;;
esac
cdx_schema="$modules/@cyclonedx/cyclonedx-library/res/schema/bom-1.5.SNAPSHOT.schema.json"
[ -f "$cdx_schema" ] || fail "CycloneDX 1.5 schema missing at $cdx_schema"

out="$BW_WORK/sbom"
rm -rf "$out" && mkdir -p "$out"
writer_test="$BW_BUILD/tests/sbom_test"
[ -x "$writer_test" ] || { echo "FAIL: $writer_test not built"; exit 1; }
if ! "$writer_test" "$out" >"$out/writer.log" 2>&1; then
  cat "$out/writer.log"
  fail "the writers' unit test failed"
fi

# The vulnerability parts of the writers (tests/unit/report/vuln_report_test.c): a CycloneDX file
# with a vulnerabilities section (validated below with the others) and a SARIF file.
vuln_test="$BW_BUILD/tests/vuln_report_test"
if [ -x "$vuln_test" ]; then
  if ! "$vuln_test" "$out" >"$out/vuln-writer.log" 2>&1; then
    cat "$out/vuln-writer.log"
    fail "the vulnerability writers' unit test failed"
  fi
else
  fail "$vuln_test not built"
fi
sarif_schema="$modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json"
if [ -f "$sarif_schema" ]; then
  for doc in "$out"/*.sarif; do
    [ -e "$doc" ] || { fail "no SARIF document in $out"; break; }
    python3 "$BW_SRC/tests/tools/validate_schema.py" "$sarif_schema" "$doc" || fail "$doc is not valid SARIF 2.1.0"
  done
  python3 - "$out/debian-vulns.sarif" "$out/broken.sarif.bad" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["runs"][0]["results"][0]["level"] = "fatal"
json.dump(d, open(sys.argv[2], "w"))
PY
  if python3 "$BW_SRC/tests/tools/validate_schema.py" "$sarif_schema" "$out/broken.sarif.bad" 2>/dev/null; then
    fail "the schema validator accepted a broken SARIF document"
  fi
else
  fail "SARIF 2.1.0 schema missing at $sarif_schema"
fi

n=0
for doc in "$out"/*.cdx.json; do
  [ -e "$doc" ] || continue
  n=$((n + 1))
  python3 "$BW_SRC/tests/tools/validate_schema.py" "$cdx_schema" "$doc" || fail "$doc is not valid CycloneDX 1.5"
done
[ "$n" -ge 3 ] || fail "expected at least 3 CycloneDX documents in $out, found $n"

# The validator must be able to say no: a document with a bad component type fails.
python3 - "$out/debian.cdx.json" "$out/broken.cdx.json.bad" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["components"][0]["type"] = "not-a-type"
d["components"][1]["licenses"] = [{"license": {"id": "Not-An-SPDX-Id"}}]
json.dump(d, open(sys.argv[2], "w"))
PY
if python3 "$BW_SRC/tests/tools/validate_schema.py" "$cdx_schema" "$out/broken.cdx.json.bad" 2>/dev/null; then
  fail "the schema validator accepted a broken CycloneDX document"
fi

NODE_PATH="$modules" node "$BW_SRC/tests/tools/check_purls.js" "$out"/*.cdx.json || fail "purls do not decode to their components"

# Licence and exception ids the SPDX writer may emit are on the official lists.
python3 - "$out/spdx-known-ids.txt" "$modules" <<'PY' || fail "unknown SPDX ids in the licence normaliser"
import json, os, sys
mods = sys.argv[2]
lic = set(json.load(open(os.path.join(mods, "spdx-license-ids/index.json"))))
lic |= set(json.load(open(os.path.join(mods, "spdx-license-ids/deprecated.json"))))
exc = set(json.load(open(os.path.join(mods, "spdx-exceptions/index.json"))))
bad = []
n = 0
for line in open(sys.argv[1]):
    kind, ident = line.split()
    n += 1
    if ident not in (lic if kind == "license" else exc):
        bad.append(f"{kind} {ident}")
for b in bad:
    print(f"not an official SPDX id: {b}")
print(f"spdx ids: {n} checked, {len(bad)} unknown")
sys.exit(1 if bad or n == 0 else 0)
PY

# And every id used in the SPDX documents' licence expressions is one of them or a LicenseRef.
python3 - "$modules" "$out"/*.spdx.json <<'PY' || fail "SPDX documents use licence ids that are not on the SPDX list"
import json, os, re, sys
mods = sys.argv[1]
ok = set(json.load(open(os.path.join(mods, "spdx-license-ids/index.json"))))
ok |= set(json.load(open(os.path.join(mods, "spdx-license-ids/deprecated.json"))))
ok |= set(json.load(open(os.path.join(mods, "spdx-exceptions/index.json"))))
bad = 0
for path in sys.argv[2:]:
    d = json.load(open(path))
    refs = {e["licenseId"] for e in d.get("hasExtractedLicensingInfos", [])}
    for p in d["packages"]:
        for field in ("licenseDeclared", "licenseConcluded"):
            for tok in re.split(r"[\s()]+", p.get(field, "")):
                if tok in ("", "AND", "OR", "WITH", "NOASSERTION", "NONE"):
                    continue
                tok = tok[:-1] if tok.endswith("+") else tok
                if tok.startswith("LicenseRef-"):
                    if tok not in refs:
                        print(f"{path}: {tok} not in hasExtractedLicensingInfos"); bad += 1
                elif tok not in ok:
                    print(f"{path}: {tok} is not an SPDX id"); bad += 1
sys.exit(1 if bad else 0)
PY

# The same documents from the real binary: `bulwark sbom dir:ROOTFS` over a small root file system
# (an os-release we write, and a real dpkg status database from the shared fixtures when present).
if [ -x "${BULWARK:-}" ]; then
  rootfs="$out/rootfs"
  mkdir -p "$rootfs/etc" "$rootfs/var/lib/dpkg"
  printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' \
    >"$rootfs/etc/os-release"
  status="${BW_SHARED_DATA:-}/fixtures/dpkg/osv-scalibr__extractor__filesystem__os__dpkg__testdata__dpkg__valid"
  [ -f "$status" ] && cp "$status" "$rootfs/var/lib/dpkg/status"
  for fmt in cyclonedx spdx json table; do
    if ! SOURCE_DATE_EPOCH=1700000000 "$BULWARK" sbom "dir:$rootfs" --format "$fmt" -o "$out/cli.$fmt" \
      >"$out/cli.$fmt.log" 2>&1; then
      cat "$out/cli.$fmt.log"
      fail "bulwark sbom --format $fmt failed"
    fi
  done
  python3 "$BW_SRC/tests/tools/validate_schema.py" "$cdx_schema" "$out/cli.cyclonedx" ||
    fail "bulwark sbom --format cyclonedx is not valid CycloneDX 1.5"
  NODE_PATH="$modules" node "$BW_SRC/tests/tools/check_purls.js" "$out/cli.cyclonedx" >/dev/null 2>&1 ||
    echo "NOTE: bulwark sbom found no packages in the test root file system yet (analysers not merged)"
  python3 - "$out/cli.json" "$out/cli.spdx" <<'PY' || fail "bulwark sbom json/spdx output malformed"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["schema"] == "bulwark.report/v1", r.get("schema")
assert isinstance(r["packages"], list) and r["summary"]["risk"] == "NONE"
s = json.load(open(sys.argv[2]))
assert s["spdxVersion"] == "SPDX-2.3" and s["creationInfo"]["created"] == "2023-11-14T22:13:20Z"
assert any(x["relationshipType"] == "DESCRIBES" for x in s["relationships"])
print(f"bulwark sbom: {len(r['packages'])} packages, {len(s['packages'])} SPDX packages")
PY
  grep -q "^Name" "$out/cli.table" || fail "bulwark sbom --format table has no package table header"
else
  echo "NOTE: \$BULWARK not set or not built: CLI documents not checked"
fi

if [ -n "${BW_SPDX23_SCHEMA:-}" ]; then
  for doc in "$out"/*.spdx.json "$out/cli.spdx"; do
    python3 "$BW_SRC/tests/tools/validate_schema.py" "$BW_SPDX23_SCHEMA" "$doc" || fail "$doc is not valid SPDX 2.3"
  done
else
  echo "NOTE: SPDX 2.3 JSON schema validation not run: no npm or Debian package ships the schema;" \
       "set BW_SPDX23_SCHEMA to a copy of spdx-spec v2.3 schemas/spdx-schema.json to run it"
fi

if [ "$fails" -ne 0 ]; then
  echo "$fails check(s) failed"
  exit 1
fi
echo "sbom schema checks passed"
