#!/usr/bin/env bash
# Differential test of the version comparators (`bulwark version compare --batch`) against each
# ecosystem's own implementation, on a few thousand seeded random pairs per scheme:
# dpkg (python3-apt + dpkg's own syntax check), rpm (python3-rpm labelCompare), PEP 440
# (python3-packaging), npm (the node semver package, pinned, installed into the test cache),
# RubyGems (ruby's Gem::Version), Maven (ComparableVersion from libmaven3-core-java, through a
# ten-line Java class compiled with javac at test time), Packagist (php-composer-semver's
# VersionParser::normalize + Comparator), Go (golang.org/x/mod/semver from golang-golang-x-mod-dev),
# crates.io (the semver crate from librust-semver-dev, built offline with cargo).
# A scheme whose reference is missing is skipped with a line saying so; any disagreement fails.
source "$(dirname "$0")/lib.sh"

SEMVER_PIN=7.6.3
ref_dir=$BW_CACHE/version-refs
mkdir -p "$ref_dir"
if [ ! -d "$ref_dir/node_modules/semver" ] && command -v npm >/dev/null; then
  (cd "$ref_dir" && timeout 120 npm install --no-audit --no-fund --silent --prefix "$ref_dir" \
    "semver@$SEMVER_PIN" >/dev/null 2>&1) || echo "note: npm install semver@$SEMVER_PIN failed"
fi
[ -x "$BW_PY" ] || bw_skip "no $BW_PY"

# The command line itself: one pair, --batch with a bad line, usage errors, plain `version`.
out=$("$BULWARK" version compare --ecosystem Debian:12 1.0-1 1.0-1+deb12u1)
[ "$out" = "-1" ] && bw_ok "compare one pair" || bw_not_ok "compare one pair printed '$out'"
out=$(printf '1.0\t1.0.0\nnot-a-version\t1.0\n1.2.3\t1.2.4\nno tab\n' |
  "$BULWARK" version compare --ecosystem npm --batch) && st=0 || st=$?
want=$(printf '%s\n' 'error: not a semantic version (MAJOR.MINOR.PATCH)' 'error: not a semantic version (MAJOR.MINOR.PATCH)' '-1' 'error: expected "A<TAB>B"')
[ "$out" = "$want" ] && [ "$st" = 1 ] && bw_ok "batch: one answer a line, errors in place, exit 1" ||
  bw_not_ok "batch printed [$out] exit $st"
out=$(printf '1.0\t1.0.0\n' | "$BULWARK" version compare --ecosystem PyPI --batch) && st=0 || st=$?
[ "$out" = "0" ] && [ "$st" = 0 ] && bw_ok "batch exit 0 when all pairs parse" || bw_not_ok "batch printed [$out] exit $st"
"$BULWARK" version compare --ecosystem Nope 1 2 >/dev/null 2>&1 && st=0 || st=$?
[ "$st" = 2 ] && bw_ok "unknown ecosystem is a usage error" || bw_not_ok "unknown ecosystem exit $st"
"$BULWARK" version compare --ecosystem Go v1.0.0 >/dev/null 2>&1 && st=0 || st=$?
[ "$st" = 2 ] && bw_ok "one version is a usage error" || bw_not_ok "one version: exit $st"
"$BULWARK" version compare --ecosystem Go v1.0.0 junk >/dev/null 2>&1 && st=0 || st=$?
[ "$st" = 1 ] && bw_ok "an invalid version is exit 1" || bw_not_ok "invalid version: exit $st"
"$BULWARK" version | grep -q '^bulwark [0-9]' && bw_ok "plain version" || bw_not_ok "plain version"
[ "$BW_FAILS" = 0 ] || exit 1

rc=0
"$BW_PY" "$BW_E2E_DIR/version_diff.py" "$BULWARK" "$ref_dir" || rc=$?
exit $rc
