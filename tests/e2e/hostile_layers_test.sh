#!/usr/bin/env bash
# Acceptance: hostile images. Each case is a small image made of real packages' files plus hand-made
# layers (mktar.py writes names exactly as given), scanned with a fresh --cache-dir and HOME,
# XDG_*, TMPDIR and the working directory pointed at empty dirs. For every case:
#  - the exit code: 1 for a layer that cannot be trusted or read (digest or diff_id mismatch, missing
#    blob, truncated gzip or tar), 0 with warnings when only entries had to be skipped;
#  - stderr names the layer (a digest or diff_id prefix) and the entry;
#  - nothing is written outside the cache dir: a canary dir in /tmp stays as it was (its file keeps
#    its content and link count), the isolated HOME/XDG/TMPDIR/cwd stay empty, the input image is
#    unchanged; the host's /etc/os-release and dpkg database never leak into the report.
source "$(dirname "$0")/lib.sh"
bw_e2e_start umoci skopeo jq dpkg-query dpkg-deb apt-get tar gzip sha256sum

bw_tmpdir hostile
DEBS="$BW_CACHE/debs"
UP=$(printf '../%.0s' $(seq 24)) # enough ../ to reach / from any cache or working dir
CAN=$(mktemp -d /tmp/bw-canary.XXXXXX)
bw_on_exit "rm -rf '$CAN'"
CANREL=${CAN#/}
echo canary >"$CAN/target"

# --- fixtures ----------------------------------------------------------------------------------
bw_log "fixtures in $T"
bw_apt_download "$DEBS" base-files hello
mkdir -p "$T/src"
# "base": base-files (os-release: Debian 12) + hello, with a dpkg status file listing both
B="$T/src/base"
dpkg-deb -x "$(bw_deb_file "$DEBS" base-files)" "$B"
dpkg-deb -x "$(bw_deb_file "$DEBS" hello)" "$B"
mkdir -p "$B/var/lib/dpkg"
{ bw_status_stanza "$(bw_deb_file "$DEBS" base-files)" "install ok installed"
  bw_status_stanza "$(bw_deb_file "$DEBS" hello)" "install ok installed"; } >"$B/var/lib/dpkg/status"
tar --numeric-owner -C "$B" -cf "$T/src/base.tar" .
bw_dpkg_expected "$B" >"$T/base.tsv"
# "bare": hello only, no os-release anywhere (so a leaked host os-release would show)
BARE="$T/src/bare"
dpkg-deb -x "$(bw_deb_file "$DEBS" hello)" "$BARE"
mkdir -p "$BARE/var/lib/dpkg"
bw_status_stanza "$(bw_deb_file "$DEBS" hello)" "install ok installed" >"$BARE/var/lib/dpkg/status"
tar --numeric-owner -C "$BARE" -cf "$T/src/bare.tar" .
bw_check "fixture: base has base-files and hello" test "$(cut -f1 "$T/base.tsv" | tr '\n' ' ')" = "base-files hello "
bw_check "fixture: base's os-release is Debian 12" grep -qx 'VERSION_ID="12"' "$B/usr/lib/os-release"

# Debian 11's os-release, as base-files 11.1 ships it (a different OS than any Debian 12 host)
printf '%s\n' 'PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"' 'NAME="Debian GNU/Linux"' \
  'VERSION_ID="11"' 'VERSION="11 (bullseye)"' 'VERSION_CODENAME=bullseye' 'ID=debian' >"$T/src/os-release-11"

L="$T/oci"
# image NAME BASE SPEC_FILE...: BASE (base|bare) + one hand-made layer per spec file, tagged NAME
image() {
  local name=$1 base=$2 spec i=0; shift 2
  bw_oci_scratch "$L" "$name"
  bw_oci_add_layer "$L" "$name" "$T/src/$base.tar" "$base: real files of base-files/hello"
  for spec in "$@"; do
    i=$((i + 1))
    bw_mktar "$T/src/$name.$i.tar" <"$spec"
    bw_oci_add_layer "$L" "$name" "$T/src/$name.$i.tar" "hostile layer $i of $name"
  done
}
spec() { cat >"$T/src/spec.$1"; printf '%s\n' "$T/src/spec.$1"; }

# 1. ../ and absolute names, and a hard link to a file outside the root, written through later
image dotdot base \
  "$(spec dotdot1 <<EOF
text ${UP}${CANREL}/dotdot-file pwned
text /${CANREL}/absolute-file pwned
text usr/${UP}${CANREL}/mid-dotdot-file pwned
hardlink etc/hardlink-escape ${UP}${CANREL}/target
hardlink etc/hardlink-abs /${CAN#/}/target
EOF
)" "$(spec dotdot2 <<EOF
text etc/hardlink-escape pwned-through-hardlink
text etc/hardlink-abs pwned-through-hardlink
EOF
)"
# 2. symlinks out of the root: os-release and dpkg status pointing at the host's, a dir symlink
#    (relative and absolute) with files written through it in the next layer
image symlink-escape bare \
  "$(spec sym1 <<EOF
dir etc
symlink etc/os-release ${UP}etc/os-release
symlink escape-rel ${UP}${CANREL}
symlink escape-abs /${CANREL}
EOF
)" "$(spec sym2 <<EOF
text escape-rel/through-rel-file pwned
text escape-abs/through-abs-file pwned
EOF
)"
image status-escape bare "$(spec status1 <<EOF
symlink var/lib/dpkg/status ${UP}var/lib/dpkg/status
EOF
)"
# 3. an absolute symlink that is fine inside the image: etc/os-release -> /usr/lib/os-release (11)
image abs-symlink bare "$(spec abs1 <<EOF
dir etc
dir usr/lib
file usr/lib/os-release $T/src/os-release-11
symlink etc/os-release /usr/lib/os-release
EOF
)"
# 4. link loops
image loops bare "$(spec loops1 <<EOF
dir etc
symlink a b
symlink b a
symlink etc/os-release os-release
symlink loopdir .
symlink up ..
dir usr/lib
symlink usr/lib/os-release ../../etc/os-release
EOF
)"
# 5. a tar header claiming 10 GiB, then the stream ends (PAX size record / GNU base-256 size)
image claim-pax base "$(spec claim1 <<EOF
dir big
text big/before small
claim big/ten-gib-file 10737418240
EOF
)"
printf 'dir big\nclaim big/ten-gib-gnu 10737418240\n' | bw_mktar "$T/src/claim-gnu.tar" gnu
bw_oci_scratch "$L" claim-gnu
bw_oci_add_layer "$L" claim-gnu "$T/src/base.tar"
bw_oci_add_layer "$L" claim-gnu "$T/src/claim-gnu.tar"
# 6. a real sparse 10 GiB file (valid tar, a few KiB): must not be materialised
mkdir -p "$T/src/sparse/big"
truncate -s 10G "$T/src/sparse/big/sparse-10g"
printf 'data at the start' | dd of="$T/src/sparse/big/sparse-10g" conv=notrunc status=none
tar --numeric-owner --sparse --format=pax -C "$T/src/sparse" -cf "$T/src/sparse.tar" big
rm -f "$T/src/sparse/big/sparse-10g"
bw_check "fixture: the sparse layer tar is small" test "$(stat -c %s "$T/src/sparse.tar")" -lt 1048576
bw_oci_scratch "$L" sparse
bw_oci_add_layer "$L" sparse "$T/src/base.tar"
bw_oci_add_layer "$L" sparse "$T/src/sparse.tar"
# a normal second layer for the blob-level cases: some files, 256 KiB of incompressible data, and
# the case's name (so each case has its own blob and breaking one leaves the others whole)
BLOBCASES="truncated-gzip digest-mismatch size-mismatch missing-blob diffid-mismatch docker-tampered"
mkdir -p "$T/src/l2/opt/data"
head -c 262144 /dev/urandom >"$T/src/l2/opt/data/random.bin"
cp "$B/usr/lib/os-release" "$T/src/l2/opt/data/copy"
for n in $BLOBCASES; do
  echo "$n" >"$T/src/l2/opt/data/case"
  tar --numeric-owner -C "$T/src/l2" -cf "$T/src/l2-$n.tar" .
  bw_oci_scratch "$L" "$n"
  bw_oci_add_layer "$L" "$n" "$T/src/base.tar"
  bw_oci_add_layer "$L" "$n" "$T/src/l2-$n.tar"
done
bw_check "fixture: the six blob-level cases have distinct layer 2 blobs" \
  test "$(for n in $BLOBCASES; do
            bw_oci_layer_digests "$L" "$n" | tail -n1; done | sort -u | wc -l)" -eq 6
# 7. a truncated gzip stream whose (truncated) bytes match the manifest digest
orig=$(bw_oci_blob "$L" "$(bw_oci_layer_digests "$L" truncated-gzip | tail -n1)")
head -c $(($(stat -c %s "$orig") / 2)) "$orig" >"$T/src/truncated.gz"
new=$(bw_oci_put_blob "$L" "$T/src/truncated.gz")
bw_oci_edit_manifest "$L" truncated-gzip '.layers[1].digest = $d | .layers[1].size = $s' \
  --arg d "${new% *}" --argjson s "${new#* }"
bw_check "fixture: the truncated blob is not a whole gzip stream" bash -c '! gzip -t "$1" 2>/dev/null' _ "$T/src/truncated.gz"
# 8. a blob whose bytes do not match its digest, same size: the gzip header's MTIME field changed
#    (not covered by the gzip CRC: the stream still inflates to the right tar, diff_id still right)
victim=$(bw_oci_blob "$L" "$(bw_oci_layer_digests "$L" digest-mismatch | tail -n1)")
printf '\x01\x02\x03\x04' | dd of="$victim" bs=1 seek=4 conv=notrunc status=none
bw_check "fixture: the edited blob no longer matches its name" \
  bash -c 'test "$(sha256sum <"$1" | cut -d" " -f1)" != "$(basename "$1")"' _ "$victim"
bw_check "fixture: the edited blob still inflates to the layer tar" \
  bash -c 'gzip -dc <"$1" | cmp -s - "$2"' _ "$victim" "$T/src/l2-digest-mismatch.tar"
#    and one whose size differs from the manifest's: the same tar recompressed
victim=$(bw_oci_blob "$L" "$(bw_oci_layer_digests "$L" size-mismatch | tail -n1)")
gzip -n -1 -c "$T/src/l2-size-mismatch.tar" >"$victim"
# 9. a manifest naming a blob that is not there
rm -f "$(bw_oci_blob "$L" "$(bw_oci_layer_digests "$L" missing-blob | tail -n1)")"
# 10. a config whose diff_id for layer 2 is not the layer's
bw_oci_edit_config "$L" diffid-mismatch '.rootfs.diff_ids[1] = $d' \
  --arg d "sha256:$(printf 'not the layer' | sha256sum | cut -d' ' -f1)"

# 11. a docker-archive whose layer tar was edited in place (one byte of a file's content: the tar
#     stays valid, its digest is no longer the diff_id the archive's config names)
bw_oci_to_archive "$L" docker-tampered docker-archive "$T/src/docker-tampered.tar"
# the layer tars sit uncompressed in the archive: the marker's bytes appear exactly once in it
"$BW_PY" - "$T/src/docker-tampered.tar" "$T/docker-tampered.tar" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
marker = b"docker-tampered\n"
if data.count(marker) != 1:
    sys.exit(f"tamper: the marker occurs {data.count(marker)} times")
data[data.find(marker) + len(marker) - 2] ^= 0x20  # 'd' -> 'D'
open(sys.argv[2], "wb").write(data)
PY
bw_check "fixture: the tampered docker-archive differs from skopeo's in one byte" \
  test "$(cmp -l "$T/src/docker-tampered.tar" "$T/docker-tampered.tar" | wc -l)" -eq 1

# dir: rootfs trees with the same tricks (the walker must resolve links inside ROOTFS)
mkdir -p "$T/dir"
cp -a "$BARE" "$T/dir/escape"
ln -s "${UP}etc/os-release" "$T/dir/escape/etc-os-release-tmp" && mkdir -p "$T/dir/escape/etc" &&
  mv "$T/dir/escape/etc-os-release-tmp" "$T/dir/escape/etc/os-release"
ln -s "${UP}${CANREL}" "$T/dir/escape/escape-rel"
ln -s "/${CANREL}" "$T/dir/escape/escape-abs"
ln -s b "$T/dir/escape/a"; ln -s a "$T/dir/escape/b"
ln -s . "$T/dir/escape/loopdir"; ln -s .. "$T/dir/escape/up"
mkfifo "$T/dir/escape/var/lib/dpkg/a-fifo"
cp -a "$BARE" "$T/dir/status-escape"
ln -sf "${UP}var/lib/dpkg/status" "$T/dir/status-escape/var/lib/dpkg/status"
cp -a "$BARE" "$T/dir/abs-symlink"
mkdir -p "$T/dir/abs-symlink/etc" "$T/dir/abs-symlink/usr/lib"
cp "$T/src/os-release-11" "$T/dir/abs-symlink/usr/lib/os-release"
ln -s /usr/lib/os-release "$T/dir/abs-symlink/etc/os-release"
bw_e2e_fixtures_done

# --- running the cases -------------------------------------------------------------------------
# tree_sum PATH: a digest of every file (content, name, link target) under PATH, to see changes
tree_sum() {
  if [ -f "$1" ]; then sha256sum <"$1" | cut -d' ' -f1; return; fi
  (cd "$1" && find . -mindepth 1 \( -type f -printf '%p f %s\n' -exec sha256sum {} \; \) -o \
    \( -type l -printf '%p -> %l\n' \) -o -printf '%p %y\n' | sort | sha256sum | cut -d' ' -f1)
}
canary_intact() {
  if [ "$(find "$CAN" -mindepth 1 | wc -l)" -eq 1 ] && [ "$(cat "$CAN/target")" = canary ] &&
     [ "$(stat -c %h "$CAN/target")" -eq 1 ]; then
    return 0
  fi
  ls -la "$CAN"; cat "$CAN/target"; return 1
}
# names_layer ERR DIGEST...: stderr names one of these digests (12 hex digits are enough)
names_layer() {
  local err=$1 d pat=""; shift
  for d in "$@"; do d=${d#sha256:}; pat="$pat|${d:0:12}"; done
  grep -qE "${pat#|}" "$err"
}

# run NAME IMAGE WANT_RC INPUT_PATH: one scan in isolation plus the checks every case shares
run() {
  local name=$1 image=$2 want=$3 input=$4 extra=${5:-} out="$T/r/$1" iso="$T/iso/$1"
  mkdir -p "$T/r" "$iso"/{home,xdg,config,data,tmp,cwd}
  local before rc=0 t0=$SECONDS
  before=$(tree_sum "$input")
  (cd "$iso/cwd" && env HOME="$iso/home" XDG_CACHE_HOME="$iso/xdg" XDG_CONFIG_HOME="$iso/config" \
      XDG_DATA_HOME="$iso/data" TMPDIR="$iso/tmp" \
      timeout "${BW_SCAN_TIMEOUT:-120}" "$BULWARK" sbom "$image" $extra --format json --cache-dir "$out.cache" \
      >"$out.json" 2>"$out.err") || rc=$?
  echo "--- $name: bulwark sbom $image -> exit $rc ($((SECONDS - t0))s); stderr:"
  sed -n '1,12s/^/    | /p' "$out.err"
  bw_check "$name: exit code $want" test "$rc" -eq "$want"
  bw_check_stderr "$name" "$out.err"
  bw_check "$name: the canary dir outside the cache dir is untouched" canary_intact
  bw_check "$name: HOME, XDG dirs, TMPDIR and the working dir stay empty" \
    bash -c 'test -z "$(find "$1" -mindepth 2 -print -quit)" || find "$1" -mindepth 2' _ "$iso"
  bw_check "$name: the input image is unchanged" test "$(tree_sum "$input")" = "$before"
  if [ "$want" -eq 0 ]; then
    bw_check "$name: stdout is a JSON report" jq -e '.packages | type == "array"' "$out.json"
    bw_check "$name: the host's dpkg database does not leak (no cmake, no dpkg-dev)" \
      jq -e '[.packages[].name] | (index("cmake") or index("dpkg-dev")) | not' "$out.json"
  else
    bw_check "$name: an error on stderr" test -s "$out.err"
    bw_check "$name: no report on stdout" test ! -s "$out.json"
  fi
}
layer_ids() { bw_oci_diff_ids "$L" "$1"; bw_oci_layer_digests "$L" "$1"; }
not_host_os() { # the report must not show the host's OS (this machine is Debian 12)
  jq -e '(.artifact.os.family == "debian" and .artifact.os.version == "12") | not' "$1"
}
cache_kib() { if [ -e "$1" ]; then du -s --apparent-size -k "$1" | cut -f1; else echo 0; fi; }
err_has() { grep -qF -- "$2" "$1"; }
pkgs() { jq -r '[.packages[].name] | sort | join(" ")' "$1"; }

run dotdot "oci:$L:dotdot" 0 "$L"
mapfile -t ids < <(layer_ids dotdot)
E="$T/r/dotdot.err"
bw_check "dotdot: stderr names the layer" names_layer "$E" "${ids[1]}" "${ids[4]}"
for entry in dotdot-file absolute-file mid-dotdot-file hardlink-escape; do
  bw_check "dotdot: stderr names the entry $entry" err_has "$E" "$entry"
done
bw_check "dotdot: the scan went on (base-files hello)" test "$(pkgs "$T/r/dotdot.json")" = "base-files hello"
bw_check "dotdot: os is still the image's (debian 12 from base-files)" \
  jq -e '.artifact.os.family == "debian" and .artifact.os.version == "12"' "$T/r/dotdot.json"

run symlink-escape "oci:$L:symlink-escape" 0 "$L"
mapfile -t ids < <(layer_ids symlink-escape)
E="$T/r/symlink-escape.err"
bw_check "symlink-escape: the host's os-release is not reported" not_host_os "$T/r/symlink-escape.json"
bw_check "symlink-escape: stderr names etc/os-release" err_has "$E" "etc/os-release"
bw_check "symlink-escape: stderr names the entry written through the escaping link" err_has "$E" "through-rel-file"
bw_check "symlink-escape: stderr names a layer" names_layer "$E" "${ids[@]}"
bw_check "symlink-escape: hello is reported" test "$(pkgs "$T/r/symlink-escape.json")" = "hello"

run status-escape "oci:$L:status-escape" 0 "$L"
bw_check "status-escape: no packages (the only status file is a link out of the image)" \
  jq -e '.packages | length == 0' "$T/r/status-escape.json"
bw_check "status-escape: stderr names var/lib/dpkg/status" err_has "$T/r/status-escape.err" "var/lib/dpkg/status"

run abs-symlink "oci:$L:abs-symlink" 0 "$L"
bw_check "abs-symlink: os is the image's debian 11 (/usr/lib/os-release inside the image)" \
  jq -e '.artifact.os.family == "debian" and .artifact.os.version == "11"' "$T/r/abs-symlink.json"

run loops "oci:$L:loops" 0 "$L"
bw_check "loops: the host's os-release is not reported" not_host_os "$T/r/loops.json"
bw_check "loops: stderr names etc/os-release" err_has "$T/r/loops.err" "etc/os-release"
bw_check "loops: hello is reported" test "$(pkgs "$T/r/loops.json")" = "hello"

for n in claim-pax claim-gnu; do
  run "$n" "oci:$L:$n" 1 "$L"
  mapfile -t ids < <(layer_ids "$n")
  bw_check "$n: stderr names the layer" names_layer "$T/r/$n.err" "${ids[1]}" "${ids[3]}"
  bw_check "$n: stderr names the entry" grep -qE 'ten-gib-(file|gnu)' "$T/r/$n.err"
  bw_check "$n: the cache dir holds less than 64 MiB" \
    test "$(cache_kib "$T/r/$n.cache")" -lt 65536
done

run sparse "oci:$L:sparse" 0 "$L"
bw_check "sparse: packages of the base are reported" test "$(pkgs "$T/r/sparse.json")" = "base-files hello"
bw_check "sparse: the cache dir holds less than 64 MiB (apparent size)" \
  test "$(cache_kib "$T/r/sparse.cache")" -lt 65536

run truncated-gzip "oci:$L:truncated-gzip" 1 "$L"
bw_check "truncated-gzip: stderr names the layer" names_layer "$T/r/truncated-gzip.err" \
  "$(bw_oci_layer_digests "$L" truncated-gzip | tail -n1)" "$(bw_oci_diff_ids "$L" truncated-gzip | tail -n1)"

run digest-mismatch "oci:$L:digest-mismatch" 1 "$L"
d=$(bw_oci_layer_digests "$L" digest-mismatch | tail -n1)
bw_check "digest-mismatch: stderr names the layer digest" names_layer "$T/r/digest-mismatch.err" "$d"
bw_check "digest-mismatch: stderr says digest" grep -qi digest "$T/r/digest-mismatch.err"

run size-mismatch "oci:$L:size-mismatch" 1 "$L"
bw_check "size-mismatch: stderr names the layer digest" names_layer "$T/r/size-mismatch.err" \
  "$(bw_oci_layer_digests "$L" size-mismatch | tail -n1)"

run missing-blob "oci:$L:missing-blob" 1 "$L"
bw_check "missing-blob: stderr names the missing digest" names_layer "$T/r/missing-blob.err" \
  "$(bw_oci_layer_digests "$L" missing-blob | tail -n1)"

# the blob digests are right, only the config lies: caught when diff_ids are recomputed
run diffid-mismatch "oci:$L:diffid-mismatch" 1 "$L" --verify-diff-ids
bw_check "diffid-mismatch: stderr names the layer" names_layer "$T/r/diffid-mismatch.err" \
  "$(bw_oci_layer_digests "$L" diffid-mismatch | tail -n1)" "$(bw_oci_diff_ids "$L" diffid-mismatch | tail -n1)"
bw_check "diffid-mismatch: stderr says diff_id" grep -qiE 'diff.?id' "$T/r/diffid-mismatch.err"

run docker-tampered "docker-archive:$T/docker-tampered.tar" 1 "$T/docker-tampered.tar"
bw_check "docker-tampered: stderr names the layer" names_layer "$T/r/docker-tampered.err" \
  "$(bw_oci_diff_ids "$L" docker-tampered | tail -n1)"

run dir-escape "dir:$T/dir/escape" 0 "$T/dir/escape"
bw_check "dir-escape: the host's os-release is not reported" not_host_os "$T/r/dir-escape.json"
bw_check "dir-escape: stderr names etc/os-release" err_has "$T/r/dir-escape.err" "etc/os-release"
bw_check "dir-escape: hello is reported" test "$(pkgs "$T/r/dir-escape.json")" = "hello"

run dir-status-escape "dir:$T/dir/status-escape" 0 "$T/dir/status-escape"
bw_check "dir-status-escape: no packages (the host's dpkg status is not read)" \
  jq -e '.packages | length == 0' "$T/r/dir-status-escape.json"
bw_check "dir-status-escape: stderr names var/lib/dpkg/status" err_has "$T/r/dir-status-escape.err" "var/lib/dpkg/status"

run dir-abs-symlink "dir:$T/dir/abs-symlink" 0 "$T/dir/abs-symlink"
bw_check "dir-abs-symlink: os is the rootfs's debian 11, not the host's" \
  jq -e '.artifact.os.family == "debian" and .artifact.os.version == "11"' "$T/r/dir-abs-symlink.json"

bw_finish
