#!/usr/bin/env bash
# Builds the benchmark image once: a 6-layer OCI image (~1.8 GB uncompressed, ~650 MB gzip, of real
# Debian bookworm packages, one gzip layer per package group) plus the same image as a
# docker-archive for Trivy.
#
#   bench/build-image.sh OUTDIR
#
# Produces OUTDIR/oci (OCI layout, tag "bench"), OUTDIR/image.tar (docker-archive,
# bench/image:latest) and OUTDIR/layers.tsv. Reused as long as OUTDIR/recipe.sha256 matches the
# recipe below; delete OUTDIR to force a rebuild. Needs root (debootstrap, chroot, mount proc),
# umoci, skopeo and jq. Takes a few minutes and downloads ~600 MB of .debs.
# The mirror is the one this host's apt uses (see bench_mirror in lib.sh; BENCH_MIRROR overrides).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

out=${1:?usage: build-image.sh OUTDIR}
suite=${BENCH_SUITE:-bookworm}
tag=bench

# One layer per group, in this order, after the debootstrap base (~200 MB with apt's lists).
# Sizes are each layer's uncompressed tar size as built on bookworm.
groups=(
  "jdk:default-jdk-headless"                 # OpenJDK 17 (~310 MB)
  "toolchain:gcc g++ gdb make"               # GCC 12, gdb with its python (~345 MB)
  "scripting:python3-full perl"              # CPython 3.11 with the stdlib extras, full perl (~200 MB)
  "golang:golang-go"                         # Go 1.19 toolchain and stdlib (~470 MB)
  "llvm:clang llvm"                          # LLVM/Clang 14 (~310 MB)
)
# Run after the last group, in its layer: the usual Dockerfile tail, which leaves whiteouts for the
# package lists of the base layer (so the bench also exercises whiteout handling).
final_cleanup='rm -rf /var/lib/apt/lists/*'

# What the cached image depends on: the package groups, the suite, and a version to bump when the
# build steps change in a way that changes the image (comments and plumbing need no rebuild).
recipe_version=1
recipe=$(printf '%s\n' "$recipe_version" "$suite" "${groups[@]}" "$final_cleanup" | sha256sum | cut -d' ' -f1)
if [ -f "$out/recipe.sha256" ] && [ "$(cat "$out/recipe.sha256")" = "$recipe" ] &&
   [ -f "$out/oci/index.json" ] && [ -f "$out/image.tar" ] && [ -f "$out/layers.tsv" ]; then
  log "image: reusing $out"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "building the bench image needs root (debootstrap, chroot)"
for t in debootstrap umoci skopeo chroot mount jq gzip; do
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
    DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 sh -ec "$2" >"$logf" 2>&1 || rc=$?
  rm -f "$rootfs/usr/sbin/policy-rc.d" "$rootfs/etc/resolv.conf"
  [ -e "$rootfs/etc/resolv.conf.bench-orig" ] && mv "$rootfs/etc/resolv.conf.bench-orig" "$rootfs/etc/resolv.conf"
  unmount_all
  if [ $rc -ne 0 ]; then tail -n 30 "$logf" >&2; die "chroot step failed (log: $logf)"; fi
}

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
  name=${g%%:*}; pkgs=${g#*:}
  cmd="apt-get install -y --no-install-recommends $pkgs && apt-get clean"
  [ $n -eq $nlayers ] && cmd="$cmd && $final_cleanup"
  log "image: layer $n/$nlayers ($name): $cmd"
  in_chroot "$name" "$cmd"
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
skopeo copy --quiet "oci:$oci:$tag" "docker-archive:$work/image.tar:bench/image:latest"

# Keep only the artifacts; the unpacked bundle is large.
unmount_all
rm -rf "$bundle"
mkdir -p "$out"
rm -rf "$out/oci" "$out/image.tar" "$out/layers.tsv" "$out/logs"
mv "$oci" "$out/oci"
mv "$work/image.tar" "$out/image.tar"
mv "$work/layers.tsv" "$out/layers.tsv"
mkdir -p "$out/logs"
mv "$work"/*.log "$out/logs/" 2>/dev/null || true
printf '%s\n' "$recipe" >"$out/recipe.sha256"
safe_rm_work
log "image: done ($out)"
