#!/usr/bin/env bash
# Event notifications against real receivers on loopback (tests/e2e/webhook_receiver.py verifies
# each request as docs/internals/notify.md documents): a signed plain-HTTP receiver with a custom
# header, an HTTPS receiver with a self-signed certificate trusted via --ca-file, one failing its
# first 3 attempts, one that hangs (the others must not wait for it), a DingTalk-format receiver,
# and one that is down while the server restarts. Every event arrives exactly once per receiver (by
# X-Bulwark-Delivery), in event order, with verified signatures; plus the webhook REST API.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
[ -x "${BULWARK:-}" ] || bw_skip "BULWARK not set"
for t in curl jq python3 openssl sha256sum; do command -v $t >/dev/null || bw_skip "$t missing (scripts/install-deps.sh test)"; done
bw_tmpdir webhook
DATA=$T/data
RECV="$BW_SRC/tests/e2e/webhook_receiver.py"
export BULWARK_NOTIFY_RETRY_BASE_MS=200 BULWARK_NOTIFY_RETRY_MAX_MS=1000
bwc() { "$BULWARK" "$@" --data "$DATA"; }

# recv NAME ARGS...: starts a receiver, sets PORT_<NAME>; its log is $T/NAME.jsonl
recv() {
  local name=$1; shift
  python3 "$RECV" --log "$T/$name.jsonl" "$@" >"$T/$name.port" 2>"$T/$name.err" &
  local pid=$! i
  bw_on_exit "kill $pid 2>/dev/null || true"
  eval "PID_$name=$pid"
  for i in $(seq 1 50); do [ -s "$T/$name.port" ] && break; sleep 0.1; done
  [ -s "$T/$name.port" ] || { cat "$T/$name.err" >&2; bw_fail "receiver $name did not start"; }
  eval "PORT_$name=$(cat "$T/$name.port")"
  touch "$T/$name.jsonl"
}
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || bw_fail "openssl req"
recv plain --secret s-plain
recv tls --secret s-tls --cert "$T/cert.pem" --key "$T/key.pem"
recv flaky --secret s-flaky --fail-first 3
recv hang --hang
recv ding --mode dingtalk --secret SECdingtalk0123
LATE_PORT=$(reg_free_port)

BULWARK_NEW_PASSWORD=$BULWARK_ADMIN_PASSWORD bwc user add admin --admin </dev/null >/dev/null
BULWARK_NEW_PASSWORD=pw-dev bwc user add dev </dev/null >/dev/null
bwc namespace add team >/dev/null
bwc namespace grant team dev developer >/dev/null
bwc webhook add team "http://127.0.0.1:$PORT_plain/hook" --secret s-plain --header 'X-Team: blue' >/dev/null
bwc webhook add team "https://127.0.0.1:$PORT_tls/hook" --secret s-tls --ca-file "$T/cert.pem" >/dev/null
bwc webhook add team "http://127.0.0.1:$PORT_flaky/hook" --secret s-flaky >/dev/null
bwc webhook add team "http://127.0.0.1:$PORT_hang/hook" --secret s-hang >/dev/null
bwc webhook add team "http://127.0.0.1:$PORT_ding/robot/send?access_token=tok" --kind dingtalk \
  --secret SECdingtalk0123 --keyword bulwark --at-mobile 13800000000 --event artifact.pushed >/dev/null
bwc webhook add team "http://127.0.0.1:$LATE_PORT/hook" --secret s-late >/dev/null
bwc webhook add team "https://127.0.0.1:$PORT_tls/untrusted" --secret s-tls >/dev/null # no CA: must fail
bwc webhook ls | grep -q "127.0.0.1:$PORT_ding/robot" || bw_fail "webhook ls does not list the DingTalk target"
bw_ok "7 webhooks added with the CLI"
reg_start "$DATA"

# ---- events: 5 pushes and 1 tag delete in team/app, 1 push elsewhere (no webhook there) ----
blob_push() { curl -sS -f -u "$ADMIN" -X POST --data-binary "@$2" "$REG_URL/v2/$1/blobs/uploads/?digest=$(sha "$2")" -o /dev/null; }
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >"$T/config.json"
python3 - "$T" "$(sha "$T/config.json")" "$(stat -c %s "$T/config.json")" <<'PY'
import json, sys
t, cd, cs = sys.argv[1:]
json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": int(cs)},
           "layers": []}, open(f"{t}/manifest.json", "w"), separators=(",", ":"))
PY
MT=application/vnd.oci.image.manifest.v1+json
push() { # REPO TAG
  [ "$(code -X PUT -H "Content-Type: $MT" --data-binary "@$T/manifest.json" "$REG_URL/v2/$1/manifests/$2")" = 201 ] ||
    bw_fail "push $1:$2"
}
T0=$(date +%s.%N)
for r in team/app other/app; do blob_push $r "$T/config.json"; done
for i in 1 2 3 4 5; do push team/app v$i; done
push other/app v1
[ "$(code -X DELETE "$REG_URL/v2/team/app/manifests/v5")" = 202 ] || bw_fail "tag delete"
bw_ok "pushed 5 tags, deleted 1 (6 events for team), 1 push in other/"

# wait_lines FILE N SECONDS
wait_lines() {
  local i
  for i in $(seq 1 $(($3 * 10))); do [ "$(wc -l <"$1")" -ge "$2" ] && return 0; sleep 0.1; done
  return 1
}
# check_recv NAME N: N requests, all verified, N distinct delivery keys (exactly once), in event order
check_recv() {
  local f="$T/$1.jsonl"
  wait_lines "$f" "$2" 30 || bw_fail "$1: $(wc -l <"$f") of $2 deliveries arrived"
  sleep 0.3
  python3 - "$f" "$2" "$1" <<'PY' || bw_fail "$1: deliveries wrong (see above)"
import json, sys
f, n, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
recs = [json.loads(l) for l in open(f)]
bad = [r for r in recs if not r["ok"]]
assert not bad, f"unverified requests: {bad}"
assert len(recs) == n, f"{len(recs)} requests, expected {n}"
if name != "ding":
    keys = [r["delivery"] for r in recs]
    assert len(set(keys)) == n, f"duplicate delivery keys: {keys}"
    ids = [r["event"] for r in recs]
    assert ids == sorted(ids), f"out of order: {ids}"
    assert all(k.startswith(f"{r['event']}-") for k, r in zip(keys, recs))
PY
}
check_recv plain 6
T1=$(date +%s.%N)
python3 - "$T/plain.jsonl" <<'PY' || bw_fail "plain: content"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert [r["type"] for r in recs] == ["artifact.pushed"] * 5 + ["artifact.deleted"], recs
assert all(r["custom"] == "blue" for r in recs), "custom header missing"
PY
bw_ok "plain HTTP: 6 events exactly once, in order, signatures verified, custom header (in $(python3 -c "print(round($T1-$T0,2))") s while the hanging receiver holds its request)"
check_recv tls 6
bw_ok "HTTPS with a self-signed certificate via --ca-file: 6 events exactly once, signatures verified"
check_recv flaky 6
bw_ok "receiver failing its first 3 attempts: 6 events exactly once, in order"
check_recv ding 5
python3 - "$T/ding.jsonl" <<'PY' || bw_fail "ding: content"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert all(r["title"].startswith("bulwark artifact.pushed team/app:v") for r in recs), recs
PY
bw_ok "DingTalk robot: 5 artifact.pushed (event filter) markdown messages, timestamp+sign verified as DingTalk does"
[ "$(wc -l <"$T/hang.jsonl")" = 0 ] || bw_fail "hang receiver logged a request"

api() { curl -sS -u "$ADMIN" "$@"; }
ID_UNTRUSTED=7 ID_HANG=4 ID_LATE=6
for i in $(seq 1 60); do
  [ "$(api "$REG_URL/api/v1/webhooks/$ID_UNTRUSTED/deliveries" | jq length)" -ge 1 ] && break; sleep 0.2
done
api "$REG_URL/api/v1/webhooks/$ID_UNTRUSTED/deliveries" | jq -e '.[0].status == 0 and (.[0].response | test("SSL|certificate"; "i"))' >/dev/null ||
  bw_fail "untrusted certificate: no TLS failure logged: $(api "$REG_URL/api/v1/webhooks/$ID_UNTRUSTED/deliveries")"
bw_ok "TLS verification stays on: a self-signed receiver without --ca-file fails ($(api "$REG_URL/api/v1/webhooks/$ID_UNTRUSTED/deliveries" | jq -r '.[0].response'))"
for i in $(seq 1 120); do
  [ "$(api "$REG_URL/api/v1/webhooks/$ID_HANG/deliveries" | jq length)" -ge 1 ] && break; sleep 0.2
done
api "$REG_URL/api/v1/webhooks/$ID_HANG/deliveries" | jq -e '.[0].status == 0 and .[0].latency_ms >= 9000 and .[0].latency_ms < 12000' >/dev/null ||
  bw_fail "hanging receiver: $(api "$REG_URL/api/v1/webhooks/$ID_HANG/deliveries")"
bw_ok "hanging receiver: the attempt times out after $(api "$REG_URL/api/v1/webhooks/$ID_HANG/deliveries" | jq '.[0].latency_ms') ms; others were served meanwhile"
api "$REG_URL/api/v1/webhooks/$ID_LATE/deliveries" | jq -e 'length >= 1 and .[0].status == 0' >/dev/null ||
  bw_fail "late receiver: no failed attempt logged"

# ---- restart between attempts: the late receiver comes up only after a restart ----
reg_stop || { tail -40 "$DATA.log" >&2; bw_fail "server exit status after SIGTERM"; }
recv late --secret s-late --port "$LATE_PORT"
reg_start "$DATA"
check_recv late 6
bw_ok "receiver down, server restarted between attempts: 6 events delivered exactly once after the restart"
for r in plain tls flaky ding; do
  n=$(wc -l <"$T/$r.jsonl")
  [ "$n" = "$([ $r = ding ] && echo 5 || echo 6)" ] || bw_fail "$r got $n requests after the restart (duplicates)"
done
bw_ok "no receiver saw a duplicate after the restart"

# ---- REST API ----
api "$REG_URL/api/v1/webhooks" | jq -e 'length == 7 and all(.[]; has("secret") | not)' >/dev/null || bw_fail "GET /webhooks"
c=$(curl -s -o /dev/null -w '%{http_code}' -u dev:pw-dev "$REG_URL/api/v1/webhooks/1")
[ "$c" = 404 ] || bw_fail "a developer sees webhook 1: HTTP $c"
c=$(curl -s -o /dev/null -w '%{http_code}' -u dev:pw-dev -X POST -d "{\"namespace\":\"team\",\"url\":\"http://127.0.0.1:1/\"}" "$REG_URL/api/v1/webhooks")
[ "$c" = 403 ] || bw_fail "a developer adds a webhook: HTTP $c"
c=$(curl -s -o /dev/null -w '%{http_code}' "$REG_URL/api/v1/webhooks")
[ "$c" = 401 ] || bw_fail "anonymous GET /webhooks: HTTP $c"
NEW=$(api -X POST -d "{\"namespace\":\"team\",\"kind\":\"http\",\"url\":\"http://127.0.0.1:$PORT_plain/api\",\"secret\":\"s-plain\",\"events\":[\"scan.*\"],\"options\":{\"cloudevents\":true}}" "$REG_URL/api/v1/webhooks")
NEW_ID=$(echo "$NEW" | jq -r .id)
[ "$NEW_ID" -gt 7 ] 2>/dev/null || bw_fail "POST /webhooks: $NEW"
api -X POST "$REG_URL/api/v1/webhooks/$NEW_ID/test" | jq -e '.delivered == true and .status == 200' >/dev/null ||
  bw_fail "POST /webhooks/$NEW_ID/test"
tail -1 "$T/plain.jsonl" | jq -e '.ok and .type == "scan.completed" and .path == "/api"' >/dev/null ||
  bw_fail "test event (CloudEvents) not verified by the receiver: $(tail -1 "$T/plain.jsonl")"
api "$REG_URL/api/v1/webhooks/3/deliveries" | jq -e '[.[] | select(.status == 500)] | length == 3' >/dev/null ||
  bw_fail "delivery log of the flaky receiver lacks its 3 failures"
api "$REG_URL/api/v1/webhooks/3" | jq -e '.outbox.delivered == 6 and .outbox.pending == 0' >/dev/null || bw_fail "outbox counts"
api -X DELETE "$REG_URL/api/v1/webhooks/$NEW_ID" | jq -e ".deleted == $NEW_ID" >/dev/null || bw_fail "DELETE"
[ "$(code "$REG_URL/api/v1/webhooks/$NEW_ID")" = 404 ] || bw_fail "deleted webhook still there"
bw_ok "REST API: list (no secrets), admin-only (developer 404/403, anonymous 401), add, test (CloudEvents, signed), delivery log, counts, delete"
reg_stop || { tail -40 "$DATA.log" >&2; bw_fail "server exit status after SIGTERM"; }
bw_finish
