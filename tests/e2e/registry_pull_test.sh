#!/usr/bin/env bash
# Pulls real images from real registries on loopback through `bulwark sbom docker://...` and checks
# that the result matches what the same image gives from its OCI layout.
#
# Registries (Debian's docker-registry, i.e. the CNCF distribution registry, on 127.0.0.1 ports
# found free at run time):
#   anon   - no auth
#   basic  - htpasswd (bcrypt) Basic auth
#   token  - Bearer token auth; the token server is a small python3 script that signs RS256 JWTs
#            with a key generated here, which the registry trusts through rootcertbundle
# Images are built here: a tiny Debian-like rootfs (os-release, dpkg status, 3 MiB of incompressible
# bytes so the layer stream has to pause and resume), packed with umoci, pushed with skopeo; one
# multi-platform index (linux/amd64 + linux/arm64, different package sets) is pushed with --all.
set -euo pipefail

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

[ -n "${BULWARK:-}" ] && [ -x "${BULWARK}" ] || skip "bulwark binary missing (${BULWARK:-BULWARK unset})"
for tool in docker-registry skopeo umoci htpasswd jq curl openssl python3; do
  command -v "$tool" >/dev/null || skip "$tool not installed (scripts/install-deps.sh test)"
done

# Everything here talks to 127.0.0.1 only: no proxy may get in the way.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost

WORK="${BW_WORK:-$(mktemp -d)}/registry_pull"
rm -rf "$WORK"
mkdir -p "$WORK"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# ---- images -------------------------------------------------------------------------------

# One dpkg status stanza per "name version" pair (fields as dpkg writes them).
write_status() { # arch name=version...
  local arch=$1; shift
  local nv
  for nv in "$@"; do
    printf 'Package: %s\nStatus: install ok installed\nPriority: optional\nSection: libs\n' "${nv%%=*}"
    printf 'Installed-Size: 100\nMaintainer: Debian Maintainers <debian@lists.debian.org>\n'
    printf 'Architecture: %s\nVersion: %s\nDescription: test package %s\n\n' "$arch" "${nv#*=}" "${nv%%=*}"
  done
}

make_rootfs() { # dir arch name=version...
  local dir=$1 arch=$2; shift 2
  mkdir -p "$dir/etc" "$dir/var/lib/dpkg" "$dir/usr/share/bulwark-test"
  cat >"$dir/etc/os-release" <<'EOF'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
EOF
  echo 12.4 >"$dir/etc/debian_version"
  write_status "$arch" "$@" >"$dir/var/lib/dpkg/status"
  head -c $((3 << 20)) /dev/urandom >"$dir/usr/share/bulwark-test/noise.bin"
}

LAYOUT="$WORK/layout"
AMD64_PKGS=(base-files=12.4+deb12u5 libc6=2.36-9+deb12u7 zlib1g=1:1.2.13.dfsg-1 tzdata=2024a-0+deb12u1)
ARM64_PKGS=(base-files=12.4+deb12u5 libc6=2.36-9+deb12u7)
build_image() { # tag arch layers pkgs...
  local tag=$1 arch=$2 layers=$3 i; shift 3
  umoci new --image "$LAYOUT:$tag"
  umoci unpack --image "$LAYOUT:$tag" "$WORK/bundle-$tag" >/dev/null
  make_rootfs "$WORK/bundle-$tag/rootfs" "$arch" "$@"
  umoci repack --image "$LAYOUT:$tag" "$WORK/bundle-$tag"
  # More layers, so that several streams run at once (layers are read in parallel).
  for ((i = 2; i <= layers; i++)); do
    rm -rf "$WORK/bundle-$tag"
    umoci unpack --image "$LAYOUT:$tag" "$WORK/bundle-$tag" >/dev/null
    head -c $((2 << 20)) /dev/urandom >"$WORK/bundle-$tag/rootfs/usr/share/bulwark-test/noise$i.bin"
    umoci repack --image "$LAYOUT:$tag" "$WORK/bundle-$tag"
  done
  umoci config --image "$LAYOUT:$tag" --os linux --architecture "$arch"
  rm -rf "$WORK/bundle-$tag"
}
umoci init --layout "$LAYOUT"
build_image amd64 amd64 3 "${AMD64_PKGS[@]}"
build_image arm64 arm64 1 "${ARM64_PKGS[@]}"

# A multi-platform index over both manifests, tagged "multi" in the same layout.
python3 - "$LAYOUT" <<'EOF'
import hashlib, json, os, sys
layout = sys.argv[1]
idx_path = os.path.join(layout, "index.json")
idx = json.load(open(idx_path))
by_tag = {m["annotations"]["org.opencontainers.image.ref.name"]: m for m in idx["manifests"]}
entries = []
for tag in ("amd64", "arm64"):
    d = dict(by_tag[tag])
    d.pop("annotations", None)
    d["platform"] = {"architecture": tag, "os": "linux"}
    entries.append(d)
blob = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": entries}, separators=(",", ":")).encode()
digest = hashlib.sha256(blob).hexdigest()
open(os.path.join(layout, "blobs", "sha256", digest), "wb").write(blob)
idx["manifests"].append({"mediaType": "application/vnd.oci.image.index.v1+json",
                         "digest": "sha256:" + digest, "size": len(blob),
                         "annotations": {"org.opencontainers.image.ref.name": "multi"}})
json.dump(idx, open(idx_path, "w"))
EOF

# ---- registries ---------------------------------------------------------------------------

wait_http() { # url
  local i
  for i in $(seq 1 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)
    case "$code" in 200|401) return 0 ;; esac
    sleep 0.1
  done
  return 1
}

start_registry() { # name port auth-yaml
  local name=$1 port=$2 auth=$3
  mkdir -p "$WORK/$name/storage"
  cat >"$WORK/$name/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $WORK/$name/storage
http:
  addr: 127.0.0.1:$port
$auth
EOF
  docker-registry serve "$WORK/$name/config.yml" >"$WORK/$name/log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/v2/" || { tail -20 "$WORK/$name/log" >&2; fail "registry $name did not start"; }
}

USER_NAME=tester
USER_PASS='s3cret-pass'

ANON_PORT=$(free_port)
start_registry anon "$ANON_PORT" ""

BASIC_PORT=$(free_port)
htpasswd -Bbn "$USER_NAME" "$USER_PASS" >"$WORK/htpasswd"
start_registry basic "$BASIC_PORT" "auth:
  htpasswd:
    realm: bulwark-test
    path: $WORK/htpasswd"

# Token auth: key + self-signed certificate; the registry verifies the JWT's x5c against it.
TOKEN_PORT=$(free_port)
TOKEN_REG_PORT=$(free_port)
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=bulwark-test-token" \
  -keyout "$WORK/token.key" -out "$WORK/token.crt" 2>/dev/null
cat >"$WORK/token_server.py" <<'EOF'
# Issues registry bearer tokens (docker distribution "token" auth): RS256 JWTs whose x5c header
# carries the signing certificate. Grants the requested actions to the one configured user and
# nothing to anonymous callers.
import base64, json, os, subprocess, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

port, key, crt, user, password, service = sys.argv[1:7]
der = subprocess.run(["openssl", "x509", "-in", crt, "-outform", "DER"], check=True,
                     capture_output=True).stdout

def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def sign(claims):
    header = {"alg": "RS256", "typ": "JWT", "x5c": [base64.b64encode(der).decode()]}
    msg = (b64u(json.dumps(header).encode()) + "." + b64u(json.dumps(claims).encode())).encode()
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=msg, check=True,
                         capture_output=True).stdout
    return msg.decode() + "." + b64u(sig)

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        q = parse_qs(urlparse(self.path).query)
        authed = False
        h = self.headers.get("Authorization", "")
        if h.startswith("Basic "):
            u, _, p = base64.b64decode(h[6:]).decode().partition(":")
            if u != user or p != password:
                self.send_response(401)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"details":"bad credentials"}')
                return
            authed = True
        access = []
        for scope in q.get("scope", []):
            parts = scope.split(":")
            if len(parts) == 3 and authed:
                access.append({"type": parts[0], "name": parts[1], "actions": parts[2].split(",")})
        now = int(time.time())
        claims = {"iss": "bulwark-test-issuer", "sub": user if authed else "", "aud": service,
                  "exp": now + 600, "nbf": now - 10, "iat": now, "jti": os.urandom(8).hex(),
                  "access": access}
        body = json.dumps({"token": sign(claims), "expires_in": 600}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

HTTPServer(("127.0.0.1", int(port)), H).serve_forever()
EOF
python3 "$WORK/token_server.py" "$TOKEN_PORT" "$WORK/token.key" "$WORK/token.crt" "$USER_NAME" \
  "$USER_PASS" bulwark-test-registry >"$WORK/token_server.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$TOKEN_PORT/token" || fail "token server did not start"
start_registry token "$TOKEN_REG_PORT" "auth:
  token:
    realm: http://127.0.0.1:$TOKEN_PORT/token
    service: bulwark-test-registry
    issuer: bulwark-test-issuer
    rootcertbundle: $WORK/token.crt"

# ---- fill them ----------------------------------------------------------------------------

push() { # src dst [creds] [--all]
  local creds=() all=()
  [ -n "${3:-}" ] && creds=(--dest-creds "$3")
  [ -n "${4:-}" ] && all=(--all)
  skopeo --insecure-policy copy -q "${all[@]}" --dest-tls-verify=false "${creds[@]}" "$1" "$2" \
    || fail "skopeo could not push $1 to $2"
}
push "oci:$LAYOUT:amd64" "docker://127.0.0.1:$ANON_PORT/test/app:1"
push "oci:$LAYOUT:multi" "docker://127.0.0.1:$ANON_PORT/test/multi:1" "" all
push "oci:$LAYOUT:amd64" "docker://127.0.0.1:$BASIC_PORT/team/app:1" "$USER_NAME:$USER_PASS"
push "oci:$LAYOUT:amd64" "docker://127.0.0.1:$TOKEN_REG_PORT/team/app:1" "$USER_NAME:$USER_PASS"

# ---- pull through bulwark -----------------------------------------------------------------

PASS=0
ok() { PASS=$((PASS + 1)); echo "ok - $*"; }

# Runs bulwark sbom --format json; OUT holds stdout, ERR_FILE stderr, RC the exit code.
sbom() { # name args...
  local name=$1; shift
  ERR_FILE="$WORK/$name.err"
  set +e
  env -u DOCKER_CONFIG HOME="$WORK/home" "$BULWARK" sbom --no-cache --format json "$@" \
    >"$WORK/$name.json" 2>"$ERR_FILE"
  RC=$?
  set -e
  OUT="$WORK/$name.json"
}

# What the comparisons look at: the package list and the layers (order kept) from the JSON report,
# and the per-layer progress lines on stderr ("layer 1/1 sha256:..: N entries, S MB"), which name
# the layers actually read even where the report has no artifact section yet.
summary() {
  jq -S '{packages: [(.packages // [])[] | {name, version, type, purl, layer}] | sort_by(.name, .version),
          layers: [(.artifact.layers // [])[] | {digest, diff_id, size}],
          os: .artifact.os, architecture: .artifact.architecture}' "$1"
  layer_lines "${1%.json}.err"
}
layer_lines() { grep -oE 'layer [0-9]+/[0-9]+ sha256:[0-9a-f]+: [0-9]+ entries, [0-9.]+ [kMG]?B' "$1" | sort || true; }

expect_ok() { # name
  [ "$RC" -eq 0 ] || { cat "$ERR_FILE" >&2; fail "$1: exit $RC"; }
}
expect_fail() { # name pattern
  [ "$RC" -eq 1 ] || { cat "$ERR_FILE" >&2; fail "$1: exit $RC, want 1"; }
  grep -qiE -- "$2" "$ERR_FILE" || { cat "$ERR_FILE" >&2; fail "$1: stderr does not mention /$2/"; }
}
same_as() { # name reference-json
  if ! diff <(summary "$OUT") <(summary "$2") >"$WORK/$1.diff"; then
    cat "$WORK/$1.diff" >&2
    fail "$1: registry pull differs from the OCI layout"
  fi
}
names_of() { jq -r '[.packages[].name] | sort | join(" ")' "$1"; }
want_names() { printf '%s\n' "$@" | sed 's/=.*//' | sort | paste -sd' ' -; }

mkdir -p "$WORK/home"

# References from the OCI layout itself.
sbom oci-amd64 "oci:$LAYOUT:amd64"
expect_ok oci-amd64
cp "$OUT" "$WORK/ref-amd64.json"
sbom oci-arm64 "oci:$LAYOUT:arm64"
expect_ok oci-arm64
cp "$OUT" "$WORK/ref-arm64.json"
cp "$WORK/oci-amd64.err" "$WORK/ref-amd64.err"
cp "$WORK/oci-arm64.err" "$WORK/ref-arm64.err"
# The comparisons below need something to compare: layers in the report or on stderr.
[ "$(jq '.artifact.layers // [] | length' "$WORK/ref-amd64.json")" -eq 3 ] \
  || [ "$(layer_lines "$WORK/ref-amd64.err" | wc -l)" -eq 3 ] \
  || fail "the OCI reference does not show its 3 layers (report or progress lines)"
# The two platforms differ (their layers hold different bytes), so picking one is observable.
[ "$(summary "$WORK/ref-amd64.json")" != "$(summary "$WORK/ref-arm64.json")" ] || fail "amd64 and arm64 look the same"
if [ "$(jq '.packages | length' "$WORK/ref-amd64.json")" -gt 0 ]; then
  [ "$(names_of "$WORK/ref-amd64.json")" = "$(want_names "${AMD64_PKGS[@]}")" ] \
    || fail "oci: packages $(names_of "$WORK/ref-amd64.json"), want $(want_names "${AMD64_PKGS[@]}")"
  [ "$(names_of "$WORK/ref-arm64.json")" = "$(want_names "${ARM64_PKGS[@]}")" ] \
    || fail "oci arm64: packages $(names_of "$WORK/ref-arm64.json")"
  ok "oci layout lists the packages written into the image"
else
  echo "note: no packages found in the OCI reference (no dpkg analyser built in?); comparing layers only"
fi

# Anonymous, by tag.
A="127.0.0.1:$ANON_PORT"
sbom anon-tag "docker://$A/test/app:1" --insecure
expect_ok anon-tag
same_as anon-tag "$WORK/ref-amd64.json"
ok "anonymous pull by tag matches the OCI layout"

# The bare HOST/REPO:TAG form means docker:// too.
sbom anon-bare "$A/test/app:1" --insecure
expect_ok anon-bare
same_as anon-bare "$WORK/ref-amd64.json"
ok "bare HOST/REPO:TAG pulls from the registry"

# By digest: the manifest bytes must hash to the digest asked for.
DIGEST=sha256:$(skopeo inspect --raw --tls-verify=false "docker://$A/test/app:1" | sha256sum | cut -d' ' -f1)
REPORTED=$(jq -r '.artifact.digest // empty' "$WORK/anon-tag.json")
[ -z "$REPORTED" ] || [ "$REPORTED" = "$DIGEST" ] || fail "artifact digest $REPORTED is not the manifest's $DIGEST"
sbom anon-digest "docker://$A/test/app@$DIGEST" --insecure
expect_ok anon-digest
same_as anon-digest "$WORK/ref-amd64.json"
ok "pull by digest"

sbom anon-missing-digest "docker://$A/test/app@sha256:$(printf 'x' | sha256sum | cut -d' ' -f1)" --insecure
expect_fail anon-missing-digest "manifest unknown"
sbom anon-missing-tag "docker://$A/test/app:nope" --insecure
expect_fail anon-missing-tag "manifest unknown.*check the tag"
ok "unknown tag or digest: exit 1, 'manifest unknown: check the tag'"

# A plain-HTTP registry without --insecure: the TLS handshake fails and the message says what to do.
sbom anon-tls "docker://$A/test/app:1"
expect_fail anon-tls "--insecure"
ok "TLS failure against a plain-HTTP registry suggests --insecure"

# Multi-platform index: --platform picks the manifest; the default is linux/amd64.
sbom multi-default "docker://$A/test/multi:1" --insecure
expect_ok multi-default
same_as multi-default "$WORK/ref-amd64.json"
sbom multi-arm64 "docker://$A/test/multi:1" --insecure --platform linux/arm64
expect_ok multi-arm64
same_as multi-arm64 "$WORK/ref-arm64.json"
[ "$(jq -r '.artifact.architecture // "arm64"' "$OUT")" = arm64 ] || fail "multi-arm64: architecture is not arm64"
sbom multi-s390x "docker://$A/test/multi:1" --insecure --platform linux/s390x
[ "$RC" -eq 1 ] || fail "multi-s390x: exit $RC, want 1 for a platform the index lacks"
ok "manifest list resolves by --platform (amd64 default, arm64, missing s390x fails)"

# Basic auth (htpasswd).
B="127.0.0.1:$BASIC_PORT"
sbom basic-anon "docker://$B/team/app:1" --insecure
expect_fail basic-anon "authentication required"
sbom basic-wrong "docker://$B/team/app:1" --insecure --username "$USER_NAME" --password wrong
expect_fail basic-wrong "authentication"
sbom basic-ok "docker://$B/team/app:1" --insecure --username "$USER_NAME" --password "$USER_PASS"
expect_ok basic-ok
same_as basic-ok "$WORK/ref-amd64.json"
ok "basic auth: anonymous and wrong password fail with exit 1, right password pulls"

# Credentials from ~/.docker/config.json (base64 "auth" of user:password).
mkdir -p "$WORK/home/.docker"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$B" "$(printf '%s:%s' "$USER_NAME" "$USER_PASS" | base64 -w0)" \
  >"$WORK/home/.docker/config.json"
sbom basic-config "docker://$B/team/app:1" --insecure
expect_ok basic-config
same_as basic-config "$WORK/ref-amd64.json"
rm -rf "$WORK/home/.docker"
ok "basic auth with credentials from ~/.docker/config.json"

# Bearer token auth.
T="127.0.0.1:$TOKEN_REG_PORT"
sbom token-anon "docker://$T/team/app:1" --insecure
expect_fail token-anon "authentication required"
sbom token-wrong "docker://$T/team/app:1" --insecure --username "$USER_NAME" --password wrong
expect_fail token-wrong "authentication"
sbom token-ok "docker://$T/team/app:1" --insecure --username "$USER_NAME" --password "$USER_PASS"
expect_ok token-ok
same_as token-ok "$WORK/ref-amd64.json"
ok "token auth: anonymous and wrong password fail with exit 1, right password pulls"

# ---- a hostile registry ------------------------------------------------------------------
# A python3 server in front of the anonymous registry: Bearer auth with itself as realm, layer
# blobs redirected to a "storage" server on another port (which must not see the token), and
# answers that break the rules (bytes that do not match the digest, an oversized manifest, a
# redirect loop, a layer longer than its manifest says).
HOSTILE_PORT=$(free_port)
STORAGE_PORT=$(free_port)
cat >"$WORK/hostile.py" <<'PYEOF'
import sys, threading, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, storage_port, upstream, logfile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
TOKEN = "hostile-token"

def log(msg):
    with open(logfile, "a") as f:
        f.write(msg + "\n")

def fetch(path, accept=None):
    req = urllib.request.Request(upstream + path)
    if accept:
        req.add_header("Accept", accept)
    with urllib.request.urlopen(req) as r:
        return r.read(), r.headers.get("Content-Type", "application/octet-stream")

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, code, body=b"", ctype="application/json", headers=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.server.server_port == storage_port:
            return self.storage()
        if self.path.startswith("/token"):
            return self.send(200, b'{"access_token":"%s"}' % TOKEN.encode())
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            realm = 'Bearer realm="http://127.0.0.1:%d/token",service="hostile"' % port
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                             headers=[("WWW-Authenticate", realm)])
        parts = self.path.split("/")  # ['', 'v2', repo, kind, ref]
        if len(parts) != 5:
            return self.send(404)
        repo, kind, ref = parts[2], parts[3], parts[4]
        if kind == "manifests":
            if repo == "loop":
                return self.send(302, headers=[("Location", self.path)])
            if repo == "big":
                return self.send(200, b" " * (5 << 20), "application/vnd.oci.image.manifest.v1+json")
            body, ctype = fetch("/v2/test/app/manifests/1", self.headers.get("Accept"))
            if repo == "evil":
                body += b"\n"  # one byte more: no longer the digest it is served under
            return self.send(200, body, ctype)
        if kind == "blobs":
            if repo == "redir":
                log("redirect " + ref)
                loc = "http://127.0.0.1:%d/storage/%s" % (storage_port, ref)
                return self.send(307, headers=[("Location", loc)])
            body, _ = fetch("/v2/test/app/blobs/" + ref)
            if repo == "long" and len(body) > 65536:
                body += b"\0" * 4096
            return self.send(200, body, "application/octet-stream")
        return self.send(404)

    def storage(self):
        if self.headers.get("Authorization"):
            log("LEAK " + self.headers.get("Authorization"))
            return self.send(403, b"credentials leaked to storage")
        digest = self.path.rsplit("/", 1)[-1]
        body, _ = fetch("/v2/test/app/blobs/" + digest)
        log("storage served " + digest)
        self.send(200, body, "application/octet-stream")

srv = ThreadingHTTPServer(("127.0.0.1", storage_port), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PYEOF
python3 "$WORK/hostile.py" "$HOSTILE_PORT" "$STORAGE_PORT" "http://$A" "$WORK/hostile.log" \
  >"$WORK/hostile.out" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$HOSTILE_PORT/v2/" || fail "hostile registry did not start"
H="127.0.0.1:$HOSTILE_PORT"

sbom hostile-redir "docker://$H/redir:1" --insecure
expect_ok hostile-redir
same_as hostile-redir "$WORK/ref-amd64.json"
grep -q "^storage served sha256:" "$WORK/hostile.log" || fail "hostile-redir: no layer came through the redirect"
if grep -q "^LEAK" "$WORK/hostile.log"; then fail "hostile-redir: the bearer token followed the redirect"; fi
ok "layer redirected to another host: followed, and the token stays with the registry"

sbom hostile-evil "docker://$H/evil@$DIGEST" --insecure
expect_fail hostile-evil "hashes to"
ok "pull by digest rejects manifest bytes that hash to something else"

sbom hostile-big "docker://$H/big:1" --insecure
expect_fail hostile-big "limit"
sbom hostile-loop "docker://$H/loop:1" --insecure
expect_fail hostile-loop "redirects"
sbom hostile-long "docker://$H/long:1" --insecure
expect_fail hostile-long "more than"
ok "oversized manifest, redirect loop and an overlong layer fail with exit 1"

echo "$PASS passed, 0 failed"
