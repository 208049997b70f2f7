#!/usr/bin/env bash
# Hostile input against bulwark serve: malformed and wrong digests, manifests naming missing blobs,
# oversized manifests (with and without Content-Length), Content-Range lies, path traversal in
# repository names and upload ids (raw ../ and %2e%2e), 10,000 upload sessions opened at once.
# Expected: the spec's error codes, no crash (the server still answers and exits cleanly; under
# ASan any memory error fails the run), and no file written outside the data directory.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
[ -x "${BULWARK:-}" ] || bw_skip "BULWARK not set"
for t in curl jq python3; do command -v $t >/dev/null || bw_skip "$t missing"; done
bw_tmpdir registry_hostile
mkdir -p "$T/box"
DATA=$T/box/data
reg_start "$DATA" --max-uploads 1000
R=hostile/repo
V2=$REG_URL/v2/$R
# the data dir lives in $T/box; nothing else may appear in box (names below try ../../box/evil)
snapshot() { (cd "$T/box" && find . -path ./data -prune -o -print | grep -vx './data.log' | sort); }
snapshot >"$T/before"

expect() { # STATUS CODE DESCRIPTION CURL-ARGS...
  local want=$1 ecode=$2 what=$3 got; shift 3
  got=$(curl -sS --path-as-is -u "$ADMIN" -o "$T/b" -w '%{http_code}' "$@") || true
  if [ "$got" = "$want" ] && { [ "$ecode" = - ] || [ "$(jq -r '.errors[0].code' "$T/b" 2>/dev/null)" = "$ecode" ]; }; then
    bw_ok "$what ($got $ecode)"
  else
    bw_not_ok "$what: got $got $(head -c 300 "$T/b"), want $want $ecode"
  fi
}

echo "== digests"
expect 400 DIGEST_INVALID "blob GET with a short digest" "$V2/blobs/sha256:abc"
expect 400 DIGEST_INVALID "blob GET with an unknown algorithm" "$V2/blobs/md5:d41d8cd98f00b204e9800998ecf8427e"
expect 400 DIGEST_INVALID "blob GET with upper-case hex" "$V2/blobs/sha256:$(printf 'A%.0s' {1..64})"
expect 400 DIGEST_INVALID "monolithic POST with a sha512 digest" -X POST --data-binary x "$V2/blobs/uploads/?digest=sha512:$(printf 'a%.0s' {1..128})"
expect 400 DIGEST_INVALID "monolithic POST with a digest the body does not have" -X POST --data-binary hello "$V2/blobs/uploads/?digest=sha256:$(printf 'b%.0s' {1..64})"
LOC=$(curl -sS -u "$ADMIN" -X POST -D - -o /dev/null "$V2/blobs/uploads/" | tr -d '\r' | sed -n 's/^Location: //Ip')
expect 400 DIGEST_INVALID "PUT closing a session without ?digest=" -X PUT --data-binary hello "$REG_URL$LOC"
expect 400 DIGEST_INVALID "PUT closing a session with the wrong digest" -X PUT --data-binary hello "$REG_URL$LOC?digest=sha256:$(printf 'c%.0s' {1..64})"
expect 404 BLOB_UPLOAD_UNKNOWN "a session whose digest check failed is gone" "$REG_URL$LOC"

echo "== manifests"
printf '{}' >"$T/empty"; ED=$(sha "$T/empty")
curl -sS -u "$ADMIN" -o /dev/null -X POST --data-binary @"$T/empty" "$V2/blobs/uploads/?digest=$ED"
mf() { printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"%s","size":%s},"layers":[%s]}' "$@"; }
CT='Content-Type: application/vnd.oci.image.manifest.v1+json'
expect 400 MANIFEST_BLOB_UNKNOWN "manifest with a missing layer" -X PUT -H "$CT" --data-binary "$(mf "$ED" 2 "{\"mediaType\":\"x\",\"digest\":\"sha256:$(printf 'd%.0s' {1..64})\",\"size\":5}")" "$V2/manifests/t1"
expect 400 MANIFEST_BLOB_UNKNOWN "manifest with a missing config" -X PUT -H "$CT" --data-binary "$(mf "sha256:$(printf 'e%.0s' {1..64})" 2 "")" "$V2/manifests/t1"
expect 400 MANIFEST_INVALID "manifest with the wrong config size" -X PUT -H "$CT" --data-binary "$(mf "$ED" 3 "")" "$V2/manifests/t1"
expect 400 MANIFEST_INVALID "manifest with a malformed layer digest" -X PUT -H "$CT" --data-binary "$(mf "$ED" 2 '{"digest":"sha256:../../etc","size":1}')" "$V2/manifests/t1"
expect 400 MANIFEST_INVALID "manifest with a negative size" -X PUT -H "$CT" --data-binary "$(mf "$ED" -2 "")" "$V2/manifests/t1"
expect 400 MANIFEST_INVALID "mediaType disagreeing with Content-Type" -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "$(mf "$ED" 2 "")" "$V2/manifests/t1"
expect 400 MANIFEST_INVALID "duplicate keys" -X PUT -H "$CT" --data-binary '{"schemaVersion":2,"schemaVersion":2,"config":{}}' "$V2/manifests/t1"
expect 400 MANIFEST_INVALID "deeply nested JSON" -X PUT -H "$CT" --data-binary "$(printf '[%.0s' {1..5000})" "$V2/manifests/t1"
expect 400 MANIFEST_INVALID "an unsupported media type" -X PUT -H 'Content-Type: application/vnd.docker.distribution.manifest.v1+prettyjws' --data-binary '{"schemaVersion":1}' "$V2/manifests/t1"
expect 400 MANIFEST_INVALID "a tag with a slash-free but invalid name" -X PUT -H "$CT" --data-binary "$(mf "$ED" 2 "")" "$V2/manifests/-bad"
expect 400 MANIFEST_BLOB_UNKNOWN "an index naming a missing manifest" -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' \
  --data-binary "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:$(printf 'f%.0s' {1..64})\",\"size\":10}]}" "$V2/manifests/idx"
python3 -c 'import sys; sys.stdout.write("{\"schemaVersion\":2,\"pad\":\"" + "x" * (5 << 20) + "\"}")' >"$T/big.json"
expect 413 MANIFEST_INVALID "a 5 MiB manifest (Content-Length)" -X PUT -H "$CT" --data-binary @"$T/big.json" "$V2/manifests/big"
expect 413 MANIFEST_INVALID "a 5 MiB manifest (chunked, no Content-Length)" -X PUT -H "$CT" -H 'Transfer-Encoding: chunked' --data-binary @"$T/big.json" "$V2/manifests/big"
expect 404 MANIFEST_UNKNOWN "none of the rejected manifests was stored" "$V2/manifests/t1"

echo "== Content-Range lies"
LOC=$(curl -sS -u "$ADMIN" -X POST -D - -o /dev/null "$V2/blobs/uploads/" | tr -d '\r' | sed -n 's/^Location: //Ip')
expect 400 SIZE_INVALID "Content-Range 0-99 with 50 bytes (Content-Length 50)" -X PATCH -H 'Content-Range: 0-99' --data-binary "$(printf 'x%.0s' {1..50})" "$REG_URL$LOC"
expect 416 BLOB_UPLOAD_INVALID "Content-Range 0-9 with 100 bytes sent chunked" -X PATCH -H 'Content-Range: 0-9' -H 'Transfer-Encoding: chunked' --data-binary "$(printf 'y%.0s' {1..100})" "$REG_URL$LOC"
RNG=$(curl -sS -u "$ADMIN" -D - -o /dev/null "$REG_URL$LOC" | tr -d '\r' | sed -n 's/^Range: //Ip')
[ "$RNG" = "0-9" ] && bw_ok "only the 10 announced bytes were kept (Range 0-9)" || bw_not_ok "Range after the lie: $RNG"
expect 416 BLOB_UPLOAD_INVALID "Content-Range not starting at the offset" -X PATCH -H 'Content-Range: 0-9' --data-binary 0123456789 "$REG_URL$LOC"
expect 416 BLOB_UPLOAD_INVALID "Content-Range end before start" -X PATCH -H 'Content-Range: 10-5' --data-binary x "$REG_URL$LOC"
expect 416 BLOB_UPLOAD_INVALID "Content-Range garbage" -X PATCH -H 'Content-Range: bytes=abc' --data-binary x "$REG_URL$LOC"
expect 416 BLOB_UPLOAD_INVALID "Content-Range beyond 2^63" -X PATCH -H 'Content-Range: 10-99999999999999999999999' --data-binary x "$REG_URL$LOC"
expect 400 SIZE_INVALID "Content-Range announcing more than arrives (chunked)" -X PATCH -H 'Content-Range: 10-1000' -H 'Transfer-Encoding: chunked' --data-binary abc "$REG_URL$LOC"
RNG=$(curl -sS -u "$ADMIN" -D - -o /dev/null "$REG_URL$LOC" | tr -d '\r' | sed -n 's/^Range: //Ip')
[ "$RNG" = "0-12" ] && bw_ok "the 3 bytes that did arrive are kept (Range 0-12)" || bw_not_ok "Range: $RNG"
expect 201 - "the session still completes with the bytes it holds" -X PUT "$REG_URL$LOC?digest=sha256:$(printf yyyyyyyyyyabc | sha256sum | cut -d' ' -f1)"

echo "== path traversal"
for p in "../../etc/passwd" "%2e%2e/%2e%2e/box/evil" "a/../../box/evil" "..%2f..%2fbox%2fevil" "a/./b" "A/Upper" "a//b" "a/" "%2e%2e"; do
  expect 400 NAME_INVALID "name \"$p\" on a blob upload" -X POST --data-binary x "$REG_URL/v2/$p/blobs/uploads/?digest=sha256:$(printf 'a%.0s' {1..64})"
done
expect 400 NAME_INVALID "name with ../ on a manifest PUT" -X PUT -H "$CT" --data-binary "$(mf "$ED" 2 "")" "$REG_URL/v2/x/../../../box/evil/manifests/latest"
expect 404 BLOB_UPLOAD_UNKNOWN "upload id ../../meta.db" -X PATCH --data-binary x "$V2/blobs/uploads/..%2f..%2fmeta.db"
expect 404 BLOB_UPLOAD_UNKNOWN "upload id %2e%2e" -X DELETE "$V2/blobs/uploads/%2e%2e"
expect 400 DIGEST_INVALID "blob digest sha256:../../../meta.db" "$V2/blobs/sha256:..%2f..%2fmeta.db"
expect 404 - "a path outside /v2" "$REG_URL/../../etc/passwd"

echo "== 10,000 upload sessions at once (cap 1000)"
# a Bearer token (as docker and skopeo use): a password check per request would measure yescrypt
TOK=$(curl -sS -u "$ADMIN" "$REG_URL/token?service=bulwark&scope=repository:$R:pull,push" | jq -r .token)
for i in $(seq 1 10000); do printf 'url = "%s"\noutput = "/dev/null"\n' "$V2/blobs/uploads/"; done >"$T/req.cfg"
curl -s --parallel --parallel-max 64 -H "Authorization: Bearer $TOK" -X POST -K "$T/req.cfg" -o /dev/null -w '%{http_code}\n' >"$T/codes" || true
N202=$(grep -c '^202$' "$T/codes" || true); N429=$(grep -c '^429$' "$T/codes" || true)
[ "$N202" -le 1000 ] && [ "$N202" -ge 990 ] && [ $((N202 + N429)) = 10000 ] && bw_ok "10,000 POSTs: $N202 sessions, $N429 TOO_MANY_REQUESTS" ||
  bw_not_ok "10,000 POSTs: $N202 x 202, $N429 x 429, $(sort "$T/codes" | uniq -c | tr '\n' ' ')"
expect 429 TOO_MANY_REQUESTS "one more POST" -X POST "$V2/blobs/uploads/"
bw_check "the server still answers" curl -sf "$REG_URL/healthz"
bw_check "metrics count the open sessions" bash -c "curl -s $REG_URL/metrics | grep -Eq '^bulwark_upload_sessions (99[0-9]|1000)$'"

echo "== nothing outside the data directory"
snapshot >"$T/after"
bw_check "no new file outside the data directory" diff "$T/before" "$T/after"
bw_check "no file named evil anywhere" bash -c "! find '$T' -name 'evil*' | grep -q ."
bw_check "clean shutdown (no sanitizer report)" reg_stop
bw_finish
