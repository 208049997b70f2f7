#!/usr/bin/env bash
# Go and Rust binaries in an OCI image, compared with the toolchains' own view of them.
#
# Go: a tiny module of our own (example.com/app) depending on a second local module through a
# `replace` directive and on a versioned module served by a file:// module proxy written here
# (no network: GOPROXY is a local folder, GOSUMDB=off), built by Debian's golang-go twice: normally
# and stripped with -ldflags='-s -w -X main.version=1.2.3'. Bulwark's golang packages of each
# binary must equal what `go version -m BINARY` prints, turned into packages by Trivy's rules
# (toolchain = "stdlib" v<version>, replacements win, "(devel)" = no version, the main module's
# version from -X main.version).
#
# Rust: Debian has no cargo-auditable, so the smallest honest fixture is made by hand: a tiny crate
# with a path dependency, built offline by Debian's cargo/rustc, gets a `.dep-v0` section holding
# the cargo-auditable JSON that this test writes from `cargo metadata` (zlib-compressed with
# python3, attached with objcopy --add-section ... --set-section-flags .dep-v0=noload,readonly,
# which places it after the loaded segments as the linker does). Bulwark's cargo packages of the
# binary must equal that JSON's runtime crates, and those of the crate's real Cargo.lock must equal
# `cargo metadata`'s package list. A plain Debian ELF (/usr/bin/true) must give nothing and no
# warning.
# shellcheck shell=bash
source "$(dirname "$0")/lib.sh"

bw_e2e_start umoci jq objcopy
GO=$(command -v go || true)
CARGO=/usr/bin/cargo
RUSTC=/usr/bin/rustc
[ -n "$GO" ] || bw_skip "go missing (golang-go; run scripts/install-deps.sh test)"
[ -x "$CARGO" ] && [ -x "$RUSTC" ] || bw_skip "Debian's cargo/rustc missing at /usr/bin (run scripts/install-deps.sh test)"
bw_tmpdir gorust

ROOTFS=$T/rootfs
mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/srv/rust-app" "$ROOTFS/usr/bin"

# ---- Go ----
mkdir -p "$T/go/lib" "$T/go/app" "$T/go/proxy/example.com/colors/@v"
cat >"$T/go/lib/go.mod" <<'EOF'
module example.com/greeter

go 1.19
EOF
cat >"$T/go/lib/greeter.go" <<'EOF'
package greeter

func Hello(name string) string { return "hello, " + name }
EOF
cat >"$T/go/app/go.mod" <<'EOF'
module example.com/app

go 1.19

require (
	example.com/colors v1.2.3
	example.com/greeter v0.0.0-00010101000000-000000000000
)

replace example.com/greeter => ../lib
EOF
cat >"$T/go/app/main.go" <<'EOF'
package main

import (
	"fmt"

	"example.com/colors"
	"example.com/greeter"
)

var version = "dev"

func main() { fmt.Println(greeter.Hello(colors.Red), version) }
EOF
# a module proxy in a folder (the GOPROXY protocol over file://): list, .info, .mod and .zip
"$BW_PY" - "$T/go/proxy/example.com/colors/@v" <<'EOF'
import sys, zipfile
d = sys.argv[1] + "/"
mod = "module example.com/colors\n\ngo 1.19\n"
open(d + "list", "w").write("v1.2.3\n")
open(d + "v1.2.3.info", "w").write('{"Version":"v1.2.3","Time":"2024-01-02T03:04:05Z"}\n')
open(d + "v1.2.3.mod", "w").write(mod)
with zipfile.ZipFile(d + "v1.2.3.zip", "w") as z:
    z.writestr("example.com/colors@v1.2.3/go.mod", mod)
    z.writestr("example.com/colors@v1.2.3/colors.go", 'package colors\n\nconst Red = "red"\n')
EOF
mkdir -p "$BW_CACHE/go-build"
go_env=(env GOFLAGS=-mod=mod GOPROXY="file://$T/go/proxy" GOSUMDB=off GOTOOLCHAIN=local GOWORK=off
        GOCACHE="$BW_CACHE/go-build" GOPATH="$T/go/path" GOMODCACHE="$T/go/path/mod" CGO_ENABLED=0)
bw_log "go build (normal and stripped) with $("$GO" version)"
(cd "$T/go/app" && "${go_env[@]}" "$GO" build -o "$ROOTFS/usr/local/bin/app-normal" .) >"$T/go-build.log" 2>&1 ||
  { cat "$T/go-build.log"; bw_fail "go build failed"; }
(cd "$T/go/app" && "${go_env[@]}" "$GO" build -ldflags='-s -w -X main.version=1.2.3' \
  -o "$ROOTFS/usr/local/bin/app-stripped" .) >>"$T/go-build.log" 2>&1 ||
  { cat "$T/go-build.log"; bw_fail "go build (stripped) failed"; }
bw_check "stripped Go binary has no symbol table" \
  bash -c '! readelf -SW "$1" | grep -q "\.symtab"' _ "$ROOTFS/usr/local/bin/app-stripped"
bw_check "stripped Go binary runs and prints its -X version" \
  bash -c '[ "$("$1")" = "hello, red 1.2.3" ]' _ "$ROOTFS/usr/local/bin/app-stripped"

# go_expected BINARY: "name<TAB>version" lines, sorted, from `go version -m` by Trivy's rules
go_expected() {
  "$GO" version -m "$1" | awk -F'\t' '
    NR == 1 { v = $0; sub(/^[^:]*: go/, "", v); sub(/ .*/, "", v); print "stdlib\tv" v; next }
    $2 == "mod" { main = $3; mainv = $4 }
    $2 == "dep" { if (dep != "") print dep; dep = $3 "\t" ($4 == "(devel)" ? "" : $4) }
    $2 == "=>" { dep = $3 "\t" ($4 == "(devel)" ? "" : $4) }
    $2 == "build" && $3 ~ /^-ldflags=/ {
      if (match($3, /-X main\.version=[^ "]+/)) ldv = substr($3, RSTART + 16, RLENGTH - 16) }
    END { if (dep != "") print dep; if (main != "") print main "\t" (mainv == "(devel)" ? ldv : mainv) }' |
    sort
}

# ---- Rust ----
mkdir -p "$T/rs/app/src" "$T/rs/util/src"
cat >"$T/rs/app/Cargo.toml" <<'EOF'
[package]
name = "rust-app"
version = "0.3.1"
edition = "2021"

[dependencies]
tiny-util = { path = "../util" }
EOF
cat >"$T/rs/app/src/main.rs" <<'EOF'
fn main() {
    println!("{}", tiny_util::greet("bulwark"));
}
EOF
cat >"$T/rs/util/Cargo.toml" <<'EOF'
[package]
name = "tiny-util"
version = "1.4.0"
edition = "2021"
EOF
cat >"$T/rs/util/src/lib.rs" <<'EOF'
pub fn greet(name: &str) -> String {
    format!("hello, {name}")
}
EOF
cargo_env=(env CARGO_HOME="$T/rs/cargo-home" RUSTC="$RUSTC" CARGO_TARGET_DIR="$T/rs/target")
bw_log "cargo build --offline with $("$CARGO" --version), $("$RUSTC" --version)"
(cd "$T/rs/app" && "${cargo_env[@]}" "$CARGO" build --offline --release) >"$T/cargo-build.log" 2>&1 ||
  { cat "$T/cargo-build.log"; bw_fail "cargo build failed"; }
(cd "$T/rs/app" && "${cargo_env[@]}" "$CARGO" metadata --offline --format-version 1) >"$T/metadata.json"
# the JSON cargo-auditable would embed: every package of the resolve, indices into the list
jq -c '.resolve as $r | (.packages | sort_by(.name)) as $p | ($p | map(.id)) as $ids |
  {packages: [ $p[] | .id as $id | {name, version,
      source: (if .source == null then "local" else "crates.io" end),
      dependencies: ([ $r.nodes[] | select(.id == $id) | .deps[].pkg ] | map(. as $d | $ids | index($d)) | sort),
      root: ($id == $r.root)} ]}' "$T/metadata.json" >"$T/dep-v0.json"
"$BW_PY" -c 'import sys, zlib; open(sys.argv[2], "wb").write(zlib.compress(open(sys.argv[1], "rb").read(), 9))' \
  "$T/dep-v0.json" "$T/dep-v0.z"
objcopy --add-section .dep-v0="$T/dep-v0.z" --set-section-flags .dep-v0=noload,readonly \
  "$T/rs/target/release/rust-app" "$ROOTFS/usr/local/bin/rust-app"
cp "$T/rs/app/Cargo.lock" "$ROOTFS/srv/rust-app/Cargo.lock"
bw_check "the Rust binary still runs with its .dep-v0 section" \
  bash -c '[ "$("$1")" = "hello, bulwark" ]' _ "$ROOTFS/usr/local/bin/rust-app"
bw_check ".dep-v0 lies after the loaded segments (not allocated)" \
  bash -c 'readelf -SW "$1" | grep -E "\.dep-v0 +PROGBITS +0+ " >/dev/null' _ "$ROOTFS/usr/local/bin/rust-app"

# a plain ELF executable from this Debian machine: neither Go nor cargo-auditable
cp /usr/bin/true "$ROOTFS/usr/bin/true"

bw_e2e_fixtures_done

bw_oci_from_rootfs "$ROOTFS" "$T/oci" gorust "COPY binaries /" >/dev/null 2>"$T/umoci.err" ||
  { cat "$T/umoci.err"; bw_fail "umoci failed"; }
DIFF_ID=$(bw_oci_diff_ids "$T/oci" gorust | tail -n 1)
bw_sbom "$T/out" "oci:$T/oci:gorust"
bw_check "bulwark sbom exits 0" test "$(cat "$T/out.rc")" = 0
[ "$(cat "$T/out.rc")" = 0 ] || bw_show_err "$T/out.err"
bw_check_stderr "sbom" "$T/out.err"

# report_list TYPE PATH: "name<TAB>version" of the report's packages of TYPE found in PATH
report_list() {
  jq -r --arg t "$1" --arg p "$2" \
    '.packages[] | select(.type == $t and .path == $p) | [.name, (.version // "")] | @tsv' "$T/out.json" | sort
}

for bin in app-normal app-stripped; do
  go_expected "$ROOTFS/usr/local/bin/$bin" >"$T/$bin.want"
  report_list golang "usr/local/bin/$bin" >"$T/$bin.got"
  bw_compare_lists "Go $bin vs go version -m" "$T/$bin.want" "$T/$bin.got"
done
bw_check "stripped binary's main module version comes from -X main.version" \
  grep -qx $'example.com/app\t1.2.3' "$T/app-stripped.got"
bw_check "the local replacement is reported as its path, without version" \
  grep -qx $'../lib\t' "$T/app-normal.got"

jq -r '.packages[] | select((.kind // "runtime") == "runtime") | [.name, .version] | @tsv' "$T/dep-v0.json" |
  sort >"$T/rust-bin.want"
report_list cargo usr/local/bin/rust-app >"$T/rust-bin.got"
bw_compare_lists "Rust binary vs its .dep-v0 JSON" "$T/rust-bin.want" "$T/rust-bin.got"

jq -r '.packages[] | [.name, .version] | @tsv' "$T/metadata.json" | sort >"$T/lock.want"
report_list cargo srv/rust-app/Cargo.lock >"$T/lock.got"
bw_compare_lists "Cargo.lock vs cargo metadata" "$T/lock.want" "$T/lock.got"

bw_check "every package carries the layer's diff_id" \
  jq -e --arg d "$DIFF_ID" '[.packages[] | select(.type == "golang" or .type == "cargo") | .layer == $d] | all' "$T/out.json"
bw_check "golang and cargo purls" \
  jq -e '[.packages[] | select(.type == "golang") | .purl | startswith("pkg:golang/")] + [.packages[] | select(.type == "cargo") | .purl | startswith("pkg:cargo/")] | all and length > 0' "$T/out.json"
bw_check "nothing from the plain Debian ELF" \
  jq -e '[.packages[] | select(.path == "usr/bin/true")] | length == 0' "$T/out.json"
bw_check "no warning about the binaries" \
  bash -c '! grep -E "gobinary|cargo-auditable|cargo-lock" "$1"' _ "$T/out.err"

bw_finish
