#!/usr/bin/env bash
# The access-control admin CLI: bulwark user|namespace|robot on a data directory. Checks exit codes,
# that passwords are read from stdin/env (never argv) and stored only as yescrypt hashes, that robot
# secrets are shown once and work, and the file modes of the data directory and token key.
source "$(dirname "$0")/lib.sh"
[ -x "${BULWARK:-}" ] || bw_skip "BULWARK not set"
bw_tmpdir auth-cli
D=$T/data
bw() { "$BULWARK" "$@" --data "$D"; }

out=$(printf 'first-admin-pw\n' | bw user add root --admin --password-stdin)
bw_check "user add --admin --password-stdin" grep -qx 'added user root (system administrator)' <<<"$out"
bw_check "data dir is 0700" test "$(stat -c %a "$D")" = 700
out=$(bw user add alice </dev/null)
gen=$(sed -n 's/^password: //p' <<<"$out")
bw_check "generated password printed once" test "${#gen}" -eq 24
out=$(BULWARK_NEW_PASSWORD=bob-secret-pw bw user add bob </dev/null)
bw_check "no password printed when one was given" bash -c '! grep -q "^password:" <<<"$1"' _ "$out"
bw_check "user ls lists three users" test "$(bw user ls | tail -n +2 | wc -l)" -eq 3
bw_check "user ls marks the admin" bash -c 'grep -Eq "^root +yes" <<<"$1"' _ "$(bw user ls)"

# passwords: hashes only, yescrypt
if command -v sqlite3 >/dev/null; then
  bw_check "password stored as a yescrypt hash" bash -c \
    '[ "$(sqlite3 "$1" "SELECT substr(password_hash,1,3) FROM users WHERE name='"'"'bob'"'"'")" = "\$y\$" ]' _ "$D/meta.db"
fi
bw_check "plain password not in the database" bash -c '! grep -aq bob-secret-pw "$1"/meta.db* ' _ "$D"

# errors and usage
bw_expect() { # bw_expect DESC RC CMD...
  local desc=$1 want=$2 rc=0; shift 2
  "$@" >/dev/null 2>&1 </dev/null || rc=$?
  if [ "$rc" -eq "$want" ]; then bw_ok "$desc"; else bw_not_ok "$desc (exit $rc, want $want)"; fi
}
bw_expect "duplicate user: exit 1" 1 bw user add alice
bw_expect "invalid user name: exit 1" 1 bw user add 'Alice'
bw_expect "path-like user name: exit 1" 1 bw user add '../x'
bw_expect "missing name: exit 2" 2 bw user add
bw_expect "unknown subcommand: exit 2" 2 bw user frobnicate x
bw_expect "no password on stdin: exit 1" 1 bw user add carol --password-stdin
bw_expect "passwd of an unknown user: exit 1" 1 bw user passwd nobody
bw_expect "last sysadmin cannot be removed: exit 1" 1 bw user rm root
bw_expect "user --help: exit 0" 0 "$BULWARK" user --help
bw_expect "help robot: exit 0" 0 "$BULWARK" help robot

# namespaces and roles
bw_expect "namespace add team --owner alice" 0 bw namespace add team --owner alice
bw_expect "namespace add library --public" 0 bw namespace add library --public
bw_expect "duplicate namespace: exit 1" 1 bw namespace add team
bw_expect "grant bob developer" 0 bw namespace grant team bob developer
bw_expect "grant an unknown role: exit 2" 2 bw namespace grant team bob owner
bw_expect "grant in a missing namespace: exit 1" 1 bw namespace grant nope bob guest
bw_expect "grant to a missing user: exit 1" 1 bw namespace grant team nobody guest
ls_out=$(bw namespace ls)
bw_check "namespace ls shows members and roles" bash -c 'grep -Eq "^team +private +alice +alice\(admin\), bob\(developer\)$" <<<"$1"' _ "$ls_out"
bw_check "namespace ls shows the public one" bash -c 'grep -Eq "^library +public" <<<"$1"' _ "$ls_out"
bw_expect "revoke bob" 0 bw namespace revoke team bob
bw_expect "revoke again: exit 1" 1 bw namespace revoke team bob

# robots
out=$(bw robot add ci --namespace team --scope 'team/app:pull,push' --scope 'team/lib-*:pull' --expires 30d --description 'CI pipeline')
secret=$(sed -n 's/^secret: //p' <<<"$out")
bw_check "robot add prints a 40-character secret" test "${#secret}" -eq 40
bw_check "robot add prints the login name" grep -qx 'user:   robot$ci' <<<"$out"
bw_check "robot secret not stored in clear" bash -c '! grep -aq "$2" "$1"/meta.db*' _ "$D" "$secret"
bw_expect "robot scope outside its namespace: exit 1" 1 bw robot add evil --namespace team --scope 'library/x:pull'
bw_expect "robot scope with a bad action: exit 1" 1 bw robot add evil --namespace team --scope 'team/x:own'
bw_expect "robot without scope: exit 2" 2 bw robot add evil --namespace team
bw_expect "robot with a bad duration: exit 2" 2 bw robot add evil --namespace team --scope team:pull --expires 10y
bw_expect "duplicate robot: exit 1" 1 bw robot add ci --namespace team --scope team:pull
rl=$(bw robot ls --namespace team)
bw_check "robot ls shows scopes and description" bash -c 'grep -Eq "^robot\\\$ci +team +20[0-9-]+ [0-9:]+Z +team/app:pull,push team/lib-\*:pull  # CI pipeline$" <<<"$1"' _ "$rl"
bw_check "robot ls never shows the secret" bash -c '! grep -q "$2" <<<"$1"' _ "$rl" "$secret"
# an expired robot (the store's clock, BULWARK_FAKE_NOW, moved 31 days ahead)
later=$(( $(date +%s) + 31 * 86400 ))
bw_check "robot ls marks it expired a month later" bash -c 'BULWARK_FAKE_NOW=$2 "$1" robot ls --data "$3" | grep -Eq "^robot\\\$ci +team +expired"' _ "$BULWARK" "$later" "$D"
bw_expect "robot rm" 0 bw robot rm 'robot$ci'
bw_expect "robot rm again: exit 1" 1 bw robot rm ci

bw_check "token key is 0600" test "$(stat -c %a "$D/token.key")" = 600
bw_check "token key has 32 bytes" test "$(stat -c %s "$D/token.key")" -eq 32
bw_finish
