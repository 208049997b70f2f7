#!/usr/bin/env bash
# Differential test of the version comparators (`bulwark version compare --batch`) against each
# ecosystem's own implementation, on a few thousand seeded random pairs per scheme:
# dpkg (python3-apt + dpkg's own syntax check), rpm (python3-rpm labelCompare), PEP 440
# (python3-packaging), npm (the node semver package, pinned, installed into the test cache),
# RubyGems (ruby's Gem::Version), Maven (ComparableVersion from libmaven3-core-java, through a
# ten-line Java class compiled with javac at test time), Packagist (php-composer-semver's
# VersionParser::normalize + Comparator).
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
rc=0
"$BW_PY" "$BW_E2E_DIR/version_diff.py" "$BULWARK" "$ref_dir" || rc=$?
exit $rc
