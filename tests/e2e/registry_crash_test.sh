#!/usr/bin/env bash
# Crash safety: kill -9 bulwark serve while 20 chunked uploads (curl, in parallel) are running;
# restart it. Every blob it had accepted (201) is there and hashes to its name, no partial blob is
# visible (every file under blobs/ verifies), and the interrupted uploads can be resumed from the
# offset the server reports (GET on the session) or restarted from scratch.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
[ -x "${BULWARK:-}" ] || bw_skip "BULWARK not set"
for t in curl jq python3 sha256sum; do command -v $t >/dev/null || bw_skip "$t missing"; done
bw_tmpdir registry_crash
DATA=$T/data
reg_start "$DATA"
R=crash/repo
CHUNK=$((1 << 20))
mkdir -p "$T/in" "$T/st"
for i in $(seq 1 20); do head -c $((4 * CHUNK + i * 1000)) /dev/urandom >"$T/in/$i"; done

# upload I RATE: POST, PATCH each 1 MiB chunk with Content-Range, PUT ?digest=. Writes the session
# path to st/I.loc and "done" to st/I.done on 201.
upload() {
  local i=$1 rate=$2 f=$T/in/$1 size off=0 n loc code
  size=$(stat -c %s "$f")
  loc=$(curl -sS -u "$ADMIN" -X POST -D - -o /dev/null "$REG_URL/v2/$R/blobs/uploads/" | tr -d '\r' | sed -n 's/^Location: //Ip')
  [ -n "$loc" ] || return 1
  echo "$loc" >"$T/st/$i.loc"
  while [ $off -lt "$size" ]; do
    n=$((size - off < CHUNK ? size - off : CHUNK))
    dd if="$f" of="$T/st/$i.chunk" bs=64K iflag=skip_bytes,count_bytes skip=$off count=$n status=none
    code=$(curl -sS -u "$ADMIN" --limit-rate "$rate" -X PATCH -H "Content-Range: $off-$((off + n - 1))" \
      -H 'Content-Type: application/octet-stream' --data-binary @"$T/st/$i.chunk" -o /dev/null -w '%{http_code}' "$REG_URL$loc") || return 1
    [ "$code" = 202 ] || return 1
    off=$((off + n))
  done
  code=$(curl -sS -u "$ADMIN" -X PUT -o /dev/null -w '%{http_code}' "$REG_URL$loc?digest=$(sha "$f")") || return 1
  [ "$code" = 201 ] && touch "$T/st/$i.done"
}
PIDS=()
for i in $(seq 1 20); do
  rate=$([ $i -le 4 ] && echo 100M || echo 400K)
  upload $i $rate >/dev/null 2>&1 &
  PIDS+=($!)
done
# kill once the fast ones are through (the slow ones need about 10 s each)
for _ in $(seq 1 300); do
  [ "$(ls "$T/st" | grep -c '\.done$' || true)" -ge 3 ] && break
  sleep 0.1
done
reg_kill9
for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
DONE=$(ls "$T/st" | grep -c '\.done$' || true)
bw_log "killed with $DONE of 20 uploads complete"
[ "$DONE" -ge 1 ] && [ "$DONE" -lt 20 ] && bw_ok "the kill hit with some uploads done ($DONE) and some in flight" ||
  bw_not_ok "kill timing: $DONE of 20 done"

verify_all() { # every file under blobs/ hashes to its name
  local f bad=0
  while IFS= read -r f; do
    [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$(basename "$f")" ] || { echo "corrupt blob $f"; bad=1; }
  done < <(find "$DATA/blobs" -type f)
  return $bad
}
bw_check "every blob file on disk verifies (no partial blob visible)" verify_all
ALLOWED=$(for i in $(seq 1 20); do sha "$T/in/$i"; done)
bw_check "no blob on disk but the 20 being uploaded" \
  bash -c "for f in \$(find '$DATA/blobs' -type f); do grep -qx \"sha256:\$(basename \$f)\" <<<'$ALLOWED' || exit 1; done"

reg_start "$DATA"
for i in $(seq 1 20); do
  [ -e "$T/st/$i.done" ] || continue
  bw_check "completed upload $i survives the crash: GET returns its bytes" \
    bash -c "curl -sSf -u '$ADMIN' '$REG_URL/v2/$R/blobs/$(sha "$T/in/$i")' | cmp - '$T/in/$i'"
done
# interrupted ones: odd ones resume from the reported offset, even ones start over
resume() {
  local i=$1 f=$T/in/$1 loc range off size code
  loc=$(cat "$T/st/$i.loc")
  size=$(stat -c %s "$f")
  range=$(curl -sS -u "$ADMIN" -D - -o /dev/null "$REG_URL$loc" | tr -d '\r' | sed -n 's/^Range: 0-//Ip')
  [ -n "$range" ] || { echo "no Range for $loc"; return 1; }
  off=$((range == 0 ? 0 : range + 1))
  # an empty session reports 0-0: check the real size through the first byte
  [ $off -le "$size" ] || { echo "offset $off beyond $size"; return 1; }
  if [ $off -lt "$size" ]; then
    tail -c +$((off + 1)) "$f" >"$T/st/$i.rest"
    code=$(curl -sS -u "$ADMIN" -X PATCH -H "Content-Range: $off-$((size - 1))" --data-binary @"$T/st/$i.rest" \
      -o /dev/null -w '%{http_code}' "$REG_URL$loc")
    [ "$code" = 202 ] || { echo "PATCH from $off: $code"; return 1; }
  fi
  code=$(curl -sS -u "$ADMIN" -X PUT -o /dev/null -w '%{http_code}' "$REG_URL$loc?digest=$(sha "$f")")
  [ "$code" = 201 ] || { echo "PUT: $code"; return 1; }
  curl -sSf -u "$ADMIN" "$REG_URL/v2/$R/blobs/$(sha "$f")" | cmp - "$f"
}
restart() {
  local i=$1 f=$T/in/$1 code
  code=$(curl -sS -u "$ADMIN" -X POST --data-binary @"$f" -o /dev/null -w '%{http_code}' "$REG_URL/v2/$R/blobs/uploads/?digest=$(sha "$f")")
  [ "$code" = 201 ] || { echo "POST: $code"; return 1; }
  curl -sSf -u "$ADMIN" "$REG_URL/v2/$R/blobs/$(sha "$f")" | cmp - "$f"
}
for i in $(seq 1 20); do
  [ -e "$T/st/$i.done" ] && continue
  if [ -e "$T/st/$i.loc" ] && [ $((i % 2)) = 1 ]; then
    bw_check "interrupted upload $i resumes at the offset the server reports and completes" resume $i
  else
    bw_check "interrupted upload $i restarts from scratch and completes" restart $i
  fi
done
bw_check "after recovery every blob file still verifies" verify_all
bw_check "clean shutdown" reg_stop

# idle sessions expire: a 2 s expiry, the reaper runs every second
reg_start "$DATA" --upload-expiry 2
LOC=$(curl -sS -u "$ADMIN" -X POST -D - -o /dev/null "$REG_URL/v2/$R/blobs/uploads/" | tr -d '\r' | sed -n 's/^Location: //Ip')
bw_check "a fresh session answers" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -u '$ADMIN' '$REG_URL$LOC')\" = 204 ]"
sleep 4.5
bw_check "after the expiry the session is gone (404 BLOB_UPLOAD_UNKNOWN)" \
  bash -c "curl -s -u '$ADMIN' '$REG_URL$LOC' | jq -e '.errors[0].code == \"BLOB_UPLOAD_UNKNOWN\"'"
bw_check "and its file too" bash -c "[ -z \"\$(ls '$DATA/uploads')\" ]"
bw_check "clean shutdown" reg_stop
bw_finish
