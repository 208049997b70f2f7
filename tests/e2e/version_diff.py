#!/usr/bin/python3
"""Differential test of `bulwark version compare --batch` against each ecosystem's own
implementation (see version_diff_test.sh). Generates seeded random version pairs per scheme, asks
the reference and bulwark, and lists every disagreement. A reference that is not installed makes
its scheme SKIP (printed); exit 1 on any disagreement, 77 when every scheme was skipped.

Usage: version_diff.py BULWARK WORKDIR [SCHEME...]"""
import json
import os
import random
import shutil
import subprocess
import sys

N = int(os.environ.get("BW_VERSION_PAIRS", "3000"))
BULWARK, WORK = sys.argv[1], sys.argv[2]
ONLY = set(sys.argv[3:])


def pairs_from(gen, rng, n):
    """Pairs (a, b): half independent, half b a small mutation of a (shared prefixes are where
    comparators differ), plus some (a, a)."""
    out = []
    for i in range(n):
        a = gen(rng)
        r = rng.random()
        if r < 0.45:
            b = gen(rng)
        elif r < 0.95:
            b = mutate(a, gen, rng)
        else:
            b = a
        out.append((a, b))
    return out


def mutate(a, gen, rng):
    other = gen(rng)
    k = rng.randint(0, len(a))
    choice = rng.random()
    if choice < 0.4:
        return a[:k] + other[rng.randint(0, len(other)):]
    if choice < 0.7:
        return a + rng.choice(["", ".", "~", "^", "+", "-", "_", ".0", "0", "a", "1", ".1", "-1", "~1", "^1"])
    if choice < 0.85 and k < len(a):
        return a[:k] + a[k + 1:]
    return a[:k] + rng.choice("0123456789.~^+-_abz") + a[k:]


def run_batch(eco, pairs):
    data = "".join(f"{a}\t{b}\n" for a, b in pairs)
    p = subprocess.run([BULWARK, "version", "compare", "--ecosystem", eco, "--batch"], input=data,
                       capture_output=True, text=True)
    lines = p.stdout.splitlines()
    if len(lines) != len(pairs):
        sys.exit(f"FAIL: bulwark printed {len(lines)} lines for {len(pairs)} pairs ({eco}): {p.stderr[:500]}")
    return ["error" if l.startswith("error") else l for l in lines]


def sign(x):
    return "-1" if x < 0 else ("1" if x > 0 else "0")


# ---- generators ----------------------------------------------------------------------------

def g_chars(rng, alphabet, lo, hi):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def gen_dpkg(rng):
    v = ""
    if rng.random() < 0.2:
        v += rng.choice(["0", "1", "2", "10", "00"]) + ":"
    v += rng.choice("0123456789") + g_chars(rng, "0123456789.+~abzAZ", 0, 8)
    if rng.random() < 0.6:
        v += "-" + g_chars(rng, "0123456789.+~abz", 1, 6)
    return v


def dpkg_valid(versions):
    """python-apt orders any string; whether dpkg itself accepts one (no "bad syntax" warning or
    error) is asked of dpkg --compare-versions, once per distinct string."""
    ok = {}
    for v in versions:
        p = subprocess.run(["dpkg", "--compare-versions", v, "eq", v], capture_output=True, text=True)
        # dpkg --compare-versions reads "" as "no version" (older than all); it is no version
        ok[v] = v != "" and p.returncode == 0 and not p.stderr.strip()
    return ok


def gen_rpm(rng):
    v = ""
    if rng.random() < 0.2:
        v += rng.choice(["0", "1", "2", "", "01"]) + ":"
    v += g_chars(rng, "0123456789.~^_+abzAZ", 1, 9)
    if rng.random() < 0.6:
        v += "-" + g_chars(rng, "0123456789.~^_abz", 1, 6)
    return v


def gen_pep440(rng):
    v = ""
    if rng.random() < 0.05:
        v += rng.choice(["v", "V"])
    if rng.random() < 0.1:
        v += rng.choice(["0", "1", "2"]) + "!"
    v += ".".join(rng.choice(["0", "1", "2", "10", "00", "01"]) for _ in range(rng.randint(1, 4)))
    sep = lambda: rng.choice(["", "", ".", "-", "_"])
    num = lambda: rng.choice(["", "0", "1", "2", "10", "01"])
    if rng.random() < 0.4:
        v += sep() + rng.choice(["a", "b", "c", "rc", "alpha", "beta", "pre", "preview", "RC", "Alpha"]) + sep() + num()
    if rng.random() < 0.3:
        if rng.random() < 0.3:
            v += "-" + rng.choice(["0", "1", "2"])
        else:
            v += sep() + rng.choice(["post", "rev", "r", "POST"]) + sep() + num()
    if rng.random() < 0.3:
        v += sep() + rng.choice(["dev", "DEV"]) + sep() + num()
    if rng.random() < 0.2:
        v += "+" + rng.choice(["", "."]).join(rng.choice(["1", "a", "ubuntu", "2", "B", "01", "abc"]) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.03:
        v = rng.choice([" ", ""]) + v + rng.choice([" ", "\t", "", "x", ".", "-"])
    return v


def gen_semver(rng):
    nums = ["0", "1", "2", "10", "01", "9007199254740991", "9007199254740992"]
    w = [30, 30, 15, 15, 1, 0.5, 0.5]
    v = "v" if rng.random() < 0.05 else ""
    v += ".".join(rng.choices(nums, w)[0] for _ in range(3))
    if rng.random() < 0.02:
        v = v.rsplit(".", 1)[0]
    if rng.random() < 0.5:
        ids = ["0", "1", "2", "10", "alpha", "beta", "rc", "a-1", "1a", "-", "x", "Alpha", "a", "b"] * 3 + ["01", ""]
        v += "-" + ".".join(rng.choice(ids) for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.15:
        v += "+" + ".".join(rng.choice(["build", "1", "01", "sha-5", "x"]) for _ in range(rng.randint(1, 2)))
    return v


# ---- references -----------------------------------------------------------------------------

def ref_dpkg(pairs):
    import apt_pkg
    apt_pkg.init_system()
    ok = dpkg_valid({v for p in pairs for v in p})
    return [sign(apt_pkg.version_compare(a, b)) if ok[a] and ok[b] else "error" for a, b in pairs]


def split_evr(s):
    # rpm's parseEVR: leading digits then ':' is the epoch; the release follows the last '-'
    i = 0
    while i < len(s) and s[i].isdigit():
        i += 1
    e = None
    rest = s
    if i < len(s) and s[i] == ":":
        e = s[:i] or "0"
        rest = s[i + 1:]
    r = None
    if "-" in rest:
        rest, r = rest.rsplit("-", 1)
    return (e, rest, r)


def ref_rpm(pairs):
    import rpm
    out = []
    for a, b in pairs:
        try:
            out.append(sign(rpm.labelCompare(split_evr(a), split_evr(b))))
        except ValueError:  # rpm rejects an empty version
            out.append("error")
    return out


def ref_pep440(pairs):
    from packaging.version import Version, InvalidVersion
    out = []
    for a, b in pairs:
        try:
            va, vb = Version(a), Version(b)
        except InvalidVersion:
            out.append("error")
            continue
        out.append(sign((va > vb) - (va < vb)))
    return out


def ref_node(pairs, script):
    mod = os.path.join(WORK, "node_modules")
    env = dict(os.environ, NODE_PATH=mod)
    data = "".join(f"{a}\t{b}\n" for a, b in pairs)
    p = subprocess.run(["node", "-e", script], input=data, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"FAIL: node reference failed: {p.stderr[:500]}")
    return p.stdout.splitlines()


SEMVER_JS = r"""
const semver = require('semver');
const lines = require('fs').readFileSync(0, 'utf8').split('\n');
const out = [];
for (const l of lines) {
  if (!l) continue;
  const [a, b] = l.split('\t');
  if (semver.valid(a) === null || semver.valid(b) === null) { out.push('error'); continue; }
  out.push(String(semver.compare(a, b)));
}
process.stdout.write(out.join('\n') + '\n');
"""

RUBY_RB = r"""
STDIN.each_line do |l|
  a, b = l.chomp("\n").split("\t", -1)
  if Gem::Version.correct?(a) && Gem::Version.correct?(b)
    puts(Gem::Version.new(a) <=> Gem::Version.new(b))
  else
    puts "error"
  end
end
"""


def ref_ruby(pairs):
    data = "".join(f"{a}\t{b}\n" for a, b in pairs)
    p = subprocess.run(["ruby", "-e", RUBY_RB], input=data, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAIL: ruby reference failed: {p.stderr[:500]}")
    return p.stdout.splitlines()


MAVEN_JAVA = """
import java.io.*;
import org.apache.maven.artifact.versioning.ComparableVersion;
public class MavenCmp {
  public static void main(String[] args) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    PrintWriter w = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, "UTF-8")));
    String l;
    while ((l = r.readLine()) != null) {
      String[] p = l.split("\t", -1);
      int c = new ComparableVersion(p[0]).compareTo(new ComparableVersion(p[1]));
      w.println(c < 0 ? -1 : c > 0 ? 1 : 0);
    }
    w.flush();
  }
}
"""
MAVEN_JAR = "/usr/share/java/maven-artifact-3.x.jar"  # libmaven3-core-java


def ref_maven(pairs):
    d = os.path.join(WORK, "maven-ref")
    os.makedirs(d, exist_ok=True)
    src = os.path.join(d, "MavenCmp.java")
    if not os.path.exists(os.path.join(d, "MavenCmp.class")):
        with open(src, "w") as f:
            f.write(MAVEN_JAVA)
        subprocess.run(["javac", "-cp", MAVEN_JAR, "-d", d, src], check=True)
    data = "".join(f"{a}\t{b}\n" for a, b in pairs)
    p = subprocess.run(["java", "-cp", f"{MAVEN_JAR}:{d}", "MavenCmp"], input=data, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAIL: java reference failed: {p.stderr[:500]}")
    return p.stdout.splitlines()


def gen_rubygems(rng):
    v = rng.choice(["0", "1", "2", "10", "01", "00"])
    for _ in range(rng.randint(0, 4)):
        v += "." + rng.choice(["0", "1", "2", "10", "a", "b", "pre", "rc1", "0a", "a0", "alpha", "Z", "00"])
    if rng.random() < 0.2:
        v += "-" + rng.choice(["1", "a", "pre", "rc.1", "beta-2", "0"])
    if rng.random() < 0.03:
        v = rng.choice(["", " ", "1a", "1..0", "a", "1.0-", " 1.0 "]) + rng.choice(["", "1"])
    return v


def gen_maven(rng):
    parts = ["0", "1", "2", "10", "00", "01", "a", "b", "m", "alpha", "beta", "milestone", "rc", "cr", "snapshot",
             "ga", "final", "release", "sp", "foo", "RC", "Final", "SNAPSHOT", "", "jre", "x"]
    v = rng.choice(["0", "1", "2", "10", "1.0", "2.14"])
    for _ in range(rng.randint(0, 5)):
        v += rng.choice([".", "-", "", "", "."]) + rng.choice(parts)
    return v


COMPOSER_PHP = r"""
require '/usr/share/php/Composer/Semver/autoload.php';
use Composer\Semver\VersionParser;
use Composer\Semver\Comparator;
$p = new VersionParser();
while (($l = fgets(STDIN)) !== false) {
  $f = explode("\t", rtrim($l, "\n"), 2);
  try {
    $a = $p->normalize($f[0]);
    $b = $p->normalize($f[1]);
  } catch (Exception $e) {
    echo "error\n";
    continue;
  }
  if (strncmp($a, 'dev-', 4) == 0 || strncmp($b, 'dev-', 4) == 0) { echo "error\n"; continue; }
  echo (Comparator::lessThan($a, $b) ? -1 : (Comparator::greaterThan($a, $b) ? 1 : 0)), "\n";
}
"""
COMPOSER_AUTOLOAD = "/usr/share/php/Composer/Semver/autoload.php"


def ref_composer(pairs):
    data = "".join(f"{a}\t{b}\n" for a, b in pairs)
    p = subprocess.run(["php", "-r", COMPOSER_PHP], input=data, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAIL: php reference failed: {p.stderr[:500]}")
    return p.stdout.splitlines()


def gen_composer(rng):
    v = "v" if rng.random() < 0.1 else ""
    if rng.random() < 0.08:
        v += rng.choice(["2010", "20230101", "2023-01-02", "2010.01.02", "201001021530", "123456"])
    else:
        v += ".".join(rng.choice(["0", "1", "2", "10", "01", "x"]) if i else rng.choice(["0", "1", "2", "10"])
                      for i in range(rng.randint(1, 4)))
    if rng.random() < 0.4:
        v += rng.choice(["", "-", ".", "_"]) + rng.choice(["alpha", "a", "beta", "b", "RC", "rc", "patch", "pl", "p", "stable", "Beta", "dev"])
        v += rng.choice(["", "1", "2", "10", ".1", "-2", "1.1"])
    if rng.random() < 0.1:
        v += rng.choice(["-dev", ".dev", "dev"])
    if rng.random() < 0.05:
        v += rng.choice(["@beta", "@dev", "+build.1", "+1", " as 1.0.0"])
    if rng.random() < 0.02:
        v = rng.choice(["dev-master", "master", "1.0.x-dev", "foo", "1.0-foo", ""])
    return v


GO_SRC = """package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		f := strings.SplitN(in.Text(), "\\t", 2)
		a, b := f[0], f[1]
		// OSV writes Go versions without the v; x/mod/semver wants it
		if !strings.HasPrefix(a, "v") {
			a = "v" + a
		}
		if !strings.HasPrefix(b, "v") {
			b = "v" + b
		}
		if !semver.IsValid(a) || !semver.IsValid(b) {
			fmt.Fprintln(out, "error")
			continue
		}
		fmt.Fprintln(out, semver.Compare(a, b))
	}
}
"""
GOCODE = "/usr/share/gocode"  # golang-golang-x-mod-dev


def ref_go(pairs):
    d = os.path.join(WORK, "go-ref")
    os.makedirs(d, exist_ok=True)
    exe = os.path.join(d, "gocmp")
    if not os.path.exists(exe):
        with open(os.path.join(d, "main.go"), "w") as f:
            f.write(GO_SRC)
        env = dict(os.environ, GO111MODULE="off", GOPATH=GOCODE, GOCACHE=os.path.join(d, "cache"), GOFLAGS="")
        subprocess.run(["go", "build", "-o", exe, os.path.join(d, "main.go")], check=True, env=env)
    data = "".join(f"{a}\t{b}\n" for a, b in pairs)
    p = subprocess.run([exe], input=data, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAIL: go reference failed: {p.stderr[:500]}")
    return p.stdout.splitlines()


def gen_go(rng):
    v = rng.choice(["v", "v", "v", ""])
    nums = ["0", "1", "2", "10", "01", "123456789012345678901234567890"]
    w = [30, 30, 15, 15, 1, 1]
    k = rng.choice([3, 3, 3, 3, 2, 1])
    v += ".".join(rng.choices(nums, w)[0] for _ in range(k))
    if rng.random() < 0.3:
        v += "-" + rng.choice(["0.20191109021931-daa7c04131f5", "20191109021931-daa7c04131f5", "pre.0.20200101000000-abcdefabcdef",
                               "alpha", "beta.2", "rc.1", "0", "01", "1a", "x-y"])
    if rng.random() < 0.15:
        v += rng.choice(["+incompatible", "+meta", "+", "+a.b"])
    return v


CARGO_MAIN = r"""
use std::io::{self, BufRead, Write};
fn main() {
    let stdin = io::stdin();
    let mut out = io::BufWriter::new(io::stdout());
    for line in stdin.lock().lines() {
        let line = line.unwrap();
        let mut it = line.splitn(2, '\t');
        let (a, b) = (it.next().unwrap_or(""), it.next().unwrap_or(""));
        match (semver::Version::parse(a), semver::Version::parse(b)) {
            (Ok(x), Ok(y)) => {
                // precedence: build metadata does not count (SemVer 2.0 section 11, OSV SEMVER ranges)
                let c = (x.major, x.minor, x.patch, &x.pre).cmp(&(y.major, y.minor, y.patch, &y.pre));
                writeln!(out, "{}", c as i32).unwrap();
            }
            _ => writeln!(out, "error").unwrap(),
        }
    }
}
"""
CARGO_REGISTRY = "/usr/share/cargo/registry"  # librust-semver-dev


def ref_cargo(pairs):
    d = os.path.join(WORK, "cargo-ref")
    exe = os.path.join(d, "target", "release", "cargocmp")
    if not os.path.exists(exe):
        os.makedirs(os.path.join(d, "src"), exist_ok=True)
        os.makedirs(os.path.join(d, ".cargo"), exist_ok=True)
        with open(os.path.join(d, "Cargo.toml"), "w") as f:
            f.write('[package]\nname = "cargocmp"\nversion = "0.1.0"\nedition = "2018"\n[dependencies]\nsemver = "1"\n')
        with open(os.path.join(d, ".cargo", "config.toml"), "w") as f:
            f.write(f'[source.crates-io]\nreplace-with = "debian"\n[source.debian]\ndirectory = "{CARGO_REGISTRY}"\n'
                    '[net]\noffline = true\n')
        with open(os.path.join(d, "src", "main.rs"), "w") as f:
            f.write(CARGO_MAIN)
        env = dict(os.environ, CARGO_HOME=os.path.join(d, "cargo-home"))
        subprocess.run(["cargo", "build", "--release", "--offline", "-q"], cwd=d, check=True, env=env)
    data = "".join(f"{a}\t{b}\n" for a, b in pairs)
    p = subprocess.run([exe], input=data, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAIL: cargo reference failed: {p.stderr[:500]}")
    return p.stdout.splitlines()


SCHEMES = {
    # name: (OSV ecosystem, generator, reference, why-skip check)
    "dpkg": ("Debian", gen_dpkg, ref_dpkg, "import apt_pkg"),
    "rpm": ("Red Hat", gen_rpm, ref_rpm, "import rpm"),
    "pep440": ("PyPI", gen_pep440, ref_pep440, "import packaging.version"),
    "semver": ("npm", gen_semver, lambda p: ref_node(p, SEMVER_JS), "node"),
    "rubygems": ("RubyGems", gen_rubygems, ref_ruby, "ruby"),
    "maven": ("Maven", gen_maven, ref_maven, "maven"),
    "composer": ("Packagist", gen_composer, ref_composer, "composer"),
    "go": ("Go", gen_go, ref_go, "go"),
    "cargo": ("crates.io", gen_semver, ref_cargo, "cargo"),
}


def available(check):
    if check.startswith("import"):
        try:
            exec(check)
            return True
        except ImportError:
            return False
    if check == "ruby":
        return shutil.which("ruby") is not None
    if check == "maven":
        return shutil.which("javac") is not None and shutil.which("java") is not None and os.path.exists(MAVEN_JAR)
    if check == "composer":
        return shutil.which("php") is not None and os.path.exists(COMPOSER_AUTOLOAD)
    if check == "cargo":
        return shutil.which("cargo") is not None and any(
            n.startswith("semver-1.") for n in (os.listdir(CARGO_REGISTRY) if os.path.isdir(CARGO_REGISTRY) else []))
    if check == "go":
        return shutil.which("go") is not None and os.path.isdir(os.path.join(GOCODE, "src/golang.org/x/mod/semver"))
    if check == "node":
        return os.path.isdir(os.path.join(WORK, "node_modules", "semver"))
    return False


def main():
    fails = 0
    ran = 0
    for name, (eco, gen, ref, check) in SCHEMES.items():
        if ONLY and name not in ONLY:
            continue
        if not available(check):
            print(f"SKIP: {name}: reference implementation not available ({check})")
            continue
        rng = random.Random(f"bulwark-{name}")
        pairs = pairs_from(gen, rng, N)
        want = ref(pairs)
        if len(want) != len(pairs):
            print(f"FAIL: {name}: the reference answered {len(want)} of {len(pairs)} pairs")
            fails += 1
            continue
        got = run_batch(eco, pairs)
        bad = [(a, b, w, g) for (a, b), w, g in zip(pairs, want, got) if w != g]
        ran += 1
        nerr = sum(1 for w in want if w == "error")
        print(f"{name}: {len(pairs) - len(bad)}/{len(pairs)} agree ({nerr} pairs rejected by the reference)")
        for a, b, w, g in bad[:40]:
            print(f"  DISAGREE {name}: {a!r} vs {b!r}: reference {w}, bulwark {g}")
        if bad:
            fails += 1
    if fails:
        return 1
    return 0 if ran else 77


if __name__ == "__main__":
    sys.exit(main())
