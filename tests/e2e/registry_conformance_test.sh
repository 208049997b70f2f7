#!/usr/bin/env bash
# The OCI distribution-spec conformance scenarios (pull, push, content discovery, content
# management, referrers) as curl requests against bulwark serve, written from the spec
# (https://github.com/opencontainers/distribution-spec/blob/main/spec.md), checking status codes,
# headers and error codes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
[ -x "${BULWARK:-}" ] || bw_skip "BULWARK not set"
for t in curl jq python3; do command -v $t >/dev/null || bw_skip "$t missing"; done
bw_tmpdir registry_conformance
DATA=$T/data
reg_start "$DATA"
R=conf/repo
V2=$REG_URL/v2/$R

# expect STATUS DESCRIPTION CURL-ARGS...: the response status; headers in $T/h, body in $T/b.
expect() {
  local want=$1 what=$2 got; shift 2
  got=$(curl -sS -u "$ADMIN" -D "$T/h" -o "$T/b" -w '%{http_code}' "$@") || true
  tr -d '\r' <"$T/h" >"$T/h2" && mv "$T/h2" "$T/h"
  if [ "$got" = "$want" ]; then bw_ok "$what ($got)"; else bw_not_ok "$what: status $got, want $want"; sed -n '1,5s/^/    | /p' "$T/b"; fi
}
hdr() { grep -i "^$1:" "$T/h" | head -1 | cut -d' ' -f2-; }
has_hdr() { [ "$(hdr "$1")" = "$2" ] && bw_ok "header $1: $2" || bw_not_ok "header $1 is \"$(hdr "$1")\", want \"$2\""; }
err_code() { [ "$(jq -r '.errors[0].code' "$T/b" 2>/dev/null)" = "$1" ] && bw_ok "error code $1" || bw_not_ok "error code $(cat "$T/b"), want $1"; }

# test content
head -c 5000 /dev/urandom >"$T/layer"; LD=$(sha "$T/layer"); LS=$(stat -c %s "$T/layer")
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >"$T/config"; CD=$(sha "$T/config"); CS=$(stat -c %s "$T/config")
printf '{}' >"$T/empty"; ED=$(sha "$T/empty")
manifest() { # config-digest config-size layer-digest layer-size [subject-digest subject-size artifactType]
  python3 - "$@" <<'PY'
import json, sys
a = sys.argv[1:]
m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
     "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": a[0], "size": int(a[1])},
     "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": a[2], "size": int(a[3])}]}
if len(a) > 4:
    m["config"]["mediaType"] = "application/vnd.oci.empty.v1+json"
    m["artifactType"] = a[6]
    m["subject"] = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": a[4], "size": int(a[5])}
    m["annotations"] = {"org.example.kind": a[6]}
sys.stdout.write(json.dumps(m, separators=(",", ":")))
PY
}

echo "== pull: base and nonexistent things"
expect 200 "GET /v2/" "$REG_URL/v2/"
has_hdr Docker-Distribution-API-Version registry/2.0
expect 401 "GET /v2/ without credentials" -u '' "$REG_URL/v2/"
expect 404 "GET a manifest of an unknown repository" "$V2/manifests/nope"
err_code MANIFEST_UNKNOWN
expect 404 "HEAD an unknown blob" -I "$V2/blobs/$LD"

echo "== push: POST then PUT (monolithic in two requests)"
expect 202 "POST opens an upload session" -X POST "$V2/blobs/uploads/"
LOC=$(hdr Location); [ -n "$LOC" ] && bw_ok "Location given" || bw_not_ok "no Location"
[ -n "$(hdr Docker-Upload-UUID)" ] && bw_ok "Docker-Upload-UUID given" || bw_not_ok "no Docker-Upload-UUID"
expect 201 "PUT ?digest= with the whole body" -X PUT -H 'Content-Type: application/octet-stream' --data-binary @"$T/config" "$REG_URL$LOC?digest=$CD"
has_hdr Docker-Content-Digest "$CD"
has_hdr Location "/v2/$R/blobs/$CD"

echo "== push: single POST ?digest="
expect 201 "POST ?digest= monolithic" -X POST -H 'Content-Type: application/octet-stream' --data-binary @"$T/empty" "$V2/blobs/uploads/?digest=$ED"
expect 400 "POST ?digest= with a wrong digest" -X POST --data-binary @"$T/empty" "$V2/blobs/uploads/?digest=$LD"
err_code DIGEST_INVALID

echo "== push: chunked"
expect 202 "POST for a chunked upload" -X POST "$V2/blobs/uploads/"
LOC=$(hdr Location)
head -c 2000 "$T/layer" >"$T/c1"; dd if="$T/layer" of="$T/c2" bs=2000 skip=1 count=1 status=none; tail -c +4001 "$T/layer" >"$T/c3"
expect 202 "PATCH chunk 1 (Content-Range 0-1999)" -X PATCH -H 'Content-Type: application/octet-stream' -H 'Content-Range: 0-1999' --data-binary @"$T/c1" "$REG_URL$LOC"
has_hdr Range 0-1999
LOC=$(hdr Location)
expect 416 "PATCH out of order (Content-Range 3000-3999)" -X PATCH -H 'Content-Range: 3000-3999' --data-binary @"$T/c2" "$REG_URL$LOC"
err_code BLOB_UPLOAD_INVALID
expect 204 "GET the upload status" "$REG_URL$LOC"
has_hdr Range 0-1999
expect 202 "PATCH chunk 2 (2000-3999)" -X PATCH -H 'Content-Range: 2000-3999' --data-binary @"$T/c2" "$REG_URL$LOC"
has_hdr Range 0-3999
expect 202 "PATCH chunk 3 without Content-Range (streamed)" -X PATCH --data-binary @"$T/c3" "$REG_URL$LOC"
has_hdr Range "0-$((LS - 1))"
expect 201 "PUT ?digest= closes the upload" -X PUT "$REG_URL$LOC?digest=$LD"
has_hdr Docker-Content-Digest "$LD"
expect 404 "the closed session is gone" "$REG_URL$LOC"
err_code BLOB_UPLOAD_UNKNOWN

echo "== pull: blobs"
expect 200 "HEAD the blob" -I "$V2/blobs/$LD"
has_hdr Content-Length "$LS"
has_hdr Docker-Content-Digest "$LD"
expect 200 "GET the blob" "$V2/blobs/$LD"
cmp -s "$T/b" "$T/layer" && bw_ok "blob bytes identical" || bw_not_ok "blob bytes differ"
expect 206 "GET with Range: bytes=10-19" -H 'Range: bytes=10-19' "$V2/blobs/$LD"
cmp -s "$T/b" <(dd if="$T/layer" bs=10 skip=1 count=1 status=none) && bw_ok "range bytes right" || bw_not_ok "range bytes wrong"
has_hdr Content-Range "bytes 10-19/$LS"
expect 416 "GET with an unsatisfiable Range" -H 'Range: bytes=999999-' "$V2/blobs/$LD"

echo "== push: cross-repository mount"
expect 201 "mount the layer into conf/other" -X POST "$REG_URL/v2/conf/other/blobs/uploads/?mount=$LD&from=$R"
has_hdr Location "/v2/conf/other/blobs/$LD"
expect 200 "the mounted blob is there" -I "$REG_URL/v2/conf/other/blobs/$LD"
expect 202 "mount of an unknown blob falls back to a session" -X POST "$REG_URL/v2/conf/other/blobs/uploads/?mount=sha256:$(printf 'x%.0s' {1..64} | tr x 0)&from=$R"

echo "== push: manifests"
manifest "$CD" "$CS" "$LD" "$LS" >"$T/m1"; MD=$(sha "$T/m1")
expect 201 "PUT the manifest by tag" -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$T/m1" "$V2/manifests/v1"
has_hdr Docker-Content-Digest "$MD"
has_hdr Location "/v2/$R/manifests/$MD"
expect 201 "PUT the same manifest by digest" -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$T/m1" "$V2/manifests/$MD"
expect 400 "PUT by a digest the body does not have" -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$T/m1" "$V2/manifests/$LD"
err_code DIGEST_INVALID
manifest "$CD" "$CS" "sha256:$(printf 'a%.0s' {1..64})" 10 >"$T/mbad"
expect 400 "PUT a manifest naming a missing layer" -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$T/mbad" "$V2/manifests/bad"
err_code MANIFEST_BLOB_UNKNOWN
expect 400 "PUT a manifest that is not JSON" -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary 'not json' "$V2/manifests/bad"
err_code MANIFEST_INVALID
for t in v2 v3 v4 v5; do curl -sS -o /dev/null -u "$ADMIN" -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$T/m1" "$V2/manifests/$t"; done
expect 200 "GET the manifest by tag" -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$V2/manifests/v1"
cmp -s "$T/b" "$T/m1" && bw_ok "manifest bytes identical" || bw_not_ok "manifest bytes differ"
has_hdr Content-Type application/vnd.oci.image.manifest.v1+json
has_hdr Docker-Content-Digest "$MD"
expect 200 "HEAD the manifest by digest" -I "$V2/manifests/$MD"
has_hdr Content-Length "$(stat -c %s "$T/m1")"

echo "== content discovery: tags"
expect 200 "tags/list" "$V2/tags/list"
[ "$(jq -c .tags "$T/b")" = '["v1","v2","v3","v4","v5"]' ] && bw_ok "all five tags in order" || bw_not_ok "tags $(cat "$T/b")"
expect 200 "tags/list?n=2" "$V2/tags/list?n=2"
[ "$(jq -c .tags "$T/b")" = '["v1","v2"]' ] && bw_ok "first page" || bw_not_ok "page $(cat "$T/b")"
has_hdr Link "</v2/$R/tags/list?n=2&last=v2>; rel=\"next\""
expect 200 "tags/list?n=2&last=v2" "$V2/tags/list?n=2&last=v2"
[ "$(jq -c .tags "$T/b")" = '["v3","v4"]' ] && bw_ok "second page" || bw_not_ok "page $(cat "$T/b")"
expect 200 "tags/list?n=2&last=v4" "$V2/tags/list?n=2&last=v4"
[ "$(jq -c .tags "$T/b")" = '["v5"]' ] && [ -z "$(hdr Link)" ] && bw_ok "last page, no Link" || bw_not_ok "page $(cat "$T/b") link $(hdr Link)"
expect 404 "tags/list of an unknown repository" "$REG_URL/v2/conf/nothing/tags/list"
err_code NAME_UNKNOWN
expect 200 "_catalog?n=1" "$REG_URL/v2/_catalog?n=1"
[ "$(jq -c .repositories "$T/b")" = '["conf/other"]' ] && [ -n "$(hdr Link)" ] && bw_ok "catalog page with Link" || bw_not_ok "catalog $(cat "$T/b")"

echo "== referrers"
MS=$(stat -c %s "$T/m1")
manifest "$ED" 2 "$LD" "$LS" "$MD" "$MS" application/vnd.example.sbom >"$T/r1"; R1=$(sha "$T/r1")
manifest "$ED" 2 "$LD" "$LS" "$MD" "$MS" application/vnd.example.signature >"$T/r2"; R2=$(sha "$T/r2")
expect 201 "PUT an SBOM artifact with a subject" -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$T/r1" "$V2/manifests/$R1"
has_hdr OCI-Subject "$MD"
expect 201 "PUT a signature artifact with a subject" -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary @"$T/r2" "$V2/manifests/$R2"
expect 200 "GET referrers" "$V2/referrers/$MD"
has_hdr Content-Type application/vnd.oci.image.index.v1+json
[ "$(jq -r '[.manifests[].digest]|sort|join(",")' "$T/b")" = "$(printf '%s\n' "$R1" "$R2" | sort | paste -sd,)" ] && bw_ok "both referrers listed" || bw_not_ok "referrers $(cat "$T/b")"
jq -e '.manifests[]|select(.artifactType=="application/vnd.example.sbom")|.annotations["org.example.kind"]=="application/vnd.example.sbom"' "$T/b" >/dev/null && bw_ok "artifactType and annotations in the descriptors" || bw_not_ok "descriptor fields"
expect 200 "GET referrers?artifactType=application/vnd.example.signature" "$V2/referrers/$MD?artifactType=application/vnd.example.signature"
[ "$(jq -r '[.manifests[].digest]|join(",")' "$T/b")" = "$R2" ] && bw_ok "filtered to the signature" || bw_not_ok "filtered $(cat "$T/b")"
has_hdr OCI-Filters-Applied artifactType
expect 200 "referrers of a digest with none: an empty index" "$V2/referrers/$LD"
[ "$(jq '.manifests|length' "$T/b")" = 0 ] && bw_ok "empty" || bw_not_ok "not empty"
expect 400 "referrers of a bad digest" "$V2/referrers/sha256:zz"

echo "== content management"
expect 202 "DELETE a tag" -X DELETE "$V2/manifests/v5"
expect 404 "the deleted tag is gone" "$V2/manifests/v5"
expect 200 "the manifest it pointed to stays (other tags)" "$V2/manifests/v1"
expect 202 "DELETE the manifest by digest" -X DELETE "$V2/manifests/$MD"
expect 404 "GET by tag after the manifest delete" "$V2/manifests/v1"
expect 404 "GET by digest after the delete" "$V2/manifests/$MD"
expect 404 "DELETE it again" -X DELETE "$V2/manifests/$MD"
err_code MANIFEST_UNKNOWN
expect 202 "DELETE a blob" -X DELETE "$REG_URL/v2/conf/other/blobs/$LD"
expect 404 "the deleted blob is gone from that repository" "$REG_URL/v2/conf/other/blobs/$LD"
err_code BLOB_UNKNOWN
expect 200 "and still there in the repository it was pushed to" -I "$V2/blobs/$LD"
expect 202 "POST a session to cancel" -X POST "$V2/blobs/uploads/"
LOC=$(hdr Location)
expect 204 "DELETE the upload (cancel)" -X DELETE "$REG_URL$LOC"
expect 404 "the cancelled upload is unknown" "$REG_URL$LOC"
err_code BLOB_UPLOAD_UNKNOWN

echo "== events"
N=$(sqlite3 "$DATA/meta.db" "select count(*) from events where type='artifact.deleted' and repository='$R'")
[ "$N" = 2 ] && bw_ok "2 delete events" || bw_not_ok "$N delete events"
expect 200 "/metrics" "$REG_URL/metrics"
grep -q 'bulwark_http_requests_total{route="manifest",status="201"}' "$T/b" && grep -q '^bulwark_storage_bytes ' "$T/b" && bw_ok "metrics by route and status, storage" || bw_not_ok "metrics"
bw_check "clean shutdown" reg_stop
bw_finish
