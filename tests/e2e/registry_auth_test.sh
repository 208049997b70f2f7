#!/usr/bin/env bash
# The authorization matrix over HTTP against `bulwark serve`, with the Docker token flow a client
# uses: request -> 401 + WWW-Authenticate: Bearer realm=.../token -> GET /token with Basic
# credentials (or none) and the scope from the challenge -> the request again with the Bearer token.
# For each role (anonymous, no role, guest, developer, maintainer, namespace admin, sysadmin) x
# action (pull, push, delete) x public/private namespace, the expected allow/deny (written out
# below, not computed); a robot scoped to one repository (allowed there, denied on a sibling and in
# another namespace); an expired robot; tokens narrowed to what they grant; Basic-auth denials as
# 403 DENIED; and the access-control REST API over HTTP.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
[ -x "${BULWARK:-}" ] || bw_skip "BULWARK not set"
for t in curl jq python3 sha256sum; do command -v $t >/dev/null || bw_skip "$t missing (scripts/install-deps.sh test)"; done
bw_tmpdir registry_auth
DATA=$T/data
bwc() { "$BULWARK" "$@" --data "$DATA" >/dev/null; }

# ---- users, namespaces, roles, robots: set up with the admin CLI before the first start ----
BULWARK_NEW_PASSWORD=$BULWARK_ADMIN_PASSWORD bwc user add admin --admin </dev/null
for u in nobody gina dave mia nadia; do BULWARK_NEW_PASSWORD="pw-$u" bwc user add $u </dev/null; done
BULWARK_NEW_PASSWORD=pw-root bwc user add root --admin </dev/null
bwc namespace add pub --public
bwc namespace add priv
bwc namespace add other
for ns in pub priv; do
  bwc namespace grant $ns gina guest
  bwc namespace grant $ns dave developer
  bwc namespace grant $ns mia maintainer
  bwc namespace grant $ns nadia admin
done
CI_SECRET=$("$BULWARK" robot add ci --namespace priv --scope 'priv/app:pull,push' --data "$DATA" | sed -n 's/^secret: //p')
OLD_SECRET=$("$BULWARK" robot add old --namespace priv --scope 'priv:pull' --expires 2s --data "$DATA" | sed -n 's/^secret: //p')
OLD_BORN=$(date +%s)
reg_start "$DATA"

# ---- content: one image in each repository, a del-<who> tag per tester to delete ----
WHO=(anon nobody gina dave mia nadia root)
blob_push() { # REPO FILE
  local d; d=$(sha "$2")
  curl -sS -f -u "$ADMIN" -X POST -H 'Content-Type: application/octet-stream' --data-binary "@$2" \
    "$REG_URL/v2/$1/blobs/uploads/?digest=$d" -o /dev/null
}
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >"$T/config.json"
head -c 1000 /dev/urandom >"$T/layer.bin"
python3 - "$T" "$(sha "$T/config.json")" "$(stat -c %s "$T/config.json")" "$(sha "$T/layer.bin")" <<'PY'
import json, sys
t, cd, cs, ld = sys.argv[1:]
json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": int(cs)},
           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": 1000}]},
          open(f"{t}/manifest.json", "w"), separators=(",", ":"))
PY
MT=application/vnd.oci.image.manifest.v1+json
for repo in pub/app priv/app other/app; do
  blob_push $repo "$T/config.json" && blob_push $repo "$T/layer.bin" || bw_fail "admin cannot push blobs to $repo"
  for tag in 1.0 "${WHO[@]/#/del-}"; do
    c=$(code -X PUT -H "Content-Type: $MT" --data-binary "@$T/manifest.json" "$REG_URL/v2/$repo/manifests/$tag")
    [ "$c" = 201 ] || bw_fail "admin push of $repo:$tag: HTTP $c"
  done
done
bw_ok "admin pushed pub/app, priv/app, other/app with $(( ${#WHO[@]} + 1 )) tags each"

# ---- the token flow ----
# tok USER SCOPE: a token for USER (anon: no credentials) from /token; prints it
tok() {
  local user=$1 scope=$2 pw auth=()
  case $user in
  anon) ;;
  robot\$ci) auth=(-u "robot\$ci:$CI_SECRET") ;;
  robot\$old) auth=(-u "robot\$old:$OLD_SECRET") ;;
  *) auth=(-u "$user:pw-$user") ;;
  esac
  curl -sS "${auth[@]}" -G "$REG_URL/token" --data-urlencode service=bulwark --data-urlencode "scope=$scope" | jq -r '.token // empty'
}
# op USER ACTION REPO: the HTTP status of ACTION (pull|push|delete) on REPO done the docker way
op() {
  local user=$1 action=$2 repo=$3 method url data=() hdrs challenge scope tk
  case $action in
  pull) method=GET; url="$REG_URL/v2/$repo/manifests/1.0" ;;
  push) method=PUT; url="$REG_URL/v2/$repo/manifests/push-${user/\$/-}"; data=(-H "Content-Type: $MT" --data-binary "@$T/manifest.json") ;;
  delete) method=DELETE; url="$REG_URL/v2/$repo/manifests/del-$user" ;;
  esac
  # 1. without credentials: 401 and a challenge naming the realm and the scope (a public pull is
  # served at once; then the client asks for the scope it would have asked for anyway)
  hdrs=$(curl -sS -o /dev/null -D - -X $method "${data[@]}" "$url" | tr -d '\r')
  challenge=$(sed -n 's/^[Ww][Ww][Ww]-[Aa]uthenticate: //p' <<<"$hdrs")
  if [ "$(head -1 <<<"$hdrs" | cut -d' ' -f2)" = 401 ]; then
    scope=$(sed -n 's/.*scope="\([^"]*\)".*/\1/p' <<<"$challenge")
    [ -n "$scope" ] || { echo "nochallenge"; return; }
    [[ $challenge == "Bearer realm=\"$REG_URL/token\",service=\"bulwark\","* ]] || { echo "badchallenge"; return; }
  else
    [ "$action" = pull ] || { echo "unauthenticated-$action-not-401"; return; }
    scope="repository:$repo:pull"
  fi
  # 2. a token for that scope, 3. the request with it
  tk=$(tok "$user" "$scope")
  [ -n "$tk" ] || { echo "notoken"; return; }
  curl -s -o /dev/null -w '%{http_code}' -X $method "${data[@]}" -H "Authorization: Bearer $tk" "$url"
}
# expect USER NS "pull push delete" expected statuses (allowed: 200/201/202, denied: 401)
declare -A OK=([pull]=200 [push]=201 [delete]=202)
row() {
  local user=$1 ns=$2; shift 2
  local action want got
  for action in pull push delete; do
    want=$1; shift
    [ "$want" = y ] && want=${OK[$action]} || want=401
    got=$(op "$user" $action "$ns/app")
    if [ "$got" = "$want" ]; then bw_ok "$user $action $ns/app: $got"; else bw_not_ok "$user $action $ns/app: HTTP $got, want $want"; fi
  done
}
# user     namespace  pull push delete
row anon   pub        y    n    n
row anon   priv       n    n    n
row nobody pub        y    n    n
row nobody priv       n    n    n
row gina   pub        y    n    n
row gina   priv       y    n    n
row dave   pub        y    y    n
row dave   priv       y    y    n
row mia    pub        y    y    y
row mia    priv       y    y    y
row nadia  pub        y    y    y
row nadia  priv       y    y    y
row root   pub        y    y    y
row root   priv       y    y    y
# no role in "other" (private): only the sysadmin
row dave   other      n    n    n
row nadia  other      n    n    n
row root   other      y    y    y

# ---- robots ----
row 'robot$ci' priv   y    y    n
got=$(op 'robot$ci' pull priv/sibling)
[ "$got" = 401 ] && bw_ok "robot denied on a sibling repository" || bw_not_ok "robot on priv/sibling: HTTP $got"
got=$(op 'robot$ci' pull other/app)
[ "$got" = 401 ] && bw_ok "robot denied in another namespace" || bw_not_ok "robot on other/app: HTTP $got"
got=$(op 'robot$ci' pull pub/app)
[ "$got" = 200 ] && bw_ok "robot pulls a public namespace like anyone" || bw_not_ok "robot on pub/app: HTTP $got"
sleep $(( OLD_BORN + 3 - $(date +%s) > 0 ? OLD_BORN + 3 - $(date +%s) : 0 ))
c=$(curl -s -o /dev/null -w '%{http_code}' -u "robot\$old:$OLD_SECRET" "$REG_URL/token?service=bulwark&scope=repository:priv/app:pull")
[ "$c" = 401 ] && bw_ok "expired robot: /token answers 401" || bw_not_ok "expired robot: /token HTTP $c"
c=$(code -u "robot\$old:$OLD_SECRET" "$REG_URL/v2/priv/app/manifests/1.0")
[ "$c" = 401 ] && bw_ok "expired robot: Basic on /v2 answers 401" || bw_not_ok "expired robot: HTTP $c"
c=$(curl -s -o /dev/null -w '%{http_code}' -u 'robot$ci:wrong' "$REG_URL/token?service=bulwark")
[ "$c" = 401 ] && bw_ok "wrong robot secret: 401" || bw_not_ok "wrong robot secret: HTTP $c"

# ---- tokens narrow: a pull token does not push, a token for one repository does not reach another ----
tk=$(tok dave "repository:priv/app:pull")
c=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Content-Type: $MT" --data-binary "@$T/manifest.json" -H "Authorization: Bearer $tk" "$REG_URL/v2/priv/app/manifests/narrow")
[ "$c" = 401 ] && bw_ok "a pull token cannot push (401)" || bw_not_ok "pull token push: HTTP $c"
c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tk" "$REG_URL/v2/pub/app/manifests/1.0")
[ "$c" = 401 ] && bw_ok "a token for priv/app does not reach pub/app" || bw_not_ok "token on another repo: HTTP $c"
granted=$(curl -sS -u dave:pw-dave "$REG_URL/token?service=bulwark&scope=repository:priv/app:pull,push,delete" | jq -r .token | cut -d. -f2 | tr '_-' '/+' | base64 -d 2>/dev/null | jq -c '.access')
[ "$granted" = '[{"type":"repository","name":"priv/app","actions":["pull","push"]}]' ] && bw_ok "token grants requested ∩ allowed" || bw_not_ok "granted: $granted"
tampered=${tk%?}; [ "${tk: -1}" = A ] && tampered+=B || tampered+=A
c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tampered" "$REG_URL/v2/priv/app/manifests/1.0")
[ "$c" = 401 ] && bw_ok "a tampered token: 401" || bw_not_ok "tampered token: HTTP $c"
none_tok="$(printf '{"alg":"none"}' | base64 -w0 | tr '+/' '-_' | tr -d =).$(printf '{"sub":"root","access":[{"type":"repository","name":"priv/app","actions":["*"]}]}' | base64 -w0 | tr '+/' '-_' | tr -d =)."
c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $none_tok" "$REG_URL/v2/priv/app/manifests/1.0")
[ "$c" = 401 ] && bw_ok "an alg=none token: 401" || bw_not_ok "alg none token: HTTP $c"
c=$(curl -s -o /dev/null -w '%{http_code}' -u dave:wrong "$REG_URL/token?service=bulwark")
[ "$c" = 401 ] && bw_ok "wrong password at /token: 401" || bw_not_ok "wrong password: HTTP $c"
c=$(curl -s -o /dev/null -w '%{http_code}' -u dave:pw-dave "$REG_URL/v2/")
[ "$c" = 200 ] && bw_ok "Basic login to /v2/ (docker login)" || bw_not_ok "/v2/ with Basic: HTTP $c"

# ---- Basic credentials straight on /v2: authenticated but not allowed is 403 DENIED ----
body=$(curl -s -u gina:pw-gina -w '\n%{http_code}' -X PUT -H "Content-Type: $MT" --data-binary "@$T/manifest.json" "$REG_URL/v2/priv/app/manifests/basic")
[ "$(tail -1 <<<"$body")" = 403 ] && head -1 <<<"$body" | jq -e '.errors[0].code == "DENIED"' >/dev/null && bw_ok "guest push with Basic: 403 DENIED" || bw_not_ok "guest push with Basic: $body"
body=$(curl -s -w '\n%{http_code}' "$REG_URL/v2/priv/app/manifests/1.0")
[ "$(tail -1 <<<"$body")" = 401 ] && head -1 <<<"$body" | jq -e '.errors[0].code == "UNAUTHORIZED"' >/dev/null && bw_ok "anonymous pull of a private repository: 401 UNAUTHORIZED" || bw_not_ok "anonymous private pull: $body"
c=$(code -u nobody:pw-nobody "$REG_URL/v2/priv/app/manifests/1.0")
[ "$c" = 403 ] && bw_ok "no role, Basic: 403" || bw_not_ok "no role Basic: HTTP $c"

# ---- a push by the sysadmin creates the namespace; by others it does not ----
c=$(curl -s -o /dev/null -w '%{http_code}' -u root:pw-root -X POST "$REG_URL/v2/fresh/app/blobs/uploads/?digest=$(sha "$T/layer.bin")" --data-binary "@$T/layer.bin" -H 'Content-Type: application/octet-stream')
[ "$c" = 201 ] && bw_ok "sysadmin push creates namespace fresh" || bw_not_ok "sysadmin push to a new namespace: HTTP $c"
c=$(curl -s -o /dev/null -w '%{http_code}' -u dave:pw-dave -X POST "$REG_URL/v2/brandnew/app/blobs/uploads/")
[ "$c" = 403 ] && bw_ok "developer push to a missing namespace: 403" || bw_not_ok "developer push to a new namespace: HTTP $c"
ns_json=$(curl -sS -u root:pw-root "$REG_URL/api/v1/namespaces/fresh")
[ "$(jq -r '.public, .owner' <<<"$ns_json" | tr '\n' ' ')" = "false root " ] && bw_ok "fresh is private, owned by root" || bw_not_ok "fresh: $ns_json"

# ---- the REST API over HTTP ----
api() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
c=$(api -u nadia:pw-nadia -X PUT -H 'Content-Type: application/json' -d '{"role":"guest"}' "$REG_URL/api/v1/namespaces/priv/members/nobody")
[ "$c" = 200 ] && bw_ok "namespace admin grants a role over the API" || bw_not_ok "grant via API: HTTP $c"
got=$(op nobody pull priv/app)
[ "$got" = 200 ] && bw_ok "the new guest pulls at once" || bw_not_ok "new guest pull: HTTP $got"
c=$(api -u dave:pw-dave -X PUT -H 'Content-Type: application/json' -d '{"role":"admin"}' "$REG_URL/api/v1/namespaces/priv/members/dave")
[ "$c" = 403 ] && bw_ok "a developer cannot make himself admin" || bw_not_ok "self-promotion: HTTP $c"
c=$(api "$REG_URL/api/v1/users")
[ "$c" = 401 ] && bw_ok "anonymous /api/v1/users: 401" || bw_not_ok "anonymous users: HTTP $c"
c=$(api -u gina:pw-gina "$REG_URL/api/v1/users")
[ "$c" = 403 ] && bw_ok "non-admin /api/v1/users: 403" || bw_not_ok "gina users: HTTP $c"
rb=$(curl -sS -u nadia:pw-nadia -X POST -H 'Content-Type: application/json' \
  -d '{"name":"deploy","namespace":"priv","scopes":["priv/app:pull"],"expires_in":3600}' "$REG_URL/api/v1/robots")
sec=$(jq -r '.secret // empty' <<<"$rb")
[ ${#sec} -eq 40 ] && bw_ok "robot created over the API returns its secret" || bw_not_ok "robot via API: $rb"
tk=$(curl -sS -u "robot\$deploy:$sec" "$REG_URL/token?service=bulwark&scope=repository:priv/app:pull,push" | jq -r .token)
c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tk" "$REG_URL/v2/priv/app/manifests/1.0")
[ "$c" = 200 ] && bw_ok "the API robot pulls" || bw_not_ok "API robot pull: HTTP $c"
c=$(api -u nadia:pw-nadia -X DELETE "$REG_URL/api/v1/robots/robot%24deploy")
[ "$c" = 200 ] && bw_ok "robot removed over the API" || bw_not_ok "robot delete: HTTP $c"
c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tk" "$REG_URL/v2/priv/app/manifests/1.0")
[ "$c" = 401 ] && bw_ok "its token stops working at once" || bw_not_ok "removed robot's token: HTTP $c"
pubs=$(curl -sS "$REG_URL/api/v1/namespaces" | jq -r '[.[].name] | join(",")')
[ "$pubs" = pub ] && bw_ok "anonymous sees only public namespaces" || bw_not_ok "anonymous namespaces: $pubs"

bw_check "server stops cleanly" reg_stop
bw_finish
