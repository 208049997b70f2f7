#!/usr/bin/env bash
# Registry benchmark: Bulwark's `bulwark serve` against Debian's docker-registry (the CNCF
# distribution registry 2.8) on this machine with the same client. Per server, on a fresh data dir:
#   push   skopeo copy of a ~1 GB, 5-layer image (incompressible; gzip layers of stored blocks) from an
#          OCI layout into the registry                                            -> MB/s
#   pull   skopeo copy of it back into a fresh OCI layout                           -> MB/s
#   GETs   wrk, 64 connections, 2 threads, 10 s: the manifest by tag, then by digest -> requests/s
#   RSS    peak resident memory of the server process (VmHWM)
# then a table with the ratios Bulwark / distribution (targets: throughput >= 1x, GETs >= 2x,
# RSS lower).
#
#   bench/registry.sh [PATH/TO/bulwark]     (make bench passes build/release/bulwark)
#
# Environment: BULWARK, BENCH_DIR (default build/bench), BENCH_REGISTRY_MB (image size, default
# 1024), BENCH_REGISTRY_THREADS (bulwark serve --threads, default 0 = thread per connection),
# BENCH_WRK_SECONDS (default 10).
# Distribution runs anonymous (no auth configured); Bulwark with its access control on: skopeo logs
# in through the token endpoint and wrk sends a Bearer token (a signed JWT checked per request).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

bulwark=${1:-${BULWARK:-$root/build/release/bulwark}}
bench=${BENCH_DIR:-$root/build/bench}
size_mb=${BENCH_REGISTRY_MB:-1024}
threads=${BENCH_REGISTRY_THREADS:-0}
secs=${BENCH_WRK_SECONDS:-10}
[ -x "$bulwark" ] || die "bulwark binary not found: $bulwark (make build)"
for t in skopeo wrk curl jq python3 /usr/bin/docker-registry; do command -v "$t" >/dev/null || die "$t missing (scripts/install-deps.sh all)"; done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

# ---- the image: 5 layers of random bytes, built once ----
img=$bench/registry-image-gz-$size_mb
if [ ! -e "$img/index.json" ]; then
  log "building a ${size_mb} MB 5-layer OCI image in $img"
  rm -rf "$img.tmp"
  python3 - "$img.tmp" "$size_mb" <<'PY'
import hashlib, io, json, os, sys, tarfile, zlib
out, mb = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{out}/blobs/sha256")
def put(data):
    d = hashlib.sha256(data).hexdigest()
    open(f"{out}/blobs/sha256/{d}", "wb").write(data)
    return "sha256:" + d, len(data)
sizes = [mb * f for f in (0.35, 0.25, 0.2, 0.12, 0.08)]
layers, diffs = [], []
for i, s in enumerate(sizes):
    payload = os.urandom(int(s * (1 << 20)))
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w", format=tarfile.PAX_FORMAT) as t:
        ti = tarfile.TarInfo(f"data/layer{i}.bin"); ti.size = len(payload); ti.mtime = 0
        t.addfile(ti, io.BytesIO(payload))
    raw = bio.getvalue()
    # gzip with stored blocks (level 0): a compressed layer media type, so skopeo sends it as is
    # instead of gzipping 1 GB itself (which would measure its compressor, not the registry)
    z = zlib.compressobj(0, zlib.DEFLATED, 31)
    d, n = put(z.compress(raw) + z.flush())
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": n})
    diffs.append("sha256:" + hashlib.sha256(raw).hexdigest())
cfg = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": diffs},
                  "config": {}}).encode()
cd, cn = put(cfg)
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cn},
                  "layers": layers}).encode()
md, mn = put(man)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": md, "size": mn, "annotations": {"org.opencontainers.image.ref.name": "bench"}}]},
          open(f"{out}/index.json", "w"))
open(f"{out}/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
PY
  mv "$img.tmp" "$img"
fi
bytes=$(du -sb "$img/blobs" | cut -f1)
digest=$(jq -r '.manifests[0].digest' "$img/index.json")
log "image: $((bytes >> 20)) MiB, manifest $digest"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
secs_of() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }
now() { date +%s.%N; }
wait_http() { local i; for i in $(seq 1 100); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; die "no answer from $1"; }

work=$(mktemp -d "$bench/registry-run.XXXXXX")
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# run NAME: push, pull, wrk by tag and digest, RSS. Uses PID, ADDR, CREDS (skopeo), AUTHZ (wrk header).
declare -A R
run() {
  local name=$1 t0 t1 out
  t0=$(now)
  skopeo copy --quiet $CREDS_DEST --dest-tls-verify=false "oci:$img:bench" "docker://$ADDR/bench/image:latest" >/dev/null
  t1=$(now)
  R[$name.push]=$(secs_of "$t0" "$t1")
  rm -rf "$work/pull"
  t0=$(now)
  skopeo copy --quiet $CREDS_SRC --src-tls-verify=false "docker://$ADDR/bench/image:latest" "oci:$work/pull:bench" >/dev/null
  t1=$(now)
  R[$name.pull]=$(secs_of "$t0" "$t1")
  cmp -s "$work/pull/blobs/sha256/${digest#sha256:}" "$img/blobs/sha256/${digest#sha256:}" || die "$name: pulled manifest differs"
  rm -rf "$work/pull"
  local accept='Accept: application/vnd.oci.image.manifest.v1+json'
  for kind in tag digest; do
    local ref=latest; [ $kind = digest ] && ref=$digest
    local url="http://$ADDR/v2/bench/image/manifests/$ref"
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H "$accept" ${AUTHZ:+-H "$AUTHZ"} "$url")" = 200 ] || die "$name: manifest GET by $kind fails"
    out=$(wrk -t2 -c64 -d"${secs}s" -H "$accept" ${AUTHZ:+-H "$AUTHZ"} "$url")
    R[$name.$kind]=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
    grep -q "Non-2xx" <<<"$out" && die "$name: non-2xx answers under wrk: $out"
  done
  R[$name.rss]=$(awk '/^VmHWM:/ {print $2}' "/proc/$PID/status")
}

# ---- distribution ----
port=$(free_port); ADDR=127.0.0.1:$port
mkdir -p "$work/dist"
cat >"$work/dist.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/dist
  delete:
    enabled: true
http:
  addr: $ADDR
YML
/usr/bin/docker-registry serve "$work/dist.yml" >"$work/dist.log" 2>&1 &
PID=$!
wait_http "http://$ADDR/v2/"
CREDS_DEST= CREDS_SRC= AUTHZ=
log "distribution ($(/usr/bin/docker-registry --version 2>/dev/null | awk '{print $NF}')): push, pull, wrk"
run dist
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=

# ---- bulwark ----
port=$(free_port); ADDR=127.0.0.1:$port
pw=bench-$RANDOM$RANDOM
BULWARK_ADMIN_PASSWORD=$pw "$bulwark" serve --listen "$ADDR" --data "$work/bw" --threads "$threads" >"$work/bw.log" 2>&1 &
PID=$!
wait_http "http://$ADDR/healthz"
CREDS_DEST="--dest-creds admin:$pw" CREDS_SRC="--src-creds admin:$pw"
log "bulwark (threads=$threads): push, pull, wrk"
tok=$(curl -s -u "admin:$pw" "http://$ADDR/token?service=bulwark&scope=repository:bench/image:pull,push" | jq -r .token)
AUTHZ="Authorization: Bearer $tok"
run bw
kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=

mbs() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1048576 / float(sys.argv[2]):.0f}')" "$bytes" "$1"; }
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.2f}x' if b else '-')" "$1" "$2"; }
printf '\nRegistry benchmark: %d MiB, 5 layers, skopeo %s, wrk -t2 -c64 -d%ss, %d CPUs\n' "$((bytes >> 20))" \
  "$(skopeo --version | awk '{print $3}')" "$secs" "$(nproc)"
printf '%-28s %14s %14s %10s\n' "" "distribution" "bulwark" "ratio"
printf '%-28s %14s %14s %10s\n' "push (MB/s)" "$(mbs "${R[dist.push]}")" "$(mbs "${R[bw.push]}")" "$(ratio "$(mbs "${R[bw.push]}")" "$(mbs "${R[dist.push]}")")"
printf '%-28s %14s %14s %10s\n' "  push time (s)" "${R[dist.push]}" "${R[bw.push]}" ""
printf '%-28s %14s %14s %10s\n' "pull (MB/s)" "$(mbs "${R[dist.pull]}")" "$(mbs "${R[bw.pull]}")" "$(ratio "$(mbs "${R[bw.pull]}")" "$(mbs "${R[dist.pull]}")")"
printf '%-28s %14s %14s %10s\n' "  pull time (s)" "${R[dist.pull]}" "${R[bw.pull]}" ""
printf '%-28s %14s %14s %10s\n' "manifest GET by tag (req/s)" "${R[dist.tag]}" "${R[bw.tag]}" "$(ratio "${R[bw.tag]}" "${R[dist.tag]}")"
printf '%-28s %14s %14s %10s\n' "manifest GET by digest (req/s)" "${R[dist.digest]}" "${R[bw.digest]}" "$(ratio "${R[bw.digest]}" "${R[dist.digest]}")"
printf '%-28s %14s %14s %10s\n' "peak RSS (MiB)" "$((R[dist.rss] >> 10))" "$((R[bw.rss] >> 10))" "$(ratio "${R[bw.rss]}" "${R[dist.rss]}")"
