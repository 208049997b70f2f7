#!/usr/bin/env bash
# Node.js packages end to end, against npm itself. A tiny app is installed from the real npm
# registry (npm install --ignore-scripts: lodash 4.17.15, minimist 1.2.0, express 4.17.1, the
# scoped @babel/helper-string-parser, and is-number as a devDependency; cowsay installed globally
# under /usr/lib/node_modules), put under /app in a
# minimal root file system with a decoy package.json inside a package and a 200 MB (sparse)
# package-lock.json in another directory, packed as a one-layer OCI image, and scanned with
# `bulwark sbom --format json`. Checks:
#   - packages under app/node_modules = `npm ls --all --json`, flattened (name, version), exactly;
#     the same for the global tree (`npm ls -g`);
#   - one package per installed package.json, with the dependency path and licence npm reports
#     (`npm query '*'`: location -> parents, package.json license);
#   - the lockfile's packages (path app/package-lock.json) = the same set, dev only for the
#     devDependency's tree;
#   - purls of a scoped and a plain package; the 200 MB lockfile skipped with a warning naming it.
# Needs npm, node, jq, umoci and the npm registry (cache: $BW_CACHE/npm).
source "$(dirname "$0")/lib.sh"

for t in npm node jq umoci; do
  command -v "$t" >/dev/null 2>&1 || bw_skip "missing tool: $t (run scripts/install-deps.sh test)"
done
[ -x "${BULWARK:-}" ] || bw_skip "BULWARK not set or not built: run this test through ctest"

bw_tmpdir npm
root="$T/rootfs"
app="$root/app"
mkdir -p "$app" "$root/etc"
printf 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >"$root/etc/os-release"
cat >"$app/package.json" <<'EOF'
{ "name": "bulwark-e2e-app", "version": "1.0.0", "private": true, "license": "UNLICENSED" }
EOF

export npm_config_cache="$BW_CACHE/npm"
npm_flags=(--no-audit --no-fund --ignore-scripts --prefer-offline --loglevel=error)
bw_log "npm install (cache $npm_config_cache)"
if ! (cd "$app" &&
      timeout 600 npm install "${npm_flags[@]}" --save-exact \
        lodash@4.17.15 minimist@1.2.0 express@4.17.1 @babel/helper-string-parser@7.19.4 &&
      timeout 600 npm install "${npm_flags[@]}" --save-exact -D is-number@7.0.0 &&
      timeout 600 npm install "${npm_flags[@]}" -g --prefix "$root/usr" cowsay@1.5.0) >"$T/npm.log" 2>&1; then
  tail -n 15 "$T/npm.log"
  bw_skip "npm install from the npm registry failed (registry unreachable?)"
fi

# npm's own views of what is installed
(cd "$app" && npm ls --all --json) >"$T/npm-ls.json" 2>"$T/npm-ls.err" || true
jq -e '.dependencies' "$T/npm-ls.json" >/dev/null || bw_fail "npm ls --all --json gave no tree: $(head -3 "$T/npm-ls.err")"
jq -r '[.. | objects | select(has("dependencies")) | .dependencies | to_entries[]
        | select(.value.version != null) | [.key, .value.version] | @tsv] | .[]' "$T/npm-ls.json" |
  sort -u >"$T/expected.tsv"
npm ls -g --all --json --prefix "$root/usr" >"$T/npm-ls-global.json" 2>/dev/null || true
jq -r '[.. | objects | select(has("dependencies")) | .dependencies | to_entries[]
        | select(.value.version != null) | [.key, .value.version] | @tsv] | .[]' "$T/npm-ls-global.json" |
  sort -u >"$T/expected-global.tsv"
(cd "$app" && npm query '*') >"$T/npm-query.json" 2>"$T/npm-query.err" ||
  bw_fail "npm query failed: $(head -3 "$T/npm-query.err")"

# a package.json that is not a package's own (fixtures inside a package) must not count, and a
# lockfile over the cap must be refused without being read
mkdir -p "$app/node_modules/lodash/test/fixtures"
echo '{"name":"decoy-fixture","version":"6.6.6"}' >"$app/node_modules/lodash/test/fixtures/package.json"
mkdir -p "$root/bigapp"
truncate -s 200M "$root/bigapp/package-lock.json"

layout="$T/oci"
bw_oci_from_rootfs "$root" "$layout" app "COPY app /app" >/dev/null
bw_sbom "$T/out" "oci:$layout:app"
rc=$(cat "$T/out.rc")
bw_check "bulwark sbom exits 0 (got $rc)" test "$rc" -eq 0
bw_check_stderr "sbom" "$T/out.err"
[ "$rc" -eq 0 ] || { bw_show_err "$T/out.err"; bw_finish; exit 1; }
report="$T/out.json"

# 1. installed packages = npm ls
jq -r '.packages[] | select(.type == "npm" and (.path | startswith("app/node_modules/")))
       | [.name, .version] | @tsv' "$report" | sort -u >"$T/installed.tsv"
bw_compare_lists "app/node_modules packages = npm ls --all (name, version)" "$T/expected.tsv" "$T/installed.tsv"

jq -r '.packages[] | select(.type == "npm" and (.path | startswith("usr/lib/node_modules/")))
       | [.name, .version] | @tsv' "$report" | sort -u >"$T/installed-global.tsv"
bw_compare_lists "usr/lib/node_modules (npm install -g) = npm ls -g --all" "$T/expected-global.tsv" "$T/installed-global.tsv"

# 2. one package per package.json, each with npm's location (as parents) and licence
node - "$T/npm-query.json" >"$T/query.tsv" <<'JS'
const nodes = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const lic = (p) => {
  const one = (l) => (typeof l === "string" ? l : l && typeof l.type === "string" ? l.type : "");
  if (one(p.license)) return one(p.license);
  if (Array.isArray(p.licenses)) return p.licenses.map(one).filter((x) => x).join(" OR ");
  return "";
};
for (const n of nodes) {
  if (!n.location || !n.location.startsWith("node_modules/")) continue;
  const chain = n.location.slice("node_modules/".length).split("/node_modules/");
  chain.pop();
  console.log([`app/${n.location}/package.json`, n.name, n.version, chain.join(">"), lic(n)].join("\t"));
}
JS
sort -o "$T/query.tsv" "$T/query.tsv"
jq -r '.packages[] | select(.type == "npm" and (.path | startswith("app/node_modules/")))
       | [.path, .name, .version, (.parents // ""), (.licenses | join(" AND "))] | @tsv' "$report" |
  sort >"$T/installed-detail.tsv"
bw_compare_lists "installed packages: one per package.json, with npm's dependency path and licence" \
  "$T/query.tsv" "$T/installed-detail.tsv"
bw_check "the tree has a nested install (so dependency paths were compared): $(awk -F'\t' '$4 != "" { print $4 ">" $2; exit }' "$T/installed-detail.tsv")" \
  grep -qP '^[^\t]+\t[^\t]+\t[^\t]+\t[^\t]+\t' "$T/installed-detail.tsv"
bw_check "the decoy package.json inside lodash/test/fixtures is not a package" \
  bash -c '! jq -e ".packages[] | select(.name == \"decoy-fixture\")" "$1" >/dev/null' _ "$report"

# 3. the lockfile: same set; dev only for the devDependency
jq -r '.packages[] | select(.type == "npm" and .path == "app/package-lock.json") | [.name, .version] | @tsv' \
  "$report" | sort -u >"$T/lock.tsv"
bw_compare_lists "app/package-lock.json packages = npm ls --all (name, version)" "$T/expected.tsv" "$T/lock.tsv"
jq -r '.packages[] | select(.path == "app/package-lock.json" and .dev == true) | .name' "$report" | sort >"$T/dev.txt"
# npm's own answer: nodes flagged dev in the lockfile tree
jq -r '.[] | select(.dev == true) | .name' "$T/npm-query.json" | sort -u >"$T/dev-expected.txt"
bw_check "dev packages of the lockfile = npm's dev nodes ($(tr '\n' ' ' <"$T/dev-expected.txt"))" \
  diff -u "$T/dev-expected.txt" "$T/dev.txt"
bw_check "is-number (a devDependency) is dev in the lockfile" grep -qx is-number "$T/dev.txt"
bw_check "lodash (a dependency) is not dev" bash -c '! grep -qx lodash "$1"' _ "$T/dev.txt"

# 4. purls
purl() { jq -r --arg n "$1" --arg p "$2" '.packages[] | select(.name == $n and .path == $p) | .purl' "$report" | head -1; }
bw_check "purl of a scoped package" \
  test "$(purl @babel/helper-string-parser app/package-lock.json)" = "pkg:npm/%40babel/helper-string-parser@7.19.4"
bw_check "purl of an installed scoped package" \
  test "$(purl @babel/helper-string-parser app/node_modules/@babel/helper-string-parser/package.json)" = \
       "pkg:npm/%40babel/helper-string-parser@7.19.4"
bw_check "purl of lodash" test "$(purl lodash app/node_modules/lodash/package.json)" = "pkg:npm/lodash@4.17.15"

# 4b. the same image as CycloneDX: valid against the official 1.5 schema, and every purl decodes
# (with packageurl-js, the purl project's reference implementation) to the component's parts
if modules=$("$BW_SRC/scripts/fetch-schemas.sh" "$BW_BUILD/schemas" 2>/dev/null) &&
   python3 -c "import jsonschema" 2>/dev/null; then
  timeout 300 "$BULWARK" sbom "oci:$layout:app" --format cyclonedx -o "$T/out.cdx.json" 2>"$T/cdx.err"
  bw_check "CycloneDX of the npm image is valid CycloneDX 1.5" python3 "$BW_SRC/tests/tools/validate_schema.py" \
    "$modules/@cyclonedx/cyclonedx-library/res/schema/bom-1.5.SNAPSHOT.schema.json" "$T/out.cdx.json"
  bw_check "every npm purl decodes to its component (packageurl-js)" \
    env NODE_PATH="$modules" node "$BW_SRC/tests/tools/check_purls.js" "$T/out.cdx.json"
else
  echo "NOTE: CycloneDX/purl reference checks not run: scripts/fetch-schemas.sh or python3-jsonschema unavailable"
fi

# 5. the 200 MB lockfile: a warning naming it, nothing from it
bw_check "the 200 MB bigapp/package-lock.json is skipped with a warning naming it" \
  grep -q 'bigapp/package-lock.json: 209715200 bytes, over the .*limit' "$T/out.err"
bw_check "nothing reported from bigapp/package-lock.json" \
  bash -c '! jq -e ".packages[] | select(.path == \"bigapp/package-lock.json\")" "$1" >/dev/null' _ "$report"

bw_finish
