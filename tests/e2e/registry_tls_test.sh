#!/usr/bin/env bash
# bulwark serve over TLS (--tls-cert/--tls-key, a self-signed certificate made here): the token
# realm is https, skopeo pushes and pulls with certificate checks against that certificate, and a
# config file sets the same options.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
[ -x "${BULWARK:-}" ] || bw_skip "BULWARK not set"
for t in skopeo umoci openssl curl jq python3; do command -v $t >/dev/null || bw_skip "$t missing"; done
bw_tmpdir registry_tls
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
REG_PORT=$(reg_free_port)
printf 'listen: 127.0.0.1:%s\ntls_cert: %s\ntls_key: "%s"   # quoted values work too\nupload_expiry: 600\n' \
  "$REG_PORT" "$T/cert.pem" "$T/key.pem" >"$T/bulwark.conf"
DATA=$T/data
# reg_start polls http://; poll https here instead
"$BULWARK" serve --config "$T/bulwark.conf" --data "$DATA" >"$DATA.log" 2>&1 &
REG_PID=$!
REG=127.0.0.1:$REG_PORT
for _ in $(seq 1 100); do curl -sf --cacert "$T/cert.pem" "https://$REG/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
bw_check "HTTPS answers with the configured certificate" curl -sf --cacert "$T/cert.pem" "https://$REG/healthz"
bw_check "the challenge names an https realm" \
  bash -c "curl -s -D - -o /dev/null --cacert '$T/cert.pem' https://$REG/v2/ | tr -d '\r' | grep -q 'realm=\"https://$REG/token\"'"
bw_check "plain HTTP is not served on the TLS port" bash -c "! curl -sf http://$REG/healthz"
reg_image "$T/src" app amd64 2
mkdir -p "$T/certs.d"; cp "$T/cert.pem" "$T/certs.d/ca.crt"
bw_check "skopeo pushes over verified TLS" \
  skopeo copy --dest-creds "$ADMIN" --dest-cert-dir "$T/certs.d" "oci:$T/src:app" "docker://$REG/tls/app:1"
bw_check "skopeo pulls it back over verified TLS" \
  skopeo copy --src-creds "$ADMIN" --src-cert-dir "$T/certs.d" "docker://$REG/tls/app:1" "oci:$T/back:app"
MD=$(jq -r '.manifests[0].digest' "$T/src/index.json")
bw_check "same manifest" cmp "$(bw_oci_blob "$T/src" "$MD")" "$(bw_oci_blob "$T/back" "$MD")"
bw_check "clean shutdown" reg_stop
bw_finish
