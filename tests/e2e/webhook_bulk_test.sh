#!/usr/bin/env bash
# 10,000 events queued for a webhook whose receiver is down, then the receiver comes up: every
# event is delivered exactly once, in event order, and the server's memory stays bounded (the
# delivery worker reads the outbox in batches; nothing is held per queued event). The events are
# appended to the metadata store directly while the server is stopped (a fast way to make 10,000
# artifact.pushed rows; the fan-out reads them like any other).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
[ -x "${BULWARK:-}" ] || bw_skip "BULWARK not set"
for t in curl jq python3; do command -v $t >/dev/null || bw_skip "$t missing (scripts/install-deps.sh test)"; done
bw_tmpdir webhook_bulk
DATA=$T/data
N=10000
RECV="$BW_SRC/tests/e2e/webhook_receiver.py"
export BULWARK_NOTIFY_RETRY_BASE_MS=200 BULWARK_NOTIFY_RETRY_MAX_MS=1000
bwc() { "$BULWARK" "$@" --data "$DATA" >/dev/null; }
RPORT=$(reg_free_port)
BULWARK_NEW_PASSWORD=$BULWARK_ADMIN_PASSWORD bwc user add admin --admin </dev/null
bwc namespace add team
bwc webhook add team "http://127.0.0.1:$RPORT/hook" --secret s-bulk
reg_start "$DATA" # fixes the fan-out cursor
reg_stop || bw_fail "server exit status"
python3 - "$DATA/meta.db" "$N" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time())
db.executemany("INSERT INTO events(type, repository, namespace, tag, digest, media_type, actor, at) VALUES(?,?,?,?,?,?,?,?)",
               [("artifact.pushed", "team/app", "team", f"t{i}", "sha256:" + f"{i:064x}",
                 "application/vnd.oci.image.manifest.v1+json", "admin", now) for i in range(int(sys.argv[2]))])
db.commit()
PY
reg_start "$DATA"
rss() { awk '/VmRSS/ {print $2}' "/proc/$REG_PID/status"; }
for i in $(seq 1 900); do
  p=$(curl -sS -u "$ADMIN" "$REG_URL/api/v1/webhooks/1" | jq '.outbox.pending')
  [ "$p" = "$N" ] && break; sleep 0.2
done
[ "$p" = "$N" ] || bw_fail "outbox holds $p of $N events"
sleep 2 # a few failed attempts against the closed port
RSS0=$(rss)
bw_ok "$N events queued in the outbox with the receiver down (server RSS $RSS0 KiB)"
python3 "$RECV" --log "$T/r.jsonl" --secret s-bulk --port "$RPORT" >/dev/null 2>"$T/r.err" &
RPID=$!
bw_on_exit "kill $RPID 2>/dev/null || true"
touch "$T/r.jsonl"
S=$(date +%s.%N)
RSSMAX=$RSS0
for i in $(seq 1 1200); do
  [ "$(wc -l <"$T/r.jsonl")" -ge "$N" ] && break
  r=$(rss); [ "$r" -gt "$RSSMAX" ] && RSSMAX=$r
  sleep 0.1
done
E=$(date +%s.%N)
python3 - "$T/r.jsonl" "$N" <<'PY' || bw_fail "bulk delivery wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
n = int(sys.argv[2])
assert len(recs) == n, f"{len(recs)} of {n} delivered"
assert all(r["ok"] for r in recs), "an unverified signature"
keys = [r["delivery"] for r in recs]
assert len(set(keys)) == n, "duplicates"
ids = [r["event"] for r in recs]
assert ids == sorted(ids), "out of order"
PY
RSS1=$(rss)
SECS=$(python3 -c "print(round($E - $S, 1))")
bw_ok "$N events delivered exactly once, in order, signatures verified, in $SECS s; RSS $RSS0 -> max $RSSMAX -> $RSS1 KiB"
[ $((RSSMAX - RSS0)) -lt 65536 ] || bw_fail "memory grew by $((RSSMAX - RSS0)) KiB while delivering"
bw_ok "memory bounded: growth $((RSSMAX - RSS0)) KiB (< 64 MiB) while delivering $N events"
curl -sS -u "$ADMIN" "$REG_URL/api/v1/webhooks/1" | jq -e ".outbox.delivered == $N and .outbox.pending == 0" >/dev/null ||
  bw_fail "outbox counts after delivery"
reg_stop || { tail -30 "$DATA.log" >&2; bw_fail "server exit status after SIGTERM"; }
LOGROWS=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM notify_log').fetchone()[0])" "$DATA/meta.db")
[ "$LOGROWS" -le 1064 ] || bw_fail "delivery log not pruned: $LOGROWS rows"
bw_ok "delivery log pruned to the newest attempts: $LOGROWS rows after $N deliveries"
bw_finish
