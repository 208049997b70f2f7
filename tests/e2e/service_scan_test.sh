#!/usr/bin/env bash
# The scan service end to end, on a real server on loopback with skopeo:
#  - a scan rule for namespace team; skopeo copy into team/app:1; the result appears through the
#    REST API with no manual step (on-push scan by the workers, push not blocked)
#  - the same digest pushed as team/app:2 runs no new analysis (one job record for the digest)
#  - "scan now" on a manual rule over N=12 stored images, queued by a server without workers that
#    is then killed (SIGKILL) with one job marked running (as a crash mid-scan leaves it); after a
#    restart with workers every job ends done
#  - re-evaluation: the images were scanned with an old advisory DB (one unrelated advisory); an
#    advisory for the openssl package the images carry is imported; with the blob store moved
#    away (any blob read would fail), the results gain it and scan.new_vulnerabilities events are
#    recorded
#  - compare, report tabs with filters, the OpenAPI document, rule CLI, access control
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
[ -x "${BULWARK:-}" ] || bw_skip "BULWARK not set"
for t in skopeo umoci jq curl python3 sqlite3 bc; do command -v $t >/dev/null || bw_skip "$t missing (scripts/install-deps.sh test)"; done
bw_tmpdir service_scan
DATA=$T/data
DB=$T/db.sqlite
N=12
T0=$(date +%s)

# ---- images: a Debian-like base layer (os-release + a dpkg status naming openssl 3.0.11-1~deb12u1,
# the bookworm version before DSA-5532-1) shared by every image, plus one small layer of its own ----
mkdir -p "$T/base/etc" "$T/base/var/lib/dpkg"
cat >"$T/base/etc/os-release" <<'OS'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
OS
echo 12.2 >"$T/base/etc/debian_version"
cat >"$T/base/var/lib/dpkg/status" <<'ST'
Package: openssl
Status: install ok installed
Priority: optional
Section: utils
Installed-Size: 2300
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Version: 3.0.11-1~deb12u1
Description: Secure Sockets Layer toolkit - cryptographic utility

Package: libssl3
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 6200
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Source: openssl
Version: 3.0.11-1~deb12u1
Description: Secure Sockets Layer toolkit - shared libraries

ST
tar -C "$T/base" -cf "$T/base.tar" etc var
mkimage() { # mkimage TAG: base layer + a layer with one unique file
  umoci new --image "$T/oci:$1"
  umoci config --no-history --image "$T/oci:$1" --os linux --architecture amd64
  umoci raw add-layer --image "$T/oci:$1" --history.created_by "base" "$T/base.tar"
  local d; d=$(mktemp -d "$T/l.XXXXXX"); mkdir -p "$d/app"; echo "$1 $RANDOM" >"$d/app/id"
  tar -C "$d" -cf "$d.tar" app
  umoci raw add-layer --image "$T/oci:$1" --history.created_by "app $1" "$d.tar"
  rm -rf "$d" "$d.tar"
}
umoci init --layout "$T/oci"
mkimage app
for i in $(seq 1 $N); do mkimage "b$i"; done

# ---- the old advisory DB: one advisory about a package the images do not have ----
mkdir -p "$T/adv-old" "$T/adv-new"
cat >"$T/adv-old/DEBIAN-CVE-2005-4890.json" <<'J'
{"schema_version":"1.6.0","id":"DEBIAN-CVE-2005-4890","modified":"2021-04-02T18:15:21Z","published":"2021-04-02T18:15:21Z","upstream":["CVE-2005-4890"],"affected":[{"package":{"ecosystem":"Debian:12","name":"sudo","purl":"pkg:deb/debian/sudo?arch=source"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.9.6-1~exp2"}]}]}]}
J
# CVE-2023-5363 (openssl, fixed in bookworm by DSA-5532-1 with 3.0.11-1~deb12u2)
cat >"$T/adv-new/DEBIAN-CVE-2023-5363.json" <<'J'
{"schema_version":"1.6.0","id":"DEBIAN-CVE-2023-5363","modified":"2023-10-30T00:00:00Z","published":"2023-10-25T00:00:00Z","upstream":["CVE-2023-5363"],"summary":"openssl: incorrect cipher key and IV length processing","affected":[{"package":{"ecosystem":"Debian:12","name":"openssl","purl":"pkg:deb/debian/openssl?arch=source"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.11-1~deb12u2"}]}]}],"references":[{"type":"ADVISORY","url":"https://security-tracker.debian.org/tracker/CVE-2023-5363"}]}
J
bw_check "db import of the old advisory DB" "$BULWARK" db import --db "$DB" -q "$T/adv-old"

reg_start "$DATA" --scan-workers 2 --db "$DB" --db-update-interval 1
api() { acurl "$REG_URL/api/v1$1" "${@:2}"; }

# ---- rules ----
bw_check "the OpenAPI document is served and is OpenAPI 3" \
  bash -c "curl -sf $REG_URL/api/v1/openapi.json | jq -e '.openapi | startswith(\"3.\")'"
bw_check "anonymous may not create rules (401)" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{"namespace":"team"}' "$REG_URL/api/v1/rules")" = 401
api /rules -X POST -d '{"namespace":"team","repositories":["app"],"scanners":["vuln"],"on_push":true}' >"$T/rule.json"
bw_check "POST /rules creates an on-push rule for team" jq -e '.id > 0 and .namespace == "team" and .on_push' "$T/rule.json"
bw_check "a rule with an unknown scanner is refused (400)" \
  test "$(code -X POST -d '{"namespace":"team","scanners":["nope"]}' "$REG_URL/api/v1/rules")" = 400

# ---- on push ----
t_push0=$(date +%s.%N)
bw_check "skopeo copy into team/app:1" \
  skopeo copy -q --dest-creds "$ADMIN" --dest-tls-verify=false "oci:$T/oci:app" "docker://$REG/team/app:1"
t_push1=$(date +%s.%N)
D=$(skopeo inspect --raw --creds "$ADMIN" --tls-verify=false "docker://$REG/team/app:1" | sha256sum | cut -d' ' -f1)
D="sha256:$D"
wait_tag_done() { # repo tag
  local i
  for i in $(seq 1 300); do
    api "/repositories/${1//\//%2F}/tags" | jq -e --arg t "$2" '.[] | select(.tag == $t) | .scan.status == "done"' >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  api "/repositories/${1//\//%2F}/tags"; return 1
}
bw_check "the result of team/app:1 appears through the API with no manual step" wait_tag_done team/app 1
t_done=$(date +%s.%N)
api "/repositories/team%2Fapp/tags" >"$T/tags.json"
bw_check "the tag listing carries the summary (vulnerability counts)" \
  jq -e '.[0].scan.summary.vulnerabilities | has("CRITICAL") and has("HIGH")' "$T/tags.json"
api "/reports/$D" >"$T/report1.json"
bw_check "GET /reports/{digest} is the bulwark.report/v1 report of that digest" \
  jq -e --arg d "$D" '.schema == "bulwark.report/v1" and .artifact.digest == $d' "$T/report1.json"
bw_check "the report lists the dpkg packages of the image" \
  jq -e '[.packages[] | select(.name == "openssl" and .version == "3.0.11-1~deb12u1")] | length == 1' "$T/report1.json"
bw_check "with the old DB the image has no vulnerability" jq -e '.vulnerabilities | length == 0' "$T/report1.json"
api "/events?since=0" >"$T/events1.json"
bw_check "a scan.completed event with the summary in data" \
  jq -e --arg d "$D" '[.[] | select(.type == "scan.completed" and .digest == $d and (.data.summary | type) == "object")] | length == 1' "$T/events1.json"

acurl "$REG_URL/v2/team/app/referrers/$D" >"$T/referrers.json"
bw_check "the SBOM and the report are attached as OCI referrers of the image" \
  jq -e '[.manifests[].artifactType] | sort == ["application/vnd.bulwark.report.v1+json", "application/vnd.cyclonedx+json"]' "$T/referrers.json"
SBOM_M=$(jq -r '.manifests[] | select(.artifactType == "application/vnd.cyclonedx+json") | .digest' "$T/referrers.json")
SBOM_B=$(acurl -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$REG_URL/v2/team/app/manifests/$SBOM_M" | jq -r '.layers[0].digest')
bw_check "the SBOM referrer is a CycloneDX document naming openssl" \
  bash -c "curl -sSL -u '$ADMIN' '$REG_URL/v2/team/app/blobs/$SBOM_B' | jq -e '.bomFormat == \"CycloneDX\" and ([.components[].name] | index(\"openssl\"))'"

metric() { curl -sS -u "$ADMIN" "$REG_URL/metrics" | awk -v k="$1" '$1 == k {print $2}'; }
bw_check "/metrics counts the analysis (bulwark_scan_analyses_total 1)" test "$(metric bulwark_scan_analyses_total)" = 1
bw_check "/metrics shows the finished job by state" test "$(metric 'bulwark_scan_jobs{state="done"}')" = 1
bw_check "/metrics counts the layers read from blobs" test "$(metric 'bulwark_scan_layers_total{source="blob"}')" -ge 1
HAVE0=$(( $(metric 'bulwark_scan_enqueue_total{outcome="have_result"}') + $(metric 'bulwark_scan_enqueue_total{outcome="have_job"}') ))

# ---- same digest, second tag: no new analysis ----
bw_check "skopeo copy of the same image as team/app:2" \
  skopeo copy -q --dest-creds "$ADMIN" --dest-tls-verify=false "oci:$T/oci:app" "docker://$REG/team/app:2"
sleep 1.5 # the follower polls every 200 ms
bw_check "team/app:2 shows the stored result" wait_tag_done team/app 2
bw_check "the digest has exactly one job record (one analysis)" \
  bash -c "curl -sS -u '$ADMIN' '$REG_URL/api/v1/jobs?digest=$D' | jq -e 'length == 1 and .[0].state == \"done\" and .[0].attempts == 1'"
bw_check "team/app has one job record in all (two tags, one digest, one analysis)" \
  bash -c "curl -sS -u '$ADMIN' '$REG_URL/api/v1/jobs' | jq -e '[.[] | select(.repository == \"team/app\")] | length == 1'"
bw_check "/metrics: still one analysis after the second tag" test "$(metric bulwark_scan_analyses_total)" = 1
HAVE1=$(( $(metric 'bulwark_scan_enqueue_total{outcome="have_result"}') + $(metric 'bulwark_scan_enqueue_total{outcome="have_job"}') ))
bw_check "/metrics: the second tag's push was skipped as a known digest" test "$HAVE1" -gt "$HAVE0"

JID=$(curl -sS -u "$ADMIN" "$REG_URL/api/v1/jobs?digest=$D" | jq -r '.[0].id')
bw_check "a finished job cannot be canceled (409)" test "$(code -X POST "$REG_URL/api/v1/jobs/$JID/cancel")" = 409

# ---- scan now over N stored images, SIGKILL mid-queue, restart ----
for i in $(seq 1 $N); do
  skopeo copy -q --dest-creds "$ADMIN" --dest-tls-verify=false "oci:$T/oci:b$i" "docker://$REG/batch/img$i:1" || bw_not_ok "push b$i"
done
api /rules -X POST -d '{"namespace":"batch","on_push":false,"manual":true}' >"$T/rule2.json"
RID=$(jq -r .id "$T/rule2.json")
bw_check "no image of batch was scanned on push (the rule is manual only)" \
  bash -c "curl -sS -u '$ADMIN' '$REG_URL/api/v1/jobs' | jq -e '[.[] | select(.repository | startswith(\"batch/\"))] | length == 0'"
reg_stop || bw_not_ok "clean shutdown"
reg_start "$DATA" --scan-workers 0 --db "$DB" --db-update-interval 1
api "/rules/$RID/scan" -X POST >"$T/scan.json"
bw_check "scan now queues the $N stored images" jq -e --argjson n $N '.queued == $n and .skipped == 0' "$T/scan.json"
LAST=$(curl -sS -u "$ADMIN" "$REG_URL/api/v1/jobs?state=queued&limit=1" | jq -r '.[0].id')
bw_check "a queued job can be canceled" \
  bash -c "curl -sS -u '$ADMIN' -X POST '$REG_URL/api/v1/jobs/$LAST/cancel' | jq -e '.state == \"canceled\"'"
reg_kill9
sqlite3 "$DATA/meta.db" "UPDATE scan_jobs SET state=0 WHERE id=$LAST" # back in the queue for the rest of the test
sqlite3 "$DATA/meta.db" "UPDATE scan_jobs SET state=1, attempts=1 WHERE id=(SELECT max(id) FROM scan_jobs)"
bw_check "after SIGKILL every job is still in the store" \
  bash -c "sqlite3 '$DATA/meta.db' \"SELECT count(*) FROM scan_jobs WHERE repo LIKE 'batch/%'\" | grep -qx $N"
bw_check "at the kill: $((N - 1)) queued and one running" \
  bash -c "sqlite3 '$DATA/meta.db' \"SELECT state, count(*) FROM scan_jobs WHERE repo LIKE 'batch/%' GROUP BY state\" | tr '\n' ' ' | grep -qx '0|$((N - 1)) 1|1 '"
t_sn0=$(date +%s.%N)
reg_start "$DATA" --scan-workers 2 --db "$DB" --db-update-interval 1
all_done() {
  local i
  for i in $(seq 1 600); do
    curl -sS -u "$ADMIN" "$REG_URL/api/v1/jobs" | jq -e --argjson n $N \
      '[.[] | select(.repository | startswith("batch/")) | select(.state == "done")] | length == $n' >/dev/null && return 0
    sleep 0.2
  done
  return 1
}
bw_check "after the restart all $N scan-now jobs end done (none lost)" all_done
t_sn1=$(date +%s.%N)
api "/rules/$RID/scan" -X POST >"$T/scan2.json"
bw_check "scan now again skips the $N digests that have a current result" jq -e --argjson n $N '.queued == 0 and .skipped == $n' "$T/scan2.json"
R3=$(api /rules -X POST -d '{"namespace":"batch","repositories":["img1*"],"tags":["1"],"on_push":false}' | jq -r .id)
R4=$(api /rules -X POST -d '{"namespace":"batch","tags":["v*"],"on_push":false}' | jq -r .id)
bw_check "a rule narrowed to img1* and tag 1 covers img1, img10, img11, img12 (all current: skipped)" \
  bash -c "curl -sS -u '$ADMIN' -X POST '$REG_URL/api/v1/rules/$R3/scan' | jq -e '.queued == 0 and .skipped == 4'"
bw_check "a rule whose tag glob matches no tag covers nothing" \
  bash -c "curl -sS -u '$ADMIN' -X POST '$REG_URL/api/v1/rules/$R4/scan' | jq -e '.queued == 0 and .skipped == 0'"
R5=$(api /rules -X POST -d '{"namespace":"batch","repositories":["img*"],"tag_regex":"[0-9]+","on_push":false}' | jq -r .id)
bw_check "a rule with tag_regex [0-9]+ covers the $N images tagged 1 (all current: skipped)" \
  bash -c "curl -sS -u '$ADMIN' -X POST '$REG_URL/api/v1/rules/$R5/scan' | jq -e --argjson n $N '.queued == 0 and .skipped == \$n'"
bw_check "GET /rules/{id} returns the tag_regex" bash -c "curl -sS -u '$ADMIN' '$REG_URL/api/v1/rules/$R5' | jq -e '.tag_regex == \"[0-9]+\"'"
bw_check "a tag_regex that is not a regex is refused (400)" \
  test "$(code -X POST -d '{"namespace":"batch","tag_regex":"v[0-9"}' "$REG_URL/api/v1/rules")" = 400
api "/rules/$R5" -X DELETE >/dev/null
api "/rules/$R3" -X DELETE >/dev/null
bw_check "DELETE /rules/{id}" test "$(code -X DELETE "$REG_URL/api/v1/rules/$R4")" = 200
api "/rules/$RID/scan?force=1" -X POST >"$T/scan3.json"
bw_check "scan now with force=1 queues them again" jq -e --argjson n $N '.queued == $n' "$T/scan3.json"
all_done

# ---- re-evaluation with no blob readable ----
mv "$DATA/blobs" "$DATA/blobs.away"
EV0=$(api "/events?since=0" | jq '[.[].id] | max')
t_re0=$(date +%s.%N)
bw_check "db import of the openssl advisory" "$BULWARK" db import --db "$DB" -q "$T/adv-new"
reeval_done() {
  local i
  for i in $(seq 1 300); do
    [ "$(curl -sS -u "$ADMIN" "$REG_URL/api/v1/events?since=$EV0" | jq '[.[] | select(.type == "scan.new_vulnerabilities")] | length')" -ge $((N + 1)) ] && return 0
    sleep 0.2
  done
  return 1
}
bw_check "every image gets a scan.new_vulnerabilities event ($((N + 1)) images) with the blob store gone" reeval_done
t_re1=$(date +%s.%N)
metric_wait() { # name value: the re-evaluation's counters are added when its run ends
  local i; for i in $(seq 1 50); do [ "$(metric "$1")" = "$2" ] && return 0; sleep 0.2; done; metric "$1"; return 1
}
bw_check "/metrics counts the re-evaluated results that gained vulnerabilities" \
  metric_wait 'bulwark_scan_reevaluated_results_total{outcome="gained"}' $((N + 1))
api "/events?since=$EV0" >"$T/events2.json"
bw_check "the event of team/app names CVE-2023-5363" \
  jq -e --arg d "$D" '[.[] | select(.type == "scan.new_vulnerabilities" and .digest == $d and (.data.ids | index("DEBIAN-CVE-2023-5363")))] | length == 1' "$T/events2.json"
api "/reports/$D" >"$T/report2.json"
bw_check "the stored result gained the vulnerability on both openssl binary packages" \
  jq -e '[.vulnerabilities[] | select(.id == "DEBIAN-CVE-2023-5363")] | map(.package) | sort == ["libssl3", "openssl"]' "$T/report2.json"
bw_check "no blob was read: the blob store is still absent" test ! -e "$DATA/blobs"
mv "$DATA/blobs.away" "$DATA/blobs"

# ---- tabs, compare ----
api "/reports/$D/vulnerabilities?class=os&severity=UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL&per_page=1&page=2" >"$T/tab.json"
bw_check "report tab with class/severity filters and pagination" \
  jq -e '.total == 2 and .page == 2 and .per_page == 1 and (.items | length) == 1' "$T/tab.json"
bw_check "class=app filters the OS findings out" \
  bash -c "curl -sS -u '$ADMIN' '$REG_URL/api/v1/reports/$D/vulnerabilities?class=app' | jq -e '.total == 0'"
B1=$(curl -sS -u "$ADMIN" "$REG_URL/api/v1/repositories/batch%2Fimg1/tags" | jq -r '.[0].digest')
api "/compare?from=$D&to=$B1" >"$T/cmp.json"
bw_check "compare of two images with the same packages: both findings unchanged, none new or fixed" \
  jq -e '(.vulnerabilities.unchanged | length) == 2 and (.vulnerabilities.new | length) == 0 and (.vulnerabilities.fixed | length) == 0' "$T/cmp.json"

# ---- access control ----
"$BULWARK" user add --data "$DATA" eve --password-stdin <<<"eve-pw-12345" >/dev/null 2>&1 || true
bw_check "a user without a role in team cannot read its report (404)" \
  test "$(curl -s -o /dev/null -w '%{http_code}' -u eve:eve-pw-12345 "$REG_URL/api/v1/reports/$D")" = 404
bw_check "nor list its rules" \
  bash -c "curl -sS -u eve:eve-pw-12345 '$REG_URL/api/v1/rules' | jq -e 'length == 0'"

# ---- rule CLI ----
reg_stop || bw_not_ok "clean shutdown"
bw_check "bulwark rule ls lists both rules" bash -c "'$BULWARK' rule ls --data '$DATA' | grep -c '^[0-9]' | grep -qx 2"
bw_check "bulwark rule add" bash -c "'$BULWARK' rule add --data '$DATA' team --tags 'v*' --scanners vuln,baseline --no-push | grep -q 'added rule 3'"
bw_check "bulwark rule rm" "$BULWARK" rule rm --data "$DATA" 3
bw_check "bulwark rule rm of an unknown id fails" bash -c "! '$BULWARK' rule rm --data '$DATA' 3"

# ---- re-evaluation by `bulwark db import --data` (server stopped), again with no blob store ----
mkdir -p "$T/adv-3"
# CVE-2024-0727 (openssl, fixed in bookworm with 3.0.13-1~deb12u1)
cat >"$T/adv-3/DEBIAN-CVE-2024-0727.json" <<'J'
{"schema_version":"1.6.0","id":"DEBIAN-CVE-2024-0727","modified":"2024-02-10T00:00:00Z","published":"2024-01-26T00:00:00Z","upstream":["CVE-2024-0727"],"summary":"openssl: denial of service via null dereference in PKCS12 processing","affected":[{"package":{"ecosystem":"Debian:12","name":"openssl","purl":"pkg:deb/debian/openssl?arch=source"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.13-1~deb12u1"}]}]}]}
J
mv "$DATA/blobs" "$DATA/blobs.away"
t_ci0=$(date +%s.%N)
bw_check "bulwark db import --data re-evaluates every stored result (no blob store present)" \
  bash -c "'$BULWARK' db import --data '$DATA' --db '$DB' -q '$T/adv-3' 2>&1 | tee /dev/stderr | grep -q 're-evaluated $((N + 1)) scan results.*: $((N + 1)) gained vulnerabilities, 0 failed'"
t_ci1=$(date +%s.%N)
bw_check "the events record CVE-2024-0727 for team/app" \
  bash -c "sqlite3 '$DATA/meta.db' \"SELECT data FROM events WHERE type='scan.new_vulnerabilities' AND digest='$D'\" | grep -q DEBIAN-CVE-2024-0727"
mv "$DATA/blobs.away" "$DATA/blobs"

echo "figures: push of team/app:1 $(echo "$t_push1 - $t_push0" | bc) s, result visible after $(echo "$t_done - $t_push1" | bc) s;" \
  "scan now of $N images after restart $(echo "$t_sn1 - $t_sn0" | bc) s; re-evaluation of $((N + 1)) results $(echo "$t_re1 - $t_re0" | bc) s in the server (1 s watcher period)," \
  "$(echo "$t_ci1 - $t_ci0" | bc) s by db import --data;" \
  "test total $(($(date +%s) - T0)) s"
bw_finish
