#!/usr/bin/env bash
# Leaked secrets end to end. A real Debian 12 minbase image (debootstrap + umoci) gets a second
# layer that plants eight kinds of credentials, with values made up here from /dev/urandom in each
# vendor's shape (an Alibaba AccessKey pair in an .env with the secret unquoted, an OpenSSL-made
# private key, an AWS pair in ~/.aws/credentials, a GitHub token, registry credentials in
# ~/.docker/config.json, ~/.git-credentials, a kubeconfig, a database URL with a password), and a
# third layer that adds an unrelated file and deletes a ninth planted file (so the reported layer
# must be the second, and the deleted file must not be reported). Checks:
#  - `bulwark scan --scanners baseline` finds every planted key with the right path, line and
#    layer diff_id, in JSON and in SARIF (rule id, file, line);
#  - no output (JSON, table, SARIF) and no stderr log (also at debug level) contains any planted value;
#  - a clean minbase image, and one with Debian's python3, default-jre-headless and nodejs
#    installed, report no secret at all (false positives are bugs).
source "$(dirname "$0")/lib.sh"
bw_e2e_start debootstrap umoci jq chroot tar flock openssl base64

JNP_PKGS=(python3 default-jre-headless nodejs)

# --- the python3 + openjdk + nodejs rootfs (cached once per cache, like python_ruby_test.sh) ------
bw_jnp_rootfs_tarball() {
  local tarball="$BW_CACHE/debian-$BW_SUITE-py-java-node-amd64.tar"
  if [ ! -s "$tarball" ]; then
    (
      flock 9
      if [ ! -s "$tarball" ]; then
        local mirror tmp root conf
        rm -rf --one-file-system "$BW_CACHE"/jnp.* 2>/dev/null || true
        mirror=$(bw_debian_mirror)
        tmp=$(mktemp -d "$BW_CACHE/jnp.XXXXXX")
        root="$tmp/rootfs"
        bw_debian_rootfs "$root"
        echo "deb $mirror $BW_SUITE main" >"$root/etc/apt/sources.list"
        cp -L /etc/resolv.conf "$root/etc/resolv.conf"
        for conf in /etc/apt/apt.conf.d/99*; do [ -e "$conf" ] && cp "$conf" "$root/etc/apt/apt.conf.d/"; done
        bw_log "apt-get install ${JNP_PKGS[*]} inside the rootfs (once per cache)"
        mkdir -p "$root/proc" && mount -t proc proc "$root/proc"
        if ! { chroot "$root" apt-get update -qq &&
               DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends \
                 "${JNP_PKGS[@]}"; } >"$tmp/apt.log" 2>&1; then
          umount "$root/proc" || true
          tail -n 30 "$tmp/apt.log" >&2
          rm -rf --one-file-system "$tmp"
          bw_fail "apt-get install inside the rootfs failed"
        fi
        umount "$root/proc"
        rm -f "$root/etc/apt/sources.list" "$root/etc/resolv.conf" "$root"/etc/apt/apt.conf.d/99*
        rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin "$root/var/cache/apt/archives/"*.deb
        tar --numeric-owner --xattrs -C "$root" -cf "$tmp/rootfs.tar" .
        mv "$tmp/rootfs.tar" "$tarball"
        rm -rf --one-file-system "$tmp"
        bw_log "cached $tarball ($(du -h "$tarball" | cut -f1))"
      fi
    ) 9>"$BW_CACHE/.jnp.lock"
  fi
  printf '%s\n' "$tarball"
}

# rnd SET N: N random characters of SET (ranges like A-Z expanded), from the OS's random source.
rnd() {
  "$BW_PY" -c 'import re, secrets, sys
s = re.sub(r"(.)-(.)", lambda m: "".join(map(chr, range(ord(m[1]), ord(m[2]) + 1))), sys.argv[1])
print("".join(secrets.choice(s) for _ in range(int(sys.argv[2]))))' "$1" "$2"
}

bw_tmpdir secrets
OCI="$T/oci"
B="$T/bundle"
bw_log "fixtures in $T"
bw_debian_oci "$OCI" base
bw_unpack "$OCI" base "$B"
R="$B/rootfs"

# --- the planted layer ------------------------------------------------------------------------------
ALI_ID="LTAI$(rnd 'A-Za-z0-9' 20)"
ALI_SECRET=$(rnd 'A-Za-z0-9' 30)
AWS_ID="AKIA$(rnd 'A-Z2-7' 16)"
AWS_SECRET=$(rnd 'A-Za-z0-9/+' 40)
GH_TOKEN="ghp_$(rnd 'A-Za-z0-9' 36)"
REG_PASS=$(rnd 'A-Za-z0-9' 24)
DOCKER_AUTH=$(printf 'robot:%s' "$REG_PASS" | base64 -w0)
GIT_PASS=$(rnd 'A-Za-z0-9' 22)
KUBE_TOKEN=$(rnd 'A-Za-z0-9' 48)
DB_PASS=$(rnd 'A-Za-z0-9' 18)
DELETED_TOKEN="glpat-$(rnd 'A-Za-z0-9' 20)"
ACME_KEY="acme_live_$(rnd 'a-z0-9' 24)"

mkdir -p "$R/app" "$R/root/.aws" "$R/root/.ssh" "$R/root/.docker" "$R/root/.kube" "$R/srv/web"
printf '# application settings\nAPP_ENV=production\nALIBABA_CLOUD_ACCESS_KEY_ID=%s\nALIBABA_CLOUD_ACCESS_KEY_SECRET=%s\n' \
  "$ALI_ID" "$ALI_SECRET" >"$R/app/.env"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$R/root/.ssh/id_rsa" 2>/dev/null
chmod 600 "$R/root/.ssh/id_rsa"
PEM_LINE=$(sed -n 2p "$R/root/.ssh/id_rsa")
printf '[default]\nregion = eu-central-1\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
  "$AWS_ID" "$AWS_SECRET" >"$R/root/.aws/credentials"
printf '#!/bin/sh\nset -e\nexport GITHUB_TOKEN=%s\nexec /usr/bin/env\n' "$GH_TOKEN" >"$R/app/deploy.sh"
printf '{\n\t"auths": {\n\t\t"registry.internal:5000": {\n\t\t\t"auth": "%s"\n\t\t}\n\t}\n}\n' \
  "$DOCKER_AUTH" >"$R/root/.docker/config.json"
printf 'https://deploy:%s@git.internal.io\n' "$GIT_PASS" >"$R/root/.git-credentials"
cat >"$R/root/.kube/config" <<EOF
apiVersion: v1
clusters:
- cluster:
    server: https://10.0.0.1:6443
  name: prod
contexts:
- context:
    cluster: prod
    user: ci
  name: prod
current-context: prod
kind: Config
preferences: {}
users:
- name: ci
  user:
    token: $KUBE_TOKEN
EOF
printf 'import os\n\nDEBUG = False\nDATABASE_URL = "postgresql://web:%s@db.internal:5432/web"\n' "$DB_PASS" >"$R/srv/web/settings.py"
printf 'GITLAB_TOKEN=%s\n' "$DELETED_TOKEN" >"$R/app/old.env"
printf 'ACME_KEY = %s\n' "$ACME_KEY" >"$R/app/acme.txt" # only a user rule knows this one
bw_repack "$OCI" planted "$B" "COPY secrets /"
# layer 3: an unrelated file, and the old .env deleted
rm "$R/app/old.env"
echo "hello" >"$R/app/README.txt"
bw_repack "$OCI" planted "$B" "RUN rm /app/old.env"
mapfile -t DIFF_IDS < <(bw_oci_diff_ids "$OCI" planted)
bw_check "the planted image has three layers" test "${#DIFF_IDS[@]}" = 3
LAYER=${DIFF_IDS[1]}

# path|line|rule (one line per expected finding)
EXPECTED="app/.env|3|BW-SEC-001
app/.env|4|BW-SEC-002
root/.ssh/id_rsa|1|BW-SEC-021
root/.aws/credentials|3|BW-SEC-003
root/.aws/credentials|4|BW-SEC-004
app/deploy.sh|3|BW-SEC-010
root/.docker/config.json|4|BW-SEC-016
root/.git-credentials|1|BW-SEC-024
root/.kube/config|17|BW-SEC-017
srv/web/settings.py|4|BW-SEC-024"
VALUES=("$ALI_ID" "$ALI_SECRET" "$PEM_LINE" "$AWS_ID" "$AWS_SECRET" "$GH_TOKEN" "$DOCKER_AUTH" "$REG_PASS"
        "$GIT_PASS" "$KUBE_TOKEN" "$DB_PASS" "$DELETED_TOKEN" "$ACME_KEY")

# clean images: the minbase base, and python3 + openjdk + nodejs
mkdir -p "$T/jnp"
tar --numeric-owner --xattrs -xpf "$(bw_jnp_rootfs_tarball)" -C "$T/jnp"
for p in "${JNP_PKGS[@]}"; do
  bw_check "the clean image has $p installed (dpkg)" \
    bash -c 'dpkg-query --admindir="$1/var/lib/dpkg" -W -f="\${Status}" "$2" | grep -q "install ok installed"' _ "$T/jnp" "$p"
done
bw_oci_from_rootfs "$T/jnp" "$T/jnpoci" jnp "apt-get install ${JNP_PKGS[*]}"
rm -rf "$T/jnp"
bw_e2e_fixtures_done

# --- scans --------------------------------------------------------------------------------------------
scan() { # scan OUT IMAGE ARGS...
  local out=$1 image=$2; shift 2
  bw_bulwark "$out" scan "$image" --scanners baseline --cache-dir "$T/cache" "$@"
}
for fmt in json table sarif; do
  scan "$T/p.$fmt" "oci:$OCI:planted" --format "$fmt"
  bw_check "scan --format $fmt exits 0" test "$(cat "$T/p.$fmt.rc")" = 0
  bw_check_stderr "scan --format $fmt" "$T/p.$fmt.err"
done
# cached run (records from the cache) and a debug-level log
scan "$T/p.cached" "oci:$OCI:planted" --format json
scan "$T/p.debug" "oci:$OCI:planted" --format json --debug --no-cache
bw_check "debug scan exits 0" test "$(cat "$T/p.debug.rc")" = 0

J="$T/p.json.out"
bw_check "JSON report parses" jq -e . "$J"
while IFS='|' read -r path line rule; do
  bw_check "found $rule in /$path line $line, layer 2" \
    jq -e --arg p "$path" --argjson l "$line" --arg r "$rule" --arg layer "$LAYER" \
      '[.baseline[] | select(.category == "secret" and .path == $p and .line == $l and .id == $r and .layer == $layer)] | length == 1' "$J"
  bw_check "SARIF has $rule at /$path:$line" \
    jq -e --arg p "$path" --argjson l "$line" --arg r "$rule" \
      '[.runs[].results[] | select(.ruleId == $r and (.locations[0].physicalLocation.artifactLocation.uri | ltrimstr("/")) == $p
         and .locations[0].physicalLocation.region.startLine == $l)] | length >= 1' "$T/p.sarif.out"
done <<<"$EXPECTED"
nexp=$(wc -l <<<"$EXPECTED")
bw_check "exactly $nexp secret findings (nothing else in the planted image)" \
  jq -e --argjson n "$nexp" '[.baseline[] | select(.category == "secret")] | length == $n' "$J"
bw_check "the file deleted by layer 3 is not reported" \
  jq -e '[.baseline[] | select(.path == "app/old.env")] | length == 0' "$J"
bw_check "cached scan gives the same secret findings" \
  bash -c 'diff <(jq -S "[.baseline[] | select(.category == \"secret\")]" "$1") <(jq -S "[.baseline[] | select(.category == \"secret\")]" "$2")' _ "$J" "$T/p.cached.out"
bw_check "SARIF rules carry the remediation" \
  jq -e '[.runs[].tool.driver.rules[] | select(.id | startswith("BW-SEC-"))] | length > 0 and all(.help.text // .fullDescription.text // "" | length > 0)' "$T/p.sarif.out"
bw_check "table lists the secrets" grep -q "BW-SEC-021" "$T/p.table.out"

# user rules and allow entries (--secret-config)
printf '%s\n' 'rules:' '  - id: ACME-001' '    title: ACME API key' '    severity: CRITICAL' \
  '    keywords: [acme_live_]' "    regex: 'acme_live_([a-z0-9]{24})'" 'allow:' "  - path: 'srv/web/*'" >"$T/secrets.yaml"
scan "$T/p.user" "oci:$OCI:planted" --format json --secret-config "$T/secrets.yaml"
bw_check "scan --secret-config exits 0" test "$(cat "$T/p.user.rc")" = 0
bw_check "user rule ACME-001 found in /app/acme.txt line 1" \
  jq -e '[.baseline[] | select(.id == "ACME-001" and .path == "app/acme.txt" and .line == 1 and .severity == "CRITICAL")] | length == 1' "$T/p.user.out"
bw_check "allowed path srv/web/* not reported" \
  jq -e '[.baseline[] | select(.path == "srv/web/settings.py")] | length == 0' "$T/p.user.out"
bw_check "built-in rules still apply with a config" \
  jq -e '[.baseline[] | select(.category == "secret")] | length == 10' "$T/p.user.out"
scan "$T/p.userbad" "oci:$OCI:planted" --format json --secret-config "$T/absent.yaml"
bw_check "a missing --secret-config is an error" test "$(cat "$T/p.userbad.rc")" != 0

# no planted value anywhere
for v in "${VALUES[@]}"; do
  for f in "$T"/p.*.out "$T"/p.*.err; do
    if grep -qF -- "$v" "$f"; then bw_not_ok "$(basename "$f") contains a planted value (${v:0:4}...)"; fi
  done
done
bw_ok "checked ${#VALUES[@]} planted values against $(ls "$T"/p.*.out "$T"/p.*.err | wc -l) outputs and logs"

# --- no false positives -------------------------------------------------------------------------------
scan "$T/clean" "oci:$OCI:base" --format json
bw_check "clean minbase: scan exits 0" test "$(cat "$T/clean.rc")" = 0
bw_check "clean minbase: no secret finding" jq -e '[.baseline[] | select(.category == "secret")] | length == 0' "$T/clean.out"
scan "$T/jnp" "oci:$T/jnpoci:jnp" --format json
bw_check "python3+openjdk+nodejs: scan exits 0" test "$(cat "$T/jnp.rc")" = 0
bw_check "python3+openjdk+nodejs: no secret finding" \
  jq -e '[.baseline[] | select(.category == "secret")] | length == 0' "$T/jnp.out"
jq -r '.baseline[] | select(.category == "secret") | "    | \(.id) /\(.path):\(.line) \(.evidence)"' "$T/jnp.out" "$T/clean.out" | head -20
bw_finish
