#!/usr/bin/env bash
# bulwark serve with a real client (skopeo) on loopback: an OCI image with several layers goes in
# and comes back out byte-identical (manifest, config, layers); a multi-arch index with --all; tags
# and catalog; delete + `bulwark gc` (dry run, then for real); a restart keeps everything; events.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
[ -x "${BULWARK:-}" ] || bw_skip "BULWARK not set"
for t in skopeo umoci jq curl python3; do command -v $t >/dev/null || bw_skip "$t missing (scripts/install-deps.sh test)"; done
bw_tmpdir registry_skopeo
DATA=$T/data
reg_start "$DATA"
SK=(skopeo --override-os linux)

# ---- one image, four layers ----
reg_image "$T/src" app amd64 4
bw_check "skopeo pushes a 4-layer OCI image" \
  skopeo copy --dest-creds "$ADMIN" --dest-tls-verify=false "oci:$T/src:app" "docker://$REG/team/sub/app:1.0"
bw_check "skopeo pulls it back" \
  skopeo copy --src-creds "$ADMIN" --src-tls-verify=false "docker://$REG/team/sub/app:1.0" "oci:$T/back:app"
same_image() { # layout1 layout2 tag: manifest, config and every layer byte-identical
  local m1 m2
  m1=$(jq -r --arg t "$3" '.manifests[]|select(.annotations["org.opencontainers.image.ref.name"]==$t).digest' "$1/index.json")
  m2=$(jq -r --arg t "$3" '.manifests[]|select(.annotations["org.opencontainers.image.ref.name"]==$t).digest' "$2/index.json")
  [ "$m1" = "$m2" ] || { echo "manifest digest $m1 != $m2"; return 1; }
  cmp "$(bw_oci_blob "$1" "$m1")" "$(bw_oci_blob "$2" "$m2")" || return 1
  local d
  for d in $(jq -r '.config.digest, .layers[].digest' "$(bw_oci_blob "$1" "$m1")"); do
    cmp "$(bw_oci_blob "$1" "$d")" "$(bw_oci_blob "$2" "$d")" || return 1
    [ "$(sha "$(bw_oci_blob "$2" "$d")")" = "$d" ] || { echo "blob $d does not hash to its name"; return 1; }
  done
}
bw_check "manifest, config and 4 layers byte-identical after the round trip" same_image "$T/src" "$T/back" app
MD=$(jq -r '.manifests[0].digest' "$T/src/index.json")
bw_check "manifest GET by tag has Docker-Content-Digest" \
  bash -c "curl -sSi -u '$ADMIN' -H 'Accept: application/vnd.oci.image.manifest.v1+json' $REG_URL/v2/team/sub/app/manifests/1.0 | tr -d '\r' | grep -qx 'Docker-Content-Digest: $MD'"
bw_check "skopeo inspect --raw returns the pushed bytes" \
  bash -c "skopeo inspect --raw --creds '$ADMIN' --tls-verify=false docker://$REG/team/sub/app:1.0 | cmp - '$(bw_oci_blob "$T/src" "$MD")'"

# ---- multi-arch index by hand: two images + an OCI index over them ----
reg_image "$T/multi" amd amd64 2
reg_image "$T/multi" arm arm64 3
python3 - "$T/multi" <<'PY'
import hashlib, json, os, sys
lay = sys.argv[1]
idx = json.load(open(f"{lay}/index.json"))
ents = []
for m in idx["manifests"]:
    tag = m["annotations"]["org.opencontainers.image.ref.name"]
    arch = {"amd": "amd64", "arm": "arm64"}[tag]
    ents.append({"mediaType": m["mediaType"], "digest": m["digest"], "size": m["size"],
                 "platform": {"architecture": arch, "os": "linux"}})
body = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": ents}, separators=(",", ":")).encode()
d = hashlib.sha256(body).hexdigest()
open(f"{lay}/blobs/sha256/{d}", "wb").write(body)
idx["manifests"].append({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:" + d,
                         "size": len(body), "annotations": {"org.opencontainers.image.ref.name": "multi"}})
json.dump(idx, open(f"{lay}/index.json", "w"))
PY
bw_check "skopeo copy --all pushes a multi-arch index" \
  skopeo copy --all --dest-creds "$ADMIN" --dest-tls-verify=false "oci:$T/multi:multi" "docker://$REG/team/multi:latest"
bw_check "skopeo copy --all pulls it back" \
  skopeo copy --all --src-creds "$ADMIN" --src-tls-verify=false "docker://$REG/team/multi:latest" "oci:$T/multiback:multi"
same_index() {
  local i1 i2 d
  i1=$(jq -r '.manifests[]|select(.annotations["org.opencontainers.image.ref.name"]=="multi").digest' "$T/multi/index.json")
  i2=$(jq -r '.manifests[]|select(.annotations["org.opencontainers.image.ref.name"]=="multi").digest' "$T/multiback/index.json")
  [ "$i1" = "$i2" ] || { echo "index $i1 != $i2"; return 1; }
  for d in $(jq -r '.manifests[].digest' "$(bw_oci_blob "$T/multi" "$i1")"); do
    cmp "$(bw_oci_blob "$T/multi" "$d")" "$(bw_oci_blob "$T/multiback" "$d")" || return 1
    for b in $(jq -r '.config.digest, .layers[].digest' "$(bw_oci_blob "$T/multi" "$d")"); do
      cmp "$(bw_oci_blob "$T/multi" "$b")" "$(bw_oci_blob "$T/multiback" "$b")" || return 1
    done
  done
}
bw_check "index, both manifests and all their blobs byte-identical" same_index
bw_check "the index is served with its media type" \
  bash -c "curl -sSI -u '$ADMIN' $REG_URL/v2/team/multi/manifests/latest | tr -d '\r' | grep -qix 'Content-Type: application/vnd.oci.image.index.v1+json'"

# ---- listing ----
bw_check "catalog lists both repositories" \
  bash -c "[ \"\$(curl -sS -u '$ADMIN' $REG_URL/v2/_catalog | jq -c .repositories)\" = '[\"team/multi\",\"team/sub/app\"]' ]"
bw_check "skopeo list-tags" \
  bash -c "skopeo list-tags --creds '$ADMIN' --tls-verify=false docker://$REG/team/sub/app | jq -e '.Tags == [\"1.0\"]'"
bw_check "anonymous pull of a private namespace is refused with 401 UNAUTHORIZED" \
  bash -c "curl -s $REG_URL/v2/team/sub/app/manifests/1.0 | jq -e '.errors[0].code == \"UNAUTHORIZED\"'"

# ---- events: two pushes of tags, plus the index's children by digest ----
bw_check "events recorded for the pushes" \
  bash -c "sqlite3 '$DATA/meta.db' \"select count(*) from events where type='artifact.pushed' and tag in ('1.0','latest')\" | grep -qx 2"

# ---- restart keeps everything ----
bw_check "clean shutdown on SIGTERM" reg_stop
reg_start "$DATA"
bw_check "after a restart the image pulls again, identical" \
  bash -c "rm -rf '$T/back2' && skopeo copy --src-creds '$ADMIN' --src-tls-verify=false docker://$REG/team/sub/app:1.0 oci:$T/back2:app && cmp '$(bw_oci_blob "$T/src" "$MD")' '$T/back2/blobs/sha256/${MD#sha256:}'"

# ---- delete + gc ----
NBLOBS_BEFORE=$(find "$DATA/blobs" -type f | wc -l)
bw_check "DELETE the manifest by digest: 202" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -u '$ADMIN' -X DELETE $REG_URL/v2/team/sub/app/manifests/$MD)\" = 202 ]"
bw_check "the deleted manifest is gone: 404 MANIFEST_UNKNOWN" \
  bash -c "curl -s -u '$ADMIN' $REG_URL/v2/team/sub/app/manifests/1.0 | jq -e '.errors[0].code == \"MANIFEST_UNKNOWN\"'"
bw_check "gc --dry-run removes nothing" bash -c "'$BULWARK' gc --data '$DATA' --dry-run --grace 0 | tee /dev/stderr | grep -q 'would remove' && [ \$(find '$DATA/blobs' -type f | wc -l) = $NBLOBS_BEFORE ]"
bw_check "gc removes the 5 blobs only the deleted image used" \
  bash -c "'$BULWARK' gc --data '$DATA' --grace 0 | tee /dev/stderr | grep -q '5 blob(s)' && [ \$(find '$DATA/blobs' -type f | wc -l) = $((NBLOBS_BEFORE - 5)) ]"
bw_check "the multi-arch index still pulls after gc" \
  skopeo copy --all --src-creds "$ADMIN" --src-tls-verify=false "docker://$REG/team/multi:latest" "oci:$T/multiback3:multi"
bw_check "clean shutdown" reg_stop
bw_finish
