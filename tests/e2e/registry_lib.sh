# Helpers for the registry end-to-end tests (sourced after lib.sh): start/stop `bulwark serve` on a
# free loopback port with a scratch data directory, and build small OCI images with umoci.
# shellcheck shell=bash

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
export BULWARK_ADMIN_PASSWORD=${BULWARK_ADMIN_PASSWORD:-e2e-admin-pw}
ADMIN="admin:$BULWARK_ADMIN_PASSWORD"

reg_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# reg_start DATA [ARGS...]: starts the server (PID in REG_PID, address in REG, URL in REG_URL),
# waits for /healthz. The log goes to DATA.log.
REG_PID=
reg_start() {
  local data=$1; shift
  [ -n "${REG_PORT:-}" ] || REG_PORT=$(reg_free_port)
  REG="127.0.0.1:$REG_PORT"
  REG_URL="http://$REG"
  "$BULWARK" serve --listen "$REG" --data "$data" "$@" >>"$data.log" 2>&1 &
  REG_PID=$!
  local i
  for i in $(seq 1 100); do
    curl -sf "$REG_URL/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$REG_PID" 2>/dev/null || { cat "$data.log" >&2; bw_fail "server exited at start"; }
    sleep 0.1
  done
  cat "$data.log" >&2
  bw_fail "server did not answer /healthz"
}

# reg_stop: SIGTERM, wait (the exit status must be 0: a clean shutdown, no sanitizer report).
reg_stop() {
  [ -n "$REG_PID" ] || return 0
  kill -TERM "$REG_PID" 2>/dev/null || true
  local rc=0
  wait "$REG_PID" || rc=$?
  REG_PID=
  return $rc
}
reg_kill9() {
  [ -n "$REG_PID" ] || return 0
  kill -KILL "$REG_PID" 2>/dev/null || true
  wait "$REG_PID" 2>/dev/null || true
  REG_PID=
}
bw_on_exit 'reg_kill9'

# reg_image LAYOUT TAG ARCH NLAYERS: a scratch image with NLAYERS layers of random bytes (sizes
# 100 KiB .. about 1 MiB) for linux/ARCH.
reg_image() {
  local layout=$1 tag=$2 arch=$3 n=$4 i d
  [ -e "$layout/index.json" ] || umoci init --layout "$layout"
  umoci new --image "$layout:$tag"
  umoci config --no-history --image "$layout:$tag" --os linux --architecture "$arch"
  for i in $(seq 1 "$n"); do
    d=$(mktemp -d "$BW_WORK/layer.XXXXXX")
    mkdir -p "$d/files"
    head -c $((100000 * i + RANDOM)) /dev/urandom >"$d/files/$tag-$arch-$i.bin"
    tar -C "$d" -cf "$d.tar" files
    umoci raw add-layer --image "$layout:$tag" --history.created_by "layer $i" "$d.tar"
    rm -rf "$d" "$d.tar"
  done
}

# curl with the admin's Basic credentials, quiet, showing errors.
acurl() { curl -sS -u "$ADMIN" "$@"; }
# status code of a request
code() { curl -s -o /dev/null -w '%{http_code}' -u "$ADMIN" "$@"; }
sha() { echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"; }
