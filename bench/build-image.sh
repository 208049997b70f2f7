#!/usr/bin/env bash
# Builds a benchmark image once, from a profile (BENCH_PROFILE when no second argument):
#   base  a 6-layer OCI image (~1.8 GB uncompressed, ~650 MB gzip) of real Debian bookworm
#         packages, one gzip layer per package group;
#   app   an application-heavy 5-layer image: Debian's Java libraries (100+ jars), node with
#         ~2000 npm packages under /srv/app (bench/app/package.json), Python libraries and a venv.
# plus the same image as a docker-archive for Trivy.
#
#   bench/build-image.sh OUTDIR [base|app]
#
# Produces OUTDIR/oci (OCI layout, tag "bench" or "app"), OUTDIR/image.tar (docker-archive,
# bench/image:latest or bench/app:latest) and OUTDIR/layers.tsv; the app profile also
# OUTDIR/contents.tsv (jar, npm, python package counts), npm-ls.txt (name@version of each package
# dir `npm ls --all` lists, from its package.json), npm-ls.raw and package-lock.json.
# Reused as long as OUTDIR/recipe.sha256 matches the recipe below; delete OUTDIR to force a
# rebuild. Needs root (debootstrap, chroot, mount proc), umoci, skopeo and jq. Takes a few minutes
# and downloads ~600 MB of .debs (app: also ~2000 npm tarballs).
# The mirror is the one this host's apt uses (see bench_mirror in lib.sh; BENCH_MIRROR overrides);
# the npm registry is the one this host's npm uses (`npm config get registry`), read at run time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

out=${1:?usage: build-image.sh OUTDIR [base|app]}
profile=${2:-${BENCH_PROFILE:-base}}
suite=${BENCH_SUITE:-bookworm}

# post[GROUP]: shell run in the chroot right after GROUP's apt-get install, in the same layer.
declare -A post=() host=()
case $profile in
base)
  tag=bench
  archive_name=bench/image:latest
  # One layer per group, in this order, after the debootstrap base (~200 MB with apt's lists).
  # Sizes are each layer's uncompressed tar size as built on bookworm.
  groups=(
    "jdk:default-jdk-headless"                 # OpenJDK 17 (~310 MB)
    "toolchain:gcc g++ gdb make"               # GCC 12, gdb with its python (~345 MB)
    "scripting:python3-full perl"              # CPython 3.11 with the stdlib extras, full perl (~200 MB)
    "golang:golang-go"                         # Go 1.19 toolchain and stdlib (~470 MB)
    "llvm:clang llvm"                          # LLVM/Clang 14 (~310 MB)
  )
  ;;
app)
  # Application-heavy: few OS files, many language packages (jars, node_modules, dist-info).
  tag=app
  archive_name=bench/app:latest
  groups=(
    # JRE 17 plus Debian's Java libraries: 100+ jars under /usr/share/java, /usr/share/maven.
    "java:default-jre-headless maven libtomcat9-java libtomcat10-java liblog4j2-java
      libspring-core-java libspring-beans-java libspring-context-java libspring-web-java
      libjackson2-databind-java libjackson2-dataformat-yaml libguava-java libnetty-java
      libjetty9-java libhibernate-validator-java libslf4j-java liblogback-java libhttpclient-java
      libcommons-lang3-java libcommons-io-java libcommons-collections4-java libcommons-codec-java
      libcommons-compress-java libcommons-math3-java libbcprov-java libgoogle-gson-java"
    # Debian's node 18 and npm (npm pulls in ~335 node-* debs, 1764 package.json under /usr/share/nodejs),
    # then /srv/app: bench/app/package.json installed from the npm registry (~2000 packages,
    # among them esbuild's Go binary with its module list).
    "node:nodejs npm"
    # CPython 3.11 and common libraries (dist-info / egg-info dirs), plus a venv (pip, setuptools).
    "python:python3 python3-venv python3-pip python3-django python3-flask python3-requests
      python3-yaml python3-jinja2 python3-numpy python3-cryptography python3-sqlalchemy
      python3-lxml python3-boto3 python3-pytest python3-psycopg2 python3-redis python3-celery"
    # Two small Go programs (Debian builds them without module info).
    "gobin:fzf age"
  )
  # The registry, CA file and proxy come from the environment npm_setup prepares for in_chroot, so
  # no registry host is written here or into the image's history. The cache stays out of the layer.
  # shellcheck disable=SC2016 # $npm_config_cache expands in the chroot
  post[node]='cd /srv/app && npm install --no-audit --no-fund --ignore-scripts --loglevel=error &&
    mkdir -p /tmp/bench-out && cp package-lock.json /tmp/bench-out/ &&
    { npm ls --all --parseable --long >/tmp/bench-out/npm-ls.txt || test -s /tmp/bench-out/npm-ls.txt; } &&
    rm -rf "$npm_config_cache" /root/.npm'
  post[python]='python3 -m venv /opt/venv'
  # host[GROUP]: a step run on the host against the rootfs after GROUP's chroot step, same layer.
  host[java]=make_fat_jar
  ;;
*) die "unknown profile '$profile' (base or app)" ;;
esac
# make_fat_jar (app profile, java layer): /opt/app/app.jar, a Spring Boot style executable jar
# whose BOOT-INF/lib holds a copy of every jar Debian installed under /usr/share/java (stored, as
# Boot requires). Real Java images ship their jars like this, outside any dpkg package; Trivy only
# reads such jars (it skips files owned by OS packages), and they exercise nested-jar analysis.
# Written by the host's python3 with fixed timestamps and sorted entries, so it is reproducible.
fat_jar_py='
import os, sys, zipfile
root = sys.argv[1]
src = os.path.join(root, "usr/share/java")
out = os.path.join(root, "opt/app/app.jar")
os.makedirs(os.path.dirname(out), exist_ok=True)
jars = sorted(f for f in os.listdir(src)
              if f.endswith(".jar") and not os.path.islink(os.path.join(src, f)))
def add(z, name, data, method):
    zi = zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0))
    zi.compress_type = method
    zi.external_attr = 0o644 << 16
    z.writestr(zi, data)
with zipfile.ZipFile(out, "w") as z:
    add(z, "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n"
        "Main-Class: org.springframework.boot.loader.JarLauncher\r\n"
        "Start-Class: bench.app.Main\r\nImplementation-Title: bench-app\r\n"
        "Implementation-Version: 1.0.0\r\n\r\n", zipfile.ZIP_DEFLATED)
    add(z, "META-INF/maven/bench/app/pom.properties",
        "groupId=bench\nartifactId=app\nversion=1.0.0\n", zipfile.ZIP_DEFLATED)
    for j in jars:
        with open(os.path.join(src, j), "rb") as f:
            add(z, "BOOT-INF/lib/" + j, f.read(), zipfile.ZIP_STORED)
print(len(jars))
'
make_fat_jar() {
  local n
  n=$(python3 -c "$fat_jar_py" "$rootfs") || die "writing /opt/app/app.jar failed"
  log "image: /opt/app/app.jar with $n nested jars"
}

# Run after the last group, in its layer: the usual Dockerfile tail, which leaves whiteouts for the
# package lists of the base layer (so the bench also exercises whiteout handling).
final_cleanup='rm -rf /var/lib/apt/lists/*'

# What the cached image depends on: the package groups, the suite, and a version to bump when the
# build steps change in a way that changes the image (comments and plumbing need no rebuild).
# The base profile hashes exactly what it did before profiles existed, so its cache stays valid.
recipe_version=1
recipe_in=("$recipe_version" "$suite" "${groups[@]}" "$final_cleanup")
if [ "$profile" != base ]; then
  recipe_in+=("profile=$profile" "${post[node]:-}" "${post[python]:-}" "${host[java]:-}")
  [ "$profile" = app ] && recipe_in+=("$(cat "$here/app/package.json")" "$fat_jar_py")
fi
recipe=$(printf '%s\n' "${recipe_in[@]}" | sha256sum | cut -d' ' -f1)
if [ -f "$out/recipe.sha256" ] && [ "$(cat "$out/recipe.sha256")" = "$recipe" ] &&
   [ -f "$out/oci/index.json" ] && [ -f "$out/image.tar" ] && [ -f "$out/layers.tsv" ]; then
  log "image: reusing $out"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "building the bench image needs root (debootstrap, chroot)"
for t in debootstrap umoci skopeo chroot mount jq gzip python3; do
  command -v "$t" >/dev/null || die "missing $t (run scripts/install-deps.sh all)"
done
mirror=$(bench_mirror) || die "no Debian mirror found in /etc/apt/sources*; set BENCH_MIRROR"

work="$out.tmp"
bundle="$work/bundle"
rootfs="$bundle/rootfs"

# The chroot gets /proc (some postinst scripts want it) and the host's resolv.conf; both are
# removed again before each repack so they never land in a layer, and on any exit.
unmount_all() {
  if mountpoint -q "$rootfs/proc" 2>/dev/null; then
    umount "$rootfs/proc" || umount -l "$rootfs/proc" || true
  fi
}
trap unmount_all EXIT
trap 'exit 130' INT TERM

safe_rm_work() {
  unmount_all
  # Never recurse into a tree that still has something mounted inside it.
  if [ -d "$work" ] && grep -q " $(realpath "$work")/" /proc/mounts; then
    die "something is still mounted under $work; not removing it"
  fi
  rm -rf "$work"
}

safe_rm_work
mkdir -p "$work"
oci="$work/oci"

log "image: building in $work (suite $suite, mirror from apt sources)"
umoci init --layout "$oci"
umoci new --image "$oci:$tag"
umoci unpack --image "$oci:$tag" "$bundle"

# Extra NAME=VALUE pairs for the chroot's environment (set by npm_setup for the node group).
chroot_env=()

# in_chroot LOGNAME SCRIPT: runs SCRIPT with sh inside the rootfs, with /proc, the host's DNS
# config and a policy-rc.d that keeps daemons from starting; all three are gone again afterwards.
in_chroot() {
  local logf="$work/$1.log" rc=0
  mount -t proc proc "$rootfs/proc"
  [ -e "$rootfs/etc/resolv.conf" ] && mv "$rootfs/etc/resolv.conf" "$rootfs/etc/resolv.conf.bench-orig"
  cp /etc/resolv.conf "$rootfs/etc/resolv.conf" 2>/dev/null || true
  printf '#!/bin/sh\nexit 101\n' >"$rootfs/usr/sbin/policy-rc.d"
  chmod 755 "$rootfs/usr/sbin/policy-rc.d"
  chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 ${chroot_env[@]+"${chroot_env[@]}"} sh -ec "$2" >"$logf" 2>&1 || rc=$?
  rm -f "$rootfs/usr/sbin/policy-rc.d" "$rootfs/etc/resolv.conf"
  [ -e "$rootfs/etc/resolv.conf.bench-orig" ] && mv "$rootfs/etc/resolv.conf.bench-orig" "$rootfs/etc/resolv.conf"
  unmount_all
  if [ $rc -ne 0 ]; then tail -n 30 "$logf" >&2; die "chroot step failed (log: $logf)"; fi
}

# npm_setup: lets npm in the chroot reach the registry this host's npm uses: the app's package.json
# in /srv/app, and the host's registry, CA file, proxies and user config (copied under /tmp, read
# through npm_config_* variables) for the chroot's environment. npm_teardown removes the copies
# before the layer is cut. Nothing of it is committed or written into the image's history.
npm_tmp=/tmp/bench-npm
npm_setup() {
  command -v npm >/dev/null || die "the app image needs npm on the host (to read its registry config)"
  local reg v f
  reg=$(npm config get registry) || die "npm config get registry failed"
  mkdir -p "$rootfs/srv/app" "$rootfs$npm_tmp"
  cp "$here/app/package.json" "$rootfs/srv/app/package.json"
  chroot_env=("npm_config_registry=$reg" "npm_config_cache=$npm_tmp/cache"
              "npm_config_update_notifier=false" "npm_config_audit=false" "npm_config_fund=false")
  f=$(npm config get userconfig 2>/dev/null || true)
  if [ -n "$f" ] && [ -f "$f" ]; then
    cp "$f" "$rootfs$npm_tmp/npmrc"
    chroot_env+=("npm_config_userconfig=$npm_tmp/npmrc")
  fi
  f=$(npm config get cafile 2>/dev/null || true)
  if [ -n "$f" ] && [ "$f" != null ] && [ -f "$f" ]; then
    cp "$f" "$rootfs$npm_tmp/ca.crt"
    chroot_env+=("npm_config_cafile=$npm_tmp/ca.crt")
  fi
  for v in proxy https-proxy noproxy; do
    f=$(npm config get "$v" 2>/dev/null || true)
    [ -n "$f" ] && [ "$f" != null ] && chroot_env+=("npm_config_${v//-/_}=$f")
  done
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    [ -n "${!v:-}" ] && chroot_env+=("$v=${!v}")
  done
  return 0
}
npm_teardown() {
  chroot_env=()
  rm -rf "${rootfs:?}$npm_tmp" "$rootfs/root/.npm"
}

# One line, single spaces: the group strings and post scripts span lines for reading.
squeeze() { printf '%s' "$1" | tr '\n' ' ' | tr -s ' ' | sed 's/^ //; s/ $//'; }

nlayers=$(( ${#groups[@]} + 1 ))
log "image: layer 1/$nlayers (base): debootstrap --variant=minbase $suite"
debootstrap --variant=minbase "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed (log: $work/debootstrap.log)"; }
# Package lists go into the base layer once; later layers only add packages. debootstrap leaves
# its .debs in apt's cache: clean them like any image build would.
in_chroot apt-update 'apt-get update -qq && apt-get clean'
log "image: layer 1/$nlayers (base): repack"
umoci repack --refresh-bundle --image "$oci:$tag" \
  --history.created_by "debootstrap --variant=minbase $suite && apt-get update" "$bundle"

n=1
for g in "${groups[@]}"; do
  n=$((n + 1))
  name=${g%%:*}; pkgs=$(squeeze "${g#*:}")
  cmd="apt-get install -y --no-install-recommends $pkgs && apt-get clean"
  [ -n "${post[$name]:-}" ] && cmd="$cmd && $(squeeze "${post[$name]}")"
  [ $n -eq $nlayers ] && cmd="$cmd && $final_cleanup"
  log "image: layer $n/$nlayers ($name): $cmd"
  [ "$name" = node ] && npm_setup
  in_chroot "$name" "$cmd"
  [ -n "${host[$name]:-}" ] && "${host[$name]}"
  if [ "$name" = node ]; then
    # npm's outputs leave the rootfs before the layer is cut.
    mv "$rootfs/tmp/bench-out" "$work/bench-out"
    npm_teardown
  fi
  log "image: layer $n/$nlayers ($name): repack"
  umoci repack --refresh-bundle --image "$oci:$tag" --history.created_by "$cmd" "$bundle"
done

umoci config --image "$oci:$tag" --config.cmd /bin/bash \
  --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --history.created_by 'CMD ["/bin/bash"]'
umoci gc --layout "$oci"

# layers.tsv: digest, compressed bytes, uncompressed bytes, created_by (read by run.sh).
log "image: measuring layers"
manifest=$(jq -r --arg t "$tag" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$oci/index.json")
config=$(jq -r .config.digest "$oci/blobs/sha256/${manifest#sha256:}")
jq -r '[.history[] | select(.empty_layer != true) | .created_by] | .[]' "$oci/blobs/sha256/${config#sha256:}" >"$work/created_by"
jq -r '.layers[] | "\(.digest) \(.size)"' "$oci/blobs/sha256/${manifest#sha256:}" |
  while read -r d sz; do
    printf '%s\t%s\t%s\n' "$d" "$sz" "$(gzip -dc "$oci/blobs/sha256/${d#sha256:}" | wc -c)"
  done | paste - "$work/created_by" >"$work/layers.tsv"

log "image: writing docker-archive for Trivy"
skopeo copy --quiet "oci:$oci:$tag" "docker-archive:$work/image.tar:$archive_name"

# contents.tsv (app profile): what the language analysers should find, counted on the final
# rootfs: KEY<TAB>COUNT<TAB>what. run.sh prints it beside the scanners' counts.
if [ "$profile" = app ]; then
  log "image: counting application packages"
  cp "$work/bench-out/package-lock.json" "$work/package-lock.json"
  # npm ls --parseable --long: PATH:PKGID[:...] per installed package, the root first. The name
  # and version are read from each PATH's package.json, as a scanner sees them (an alias such as
  # "string-width-cjs@npm:string-width@4.2.3" is the package string-width 4.2.3).
  cp "$work/bench-out/npm-ls.txt" "$work/npm-ls.raw"
  awk -F: '$1 ~ /\/node_modules\// { print $1 }' "$work/npm-ls.raw" | python3 -c '
import json, os, sys
root = sys.argv[1]
for line in sys.stdin:
    with open(os.path.join(root, line.strip().lstrip("/"), "package.json"), encoding="utf-8") as f:
        m = json.load(f)
    print("%s@%s" % (m.get("name"), m.get("version")))' "$rootfs" | sort >"$work/npm-ls.txt"
  {
    printf 'npm_ls\t%s\tnpm ls --all in /srv/app (installed package dirs)\n' "$(wc -l <"$work/npm-ls.txt")"
    printf 'npm_ls_unique\t%s\tthe same, distinct name@version\n' "$(sort -u "$work/npm-ls.txt" | wc -l)"
    printf 'npm_lock\t%s\tpackage-lock.json entries under node_modules/\n' \
      "$(jq '[.packages | keys[] | select(contains("node_modules/"))] | length' "$work/package-lock.json")"
    printf 'npm_debian\t%s\tpackage.json files under /usr/share/nodejs (Debian node-* packages)\n' \
      "$(find "$rootfs/usr/share/nodejs" -name package.json -type f 2>/dev/null | wc -l)"
    printf 'jar\t%s\t.jar files (not symlinks)\n' "$(find "$rootfs" -xdev -name '*.jar' -type f | wc -l)"
    printf 'jar_nested\t%s\tjars inside /opt/app/app.jar (BOOT-INF/lib)\n' \
      "$(python3 -c 'import sys, zipfile; print(sum(n.endswith(".jar") for n in zipfile.ZipFile(sys.argv[1]).namelist()))' \
         "$rootfs/opt/app/app.jar")"
    # Go binaries: executables carrying Go build info (the "\xff Go buildinf:" header).
    printf 'go_binaries\t%s\texecutables with Go build info\n' \
      "$(find "$rootfs" -xdev -type f -perm -u+x -size +100k -print0 |
         xargs -0 env LC_ALL=C grep -laF -- "$(printf '\377 Go buildinf:')" | wc -l)"
    printf 'python_dist\t%s\t*.dist-info and *.egg-info dirs and files\n' \
      "$(find "$rootfs" -xdev \( -name '*.dist-info' -o -name '*.egg-info' \) | wc -l)"
    printf 'deb\t%s\tinstalled dpkg packages\n' \
      "$(grep -c '^Status: install ok installed' "$rootfs/var/lib/dpkg/status")"
  } >"$work/contents.tsv"
fi

# Keep only the artifacts; the unpacked bundle is large.
unmount_all
rm -rf "$bundle"
mkdir -p "$out"
rm -rf "$out/oci" "$out/image.tar" "$out/layers.tsv" "$out/logs" "$out/contents.tsv" \
  "$out/npm-ls.txt" "$out/npm-ls.raw" "$out/package-lock.json"
mv "$oci" "$out/oci"
mv "$work/image.tar" "$out/image.tar"
mv "$work/layers.tsv" "$out/layers.tsv"
for f in contents.tsv npm-ls.txt npm-ls.raw package-lock.json; do
  [ -f "$work/$f" ] && mv "$work/$f" "$out/$f"
done
mkdir -p "$out/logs"
mv "$work"/*.log "$out/logs/" 2>/dev/null || true
printf '%s\n' "$recipe" >"$out/recipe.sha256"
safe_rm_work
log "image: done ($out)"
