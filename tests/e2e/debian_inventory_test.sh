#!/usr/bin/env bash
# Acceptance: the package inventory of a real Debian 12 image (debootstrap minbase, packed with
# umoci) equals what dpkg itself says about that rootfs, through every local transport:
# oci:LAYOUT:TAG, oci-archive:FILE:TAG, docker-archive:FILE (both made by skopeo) and dir:ROOTFS.
# Also: purls, OS detection, the layer each package came from, -o FILE, and the other formats.
source "$(dirname "$0")/lib.sh"
bw_e2e_start debootstrap umoci skopeo jq dpkg-query tar

bw_tmpdir debian_inventory
TAG=bookworm

# --- fixtures ---------------------------------------------------------------------------------
bw_log "fixtures in $T"
bw_debian_rootfs "$T/rootfs"
bw_debian_oci "$T/oci" "$TAG"
bw_oci_to_archive "$T/oci" "$TAG" oci-archive "$T/image.oci.tar"
bw_oci_to_archive "$T/oci" "$TAG" docker-archive "$T/image.docker.tar"

bw_dpkg_expected "$T/rootfs" >"$T/expected.tsv"
npkg=$(wc -l <"$T/expected.tsv")
bw_check "dpkg-query lists the minbase packages ($npkg)" test "$npkg" -ge 50
for p in base-files libc6 dpkg bash coreutils; do
  bw_check "expected list has $p" grep -q "^$p	" "$T/expected.tsv"
done
bw_check "expected list has packages with a Source: other than the name (e.g. libc6 from glibc)" \
  grep -q "^libc6	[^	]*	amd64	glibc	" "$T/expected.tsv"
bw_check "expected list has Architecture: all packages" grep -q "	all	" "$T/expected.tsv"
bw_oci_diff_ids "$T/oci" "$TAG" >"$T/diff_ids"
bw_oci_layer_digests "$T/oci" "$TAG" >"$T/layer_digests"
bw_check "the OCI image has one layer" test "$(wc -l <"$T/diff_ids")" -eq 1
bw_e2e_fixtures_done

# --- one scan per transport -------------------------------------------------------------------
check_report() { # NAME IMAGE LAYERED(0|1)
  local name=$1 image=$2 layered=$3 out="$T/$1"
  bw_log "scanning $image"
  local t0=$SECONDS
  bw_sbom "$out" "$image"
  bw_check_stderr "$name" "$out.err"
  local rc
  rc=$(cat "$out.rc")
  if [ "$rc" -ne 0 ]; then
    bw_not_ok "$name: bulwark sbom $image exited $rc"
    bw_show_err "$out.err"
    return
  fi
  bw_ok "$name: bulwark sbom exits 0 ($((SECONDS - t0))s)"
  if ! jq -e . "$out.json" >/dev/null 2>&1; then
    bw_not_ok "$name: stdout is not one JSON document"
    head -c 600 "$out.json"
    return
  fi
  bw_check "$name: schema is bulwark.report/v1" \
    jq -e '.schema == "bulwark.report/v1"' "$out.json"

  bw_report_packages "$out.json" >"$out.tsv"
  bw_compare_lists "$name: packages == dpkg-query" "$T/expected.tsv" "$out.tsv"

  bw_check "$name: every package has type deb (no other ecosystem in minbase)" \
    jq -e '[.packages[] | select(.type != "deb")] | length == 0' "$out.json"
  bw_check "$name: artifact.os is debian 12" \
    jq -e '.artifact.os.family == "debian" and .artifact.os.version == "12"' "$out.json"
  local bad
  bad=$(jq -r "$BW_JQ_DEFS"' bad_deb_purls("debian-12")[]' "$out.json")
  if [ -z "$bad" ]; then
    bw_ok "$name: purls are pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=debian-12"
  else
    bw_not_ok "$name: purls not of the form pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=debian-12"
    head -n 10 <<<"$bad"
  fi
  bw_check "$name: example purl (libc6, built from glibc) is exact" \
    jq -e --arg v "$(awk -F'\t' '$1 == "libc6" { print $2 }' "$T/expected.tsv")" \
      '[.packages[] | select(.name == "libc6")][0].purl
       == "pkg:deb/debian/libc6@\($v | gsub("\\+"; "%2B"))?arch=amd64&distro=debian-12"' \
      "$out.json"
  bw_check "$name: every package's path is var/lib/dpkg/status" \
    jq -e '[.packages[] | select(.path != "var/lib/dpkg/status")] | length == 0' "$out.json"
  bw_check "$name: every package has a licenses field" \
    jq -e '[.packages[] | select(has("licenses") | not)] | length == 0' "$out.json"
  bw_check "$name: licenses are read from the copyright files (bash is GPL-3+)" \
    jq -e '[.packages[] | select(.name == "bash")][0].licenses | tostring | test("GPL-3")' \
      "$out.json"

  if [ "$layered" = 1 ]; then
    bw_check "$name: artifact.layers[].diff_id == the config's rootfs.diff_ids" \
      diff <(jq -r '.artifact.layers[].diff_id' "$out.json") "$T/diff_ids"
    bw_check "$name: every package's layer is a diff_id of artifact.layers" \
      jq -e '[.artifact.layers[].diff_id] as $ids
             | [.packages[] | select(.layer as $l | $ids | index($l) | not)] | length == 0' \
      "$out.json"
    bw_check "$name: every package's layer is the image's only layer" \
      jq -e --arg d "$(head -n1 "$T/diff_ids")" '[.packages[] | select(.layer != $d)] | length == 0' \
      "$out.json"
    bw_check "$name: artifact.architecture is amd64" \
      jq -e '.artifact.architecture == "amd64"' "$out.json"
    # a docker-archive holds no registry manifest, so it may have no manifest digest to report
    bw_check "$name: artifact.digest is a sha256 digest" \
      jq -e --arg n "$name" '.artifact.digest as $d
        | if $d == null then $n == "docker-archive" else $d | test("^sha256:[0-9a-f]{64}$") end' "$out.json"
  fi
}

check_report oci "oci:$T/oci:$TAG" 1
bw_check "oci: artifact.layers[].digest == the manifest's layer digests" \
  diff <(jq -r '.artifact.layers[].digest' "$T/oci.json" 2>/dev/null) "$T/layer_digests"
bw_check "oci: artifact.digest is the manifest digest" \
  jq -e --arg d "$(bw_oci_manifest_digest "$T/oci" "$TAG")" '.artifact.digest == $d' "$T/oci.json"
check_report oci-archive "oci-archive:$T/image.oci.tar:$TAG" 1
check_report docker-archive "docker-archive:$T/image.docker.tar" 1
check_report dir "dir:$T/rootfs" 0

# --- same image, other output options -----------------------------------------------------------
if [ -s "$T/oci.json" ]; then
  bw_bulwark "$T/o-file" sbom "oci:$T/oci:$TAG" --format json -o "$T/o-file.json" --cache-dir "$T/oci.cache"
  bw_check "-o FILE: exit 0" test "$(cat "$T/o-file.rc")" -eq 0
  bw_check "-o FILE (warm cache): the file has the packages of the first (cold cache) run" \
    diff <(jq -S .packages "$T/oci.json") <(jq -S .packages "$T/o-file.json" 2>&1)
  bw_check "-o FILE: nothing on stdout" test ! -s "$T/o-file.out"

  jq -r '.packages[].purl' "$T/oci.json" | sort -u >"$T/purls"
  bw_bulwark "$T/cdx" sbom "oci:$T/oci:$TAG" --format cyclonedx --cache-dir "$T/oci.cache"
  bw_check "cyclonedx: exit 0" test "$(cat "$T/cdx.rc")" -eq 0
  bw_check "cyclonedx: bomFormat CycloneDX" jq -e '.bomFormat == "CycloneDX"' "$T/cdx.out"
  bw_check "cyclonedx: the components' purls are the JSON report's purls" \
    diff "$T/purls" <(jq -r '[.. | objects | select(has("purl")) | .purl] | unique[]' "$T/cdx.out" 2>&1 | sort)

  bw_bulwark "$T/spdx" sbom "oci:$T/oci:$TAG" --format spdx --cache-dir "$T/oci.cache"
  bw_check "spdx: exit 0" test "$(cat "$T/spdx.rc")" -eq 0
  bw_check "spdx: spdxVersion SPDX-2.x" jq -e '.spdxVersion | startswith("SPDX-2.")' "$T/spdx.out"
  bw_check "spdx: the packages' purl external refs are the JSON report's purls" \
    diff "$T/purls" <(jq -r '[.packages[]?.externalRefs[]? | select(.referenceType == "purl")
                            | .referenceLocator] | unique[]' "$T/spdx.out" 2>&1 | sort)

  bw_bulwark "$T/table" sbom "oci:$T/oci:$TAG" --format table --cache-dir "$T/oci.cache"
  bw_check "table: exit 0" test "$(cat "$T/table.rc")" -eq 0
  bw_check "table: names every package" \
    bash -c 'for p in $(cut -f1 "$1"); do grep -qwF -- "$p" "$2" || { echo "missing $p"; exit 1; }; done' \
      _ "$T/expected.tsv" "$T/table.out"

  for r in o-file cdx spdx table; do bw_check_stderr "$r" "$T/$r.err"; done

  bw_bulwark "$T/missing" sbom "oci:$T/no-such-layout:$TAG" --format json --cache-dir "$T/oci.cache"
  bw_check "a missing image: exit 1" test "$(cat "$T/missing.rc")" -eq 1
  bw_check "a missing image: an error on stderr naming it" grep -q "no-such-layout" "$T/missing.err"
  bw_check "a missing image: nothing on stdout" test ! -s "$T/missing.out"
fi

bw_finish
