/* OSV range evaluation with hand-written ranges (introduced / fixed / last_affected / limit, "0",
 * explicit versions lists, GIT ranges ignored, bad versions skipped), the ecosystem of a package,
 * and a whole match over a hand-built inventory and a DB imported from records written here:
 * Debian source-package matching, a backported +deb12u3 fix that is not a false positive, dedup,
 * filters and order. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "match/match.h"
#include "unit/test.h"

static bw_arena *A;

/* 1 affected, 0 not, -1 error; *fixed gets the fixed version or "" */
static int eval(bw_vscheme s, const char *ranges, const char *versions, const char *v, const char **fixed) {
  bool aff = false;
  const char *f = NULL;
  bw_error err = {0};
  int rc = bw_match_affected(A, s, ranges, versions, v, &aff, &f, NULL, &err);
  if (fixed) *fixed = f ? f : "";
  if (rc) return -1;
  return aff;
}

#define R(events) "[{\"type\":\"ECOSYSTEM\",\"events\":[" events "]}]"

static void test_ranges(void) {
  const char *f;
  const char *r1 = R("{\"introduced\":\"0\"},{\"fixed\":\"2.4.55-1\"}");
  CHECK(eval(BW_VSCHEME_DPKG, r1, NULL, "2.4.54-1~deb11u1", &f) == 1);
  CHECK_STR(f, "2.4.55-1");
  CHECK(eval(BW_VSCHEME_DPKG, r1, NULL, "2.4.55-1", &f) == 0);
  CHECK(eval(BW_VSCHEME_DPKG, r1, NULL, "2.4.57-2", &f) == 0);
  CHECK(eval(BW_VSCHEME_DPKG, r1, NULL, "1:0.1", &f) == 0); /* an epoch outranks everything */

  /* Debian backport: fixed in 2.36-9+deb12u3; 2.36-9+deb12u3 and later are clean, +deb12u2 is not */
  const char *bp = R("{\"introduced\":\"0\"},{\"fixed\":\"2.36-9+deb12u3\"}");
  CHECK(eval(BW_VSCHEME_DPKG, bp, NULL, "2.36-9+deb12u3", &f) == 0);
  CHECK(eval(BW_VSCHEME_DPKG, bp, NULL, "2.36-9+deb12u4", &f) == 0);
  CHECK(eval(BW_VSCHEME_DPKG, bp, NULL, "2.36-9+deb12u2", &f) == 1);
  CHECK_STR(f, "2.36-9+deb12u3");
  CHECK(eval(BW_VSCHEME_DPKG, bp, NULL, "2.36-9", &f) == 1);

  /* several introduced/fixed pairs in one range, given out of order */
  const char *multi = R("{\"fixed\":\"1.5\"},{\"introduced\":\"2.0\"},{\"introduced\":\"1.0\"},{\"fixed\":\"2.3\"}");
  CHECK(eval(BW_VSCHEME_DPKG, multi, NULL, "0.9", &f) == 0);
  CHECK(eval(BW_VSCHEME_DPKG, multi, NULL, "1.0", &f) == 1);
  CHECK_STR(f, "1.5");
  CHECK(eval(BW_VSCHEME_DPKG, multi, NULL, "1.5", &f) == 0);
  CHECK(eval(BW_VSCHEME_DPKG, multi, NULL, "1.9", &f) == 0);
  CHECK(eval(BW_VSCHEME_DPKG, multi, NULL, "2.1", &f) == 1);
  CHECK_STR(f, "2.3");
  CHECK(eval(BW_VSCHEME_DPKG, multi, NULL, "2.3", &f) == 0);

  /* last_affected: inclusive upper bound, no fixed version */
  const char *la = R("{\"introduced\":\"1.0\"},{\"last_affected\":\"1.4\"}");
  CHECK(eval(BW_VSCHEME_DPKG, la, NULL, "1.4", &f) == 1);
  CHECK_STR(f, "");
  CHECK(eval(BW_VSCHEME_DPKG, la, NULL, "1.4.1", &f) == 0);
  CHECK(eval(BW_VSCHEME_DPKG, la, NULL, "0.9", &f) == 0);

  /* introduced only: everything from there on, unfixed */
  CHECK(eval(BW_VSCHEME_DPKG, R("{\"introduced\":\"0\"}"), NULL, "9.9", &f) == 1);
  CHECK_STR(f, "");

  /* limit: versions at or above it are outside the range */
  const char *lim = R("{\"introduced\":\"0\"},{\"limit\":\"3.0\"}");
  CHECK(eval(BW_VSCHEME_DPKG, lim, NULL, "2.9", &f) == 1);
  CHECK(eval(BW_VSCHEME_DPKG, lim, NULL, "3.0", &f) == 0);
  CHECK(eval(BW_VSCHEME_DPKG, lim, NULL, "3.1", &f) == 0);

  /* two ranges: the smallest fix above the installed version among the ranges that contain it */
  const char *two = "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"2.13.0\"},{\"fixed\":\"2.15.0\"}]},"
                    "{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.3.1\"}]}]";
  CHECK(eval(BW_VSCHEME_MAVEN, two, NULL, "2.14.0", &f) == 1);
  CHECK_STR(f, "2.15.0");
  CHECK(eval(BW_VSCHEME_MAVEN, two, NULL, "2.3.0", &f) == 1);
  CHECK_STR(f, "2.3.1");
  CHECK(eval(BW_VSCHEME_MAVEN, two, NULL, "2.5.0", &f) == 0);
  CHECK(eval(BW_VSCHEME_MAVEN, two, NULL, "2.15.0", &f) == 0);

  /* explicit versions list, with and without ranges */
  CHECK(eval(BW_VSCHEME_SEMVER, NULL, "[\"1.2.0\",\"1.2.1\"]", "1.2.1", &f) == 1);
  CHECK_STR(f, "");
  CHECK(eval(BW_VSCHEME_SEMVER, NULL, "[\"1.2.0\",\"1.2.1\"]", "1.2.2", &f) == 0);
  CHECK(eval(BW_VSCHEME_SEMVER, R("{\"introduced\":\"5.0.0\"},{\"fixed\":\"5.0.3\"}"), "[\"1.2.0\"]", "1.2.0", &f) == 1);
  CHECK_STR(f, "5.0.3");

  /* GIT ranges name commits, not versions: ignored */
  CHECK(eval(BW_VSCHEME_SEMVER, "[{\"type\":\"GIT\",\"repo\":\"x\",\"events\":[{\"introduced\":\"0\"}]}]", NULL, "1.0.0", &f) == 0);
  /* SEMVER ranges of Go modules omit the "v" */
  CHECK(eval(BW_VSCHEME_GO, "[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"0.3.7\"}]}]", NULL,
             "v0.3.6", &f) == 1);
  CHECK_STR(f, "0.3.7");

  /* a range with a version the scheme cannot read is skipped, the others still count */
  bool aff = false;
  const char *fx = NULL;
  unsigned skipped = 0;
  bw_error err = {0};
  CHECK(bw_match_affected(A, BW_VSCHEME_DPKG,
                          "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"x:1\"},{\"fixed\":\"2\"}]},"
                          "{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"3\"}]}]",
                          NULL, "1", &aff, &fx, &skipped, &err) == 0);
  CHECK(aff);
  CHECK(skipped == 1);
  /* malformed: not OSV */
  CHECK(eval(BW_VSCHEME_DPKG, "{\"a\":1}", NULL, "1", &f) == -1);
  CHECK(eval(BW_VSCHEME_DPKG, "[{\"events\":[]}]", NULL, "1", &f) == -1);
  CHECK(eval(BW_VSCHEME_DPKG, R("{\"bogus\":\"1\"}"), NULL, "1", &f) == -1);
  CHECK(eval(BW_VSCHEME_DPKG, "[1,", NULL, "1", &f) == -1);
}

static void test_ecosystems(void) {
  bw_package p = {.type = BW_PKG_DEB, .name = "libc6"};
  bw_os_info deb = {.family = "debian", .version = "12"};
  CHECK_STR(bw_match_ecosystem(A, &p, &deb), "Debian:12");
  bw_os_info deb2 = {.family = "debian", .version = "11.9"};
  CHECK_STR(bw_match_ecosystem(A, &p, &deb2), "Debian:11");
  bw_os_info ub = {.family = "ubuntu", .version = "22.04"};
  CHECK_STR(bw_match_ecosystem(A, &p, &ub), "Ubuntu:22.04:LTS");
  bw_os_info ub2 = {.family = "ubuntu", .version = "23.10"};
  CHECK_STR(bw_match_ecosystem(A, &p, &ub2), "Ubuntu:23.10");
  p.type = BW_PKG_APK;
  bw_os_info alp = {.family = "alpine", .version = "3.19.1"};
  CHECK_STR(bw_match_ecosystem(A, &p, &alp), "Alpine:v3.19");
  p.type = BW_PKG_RPM;
  bw_os_info alma = {.family = "alma", .version = "9.3"};
  CHECK_STR(bw_match_ecosystem(A, &p, &alma), "AlmaLinux:9");
  bw_os_info rocky = {.family = "rocky", .version = "8.9"};
  CHECK_STR(bw_match_ecosystem(A, &p, &rocky), "Rocky Linux:8");
  CHECK(bw_match_ecosystem(A, &p, &(bw_os_info){0}) == NULL);
  static const struct {
    bw_pkg_type t;
    const char *eco;
  } apps[] = {{BW_PKG_MAVEN, "Maven"}, {BW_PKG_NPM, "npm"},        {BW_PKG_PYPI, "PyPI"},
              {BW_PKG_GOLANG, "Go"},   {BW_PKG_CARGO, "crates.io"}, {BW_PKG_GEM, "RubyGems"},
              {BW_PKG_COMPOSER, "Packagist"}, {BW_PKG_NUGET, "NuGet"}};
  for (size_t i = 0; i < sizeof apps / sizeof *apps; i++) {
    p.type = apps[i].t;
    CHECK_STR(bw_match_ecosystem(A, &p, NULL), apps[i].eco);
  }
}

/* A whole match through a real DB: skipped when the DB module is not built yet. */
static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
}

static void test_run(void) {
  char dir[] = "/tmp/bw_match_test.XXXXXX";
  if (!mkdtemp(dir)) {
    SKIP("no temporary directory");
    return;
  }
  char *osv = bw_arena_printf(A, "%s/osv", dir), *dbp = bw_arena_printf(A, "%s/db.sqlite", dir);
  mkdir(osv, 0755);
  /* glibc: keyed by the source package; libc6 and libc-bin are its binaries */
  write_file(bw_arena_printf(A, "%s/DEBIAN-CVE-2099-0001.json", osv),
             "{\"id\":\"DEBIAN-CVE-2099-0001\",\"modified\":\"2024-01-01T00:00:00Z\",\"aliases\":[\"CVE-2099-0001\"],"
             "\"summary\":\"glibc overflow\",\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"glibc\"},"
             "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.36-9+deb12u3\"}]}]}],"
             "\"references\":[{\"type\":\"ADVISORY\",\"url\":\"https://example.org/a\"}]}");
  /* an advisory fixed by the backport the image already has */
  write_file(bw_arena_printf(A, "%s/DEBIAN-CVE-2099-0002.json", osv),
             "{\"id\":\"DEBIAN-CVE-2099-0002\",\"modified\":\"2024-01-01T00:00:00Z\","
             "\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"glibc\"},"
             "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.36-9+deb12u2\"}]}]}]}");
  /* the binary name must not match on its own */
  write_file(bw_arena_printf(A, "%s/DEBIAN-CVE-2099-0003.json", osv),
             "{\"id\":\"DEBIAN-CVE-2099-0003\",\"modified\":\"2024-01-01T00:00:00Z\","
             "\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"libc6\"},"
             "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}]}]}");
  /* another release */
  write_file(bw_arena_printf(A, "%s/DEBIAN-CVE-2099-0004.json", osv),
             "{\"id\":\"DEBIAN-CVE-2099-0004\",\"modified\":\"2024-01-01T00:00:00Z\","
             "\"affected\":[{\"package\":{\"ecosystem\":\"Debian:11\",\"name\":\"glibc\"},"
             "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}]}]}");
  /* unfixed */
  write_file(bw_arena_printf(A, "%s/DEBIAN-CVE-2099-0005.json", osv),
             "{\"id\":\"DEBIAN-CVE-2099-0005\",\"modified\":\"2024-01-01T00:00:00Z\","
             "\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"glibc\"},"
             "\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}]}]}]}");

  bw_vulndb *db = NULL;
  bw_error err = {0};
  if (bw_vulndb_open(&db, dbp, true, &err) < 0) {
    SKIP("advisory DB not available: %s", err.msg);
    return;
  }
  const char *paths[] = {osv};
  bw_import_stats st = {0};
  CHECK(bw_vulndb_import(db, paths, 1, &st, &err) == 0);

  bw_scan_result r = {0};
  r.os = (bw_os_info){.family = "debian", .version = "12"};
  bw_pkglist_init(&r.packages);
  bw_vec_init(&r.vulns, sizeof(bw_vuln), 0);
  r.arena = bw_arena_new();
  static const char *bins[] = {"libc6", "libc-bin"};
  for (int i = 0; i < 2; i++) {
    bw_package *p = bw_pkglist_add(&r.packages, &err);
    p->type = BW_PKG_DEB;
    p->name = bins[i];
    p->version = "2.36-9+deb12u2";
    p->source_name = "glibc";
    p->source_version = "2.36-9+deb12u2";
  }
  bw_match_opts opts = {0};
  CHECK(bw_match_run(&r, db, &opts, &err) == 0);
  size_t n0001 = 0, nother = 0;
  for (size_t i = 0; i < r.vulns.len; i++) {
    const bw_vuln *v = bw_vec_at(&r.vulns, bw_vuln, i);
    if (!strcmp(v->id, "DEBIAN-CVE-2099-0001")) {
      n0001++;
      CHECK_STR(v->fixed_version, "2.36-9+deb12u3");
      CHECK_STR(v->status, "fixed");
      CHECK_STR(v->title, "glibc overflow");
      CHECK(v->app == 0);
    } else if (!strcmp(v->id, "DEBIAN-CVE-2099-0005")) {
      CHECK_STR(v->status, "unfixed");
      CHECK(v->fixed_version == NULL);
    } else {
      nother++;
      fprintf(stderr, "unexpected match %s\n", v->id);
    }
  }
  CHECK(n0001 == 2); /* once per installed binary package */
  CHECK(nother == 0);
  CHECK(r.vulns.len == 4);
  /* --ignore-unfixed */
  r.vulns.len = 0;
  opts.ignore_unfixed = true;
  CHECK(bw_match_run(&r, db, &opts, &err) == 0);
  CHECK(r.vulns.len == 2);

  bw_vec_dispose(&r.vulns);
  bw_pkglist_dispose(&r.packages);
  bw_arena_free(r.arena);
  bw_vulndb_close(db);
}

int main(void) {
  A = bw_arena_new();
  test_ranges();
  test_ecosystems();
  test_run();
  bw_arena_free(A);
  return test_finish();
}
