#!/usr/bin/env bash
# Installs the official SBOM schemas and reference data the tests validate against, from npm, at the
# versions pinned in tests/schemas/package-lock.json, into DEST (default build/schemas, not committed):
#   @cyclonedx/cyclonedx-library  res/schema/bom-1.5.SNAPSHOT.schema.json (+ spdx, jsf schemas it refs)
#   packageurl-js                 the reference purl parser (cross-checks our purl strings)
#   spdx-license-ids, spdx-exceptions  the SPDX licence and exception id lists
#   @microsoft/jest-sarif         lib/schemas/sarif-2.1.0-rtm.5.json, the OASIS SARIF 2.1.0 schema
# Idempotent: does nothing when DEST already holds exactly the pinned lock. Prints DEST's
# node_modules path on stdout. Exit 3 when npm is missing, 4 when the install fails (offline).
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)/tests/schemas"
dest="${1:-$(cd "$(dirname "$0")/.." && pwd)/build/schemas}"

if [ -f "$dest/node_modules/.package-lock.json" ] && cmp -s "$src/package-lock.json" "$dest/package-lock.json"; then
  echo "$dest/node_modules" # already installed: works offline
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-schemas: npm not found (scripts/install-deps.sh test)" >&2; exit 3; }
mkdir -p "$dest"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
# --ignore-scripts: these packages are data to us, nothing of theirs runs at install time.
# --legacy-peer-deps: cyclonedx-library's optional peers (ajv, libxml) are not needed for the files.
if ! (cd "$dest" && npm ci --ignore-scripts --legacy-peer-deps --no-audit --no-fund --loglevel=error >&2); then
  echo "fetch-schemas: npm ci failed in $dest" >&2
  exit 4
fi
echo "$dest/node_modules"
