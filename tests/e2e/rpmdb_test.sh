#!/usr/bin/env bash
# e2e: builds three tiny real rpm packages with rpmbuild (one with an Epoch, one with a
# subpackage and 300 files, one with Epoch 0 and no Vendor), installs them with Debian's rpm into
# fresh databases, and checks that Bulwark's rpm analyser reads exactly what `rpm -qa` reports:
# after install, after an erase, and after importing a signing key (gpg-pubkey must be skipped).
# Backends: sqlite always; ndb and bdb only when this rpm can write them (Debian's cannot).
# Needs BW_PKGDB_DUMP (set by tests/CMakeLists.txt) and rpm, rpmbuild; gpg for the key step.
set -euo pipefail

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

command -v rpmbuild >/dev/null || skip "rpmbuild not installed (Debian package rpm; scripts/install-deps.sh test)"
command -v rpm >/dev/null || skip "rpm not installed (Debian package rpm)"
[ -n "${BW_PKGDB_DUMP:-}" ] && [ -x "$BW_PKGDB_DUMP" ] || skip "BW_PKGDB_DUMP not set: run this test through ctest"

work="${BW_WORK:-/tmp}/rpmdb"
rm -rf "$work"
mkdir -p "$work/specs" "$work/top"
log="$work/log"
: >"$log"

# ---------- packages ----------
cat >"$work/specs/alpha.spec" <<'EOF'
Name:           bw-alpha
Epoch:          3
Version:        1.0
Release:        1.bw
Summary:        Bulwark e2e test package with an epoch
License:        MIT
Vendor:         Bulwark Test
BuildArch:      noarch
%description
Bulwark e2e test package.
%install
mkdir -p %{buildroot}/usr/share/bw-alpha
echo alpha > %{buildroot}/usr/share/bw-alpha/README
%files
/usr/share/bw-alpha/README
EOF

cat >"$work/specs/beta.spec" <<'EOF'
%global debug_package %{nil}
Name:           bw-beta
Version:        2.5.1
Release:        0.rc1.bw
Summary:        Bulwark e2e test package with a subpackage and many files
License:        GPL-2.0-or-later AND BSD-3-Clause
Vendor:         Bulwark Test <test@example.invalid>
%description
Bulwark e2e test package; its header is larger than one SQLite page.
%package libs
Summary:        Libraries of bw-beta
License:        LGPL-2.1-or-later
%description libs
Subpackage: its SOURCERPM names bw-beta.
%install
mkdir -p %{buildroot}/usr/share/bw-beta %{buildroot}/usr/lib/bw-beta
for i in $(seq 1 300); do echo "$i" > %{buildroot}/usr/share/bw-beta/file-with-a-long-name-$i.txt; done
echo lib > %{buildroot}/usr/lib/bw-beta/libbeta.txt
%files
/usr/share/bw-beta
%files libs
/usr/lib/bw-beta
EOF

cat >"$work/specs/gamma.spec" <<'EOF'
Name:           bw-gamma
Epoch:          0
Version:        0.9~beta2
Release:        7
Summary:        Bulwark e2e test package with epoch 0 and no vendor
License:        ASL 2.0
BuildArch:      noarch
%description
Bulwark e2e test package.
%install
mkdir -p %{buildroot}/etc/bw-gamma
echo gamma > %{buildroot}/etc/bw-gamma/gamma.conf
%files
%config(noreplace) /etc/bw-gamma/gamma.conf
EOF

for s in alpha beta gamma; do
  rpmbuild --define "_topdir $work/top" --define '_build_id_links none' -bb "$work/specs/$s.spec" \
    >>"$log" 2>&1 || { tail -30 "$log" >&2; fail "rpmbuild $s.spec"; }
done
mapfile -t rpms < <(find "$work/top/RPMS" -name '*.rpm' | sort)
[ "${#rpms[@]}" -eq 4 ] || fail "expected 4 rpms, built ${#rpms[@]}: ${rpms[*]}"
echo "built: ${rpms[*]##*/}"

# ---------- comparison ----------
QF='%{NAME}\t%|EPOCH?{%{EPOCH}}:{}|\t%{VERSION}\t%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\t%{LICENSE}\t%|VENDOR?{%{VENDOR}}:{}|\n'

# rpm -qa rows in pkgdb_dump's columns: the source rpm file name becomes source name and
# [epoch:]version-release, gpg-pubkey pseudo packages are dropped (Bulwark skips them).
rpm_rows() { # dbpath backend
  rpm --dbpath "$1" --define "_db_backend $2" -qa --qf "$QF" 2>>"$log" | awk -F'\t' -v OFS='\t' '
    $1 == "gpg-pubkey" { next }
    {
      ep = ($2 != "" && $2 != "0") ? $2 ":" : ""
      s = $6; sn = ""; sv = ""
      if (s != "(none)" && s != "") {
        sub(/\.rpm$/, "", s); sub(/\.[^.]*$/, "", s)
        r = s; sub(/.*-/, "", r); s = substr(s, 1, length(s) - length(r) - 1)
        v = s; sub(/.*-/, "", v); sn = substr(s, 1, length(s) - length(v) - 1)
        sv = ep v "-" r
      }
      print $1, $2, $3, $4, $5, sn, sv, $7, $8, ep $3 "-" $4
    }' | sort
}

checks=0
compare() { # label dbfile dbpath backend
  local label=$1 file=$2 dbpath=$3 backend=$4
  rpm_rows "$dbpath" "$backend" >"$work/want.tsv"
  "$BW_PKGDB_DUMP" rpm "$file" 2>>"$log" | sort >"$work/got.tsv" || fail "$label: pkgdb_dump failed: $(tail -1 "$log")"
  [ -s "$work/want.tsv" ] || fail "$label: rpm -qa listed nothing"
  if ! diff -u "$work/want.tsv" "$work/got.tsv" >&2; then
    fail "$label: Bulwark's packages (+) differ from rpm -qa (-)"
  fi
  echo "ok: $label: $(wc -l <"$work/got.tsv") packages match rpm -qa"
  checks=$((checks + 1))
}

# Finds the single database file a backend wrote.
db_file() { # dbpath backend
  case $2 in
    sqlite) echo "$1/rpmdb.sqlite" ;;
    ndb) echo "$1/Packages.db" ;;
    bdb) echo "$1/Packages" ;;
  esac
}

keyfile=""
if command -v gpg >/dev/null; then
  export GNUPGHOME="$work/gnupg"
  mkdir -m 700 -p "$GNUPGHOME"
  if gpg --batch --passphrase '' --quick-gen-key 'Bulwark Test <test@example.invalid>' rsa2048 sign never \
    >>"$log" 2>&1; then
    keyfile="$work/key.asc"
    gpg --batch --armor --export test@example.invalid >"$keyfile" 2>>"$log"
  fi
fi

for backend in sqlite ndb bdb; do
  db="$work/db-$backend"
  mkdir -p "$db"
  if ! rpm --dbpath "$db" --define "_db_backend $backend" --initdb >>"$log" 2>&1 ||
    grep -q "invalid %_db_backend: $backend\|using dummy database" "$log"; then
    echo "SKIP(part): this rpm ($(rpm --version)) cannot write the $backend backend"
    sed -i "/invalid %_db_backend\|dummy database/d" "$log"
    continue
  fi
  rpm --dbpath "$db" --define "_db_backend $backend" -i --nodeps --justdb --noscripts "${rpms[@]}" >>"$log" 2>&1 ||
    fail "$backend: rpm -i: $(tail -3 "$log")"
  file=$(db_file "$db" "$backend")
  [ -s "$file" ] || fail "$backend: no database file $file"
  compare "$backend: 4 installed" "$file" "$db" "$backend"
  grep -q $'^bw-alpha\t3\t1.0\t1.bw\tnoarch\tbw-alpha\t3:1.0-1.bw\tMIT\tBulwark Test\t3:1.0-1.bw$' "$work/got.tsv" ||
    fail "$backend: bw-alpha row is not the expected one"
  grep -q $'^bw-beta-libs\t\t2.5.1\t0.rc1.bw\t[^\t]*\tbw-beta\t2.5.1-0.rc1.bw\tLGPL-2.1-or-later\t' "$work/got.tsv" ||
    fail "$backend: bw-beta-libs row is not the expected one"

  rpm --dbpath "$db" --define "_db_backend $backend" -e --nodeps --justdb --noscripts bw-gamma >>"$log" 2>&1 ||
    fail "$backend: rpm -e"
  compare "$backend: after erasing bw-gamma" "$file" "$db" "$backend"
  ! grep -q '^bw-gamma' "$work/got.tsv" || fail "$backend: erased package still reported"

  if [ -n "$keyfile" ]; then
    rpm --dbpath "$db" --define "_db_backend $backend" --import "$keyfile" >>"$log" 2>&1 ||
      fail "$backend: rpm --import: $(tail -3 "$log")"
    rpm --dbpath "$db" --define "_db_backend $backend" -q gpg-pubkey >>"$log" 2>&1 ||
      fail "$backend: the imported key is not in the database"
    compare "$backend: with a gpg-pubkey entry" "$file" "$db" "$backend"
  else
    echo "SKIP(part): gpg missing or key generation failed: gpg-pubkey step not run"
  fi
done

[ "$checks" -gt 0 ] || fail "no backend could be tested"
echo "PASS: $checks comparisons"
