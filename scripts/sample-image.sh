#!/usr/bin/env bash
# Builds the sample image `make run` scans: a real Debian 12 image (debootstrap --variant=minbase
# bookworm, packed with umoci) as the OCI layout OUTDIR/oci, tag latest. Cached: does nothing when
# OUTDIR/oci already holds the tag. The debootstrap rootfs is cached too (under BW_WORK/cache, by
# default OUTDIR/../e2e-work/cache), with the same helpers the end-to-end tests use.
#
# usage: scripts/sample-image.sh OUTDIR        then: bulwark sbom oci:OUTDIR/oci:latest
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ -e "$out/oci/index.json" ] &&
   jq -e '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "latest")' \
     "$out/oci/index.json" >/dev/null 2>&1; then
  echo "sample image: $out/oci:latest (cached)" >&2
  exit 0
fi

for t in debootstrap umoci jq tar flock; do
  command -v "$t" >/dev/null || { echo "sample-image: $t missing: run scripts/install-deps.sh test" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "sample-image: debootstrap needs root" >&2; exit 1; }

export BW_WORK=${BW_WORK:-$(dirname "$out")/e2e-work}
source "$(dirname "$0")/../tests/e2e/lib.sh"

rm -rf "$out/oci.tmp"
bw_debian_oci "$out/oci.tmp" latest
rm -rf "$out/oci"
mv "$out/oci.tmp" "$out/oci"
echo "sample image: $out/oci:latest ($(du -sh "$out/oci" | cut -f1), Debian 12 minbase)" >&2
