#!/usr/bin/env bash
# The server half of `make run`: fills the advisory DB when it is empty, starts `bulwark serve` on
# 127.0.0.1:5000 with its data under VARDIR, pushes the sample image into it with skopeo, prints
# the admin credentials and a push/pull example, and stays in the foreground (Ctrl-C stops it).
#
# usage: scripts/run-registry.sh BULWARK SAMPLE_OCI_DIR DB VARDIR [--db-only]
#   --db-only: only fill the advisory DB (make run scans the sample image between the two calls)
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 BULWARK SAMPLE_OCI_DIR DB VARDIR [--db-only]" >&2; exit 2; }
bulwark=$1 sample=$2 db=$3 var=$4 dbonly=${5:-}
listen=${BULWARK_LISTEN:-127.0.0.1:5000}
mkdir -p "$var"

# ---- advisory DB: update from the network if it answers, else the shared OSV copy ----
if [ "$dbonly" != --db-only ]; then
  : # filled by the --db-only call before
elif ! "$bulwark" db info --db "$db" >/dev/null 2>&1; then
  if timeout 600 "$bulwark" db update --db "$db" --quiet 2>"$var/db-update.log"; then
    echo "advisory DB: downloaded with \`bulwark db update\` into $db"
  elif [ -d ../shared/data/osv ]; then
    echo "advisory DB: no network for \`bulwark db update\` ($(tail -1 "$var/db-update.log" | cut -c1-100));"
    echo "             importing ../shared/data/osv instead"
    "$bulwark" db import --db "$db" --quiet ../shared/data/osv
  else
    echo "advisory DB: none (\`bulwark db update\` failed and ../shared/data/osv is absent): scans will say so"
  fi
else
  echo "advisory DB: $db (already filled; \`bulwark db update --db $db\` refreshes it)"
fi

[ "$dbonly" = --db-only ] && exit 0

# ---- the admin password: chosen once, kept beside the data (the store keeps only its hash) ----
pwfile=$var/admin-password
if [ ! -s "$pwfile" ]; then
  (umask 077 && head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$pwfile")
fi
export BULWARK_ADMIN_PASSWORD
BULWARK_ADMIN_PASSWORD=$(cat "$pwfile")

# scan everything pushed to the sample namespace (once: rules are stored with the data)
mkdir -p "$var/bulwark"
if ! "$bulwark" rule ls library --data "$var/bulwark" 2>/dev/null | grep -q library; then
  "$bulwark" rule add library --scanners all --data "$var/bulwark" >/dev/null 2>&1 \
    && echo "scan rule: every image pushed to library/ is scanned (vuln, baseline, malware)"
fi
"$bulwark" serve --listen "$listen" --data "$var/bulwark" --db "$db" >"$var/serve.out" 2>"$var/serve.log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM
for _ in $(seq 1 100); do
  curl -sf "http://$listen/healthz" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { cat "$var/serve.log" >&2; exit 1; }
  sleep 0.1
done
echo "registry: http://$listen (data in $var/bulwark, log in $var/serve.log)"
if skopeo copy --quiet --dest-creds "admin:$BULWARK_ADMIN_PASSWORD" --dest-tls-verify=false \
    "oci:$sample:latest" "docker://$listen/library/debian:12"; then
  echo "pushed the sample image as $listen/library/debian:12"
else
  echo "pushing the sample image failed (see $var/serve.log)" >&2
fi
cat <<MSG

  admin user:      admin
  admin password:  $BULWARK_ADMIN_PASSWORD     (kept in $pwfile)

  push:  skopeo copy --dest-creds 'admin:$BULWARK_ADMIN_PASSWORD' --dest-tls-verify=false oci:./image:latest docker://$listen/team/app:1
  pull:  skopeo copy --src-creds 'admin:$BULWARK_ADMIN_PASSWORD' --src-tls-verify=false docker://$listen/library/debian:12 oci:./debian:12
  list:  curl -u 'admin:$BULWARK_ADMIN_PASSWORD' http://$listen/v2/_catalog
  scan:  curl -u 'admin:$BULWARK_ADMIN_PASSWORD' http://$listen/api/v1/repositories/library%2Fdebian/tags

The server runs in the foreground: Ctrl-C stops it.
MSG
wait $pid
