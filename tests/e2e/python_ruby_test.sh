#!/usr/bin/env bash
# Acceptance: Python and Ruby packages of a real Debian 12 image. The image is the debootstrap
# minbase rootfs plus real Debian packages installed by apt-get inside it (python3-urllib3,
# python3-requests, python3-yaml, ruby-rack and their dependencies), plus a virtualenv made by
# `python3 -m venv` inside the image, holding a hand-made distribution (dist-info) and a
# distutils-style single-file .egg-info. Packed as a one-layer OCI image with umoci.
# Expected lists come from the image's own tools, run inside it:
#   Python: importlib.metadata.distributions(path=[DIR]) for every site-packages / dist-packages
#           DIR (names in PEP 503 form, versions as the metadata has them);
#   Ruby:   `gem list --local` (every installed gem and version, default gems included).
source "$(dirname "$0")/lib.sh"
bw_e2e_start debootstrap umoci jq chroot tar flock

PY_PKGS=(python3-urllib3 python3-requests python3-yaml ruby-rack)

# --- fixtures -----------------------------------------------------------------------------------
# The rootfs with the packages installed is cached like the debootstrap tarball (once per cache,
# under a lock): it needs the Debian mirror, which is slow, and it never changes for a cache.
bw_pyruby_rootfs_tarball() {
  local tarball="$BW_CACHE/debian-$BW_SUITE-pyruby-amd64.tar"
  if [ ! -s "$tarball" ]; then
    (
      flock 9
      if [ ! -s "$tarball" ]; then
        local mirror tmp root
        rm -rf --one-file-system "$BW_CACHE"/pyruby.* 2>/dev/null || true
        mirror=$(bw_debian_mirror)
        tmp=$(mktemp -d "$BW_CACHE/pyruby.XXXXXX")
        root="$tmp/rootfs"
        bw_debian_rootfs "$root"
        # apt inside the image needs a source, name resolution and this machine's apt settings;
        # all three are removed again before the rootfs is packed
        echo "deb $mirror $BW_SUITE main" >"$root/etc/apt/sources.list"
        cp -L /etc/resolv.conf "$root/etc/resolv.conf"
        local conf
        for conf in /etc/apt/apt.conf.d/99*; do [ -e "$conf" ] && cp "$conf" "$root/etc/apt/apt.conf.d/"; done
        bw_log "apt-get install ${PY_PKGS[*]} inside the rootfs (once per cache)"
        if ! { chroot "$root" apt-get update -qq &&
               DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends \
                 "${PY_PKGS[@]}"; } >"$tmp/apt.log" 2>&1; then
          tail -n 30 "$tmp/apt.log" >&2
          rm -rf --one-file-system "$tmp"
          bw_fail "apt-get install inside the rootfs failed"
        fi
        rm -f "$root/etc/apt/sources.list" "$root/etc/resolv.conf" "$root"/etc/apt/apt.conf.d/99*
        rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin "$root/var/cache/apt/archives/"*.deb
        tar --numeric-owner --xattrs -C "$root" -cf "$tmp/rootfs.tar" .
        mv "$tmp/rootfs.tar" "$tarball"
        rm -rf --one-file-system "$tmp"
        bw_log "cached $tarball ($(du -h "$tarball" | cut -f1))"
      fi
    ) 9>"$BW_CACHE/.pyruby.lock"
  fi
  printf '%s\n' "$tarball"
}

bw_tmpdir python_ruby
ROOT="$T/rootfs"
TAG=pyruby
bw_log "fixtures in $T"
mkdir -p "$ROOT"
tar --numeric-owner --xattrs -xpf "$(bw_pyruby_rootfs_tarball)" -C "$ROOT"

for p in "${PY_PKGS[@]}" python3 ruby; do
  bw_check "the image has $p installed (dpkg)" \
    bash -c 'dpkg-query --admindir="$1/var/lib/dpkg" -W -f="\${Status}" "$2" | grep -q "install ok installed"' _ "$ROOT" "$p"
done

# a virtualenv made by the image's python, and two distributions in it written by hand: a wheel's
# dist-info (metadata 2.1, a non-normalised name) and a distutils single-file .egg-info
bw_check "python3 -m venv --without-pip /opt/venv inside the image" \
  chroot "$ROOT" python3 -m venv --without-pip /opt/venv
VENV_SP=$(cd "$ROOT" && ls -d opt/venv/lib/python3*/site-packages 2>/dev/null | head -n1)
bw_check "the virtualenv has a site-packages dir" test -n "$VENV_SP"
if [ -n "$VENV_SP" ]; then
  mkdir -p "$ROOT/$VENV_SP/Bulwark_Demo.Pkg-0.3.dev1.dist-info"
  printf 'Metadata-Version: 2.1\nName: Bulwark_Demo.Pkg\nVersion: 0.3.dev1\nSummary: e2e fixture\nLicense: MIT\n\nA hand-made distribution.\n' \
    >"$ROOT/$VENV_SP/Bulwark_Demo.Pkg-0.3.dev1.dist-info/METADATA"
  printf 'bulwark_demo/__init__.py,,\n' >"$ROOT/$VENV_SP/Bulwark_Demo.Pkg-0.3.dev1.dist-info/RECORD"
  printf 'Metadata-Version: 1.1\nName: legacy-thing\nVersion: 1.0\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: BSD License\n' \
    >"$ROOT/$VENV_SP/legacy_thing-1.0-py3.11.egg-info"
fi

# every directory Python installs distributions into
mapfile -t SITE_DIRS < <(cd "$ROOT" && find . -xdev -type d \( -name site-packages -o -name dist-packages \) |
                          sed 's|^\./||' | sort)
bw_check "site-packages / dist-packages dirs found (${#SITE_DIRS[@]})" test "${#SITE_DIRS[@]}" -ge 2
chroot "$ROOT" python3 - "${SITE_DIRS[@]}" >"$T/py-expected.tsv" 2>"$T/py-expected.err" <<'EOF' || true
import importlib.metadata as md, re, sys
rows = set()
for d in sys.argv[1:]:
    for dist in md.distributions(path=["/" + d]):
        name = dist.metadata["Name"]
        rows.add("%s\t%s\t%s" % (d, re.sub(r"[-_.]+", "-", name).lower(), dist.version))
print("\n".join(sorted(rows)))
EOF
LC_ALL=C sort -o "$T/py-expected.tsv" "$T/py-expected.tsv"
bw_check "importlib.metadata lists distributions" test "$(grep -c . "$T/py-expected.tsv")" -ge 5
for p in requests urllib3 pyyaml bulwark-demo-pkg legacy-thing; do
  bw_check "expected Python list has $p" grep -q "	$p	" "$T/py-expected.tsv"
done

chroot "$ROOT" gem list --local >"$T/gem-list.txt" 2>"$T/gem-list.err" || true
# "name (1.0, default: 2.0)" or "name (1.0 x86_64-linux)" -> one "name<TAB>version" row per version
awk '{ name = $1; sub(/^[^(]*\(/, ""); sub(/\)$/, ""); n = split($0, v, /, /)
       for (i = 1; i <= n; i++) { sub(/^default: /, "", v[i]); split(v[i], w, / /); print name "\t" w[1] } }' \
  "$T/gem-list.txt" | LC_ALL=C sort -u >"$T/gem-expected.tsv"
bw_check "gem list --local lists gems" test "$(grep -c . "$T/gem-expected.tsv")" -ge 5
bw_check "expected gem list has rack" grep -q "^rack	" "$T/gem-expected.tsv"

bw_oci_from_rootfs "$ROOT" "$T/oci" "$TAG" "debootstrap + apt-get install ${PY_PKGS[*]} + venv"
bw_e2e_fixtures_done

# --- scan ---------------------------------------------------------------------------------------
bw_log "scanning oci:$T/oci:$TAG"
bw_sbom "$T/oci" "oci:$T/oci:$TAG"
bw_check_stderr oci "$T/oci.err"
rc=$(cat "$T/oci.rc")
if [ "$rc" -ne 0 ] || ! jq -e . "$T/oci.json" >/dev/null 2>&1; then
  bw_not_ok "bulwark sbom exited $rc or wrote no JSON"
  bw_show_err "$T/oci.err"
  bw_finish
  exit 1
fi
bw_ok "bulwark sbom exits 0"

# Python: per installation dir. A distribution's dir is the parent of X.dist-info/METADATA's and
# X.egg-info/PKG-INFO's dir, or the dir of a single-file X.egg-info.
jq -r '.packages[] | select(.type == "pypi") | [.path, .name, .version] | @tsv' "$T/oci.json" |
  awk -F'\t' 'BEGIN { OFS = "\t" }
    { p = $1
      if (p ~ /\.egg-info$/) sub(/\/[^\/]*$/, "", p); else { sub(/\/[^\/]*$/, "", p); sub(/\/[^\/]*$/, "", p) }
      print p, $2, $3 }' | LC_ALL=C sort -u >"$T/py-actual.tsv"
# only distributions directly in a site dir are importlib's; vendored copies elsewhere are extra
site_re=$(printf '%s\n' "${SITE_DIRS[@]}" | sed 's/[.[\*^$]/\\&/g' | paste -sd'|')
grep -E "^($site_re)	" "$T/py-actual.tsv" >"$T/py-actual-site.tsv" || true
bw_compare_lists "pypi packages per site dir == importlib.metadata" "$T/py-expected.tsv" "$T/py-actual-site.tsv"

jq -r '.packages[] | select(.type == "gem" and (.path | test("(^|/)specifications/")))
        | [.name, .version] | @tsv' "$T/oci.json" | LC_ALL=C sort -u >"$T/gem-actual.tsv"
bw_compare_lists "gems from installed gemspecs == gem list --local" "$T/gem-expected.tsv" "$T/gem-actual.tsv"

# Installed gems may carry Bundler lockfiles of their own (rbs ships one for its steep checks):
# every other gem must come from such a file, and each file's gems must be what Bundler's own
# parser (Bundler::LockfileParser, run in the image) reads from it.
bw_check "every gem not from a gemspec comes from a Gemfile.lock" \
  jq -e '[.packages[] | select(.type == "gem" and (.path | test("(^|/)specifications/") | not)
          and (.path | test("(^|/)(Gemfile\\.lock|gems\\.locked)$") | not))] | length == 0' "$T/oci.json"
mapfile -t LOCKS < <(jq -r '.packages[] | select(.type == "gem") | .path' "$T/oci.json" |
                     grep -E '(^|/)(Gemfile\.lock|gems\.locked)$' | sort -u)
for lock in "${LOCKS[@]}"; do
  # a PATH source makes Bundler resolve paths against the Gemfile beside the lockfile
  chroot "$ROOT" ruby -rbundler -e '
    Dir.chdir(File.dirname(ARGV[0]))
    ENV["BUNDLE_GEMFILE"] = File.join(Dir.pwd, "Gemfile")
    Bundler::LockfileParser.new(File.read(ARGV[0])).specs.each { |s| puts "#{s.name}\t#{s.version}" }' \
    "/$lock" 2>"$T/bundler.err" | LC_ALL=C sort -u >"$T/lock-expected.tsv" || true
  [ -s "$T/lock-expected.tsv" ] || bw_show_err "$T/bundler.err"
  jq -r --arg p "$lock" '.packages[] | select(.type == "gem" and .path == $p) | [.name, .version] | @tsv' \
    "$T/oci.json" | LC_ALL=C sort -u >"$T/lock-actual.tsv"
  bw_compare_lists "gems of $lock == Bundler::LockfileParser" "$T/lock-expected.tsv" "$T/lock-actual.tsv"
done

bw_check "the Debian packages are still there (python3, ruby-rack as deb)" \
  jq -e '[.packages[] | select(.type == "deb" and (.name == "python3" or .name == "ruby-rack"))] | length == 2' \
  "$T/oci.json"
bw_check "pypi purls are pkg:pypi/NAME@VERSION with PEP 503 names" \
  jq -e '[.packages[] | select(.type == "pypi")
          | select(.purl != "pkg:pypi/\(.name | ascii_downcase | gsub("[-_.]+"; "-"))@\(.version | @uri)")]
         | length == 0' "$T/oci.json"
bw_check "the hand-made dist-info: name normalised, version, licence, path" \
  jq -e --arg p "$VENV_SP/Bulwark_Demo.Pkg-0.3.dev1.dist-info/METADATA" \
    '[.packages[] | select(.type == "pypi" and .name == "bulwark-demo-pkg")][0]
     | .version == "0.3.dev1" and .purl == "pkg:pypi/bulwark-demo-pkg@0.3.dev1" and .path == $p
       and (.licenses | tostring | test("MIT"))' "$T/oci.json"
bw_check "the single-file .egg-info: licence from its classifier" \
  jq -e '[.packages[] | select(.type == "pypi" and .name == "legacy-thing")][0]
         | .version == "1.0" and (.licenses | tostring | test("BSD License"))' "$T/oci.json"
rack_v=$(awk -F'\t' '$1 == "rack" { print $2 }' "$T/gem-expected.tsv" | head -n1)
bw_check "rack: purl pkg:gem/rack@$rack_v, licence MIT, path under specifications/" \
  jq -e --arg v "$rack_v" '[.packages[] | select(.type == "gem" and .name == "rack")][0]
     | .purl == "pkg:gem/rack@\($v)" and (.licenses | tostring | test("MIT"))
       and (.path | test("/specifications/rack-.*\\.gemspec$"))' "$T/oci.json"
bw_check "every pypi and gem package has the image's layer" \
  jq -e --arg d "$(bw_oci_diff_ids "$T/oci" "$TAG" | head -n1)" \
    '[.packages[] | select((.type == "pypi" or .type == "gem") and .layer != $d)] | length == 0' "$T/oci.json"
# The purls decode, with the purl project's reference implementation (packageurl-js, from the
# pinned npm packages of scripts/fetch-schemas.sh), to the components' names and versions.
if command -v node >/dev/null && modules=$("$BW_SRC/scripts/fetch-schemas.sh" "$BW_BUILD/schemas" 2>/dev/null); then
  bw_bulwark "$T/cdx" sbom "oci:$T/oci:$TAG" --format cyclonedx --cache-dir "$T/oci.cache"
  bw_check "cyclonedx: exit 0" test "$(cat "$T/cdx.rc")" -eq 0
  jq '.components |= map(select(.purl // "" | test("^pkg:(pypi|gem)/")))' "$T/cdx.out" >"$T/app.cdx.json"
  bw_check "pypi and gem purls decode with packageurl-js to their components" \
    env NODE_PATH="$modules" node "$BW_SRC/tests/tools/check_purls.js" "$T/app.cdx.json"
else
  echo "NOTE: purls not decoded with packageurl-js (node or the pinned npm packages unavailable)"
fi
bw_check "no analyser warning about a Python or Ruby file" \
  bash -c '! grep -E "python-metadata|gemspec|egg-info|dist-info" "$1"' _ "$T/oci.err"

bw_finish
