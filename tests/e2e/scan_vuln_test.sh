#!/usr/bin/env bash
# `bulwark scan` end to end: the system and application vulnerability tabs.
#  (a) An unpatched Debian 12 image (debootstrap of bookworm only, no bookworm-security) with the
#      Debian advisories of $BW_SHARED_DATA/osv/Debian imported by `bulwark db import`:
#      - every reported OS vulnerability is real and every real one is reported: python3-apt's
#        own dpkg order (apt_pkg.version_compare, independent of our code) evaluates each
#        advisory's ranges for each installed package's SOURCE package and version, and the two
#        sets of (advisory, package, fixed version) must be equal;
#      - an upper layer upgrading the affected packages to their bookworm-security versions (the
#        real .debs, apt-get download, dpkg -i in the rootfs, umoci repack) makes the fixed ones
#        disappear, checked again the same way.
#  (b) Application packages: CVE-2021-44228 in the real log4j-core 2.14.0 jar of the shared
#      fixtures, CVE-2022-22965 in spring-beans 5.3.17 and CVE-2022-25845 in fastjson 1.2.80
#      (jars made here with zip and the pom.properties Maven writes), CVE-2020-8203 in lodash 4.17.15
#      and CVE-2021-44906 in minimist 1.2.0 (real npm install); none of them for the fixed
#      versions (log4j-core 2.17.1, spring-beans 5.3.18, fastjson 1.2.83, lodash 4.17.21,
#      minimist 1.2.6) installed next to them. Advisories from $BW_SHARED_DATA/osv/{Maven,npm};
#      a missing one is written here from the public facts (ids, package, ranges).
#  (c) --exit-code, --severity, --ignore-unfixed; SARIF output parses with the right rule ids;
#      a missing DB is a clear error.
source "$(dirname "$0")/lib.sh"

bw_e2e_start umoci jq zip
"$BW_PY" -c 'import apt_pkg' 2>/dev/null || bw_skip "python3-apt missing (scripts/install-deps.sh test)"
"$BULWARK" db --help >/dev/null 2>&1 || bw_skip "this bulwark has no \`db\` command (advisory DB module not built in)"
osv="${BW_SHARED_DATA:-}/osv"
bw_tmpdir scan
DB="$T/db.sqlite"
CACHE="$T/cache"

scan() { # scan OUT IMAGE ARGS...: bulwark scan into OUT.json (stdout), OUT.err, OUT.rc
  local out=$1 image=$2; shift 2
  bw_bulwark "$out" scan "$image" --db "$DB" --cache-dir "$CACHE" -q "$@"
  bw_check_stderr "$(basename "$out")" "$out.err"
}

# --- a missing DB --------------------------------------------------------------------------------
bw_debian_oci "$T/oci" base
scan "$T/nodb" "oci:$T/oci:base" --db "$T/absent.sqlite"
bw_check "a missing DB exits 1" test "$(cat "$T/nodb.rc")" = 1
bw_check "a missing DB says how to make one" grep -q "bulwark db import" "$T/nodb.err"

# --- (a) Debian 12 without bookworm-security ----------------------------------------------------
# check_debian REPORT: recomputes the OS findings from the advisories with python3-apt and compares
check_debian() {
  "$BW_PY" - "$1" "$osv/Debian" "$T/expected-$(basename "$1").tsv" <<'PY'
import glob, json, os, sys
import apt_pkg
apt_pkg.init()
vc = apt_pkg.version_compare
report = json.load(open(sys.argv[1]))
adv = {}
for f in glob.glob(os.path.join(sys.argv[2], "*.json")):
    d = json.load(open(f))
    for a in d.get("affected", []):
        p = a.get("package", {})
        if p.get("ecosystem") == "Debian:12":
            adv.setdefault(p["name"], []).append((d["id"], a))

def evaluate(a, v):
    """OSV evaluation with dpkg's order: (affected, smallest fixed above v)."""
    hit, fixes = False, []
    for r in a.get("ranges", []):
        if r.get("type") not in ("ECOSYSTEM", "SEMVER"):
            continue
        evs = []
        for e in r["events"]:
            k, x = next(iter(e.items()))
            evs.append((k, x))
        import functools
        def key(a_, b_):
            if a_[1] == "0" and a_[0] == "introduced": return -1 if not (b_[1] == "0" and b_[0] == "introduced") else 0
            if b_[1] == "0" and b_[0] == "introduced": return 1
            return vc(a_[1], b_[1])
        evs.sort(key=functools.cmp_to_key(key))
        inr = False
        for k, x in evs:
            if k == "introduced" and (x == "0" or vc(v, x) >= 0): inr = True
            elif k == "fixed" and vc(v, x) >= 0: inr = False
            elif k == "last_affected" and vc(v, x) > 0: inr = False
        if inr:
            hit = True
            fixes += [x for k, x in evs if k == "fixed" and vc(x, v) > 0]
    if not hit and v in a.get("versions", []):
        hit = True
    fixed = None
    for x in fixes:
        if fixed is None or vc(x, fixed) < 0: fixed = x
    return hit, fixed

expected = set()
for p in report["packages"]:
    if p["type"] != "deb": continue
    src = p.get("source_name") or p["name"]
    sv = p.get("source_version") or p["version"]
    for vid, a in adv.get(src, []):
        hit, fixed = evaluate(a, sv)
        if hit:
            expected.add((vid, p["name"], p["version"], fixed or "-"))
reported = {(v["id"], v["package"], v["installed_version"], v["fixed_version"] or "-")
            for v in report["vulnerabilities"] if v["class"] == "os"}
with open(sys.argv[3], "w") as f:
    for e in sorted(expected): f.write("\t".join(e) + "\n")
bad = sorted(reported - expected)
missed = sorted(expected - reported)
for b in bad[:20]: print("reported but not affected per python3-apt:", *b)
for m in missed[:20]: print("affected per python3-apt but not reported:", *m)
print(f"{len(reported)} OS findings reported, {len(expected)} expected, {len(bad)} false, {len(missed)} missed")
sys.exit(1 if bad or missed else 0)
PY
}

if [ ! -d "$osv/Debian" ]; then
  echo "SKIP (part a): no Debian advisories at $osv/Debian"
else
  bw_bulwark "$T/import" db import --db "$DB" -q "$osv/Debian"
  bw_check "db import of the Debian advisories" test "$(cat "$T/import.rc")" = 0
  scan "$T/deb" "oci:$T/oci:base" --format json
  bw_check "scan of Debian 12 exits 0" test "$(cat "$T/deb.rc")" = 0
  bw_check "every reported OS vulnerability is real, every real one reported (python3-apt)" \
    check_debian "$T/deb.out"
  n_before=$(jq '[.vulnerabilities[] | select(.class == "os")] | length' "$T/deb.out")
  bw_check "the unpatched image has OS vulnerabilities ($n_before)" test "$n_before" -gt 0
  bw_check "a Debian finding names the binary package, its layer and the dpkg database" \
    jq -e '[.vulnerabilities[] | select(.class == "os" and .type == "deb" and .layer != null
             and .path == "var/lib/dpkg/status" and .status == "fixed")] | length > 0' "$T/deb.out"
  bw_check "the db section names the Debian source" jq -e '.db.sources | any(startswith("Debian:12"))' "$T/deb.out"

  # The upgrade: binary packages of the affected source packages, at their bookworm-security
  # versions when those reach the fixed version.
  jq -r '.vulnerabilities[] | select(.class == "os" and .fixed_version != null) | [.package, .fixed_version] | @tsv' \
    "$T/deb.out" | sort -u >"$T/to-fix.tsv"
  mkdir -p "$T/debs"
  : >"$T/upgraded.tsv"
  while IFS=$'\t' read -r pkg fixed; do
    cand=$(apt-cache show "$pkg/bookworm-security" 2>/dev/null | awk '/^Version:/ { print $2; exit }')
    [ -n "$cand" ] || continue
    if "$BW_PY" -c 'import apt_pkg,sys; apt_pkg.init(); sys.exit(0 if apt_pkg.version_compare(sys.argv[1], sys.argv[2]) >= 0 else 1)' \
      "$cand" "$fixed"; then
      printf '%s\t%s\n' "$pkg" "$cand" >>"$T/upgraded.tsv"
    fi
  done <"$T/to-fix.tsv"
  sort -u -o "$T/upgraded.tsv" "$T/upgraded.tsv"
  if [ ! -s "$T/upgraded.tsv" ]; then
    echo "NOTE: no affected package has a bookworm-security version in this machine's apt lists: upgrade not tested"
  else
    (cd "$T/debs" && cut -f1 "$T/upgraded.tsv" | sed 's|$|/bookworm-security|' |
      xargs apt-get -o APT::Sandbox::User=root download -qq) >"$T/download.log" 2>&1 ||
      bw_not_ok "apt-get download of the bookworm-security packages: $(tail -3 "$T/download.log")"
    bundle="$T/bundle"
    bw_unpack "$T/oci" base "$bundle"
    if dpkg --root="$bundle/rootfs" --force-depends --force-confold -i "$T/debs"/*.deb >"$T/dpkg.log" 2>&1; then
      bw_ok "dpkg -i of $(wc -l <"$T/upgraded.tsv") bookworm-security packages in the rootfs"
    else
      bw_not_ok "dpkg -i in the rootfs: $(tail -5 "$T/dpkg.log")"
    fi
    bw_repack "$T/oci" patched "$bundle" "dpkg -i bookworm-security updates" >/dev/null
    scan "$T/patched" "oci:$T/oci:patched" --format json
    bw_check "scan of the patched image exits 0" test "$(cat "$T/patched.rc")" = 0
    bw_check "patched image: findings equal python3-apt's evaluation" check_debian "$T/patched.out"
    n_after=$(jq '[.vulnerabilities[] | select(.class == "os")] | length' "$T/patched.out")
    bw_check "upgraded packages lost the vulnerabilities their new version fixes (before $n_before, after $n_after)" \
      "$BW_PY" - "$T/patched.out" "$T/upgraded.tsv" "$n_before" <<'PY'
import json, sys
import apt_pkg
apt_pkg.init()
r = json.load(open(sys.argv[1]))
up = dict(l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip())
still = [v for v in r["vulnerabilities"] if v["class"] == "os" and v["package"] in up and v["fixed_version"]
         and apt_pkg.version_compare(up[v["package"]], v["fixed_version"]) >= 0]
for v in still: print("still reported:", v["id"], v["package"], v["installed_version"], v["fixed_version"])
inst = {p["name"]: p["version"] for p in r["packages"] if p["type"] == "deb"}
wrong = [p for p, ver in up.items() if inst.get(p) != ver]
for p in wrong: print("not upgraded in the scanned image:", p, inst.get(p), "want", up[p])
n_after = sum(1 for v in r["vulnerabilities"] if v["class"] == "os")
sys.exit(1 if still or wrong or n_after >= int(sys.argv[3]) else 0)
PY
    bw_check "the upgraded layer introduces the new versions" \
      jq -e --arg p "$(head -1 "$T/upgraded.tsv" | cut -f1)" \
      '[.packages[] | select(.name == $p) | .layer] | .[0] != null' "$T/patched.out"
  fi
fi

# --- (b) application packages --------------------------------------------------------------------
# Advisories: the shared GHSA records when present, else the smallest OSV record from the public
# facts of the advisory (id, alias, package, affected range).
mkdir -p "$T/advisories"
advisory() { # advisory GHSA ALIAS ECOSYSTEM PACKAGE INTRODUCED FIXED SEVERITY
  local dir=$3
  if [ -f "$osv/$dir/$1.json" ]; then
    cp "$osv/$dir/$1.json" "$T/advisories/$1.json"
  else
    printf '{"schema_version":"1.4.0","id":"%s","modified":"2023-01-01T00:00:00Z","aliases":["%s"],"summary":"%s (written by the e2e test from the public advisory)","affected":[{"package":{"ecosystem":"%s","name":"%s"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"%s"},{"fixed":"%s"}]}]}],"database_specific":{"severity":"%s"}}\n' \
      "$1" "$2" "$2" "$3" "$4" "$5" "$6" "$7" >"$T/advisories/$1.json"
  fi
}
advisory GHSA-jfh8-c2jp-5v3q CVE-2021-44228 Maven org.apache.logging.log4j:log4j-core 2.13.0 2.15.0 CRITICAL
advisory GHSA-36p3-wjmg-h94x CVE-2022-22965 Maven org.springframework:spring-beans 5.3.0 5.3.18 CRITICAL
advisory GHSA-pv7h-hx5h-mgfj CVE-2022-25845 Maven com.alibaba:fastjson 0 1.2.83 HIGH
advisory GHSA-p6mc-m468-83gw CVE-2020-8203 npm lodash 0 4.17.20 HIGH
advisory GHSA-xvch-5gv4-984h CVE-2021-44906 npm minimist 1.0.0 1.2.6 CRITICAL
bw_bulwark "$T/import-app" db import --db "$DB" -q "$T/advisories"
bw_check "db import of the application advisories" test "$(cat "$T/import-app.rc")" = 0

root="$T/approot"
mkdir -p "$root/etc" "$root/opt/app/lib" "$root/opt/fixed/lib"
printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >"$root/etc/os-release"
log4j="${BW_SHARED_DATA:-}/fixtures/jar/log4jscanner__jar__testdata__log4j-core-2.14.0.jar"
have_log4j=0
if [ -f "$log4j" ]; then
  cp "$log4j" "$root/opt/app/lib/log4j-core-2.14.0.jar"
  have_log4j=1
else
  echo "NOTE: no real log4j-core 2.14.0 jar at $log4j: the log4j check is skipped"
fi
mkjar() { # mkjar OUT.jar GROUP ARTIFACT VERSION: a jar as Maven builds it (manifest + pom.properties)
  local d
  d=$(mktemp -d "$T/jar.XXXXXX")
  mkdir -p "$d/META-INF/maven/$2/$3"
  printf 'Manifest-Version: 1.0\nImplementation-Title: %s\nImplementation-Version: %s\n' "$3" "$4" >"$d/META-INF/MANIFEST.MF"
  printf '#Generated by Maven\ngroupId=%s\nartifactId=%s\nversion=%s\n' "$2" "$3" "$4" >"$d/META-INF/maven/$2/$3/pom.properties"
  (cd "$d" && zip -qr "$1" META-INF)
  rm -rf "$d"
}
mkjar "$root/opt/app/lib/spring-beans-5.3.17.jar" org.springframework spring-beans 5.3.17
mkjar "$root/opt/app/lib/fastjson-1.2.80.jar" com.alibaba fastjson 1.2.80
mkjar "$root/opt/fixed/lib/log4j-core-2.17.1.jar" org.apache.logging.log4j log4j-core 2.17.1
mkjar "$root/opt/fixed/lib/spring-beans-5.3.18.jar" org.springframework spring-beans 5.3.18
mkjar "$root/opt/fixed/lib/fastjson-1.2.83.jar" com.alibaba fastjson 1.2.83

have_npm=0
if command -v npm >/dev/null 2>&1; then
  export npm_config_cache="$BW_CACHE/npm"
  npm_flags=(--no-audit --no-fund --ignore-scripts --prefer-offline --loglevel=error)
  mkdir -p "$root/srv/old" "$root/srv/new"
  echo '{"name":"old","version":"1.0.0","private":true}' >"$root/srv/old/package.json"
  echo '{"name":"new","version":"1.0.0","private":true}' >"$root/srv/new/package.json"
  if (cd "$root/srv/old" && timeout 600 npm install "${npm_flags[@]}" --save-exact lodash@4.17.15 minimist@1.2.0 &&
      cd "$root/srv/new" && timeout 600 npm install "${npm_flags[@]}" --save-exact lodash@4.17.21 minimist@1.2.6) \
    >"$T/npm.log" 2>&1; then
    have_npm=1
  else
    echo "NOTE: npm install failed (registry unreachable?): the npm checks are skipped"
    tail -5 "$T/npm.log"
  fi
else
  echo "NOTE: npm missing: the npm checks are skipped"
fi

bw_oci_from_rootfs "$root" "$T/appoci" app "COPY app /" >/dev/null 2>&1
scan "$T/app" "oci:$T/appoci:app" --format json
bw_check "scan of the application image exits 0" test "$(cat "$T/app.rc")" = 0
# has ALIAS PACKAGE VERSION: the report lists the advisory (by id or alias) for that package version
has() {
  jq -e --arg a "$1" --arg p "$2" --arg v "$3" \
    '[.vulnerabilities[] | select(.class == "app" and .package == $p and .installed_version == $v
       and (.id == $a or (.aliases | index($a))))] | length >= 1' "$T/app.out" >/dev/null
}
hasnt() { ! has "$@"; }
if [ "$have_log4j" = 1 ]; then
  bw_check "CVE-2021-44228 in the real log4j-core 2.14.0 jar" has CVE-2021-44228 org.apache.logging.log4j:log4j-core 2.14.0
  bw_check "log4j finding: fixed 2.15.0, CRITICAL, path of the jar" \
    jq -e '[.vulnerabilities[] | select(.id == "GHSA-jfh8-c2jp-5v3q" and .installed_version == "2.14.0")][0]
           | .fixed_version == "2.15.0" and .severity == "CRITICAL" and (.path | endswith("log4j-core-2.14.0.jar"))
             and .type == "maven"' "$T/app.out"
fi
bw_check "not in log4j-core 2.17.1" hasnt CVE-2021-44228 org.apache.logging.log4j:log4j-core 2.17.1
bw_check "CVE-2022-22965 in spring-beans 5.3.17" has CVE-2022-22965 org.springframework:spring-beans 5.3.17
bw_check "not in spring-beans 5.3.18" hasnt CVE-2022-22965 org.springframework:spring-beans 5.3.18
bw_check "CVE-2022-25845 in fastjson 1.2.80" has CVE-2022-25845 com.alibaba:fastjson 1.2.80
bw_check "not in fastjson 1.2.83" hasnt CVE-2022-25845 com.alibaba:fastjson 1.2.83
if [ "$have_npm" = 1 ]; then
  bw_check "CVE-2020-8203 in lodash 4.17.15" has CVE-2020-8203 lodash 4.17.15
  bw_check "not in lodash 4.17.21" hasnt CVE-2020-8203 lodash 4.17.21
  bw_check "CVE-2021-44906 in minimist 1.2.0" has CVE-2021-44906 minimist 1.2.0
  bw_check "not in minimist 1.2.6" hasnt CVE-2021-44906 minimist 1.2.6
  bw_check "minimist 1.2.0: fixed 1.2.6" \
    jq -e '[.vulnerabilities[] | select(.package == "minimist" and .installed_version == "1.2.0")][0].fixed_version == "1.2.6"' "$T/app.out"
fi
bw_check "no finding for any of the fixed versions" \
  jq -e '[.vulnerabilities[] | select(.path | test("opt/fixed|srv/new"))] | length == 0' "$T/app.out"

# --- (c) options and formats ---------------------------------------------------------------------
scan "$T/exit" "oci:$T/appoci:app" --exit-code 7
bw_check "--exit-code 7 with findings exits 7" test "$(cat "$T/exit.rc")" = 7
bw_check "the table groups by OS and application" grep -q "^Application packages: " "$T/exit.out"
bw_check "the table fits 80 columns" bash -c '! sed -n "/^OS packages:/,\$p" "$1" | grep -v "^\(OS\|Application\) packages:" | awk "length > 80" | grep -q .' _ "$T/exit.out"
scan "$T/sev" "oci:$T/appoci:app" --format json --severity CRITICAL --exit-code 7
bw_check "--severity CRITICAL keeps only CRITICAL" \
  jq -e '(.vulnerabilities | length > 0) and all(.vulnerabilities[]; .severity == "CRITICAL")' "$T/sev.out"
bw_check "--severity CRITICAL drops fastjson (HIGH)" \
  jq -e '[.vulnerabilities[] | select(.package == "com.alibaba:fastjson")] | length == 0' "$T/sev.out"
scan "$T/low" "oci:$T/appoci:app" --format json --severity LOW --exit-code 7
bw_check "--severity LOW with no LOW findings exits 0" test "$(cat "$T/low.rc")" = 0
bw_check "--severity LOW reports nothing here" jq -e '.vulnerabilities == [] and .summary.risk == "NONE"' "$T/low.out"
# an unfixed advisory for fastjson, then --ignore-unfixed
printf '{"id":"BW-TEST-UNFIXED-1","modified":"2023-01-01T00:00:00Z","summary":"no fix yet","affected":[{"package":{"ecosystem":"Maven","name":"com.alibaba:fastjson"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.2.0"}]}]}]}\n' \
  >"$T/unfixed.json"
bw_bulwark "$T/import-unfixed" db import --db "$DB" -q "$T/unfixed.json"
scan "$T/unf" "oci:$T/appoci:app" --format json
bw_check "an advisory without a fix is reported as unfixed" \
  jq -e '[.vulnerabilities[] | select(.id == "BW-TEST-UNFIXED-1")] | length == 2 and all(.[]; .status == "unfixed" and .fixed_version == null)' "$T/unf.out"
scan "$T/ign" "oci:$T/appoci:app" --format json --ignore-unfixed
bw_check "--ignore-unfixed leaves it out and keeps the fixed ones" \
  jq -e '([.vulnerabilities[] | select(.id == "BW-TEST-UNFIXED-1")] | length == 0) and (.vulnerabilities | length > 0)' "$T/ign.out"
scan "$T/usage" "oci:$T/appoci:app" --severity BOGUS
bw_check "a bad --severity is a usage error (2)" test "$(cat "$T/usage.rc")" = 2

scan "$T/sarif" "oci:$T/appoci:app" --format sarif
bw_check "SARIF: parses, version 2.1.0, one rule per reported advisory id, results point at rules" \
  "$BW_PY" - "$T/sarif.out" "$T/unf.out" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
r = json.load(open(sys.argv[2]))
assert s["version"] == "2.1.0"
run = s["runs"][0]
rules = [x["id"] for x in run["tool"]["driver"]["rules"]]
assert len(rules) == len(set(rules)), "duplicate rules"
assert set(rules) == {v["id"] for v in r["vulnerabilities"]}, (sorted(rules), sorted({v["id"] for v in r["vulnerabilities"]}))
assert "GHSA-36p3-wjmg-h94x" in rules
for x in run["tool"]["driver"]["rules"]:
    float(x["properties"]["security-severity"])
    assert x["shortDescription"]["text"] and x["helpUri"].startswith("http")
assert len(run["results"]) == len(r["vulnerabilities"])
for res in run["results"]:
    assert rules[res["ruleIndex"]] == res["ruleId"]
    assert res["level"] in ("error", "warning", "note")
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
print(f"SARIF: {len(rules)} rules, {len(run['results'])} results")
PY
scan "$T/cdx" "oci:$T/appoci:app" --format cyclonedx
bw_check "CycloneDX: vulnerabilities affect components of the document" \
  jq -e '([.components[]."bom-ref"]) as $refs | (.vulnerabilities | length > 0)
         and all(.vulnerabilities[].affects[]; .ref as $r | $refs | index($r))' "$T/cdx.out"

bw_finish
