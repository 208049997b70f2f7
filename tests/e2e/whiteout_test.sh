#!/usr/bin/env bash
# Acceptance: layers are merged the way a container runtime merges them.
#  1. Real .deb files (apt-get download hello sl libncurses6) installed by dpkg over the debootstrap
#     rootfs in a second layer, purged by dpkg in a third; umoci writes the purge as whiteouts.
#     The 2-layer image reports them (attributed to layer 2), the 3-layer image does not.
#  2. Distroless layout (var/lib/dpkg/status.d/<pkg> files from the real packages' control files):
#     a file whiteout (.wh.<pkg>) removes one package; an opaque whiteout (.wh..wh..opq) of
#     status.d with one new entry leaves only that entry.
# Expected lists always come from dpkg-query over the same database.
source "$(dirname "$0")/lib.sh"
bw_e2e_start debootstrap umoci skopeo jq dpkg-query dpkg-deb chroot apt-get tar gzip

bw_tmpdir whiteout
DEBS="$BW_CACHE/debs"
PKGS=(hello sl libncurses6)

# --- fixtures: dpkg install / purge over debootstrap ---------------------------------------------
bw_log "fixtures in $T"
bw_apt_download "$DEBS" "${PKGS[@]}"
bw_debian_oci "$T/oci" base
bw_unpack "$T/oci" base "$T/bundle"
R="$T/bundle/rootfs"
mkdir -p "$R/tmp/debs"
inside=()
for p in "${PKGS[@]}"; do
  cp "$(bw_deb_file "$DEBS" "$p")" "$R/tmp/debs/"
  inside+=("/tmp/debs/$(basename "$(bw_deb_file "$DEBS" "$p")")")
done
chroot "$R" dpkg -i "${inside[@]}" >"$T/dpkg-i.log" 2>&1 ||
  { cat "$T/dpkg-i.log"; bw_fail "dpkg -i in the chroot failed"; }
rm -rf "$R/tmp/debs"
bw_dpkg_expected "$R" >"$T/installed.tsv"
bw_repack "$T/oci" installed "$T/bundle" "dpkg -i hello sl libncurses6"

chroot "$R" dpkg --purge hello sl >"$T/dpkg-purge.log" 2>&1 ||
  { cat "$T/dpkg-purge.log"; bw_fail "dpkg --purge in the chroot failed"; }
bw_dpkg_expected "$R" >"$T/purged.tsv"
bw_repack "$T/oci" purged "$T/bundle" "dpkg --purge hello sl"
bw_oci_to_archive "$T/oci" purged docker-archive "$T/purged.docker.tar"

mapfile -t IDS < <(bw_oci_diff_ids "$T/oci" purged)
mapfile -t BLOBS < <(bw_oci_layer_digests "$T/oci" purged)
bw_check "purged image has 3 layers" test "${#IDS[@]}" -eq 3
bw_check "installed image has 2 layers (the first two of purged)" \
  diff <(bw_oci_diff_ids "$T/oci" installed) <(printf '%s\n' "${IDS[0]}" "${IDS[1]}")
for p in "${PKGS[@]}"; do
  bw_check "dpkg says $p is installed in layer 2" grep -q "^$p	" "$T/installed.tsv"
done
bw_check "dpkg says hello and sl are gone after the purge" bash -c '! grep -qE "^(hello|sl)	" "$1"' _ "$T/purged.tsv"
bw_check "dpkg says libncurses6 stays after the purge" grep -q "^libncurses6	" "$T/purged.tsv"
bw_check "sl is a binNMU (source version differs from version)" \
  grep -q "^sl	5.02-1+b1	amd64	sl	5.02-1$" "$T/installed.tsv"
L3=$(bw_oci_blob "$T/oci" "${BLOBS[2]}")
tar -tzf "$L3" >"$T/layer3.list"
bw_check "layer 3 holds whiteouts for hello's files (usr/bin/.wh.hello)" grep -qx 'usr/bin/.wh.hello' "$T/layer3.list"
bw_check "layer 3 holds whiteouts for sl's files (usr/games/.wh.sl)" grep -qx 'usr/games/.wh.sl' "$T/layer3.list"
bw_check "layer 3 rewrites var/lib/dpkg/status" grep -qx 'var/lib/dpkg/status' "$T/layer3.list"

# --- fixtures: distroless status.d ---------------------------------------------------------------
D="$T/distroless"
mkdir -p "$D/stanzas"
for p in "${PKGS[@]}"; do
  deb=$(bw_deb_file "$DEBS" "$p")
  dpkg-deb -f "$deb" >"$D/stanzas/$p"
  dpkg-deb --info "$deb" md5sums >"$D/stanzas/$p.md5sums"
done
# os-release as distroless ships it: a regular file with base-files' content
cp "$R/usr/lib/os-release" "$D/os-release"
bw_mktar "$D/l1.tar" <<EOF
dir etc
file etc/os-release $D/os-release
dir var
dir var/lib
dir var/lib/dpkg
dir var/lib/dpkg/status.d
file var/lib/dpkg/status.d/hello $D/stanzas/hello
file var/lib/dpkg/status.d/hello.md5sums $D/stanzas/hello.md5sums
file var/lib/dpkg/status.d/sl $D/stanzas/sl
file var/lib/dpkg/status.d/sl.md5sums $D/stanzas/sl.md5sums
EOF
# a file whiteout: sl's status.d file (and its md5sums) deleted
bw_mktar "$D/l2-wh.tar" <<EOF
dir var/lib/dpkg/status.d
text var/lib/dpkg/status.d/.wh.sl
text var/lib/dpkg/status.d/.wh.sl.md5sums
EOF
# an opaque whiteout: status.d replaced by a directory holding only libncurses6
bw_mktar "$D/l2-opq.tar" <<EOF
dir var/lib/dpkg/status.d
text var/lib/dpkg/status.d/.wh..wh..opq
file var/lib/dpkg/status.d/libncurses6 $D/stanzas/libncurses6
EOF
bw_oci_scratch "$D/oci" one
bw_oci_add_layer "$D/oci" one "$D/l1.tar" "status.d: hello sl"
umoci tag --image "$D/oci:one" wh
umoci tag --image "$D/oci:one" opq
bw_oci_add_layer "$D/oci" wh "$D/l2-wh.tar" "rm status.d/sl"
bw_oci_add_layer "$D/oci" opq "$D/l2-opq.tar" "opaque status.d: libncurses6 only"
bw_admindir_expected "$D/exp-one" "$D/stanzas/hello" "$D/stanzas/sl" >"$D/one.tsv"
bw_admindir_expected "$D/exp-wh" "$D/stanzas/hello" >"$D/wh.tsv"
bw_admindir_expected "$D/exp-opq" "$D/stanzas/libncurses6" >"$D/opq.tsv"
bw_check "distroless expectations: 2, 1 and 1 packages" \
  test "$(cat "$D/one.tsv" "$D/wh.tsv" "$D/opq.tsv" | wc -l)" -eq 4
gzip -dc "$(bw_oci_blob "$D/oci" "$(bw_oci_layer_digests "$D/oci" opq | tail -n1)")" | tar -tf - >"$D/opq.list"
bw_check "the opaque layer holds status.d/.wh..wh..opq" grep -qx 'var/lib/dpkg/status.d/.wh..wh..opq' "$D/opq.list"
mapfile -t DIDS < <(bw_oci_diff_ids "$D/oci" opq)
bw_e2e_fixtures_done

# --- scans ---------------------------------------------------------------------------------------
scan() { # NAME IMAGE EXPECTED.tsv
  local name=$1 image=$2 exp=$3 out="$T/scan-$1"
  bw_log "scanning $image"
  bw_sbom "$out" "$image"
  bw_check_stderr "$name" "$out.err"
  if [ "$(cat "$out.rc")" -ne 0 ]; then
    bw_not_ok "$name: bulwark sbom $image exited $(cat "$out.rc")"
    bw_show_err "$out.err"
    return 1
  fi
  bw_report_packages "$out.json" >"$out.tsv"
  bw_compare_lists "$name: packages == dpkg-query" "$exp" "$out.tsv"
}
layer_of() { jq -r --arg n "$2" '[.packages[] | select(.name == $n)][0].layer // "<none>"' "$T/scan-$1.json"; }
absent() { jq -e --arg n "$2" '[.packages[] | select(.name == $n)] | length == 0' "$T/scan-$1.json"; }

if scan installed "oci:$T/oci:installed" "$T/installed.tsv"; then
  for p in "${PKGS[@]}"; do
    bw_check "installed: $p is attributed to layer 2" test "$(layer_of installed "$p")" = "${IDS[1]}"
  done
  for p in libc6 base-files dpkg; do
    bw_check "installed: $p (in the base, untouched) is attributed to layer 1" \
      test "$(layer_of installed "$p")" = "${IDS[0]}"
  done
  bw_check "installed: sl's source_version is 5.02-1 (binNMU)" \
    jq -e '[.packages[] | select(.name == "sl")][0] | .version == "5.02-1+b1" and .source_version == "5.02-1"' \
      "$T/scan-installed.json"
fi
if scan purged "oci:$T/oci:purged" "$T/purged.tsv"; then
  bw_check "purged: hello is absent" absent purged hello
  bw_check "purged: sl is absent" absent purged sl
  bw_check "purged: libncurses6 is still attributed to layer 2" test "$(layer_of purged libncurses6)" = "${IDS[1]}"
  bw_check "purged: libc6 is still attributed to layer 1" test "$(layer_of purged libc6)" = "${IDS[0]}"
fi
# the layer cache is keyed by diff_id: scanning the purged image with the cache the installed image
# left (layers 1 and 2 already there) must give the same answer as a cold scan
if [ -d "$T/scan-installed.cache" ] &&
   BW_SBOM_CACHE="$T/scan-installed.cache" scan purged-warm "oci:$T/oci:purged" "$T/purged.tsv"; then
  bw_check "purged (warm cache): hello is absent" absent purged-warm hello
  bw_check "purged (warm cache): libncurses6 is still attributed to layer 2" \
    test "$(layer_of purged-warm libncurses6)" = "${IDS[1]}"
fi
if scan purged-docker "docker-archive:$T/purged.docker.tar" "$T/purged.tsv"; then
  bw_check "purged (docker-archive): hello is absent" absent purged-docker hello
fi

if scan distroless-one "oci:$D/oci:one" "$D/one.tsv"; then
  bw_check "distroless: path is the status.d file" \
    jq -e '[.packages[] | select(.name == "hello")][0].path == "var/lib/dpkg/status.d/hello"' "$T/scan-distroless-one.json"
  bw_check "distroless: the .md5sums files are not packages" \
    jq -e '[.packages[] | select(.name | test("md5sums"))] | length == 0' "$T/scan-distroless-one.json"
  bw_check "distroless: os is debian 12" \
    jq -e '.artifact.os.family == "debian" and .artifact.os.version == "12"' "$T/scan-distroless-one.json"
fi
if scan distroless-wh "oci:$D/oci:wh" "$D/wh.tsv"; then
  bw_check "distroless + .wh.sl: sl is absent" absent distroless-wh sl
  bw_check "distroless + .wh.sl: hello still from layer 1" test "$(layer_of distroless-wh hello)" = "${DIDS[0]}"
fi
if scan distroless-opq "oci:$D/oci:opq" "$D/opq.tsv"; then
  bw_check "distroless + opaque: hello is absent" absent distroless-opq hello
  bw_check "distroless + opaque: sl is absent" absent distroless-opq sl
  bw_check "distroless + opaque: libncurses6 from layer 2" test "$(layer_of distroless-opq libncurses6)" = "${DIDS[1]}"
  bw_check "distroless + opaque: os-release outside the opaque dir survives (debian 12)" \
    jq -e '.artifact.os.family == "debian" and .artifact.os.version == "12"' "$T/scan-distroless-opq.json"
fi

bw_finish
