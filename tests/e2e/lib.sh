# Shared helpers for the end-to-end tests (sourced, not run). Every test sources this file first.
#
# Environment (set by CTest, see tests/CMakeLists.txt): BULWARK (the binary), BW_SRC, BW_BUILD,
# BW_SHARED_DATA, BW_WORK (scratch space; BW_WORK/cache is shared by all tests of one build and
# survives between runs). Optional: BW_CACHE (override the cache dir), BW_DEBIAN_MIRROR (override the
# mirror read from apt's sources), BW_E2E_BUILD_ONLY=1 (build and check the fixtures, then skip:
# lets the image building be tried without a bulwark binary), BW_E2E_KEEP=1 (keep the test's
# scratch dir).
#
# Images are real: a Debian 12 rootfs made by debootstrap (once per cache, under a lock because
# CTest runs the tests in parallel), packed into OCI layouts with umoci, converted with skopeo.
# shellcheck shell=bash

set -euo pipefail
export LC_ALL=C

BW_WORK=${BW_WORK:-${TMPDIR:-/tmp}/bulwark-e2e-work}
BW_CACHE=${BW_CACHE:-$BW_WORK/cache}
# Debian's python3 only (a python from elsewhere on PATH may lack tarfile features or differ).
BW_PY=${BW_PY:-/usr/bin/python3}
BW_SUITE=bookworm
BW_E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$BW_WORK" "$BW_CACHE"

bw_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
bw_skip() { echo "SKIP: $*"; exit 77; }
bw_fail() { echo "FAIL: $*" >&2; exit 1; }

# Failures are counted, not fatal, so one run reports every broken expectation.
BW_FAILS=0
BW_PASSES=0
bw_ok() { BW_PASSES=$((BW_PASSES + 1)); echo "ok: $*"; }
bw_not_ok() { BW_FAILS=$((BW_FAILS + 1)); echo "FAIL: $*"; }
bw_check() { # bw_check DESCRIPTION CMD...: runs CMD, records ok, or FAIL with CMD's output
  local what=$1 outf; shift
  outf=$(mktemp "$BW_WORK/check.XXXXXX")
  if "$@" >"$outf" 2>&1; then
    bw_ok "$what"
  else
    bw_not_ok "$what"
    sed -n '1,30s/^/    | /p' "$outf"
  fi
  rm -f "$outf"
}
bw_finish() {
  echo "$BW_PASSES passed, $BW_FAILS failed"
  [ "$BW_FAILS" -eq 0 ]
}

# bw_require_tools TOOL...: skip (77) when a tool is missing; scripts/install-deps.sh test installs them.
bw_require_tools() {
  local t missing=()
  for t in "$@"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
  [ ${#missing[@]} -eq 0 ] || bw_skip "missing tools: ${missing[*]} (run scripts/install-deps.sh test)"
  [ -x "$BW_PY" ] || bw_skip "Debian python3 missing at $BW_PY"
  [ "$(id -u)" -eq 0 ] || bw_skip "needs root (debootstrap, chroot, device nodes in the rootfs)"
}

# bw_on_exit CMD: runs CMD (a string, eval'd) when the test exits, after earlier registrations.
BW_EXIT_CMDS=()
bw_on_exit() {
  BW_EXIT_CMDS+=("$1")
  trap 'for c in "${BW_EXIT_CMDS[@]}"; do eval "$c" || true; done' EXIT
}

# bw_tmpdir NAME: sets T to a fresh scratch dir for this test under BW_WORK, removed on exit unless
# BW_E2E_KEEP=1. (Not used as $(...): an exit trap set in a subshell would fire at once.)
bw_tmpdir() {
  T=$(mktemp -d "$BW_WORK/$1.XXXXXX")
  if [ "${BW_E2E_KEEP:-0}" != 1 ]; then
    bw_on_exit "rm -rf '$T'"
  else
    echo "keeping $T" >&2
  fi
}

# bw_debian_mirror: prints the Debian mirror URL apt on this machine uses for $BW_SUITE (deb822
# .sources first, then one-line .list files). Never hard-coded: CI and developers use their own.
bw_debian_mirror() {
  if [ -n "${BW_DEBIAN_MIRROR:-}" ]; then printf '%s\n' "$BW_DEBIAN_MIRROR"; return; fi
  local f url=""
  for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    # paragraph mode: one stanza per record; want Types: deb and a Suites: word equal to the suite
    url=$(awk -v suite="$BW_SUITE" 'BEGIN { RS = ""; FS = "\n" }
      { types = ""; uris = ""; suites = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^[Tt]ypes:/) types = $i
          else if ($i ~ /^URIs:/) uris = $i
          else if ($i ~ /^Suites:/) suites = $i
        }
        if ($0 ~ /^Enabled: *no/) next
        if (types !~ /[: ]deb( |$)/) next
        n = split(suites, s, /[ \t]+/)
        for (j = 2; j <= n; j++) if (s[j] == suite) { split(uris, u, /[ \t]+/); print u[2]; exit }
      }' "$f")
    [ -n "$url" ] && break
  done
  if [ -z "$url" ]; then
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [ -r "$f" ] || continue
      # deb [opts] URI SUITE COMPONENTS...
      url=$(sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
        awk -v suite="$BW_SUITE" '$1 == "deb" && $3 == suite { print $2; exit }')
      [ -n "$url" ] && break
    done
  fi
  [ -n "$url" ] || bw_fail "no apt source for $BW_SUITE in /etc/apt (set BW_DEBIAN_MIRROR)"
  printf '%s\n' "${url%/}"
}

# bw_debian_rootfs_tarball: prints the path of the cached tarball of a debootstrap minbase
# bookworm amd64 rootfs, making it first when absent (one debootstrap per cache, under flock).
bw_debian_rootfs_tarball() {
  local tarball="$BW_CACHE/debian-$BW_SUITE-minbase-amd64.tar"
  if [ ! -s "$tarball" ]; then
    (
      flock 9
      if [ ! -s "$tarball" ]; then
        local mirror tmp
        # leftovers of a run killed mid-way (we hold the lock: nobody else is using them)
        rm -rf --one-file-system "$BW_CACHE"/debootstrap.* 2>/dev/null || true
        mirror=$(bw_debian_mirror)
        tmp=$(mktemp -d "$BW_CACHE/debootstrap.XXXXXX")
        bw_log "debootstrap --variant=minbase $BW_SUITE from $mirror (once per cache: $BW_CACHE)"
        if ! debootstrap --variant=minbase --arch=amd64 "$BW_SUITE" "$tmp/rootfs" "$mirror" \
             >"$tmp/debootstrap.log" 2>&1; then
          tail -n 30 "$tmp/debootstrap.log" >&2
          rm -rf "$tmp"
          bw_fail "debootstrap failed"
        fi
        # debootstrap leaves its apt sources pointing at this machine's mirror: drop the host name
        # from the image (the image is a fixture, not a system anyone updates).
        rm -f "$tmp/rootfs/etc/apt/sources.list" "$tmp/rootfs/etc/hostname"
        rm -rf "$tmp/rootfs/var/lib/apt/lists/"* "$tmp/rootfs/var/cache/apt/"*.bin
        tar --numeric-owner --xattrs -C "$tmp/rootfs" -cf "$tmp/rootfs.tar" .
        mv "$tmp/rootfs.tar" "$tarball"
        rm -rf "$tmp"
        bw_log "cached $tarball ($(du -h "$tarball" | cut -f1))"
      fi
    ) 9>"$BW_CACHE/.debootstrap.lock"
  fi
  printf '%s\n' "$tarball"
}

# bw_debian_rootfs DIR: DIR becomes a fresh copy of the Debian 12 minbase rootfs.
bw_debian_rootfs() {
  local dir=$1 tarball
  tarball=$(bw_debian_rootfs_tarball)
  mkdir -p "$dir"
  tar --numeric-owner --xattrs -xpf "$tarball" -C "$dir"
}

# bw_dpkg_expected ROOTFS: the package list dpkg itself reports for ROOTFS, one
# "name<TAB>version<TAB>arch<TAB>source<TAB>source_version" line per package, sorted.
bw_dpkg_expected() {
  dpkg-query -W -f='${Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n' \
    --admindir="$1/var/lib/dpkg" | sort
}

# bw_report_packages REPORT.json: the deb packages of a bulwark JSON report in the same shape.
bw_report_packages() {
  jq -r '.packages[] | select(.type == "deb")
         | [.name, .version, .arch, .source_name, .source_version] | map(. // "<null>") | @tsv' \
    "$1" | sort
}

# bw_compare_lists WHAT EXPECTED ACTUAL: records ok, or FAIL with the diff.
bw_compare_lists() {
  local what=$1 exp=$2 act=$3
  if [ ! -s "$exp" ]; then
    bw_not_ok "$what: the expected list $exp is empty (a fixture bug)"
  elif diff -u "$exp" "$act" >"$act.diff"; then
    bw_ok "$what ($(wc -l <"$exp") packages)"
  else
    bw_not_ok "$what: package list differs (--- dpkg-query, +++ bulwark)"
    head -n 80 "$act.diff"
  fi
}

# --- OCI layouts ----------------------------------------------------------------------------

# bw_oci_from_rootfs ROOTFS LAYOUT TAG [CREATED_BY]: LAYOUT:TAG becomes a one-layer linux/amd64 OCI
# image of ROOTFS (umoci: new + unpack into a bundle, copy the tree in, repack).
bw_oci_from_rootfs() {
  local rootfs=$1 layout=$2 tag=$3 created_by=${4:-"COPY $(basename "$1") /"} bundle
  [ -e "$layout/index.json" ] || umoci init --layout "$layout"
  umoci new --image "$layout:$tag"
  umoci config --no-history --image "$layout:$tag" --os linux --architecture amd64 --config.cmd /bin/bash
  bundle=$(mktemp -d "$BW_WORK/bundle.XXXXXX")
  rmdir "$bundle"
  umoci unpack --image "$layout:$tag" "$bundle" >/dev/null
  tar --numeric-owner --xattrs -C "$rootfs" -cf - . | tar --numeric-owner --xattrs -xpf - -C "$bundle/rootfs"
  umoci repack --image "$layout:$tag" --history.created_by "$created_by" "$bundle"
  rm -rf "$bundle"
  umoci gc --layout "$layout"
}

# bw_debian_oci LAYOUT TAG: LAYOUT:TAG becomes a copy of the cached one-layer Debian 12 image
# (built once per cache from the debootstrap tarball, under the same lock discipline).
bw_debian_oci() {
  local layout=$1 tag=$2 cached="$BW_CACHE/debian-$BW_SUITE-oci"
  if [ ! -e "$cached/.complete" ]; then
    (
      flock 9
      if [ ! -e "$cached/.complete" ]; then
        local tmp
        rm -rf --one-file-system "$BW_CACHE"/oci.* 2>/dev/null || true
        tmp=$(mktemp -d "$BW_CACHE/oci.XXXXXX")
        bw_debian_rootfs "$tmp/rootfs"
        bw_oci_from_rootfs "$tmp/rootfs" "$tmp/oci" latest "debootstrap --variant=minbase $BW_SUITE"
        rm -rf "$tmp/rootfs" "$cached"
        touch "$tmp/oci/.complete"
        mv "$tmp/oci" "$cached"
        rm -rf "$tmp"
      fi
    ) 9>"$BW_CACHE/.debian-oci.lock"
  fi
  if [ ! -e "$layout/index.json" ]; then
    mkdir -p "$layout"
    cp -a "$cached/." "$layout/"
    rm -f "$layout/.complete"
  fi
  if [ "$tag" != latest ]; then
    umoci tag --image "$layout:latest" "$tag"
  fi
}

# bw_oci_blob LAYOUT DIGEST: path of a blob.
bw_oci_blob() { printf '%s/blobs/%s/%s\n' "$1" "${2%%:*}" "${2#*:}"; }

# bw_oci_manifest_digest LAYOUT TAG: digest of the manifest tagged TAG in index.json.
bw_oci_manifest_digest() {
  jq -er --arg t "$2" \
    '[.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t)][0].digest' \
    "$1/index.json"
}
bw_oci_manifest() { cat "$(bw_oci_blob "$1" "$(bw_oci_manifest_digest "$1" "$2")")"; }
bw_oci_config() { cat "$(bw_oci_blob "$1" "$(bw_oci_manifest "$1" "$2" | jq -r .config.digest)")"; }
# bw_oci_diff_ids LAYOUT TAG / bw_oci_layer_digests LAYOUT TAG: one digest a line, base first.
bw_oci_diff_ids() { bw_oci_config "$1" "$2" | jq -r '.rootfs.diff_ids[]'; }
bw_oci_layer_digests() { bw_oci_manifest "$1" "$2" | jq -r '.layers[].digest'; }

# bw_oci_put_blob LAYOUT FILE: stores FILE as a blob, prints "sha256:HEX SIZE".
bw_oci_put_blob() {
  local hex size
  hex=$(sha256sum "$2" | cut -d' ' -f1)
  size=$(stat -c %s "$2")
  mkdir -p "$1/blobs/sha256"
  cp "$2" "$1/blobs/sha256/$hex"
  printf 'sha256:%s %s\n' "$hex" "$size"
}

# bw_oci_edit_manifest LAYOUT TAG JQ_FILTER [jq args...]: rewrites the manifest of TAG with a jq
# filter, stores it as a new blob and points the tag at it (by hand, as a hostile registry could).
bw_oci_edit_manifest() {
  local layout=$1 tag=$2 filter=$3; shift 3
  local tmp new digest size
  tmp=$(mktemp "$BW_WORK/manifest.XXXXXX")
  bw_oci_manifest "$layout" "$tag" | jq -c "$@" "$filter" >"$tmp"
  new=$(bw_oci_put_blob "$layout" "$tmp"); rm -f "$tmp"
  digest=${new% *}; size=${new#* }
  tmp=$(mktemp "$BW_WORK/index.XXXXXX")
  jq -c --arg t "$tag" --arg d "$digest" --argjson s "$size" \
    '.manifests |= map(if .annotations["org.opencontainers.image.ref.name"] == $t
                       then .digest = $d | .size = $s else . end)' "$layout/index.json" >"$tmp"
  mv "$tmp" "$layout/index.json"
}

# bw_oci_edit_config LAYOUT TAG JQ_FILTER [jq args...]: same for the image config (the manifest is
# rewritten to point at the new config blob).
bw_oci_edit_config() {
  local layout=$1 tag=$2 filter=$3; shift 3
  local tmp new
  tmp=$(mktemp "$BW_WORK/config.XXXXXX")
  bw_oci_config "$layout" "$tag" | jq -c "$@" "$filter" >"$tmp"
  new=$(bw_oci_put_blob "$layout" "$tmp"); rm -f "$tmp"
  bw_oci_edit_manifest "$layout" "$tag" '.config.digest = $d | .config.size = $s' \
    --arg d "${new% *}" --argjson s "${new#* }"
}

# bw_oci_scratch LAYOUT TAG: an empty linux/amd64 image (no layers) to add hand-made layers to.
bw_oci_scratch() {
  [ -e "$1/index.json" ] || umoci init --layout "$1"
  umoci new --image "$1:$2"
  umoci config --no-history --image "$1:$2" --os linux --architecture amd64
}

# bw_oci_add_layer LAYOUT TAG LAYER.tar [CREATED_BY]: appends an uncompressed tar as a new top
# layer (umoci gzips it and updates manifest, config diff_ids and history). The tar is taken as
# is: umoci does not look inside, so hand-made hostile entries survive.
bw_oci_add_layer() {
  umoci raw add-layer --image "$1:$2" --history.created_by "${4:-bulwark e2e: $(basename "$3")}" "$3"
}

# bw_unpack LAYOUT TAG BUNDLE / bw_repack LAYOUT NEWTAG BUNDLE CREATED_BY: edit an image as a
# rootfs; repack stores only the difference (whiteouts for deletions) as a new layer on NEWTAG and
# refreshes the bundle so the next repack diffs against it.
bw_unpack() { umoci unpack --image "$1:$2" "$3" >/dev/null; }
bw_repack() {
  umoci repack --refresh-bundle --image "$1:$2" --history.created_by "$4" "$3"
}

# bw_oci_to_archive LAYOUT TAG KIND FILE: KIND is oci-archive or docker-archive (skopeo copy).
bw_oci_to_archive() {
  local layout=$1 tag=$2 kind=$3 file=$4
  rm -f "$file"
  case "$kind" in
    oci-archive) skopeo copy --quiet "oci:$layout:$tag" "oci-archive:$file:$tag" ;;
    docker-archive) skopeo copy --quiet "oci:$layout:$tag" "docker-archive:$file:bulwark-e2e/$tag:latest" ;;
    *) bw_fail "bw_oci_to_archive: unknown kind $kind" ;;
  esac
}

# --- real .deb files ------------------------------------------------------------------------

# bw_apt_download DESTDIR PKG...: real .deb files from the Debian archive into DESTDIR (a cache:
# packages already there are not fetched again). Uses this machine's apt lists; when they do not
# know a package, a private list dir under the cache is updated from the same sources.
bw_apt_download() {
  local dest=$1; shift
  local p want=()
  mkdir -p "$dest"
  for p in "$@"; do compgen -G "$dest/${p}_*.deb" >/dev/null || want+=("$p"); done
  [ ${#want[@]} -eq 0 ] && return 0
  (
    flock 9
    cd "$dest"
    # files land in a dir the _apt user may not write to: let root fetch them (no warning)
    if ! apt-get -o APT::Sandbox::User=root download -qq "${want[@]}" >/dev/null 2>"$BW_CACHE/apt-download.err"; then
      local lists="$BW_CACHE/apt-lists"
      mkdir -p "$lists/partial" "$BW_CACHE/apt-archives/partial"
      local opts=(-o APT::Sandbox::User=root
                  -o "Dir::State::Lists=$lists" -o "Dir::Cache::Archives=$BW_CACHE/apt-archives"
                  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=")
      bw_log "apt-get download ${want[*]} failed with this machine's lists; updating private lists"
      apt-get "${opts[@]}" update -qq >/dev/null
      apt-get "${opts[@]}" download -qq "${want[@]}" >/dev/null
    fi
  ) 9>"$BW_CACHE/.apt.lock"
}

# bw_deb_file DIR PKG: path of the downloaded .deb of PKG in DIR.
bw_deb_file() {
  local f
  for f in "$1/$2"_*.deb; do [ -e "$f" ] && { printf '%s\n' "$f"; return; }; done
  bw_fail "no .deb for $2 in $1"
}

# bw_mktar OUT.tar [pax|gnu] < SPEC: a hand-made layer tar (see mktar.py for the spec).
bw_mktar() { "$BW_PY" "$BW_E2E_DIR/mktar.py" "$@"; }

# bw_status_stanza DEB [STATUS]: the control stanza of a real .deb as a dpkg database would hold it
# (distroless status.d files are the bare control file; the status file adds a Status: line).
bw_status_stanza() {
  dpkg-deb -f "$1" | awk -v st="${2:-}" '{ print } /^Package:/ && st != "" { print "Status: " st }'
  echo
}

# bw_admindir_expected ROOT STANZA_FILE...: the package list dpkg-query gives for a database (made
# under ROOT/var/lib/dpkg) holding these status.d stanzas (a distroless image's status.d files are
# bare control files), in the shape of bw_dpkg_expected.
bw_admindir_expected() {
  local root=$1 f; shift
  local admin="$root/var/lib/dpkg"
  mkdir -p "$admin/info" "$admin/updates"
  : >"$admin/status"
  : >"$admin/available"
  for f in "$@"; do
    awk '{ print } /^Package:/ { print "Status: install ok installed" }' "$f" >>"$admin/status"
    echo >>"$admin/status"
  done
  bw_dpkg_expected "$root"
}

# --- running bulwark ------------------------------------------------------------------------

# bw_sbom OUT_PREFIX IMAGE [ARGS...]: runs `bulwark sbom IMAGE --format json` bounded in time, with
# a fresh cache dir OUT_PREFIX.cache (or the existing dir BW_SBOM_CACHE when set: a warm cache);
# stdout to OUT_PREFIX.json, stderr to OUT_PREFIX.err, exit code to OUT_PREFIX.rc. Returns 0.
bw_sbom() {
  local out=$1 image=$2; shift 2
  local rc=0 cache=${BW_SBOM_CACHE:-$out.cache}
  if [ -z "${BW_SBOM_CACHE:-}" ]; then rm -rf "$cache"; mkdir -p "$cache"; fi
  timeout "${BW_SCAN_TIMEOUT:-300}" "$BULWARK" sbom "$image" --format json --cache-dir "$cache" "$@" \
    >"$out.json" 2>"$out.err" || rc=$?
  echo "$rc" >"$out.rc"
  if [ "$rc" -eq 124 ]; then echo "bulwark sbom $image: timed out after ${BW_SCAN_TIMEOUT:-300}s" >>"$out.err"; fi
  return 0
}

# bw_check_stderr NAME ERRFILE: records whether a run's stderr is free of sanitizer reports (UBSan
# may report and still exit 0 when halt_on_error is off).
bw_check_stderr() {
  bw_check "$1: no sanitizer report on stderr" \
    bash -c '! grep -nE "AddressSanitizer|LeakSanitizer|runtime error:" "$1"' _ "$2"
}

# bw_show_err FILE: the first lines of a stderr capture, indented (for failure messages).
bw_show_err() { sed -n '1,20s/^/    | /p' "$1"; }

# bw_e2e_start TOOL...: the first call of every test: skips (77) when a tool or the bulwark binary
# is missing. With BW_E2E_BUILD_ONLY=1 the binary is not needed: the test builds and checks its
# fixtures, then bw_e2e_fixtures_done skips.
bw_e2e_start() {
  bw_require_tools "$@"
  if [ "${BW_E2E_BUILD_ONLY:-0}" != 1 ]; then
    [ -n "${BULWARK:-}" ] && [ -x "$BULWARK" ] ||
      bw_skip "bulwark binary missing at ${BULWARK:-\$BULWARK (unset)}"
  fi
}
bw_e2e_fixtures_done() {
  if [ "${BW_E2E_BUILD_ONLY:-0}" = 1 ]; then
    echo "fixtures: $BW_PASSES passed, $BW_FAILS failed"
    [ "$BW_FAILS" -eq 0 ] || exit 1
    bw_skip "BW_E2E_BUILD_ONLY=1: fixtures built and checked, bulwark not run"
  fi
}

# jq helpers for reports: percent-decoding (purls) and the list of deb packages whose purl is not
# pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=debian-VER (qualifiers in any order; the epoch may
# be in the version, percent-encoded, or in an epoch= qualifier as Trivy writes it).
BW_JQ_DEFS='
def hexval: ascii_downcase | explode | map(if . >= 97 then . - 87 else . - 48 end) | .[0] * 16 + .[1];
def urldecode: gsub("%(?<h>[0-9A-Fa-f]{2})"; [.h | hexval] | implode);
def bad_deb_purls($distro):
  [ .packages[] | select(.type == "deb") | . as $pkg
    | ((.purl // "") | capture("^pkg:deb/(?<ns>[^/]+)/(?<n>[^@?#]+)@(?<v>[^?#]+)\\?(?<q>[^#]*)$")) as $c
    | ($c.q | split("&") | map(split("=") | {(.[0]): (.[1:] | join("=") | urldecode)}) | add) as $q
    | ($c.v | urldecode) as $v
    | ($pkg.version | if test("^[0-9]+:") then {e: split(":")[0], u: sub("^[0-9]+:"; "")}
                      else {e: null, u: .} end) as $ver
    | select($c.ns != "debian" or ($c.n | urldecode) != $pkg.name or $q.arch != $pkg.arch
             or $q.distro != $distro
             or ($v != $pkg.version and ($v != $ver.u or $q.epoch != $ver.e)))
    | "\($pkg.name) \($pkg.version) \($pkg.arch): \($pkg.purl)" ]
  + [ .packages[] | select(.type == "deb")
      | select((.purl // "") | test("^pkg:deb/[^/]+/[^@?#]+@[^?#]+\\?[^#]*$") | not)
      | "\(.name): malformed purl \(.purl)" ];
'

# bw_bulwark OUT_PREFIX ARGS...: runs the binary bounded in time; stdout OUT_PREFIX.out, stderr
# OUT_PREFIX.err, exit code OUT_PREFIX.rc.
bw_bulwark() {
  local out=$1; shift
  local rc=0
  timeout "${BW_SCAN_TIMEOUT:-300}" "$BULWARK" "$@" >"$out.out" 2>"$out.err" || rc=$?
  echo "$rc" >"$out.rc"
  [ "$rc" -ne 124 ] || echo "bulwark $*: timed out after ${BW_SCAN_TIMEOUT:-300}s" >>"$out.err"
  return 0
}
