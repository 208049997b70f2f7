/* dpkg status / status.d parser: hand-written edge cases and the shared real-world fixtures
 * (each must parse to exactly its .expected.tsv list). */
#include <dirent.h>

#include "analyze/analyzer.h"
#include "base/limits.h"
#include "unit/test.h"

typedef struct parsed {
  bw_arena *arena;
  bw_pkglist list;
  bw_error err;
  int rc;
} parsed;

static void parse_path(parsed *p, const char *text, size_t len, const char *path) {
  memset(p, 0, sizeof *p);
  p->arena = bw_arena_new();
  bw_pkglist_init(&p->list);
  bw_analyze_out out = {.arena = p->arena, .packages = &p->list, .path = path};
  p->rc = bw_dpkg_parse((const uint8_t *)text, len, &out, &p->err);
}

static void parse_str(parsed *p, const char *text, const char *path) { parse_path(p, text, strlen(text), path); }

static void done(parsed *p) {
  bw_pkglist_dispose(&p->list);
  bw_arena_free(p->arena);
}

static const bw_package *pkg(parsed *p, size_t i) {
  return i < bw_pkglist_len(&p->list) ? bw_pkglist_at(&p->list, i) : NULL;
}

#define STATUS "var/lib/dpkg/status"
#define STATUSD "var/lib/dpkg/status.d/x"

static void test_basic_and_source(void) {
  parsed p;
  parse_str(&p,
            "Package: libc6\n"
            "Status: install ok installed\n"
            "Architecture: amd64\n"
            "Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>\n"
            "Source: glibc (2.36-9)\n"
            "Version: 2.36-9+deb12u4\n"
            "Description: GNU C Library: Shared libraries\n"
            " Contains the standard libraries that are used by nearly all programs on\n"
            " the system.\n"
            "\n"
            "Package: zlib1g\n"
            "Status: install ok installed\n"
            "Architecture: amd64\n"
            "Source: zlib\n"
            "Version: 1:1.2.13.dfsg-1\n"
            "\n"
            "Package: bash\n"
            "Status: install ok installed\n"
            "Architecture: amd64\n"
            "Version: 5.2.15-2+b2\n"
            "\n",
            STATUS);
  CHECK(p.rc == 0);
  CHECK(bw_pkglist_len(&p.list) == 3);
  const bw_package *a = pkg(&p, 0), *b = pkg(&p, 1), *c = pkg(&p, 2);
  if (a && b && c) {
    CHECK(a->type == BW_PKG_DEB);
    CHECK_STR(a->name, "libc6");
    CHECK_STR(a->version, "2.36-9+deb12u4");
    CHECK_STR(a->arch, "amd64");
    CHECK_STR(a->source_name, "glibc");
    CHECK_STR(a->source_version, "2.36-9");
    CHECK_STR(a->maintainer, "GNU Libc Maintainers <debian-glibc@lists.debian.org>");
    CHECK(a->licenses == NULL);
    CHECK_STR(a->path, STATUS);
    /* Source without a version: the binary's version (epoch included) */
    CHECK_STR(b->version, "1:1.2.13.dfsg-1");
    CHECK_STR(b->source_name, "zlib");
    CHECK_STR(b->source_version, "1:1.2.13.dfsg-1");
    /* no Source: the package itself */
    CHECK_STR(c->source_name, "bash");
    CHECK_STR(c->source_version, "5.2.15-2+b2");
  }
  done(&p);
}

static void test_status_filter(void) {
  const char *db = "Package: a\nStatus: install ok installed\nVersion: 1\n\n"
                   "Package: b\nStatus: deinstall ok config-files\nVersion: 2\n\n"
                   "Package: c\nStatus: hold ok installed\nVersion: 3\n\n"
                   "Package: d\nStatus: install reinstreq half-installed\nVersion: 4\n\n"
                   "Package: e\nStatus: purge ok not-installed\n\n"
                   "Package: f\nVersion: 6\n\n"
                   "Package: g\nStatus: install ok unpacked\nVersion: 7\n";
  parsed p;
  parse_str(&p, db, STATUS);
  CHECK(p.rc == 0);
  /* the real status file: only "installed"; a stanza without Status is not installed */
  CHECK(bw_pkglist_len(&p.list) == 2);
  if (bw_pkglist_len(&p.list) == 2) {
    CHECK_STR(pkg(&p, 0)->name, "a");
    CHECK_STR(pkg(&p, 1)->name, "c");
  }
  done(&p);
  /* status.d: no Status line means installed (distroless writes none) */
  parse_str(&p, db, STATUSD);
  CHECK(p.rc == 0);
  CHECK(bw_pkglist_len(&p.list) == 3);
  if (bw_pkglist_len(&p.list) == 3) CHECK_STR(pkg(&p, 2)->name, "f");
  done(&p);
  /* no path at all (direct callers): like status.d */
  parse_str(&p, db, NULL);
  CHECK(p.rc == 0 && bw_pkglist_len(&p.list) == 3);
  if (pkg(&p, 0)) CHECK(pkg(&p, 0)->path == NULL);
  done(&p);
  /* Status with extra spaces/tabs between words */
  parse_str(&p, "Package: t\nStatus:  install\tok   installed  \nVersion: 1\n", STATUS);
  CHECK(p.rc == 0 && bw_pkglist_len(&p.list) == 1);
  done(&p);
}

static void test_missing_fields_skipped(void) {
  parsed p;
  parse_str(&p,
            "Package:\n\n"
            "Package: no-version\nStatus: install ok installed\n\n"
            "Version: 1.0\nStatus: install ok installed\n\n"
            "Package: ok\nVersion: 1.0\nStatus: install ok installed\n",
            STATUS);
  CHECK(p.rc == 0);
  CHECK(bw_pkglist_len(&p.list) == 1);
  if (pkg(&p, 0)) CHECK_STR(pkg(&p, 0)->name, "ok");
  done(&p);
}

static void test_continuations_and_separators(void) {
  parsed p;
  parse_str(&p,
            "\n\n"
            "Package: util-linux\n"
            "Conffiles:\n"
            " /etc/default/hwclock 3916544450533eca69131f894db0ca12\n"
            "\t/etc/pam.d/su ce6dcfda3b190a27a455bb38a45ff34a\n"
            "Version: 2.38.1-5+b1\n"
            "Description: misc\n"
            " .\n"
            "  * indented\n"
            "Architecture:   arm64  \n"
            " \t \n" /* whitespace-only line: a stanza separator */
            "package: lower\n"      /* field names are case-insensitive */
            "VERSION: 2\n"
            "\n\n\n",
            STATUSD);
  CHECK(p.rc == 0);
  CHECK(bw_pkglist_len(&p.list) == 2);
  if (bw_pkglist_len(&p.list) == 2) {
    CHECK_STR(pkg(&p, 0)->version, "2.38.1-5+b1");
    CHECK_STR(pkg(&p, 0)->arch, "arm64");
    CHECK_STR(pkg(&p, 1)->name, "lower");
    CHECK_STR(pkg(&p, 1)->version, "2");
    CHECK(pkg(&p, 1)->arch == NULL);
    CHECK(pkg(&p, 1)->maintainer == NULL);
  }
  done(&p);
}

static void test_crlf_and_no_trailing_newline(void) {
  parsed p;
  parse_str(&p,
            "Package: a\r\nStatus: install ok installed\r\nVersion: 1.0-1\r\nSource: src (1.0-0)\r\n"
            "Description: x\r\n y\r\n\r\n"
            "Package: b\r\nStatus: install ok installed\r\nVersion: 2.0",
            STATUS);
  CHECK(p.rc == 0);
  CHECK(bw_pkglist_len(&p.list) == 2);
  if (bw_pkglist_len(&p.list) == 2) {
    CHECK_STR(pkg(&p, 0)->version, "1.0-1");
    CHECK_STR(pkg(&p, 0)->source_version, "1.0-0");
    CHECK_STR(pkg(&p, 1)->name, "b");
    CHECK_STR(pkg(&p, 1)->version, "2.0"); /* last stanza, no newline at all */
  }
  done(&p);
}

static void test_source_forms(void) {
  parsed p;
  parse_str(&p,
            "Package: a\nVersion: 1\nSource: s1 (  2:3.4-5  )\n\n"
            "Package: b\nVersion: 1\nSource: s2(9)\n\n"
            "Package: c\nVersion: 1\nSource: s3 (7.0\n\n" /* unterminated: take the rest */
            "Package: d\nVersion: 1\nSource: s4 ()\n\n"
            "Package: e\nVersion: 1\nSource:\n",
            STATUSD);
  CHECK(p.rc == 0 && bw_pkglist_len(&p.list) == 5);
  if (bw_pkglist_len(&p.list) == 5) {
    CHECK_STR(pkg(&p, 0)->source_name, "s1");
    CHECK_STR(pkg(&p, 0)->source_version, "2:3.4-5");
    CHECK_STR(pkg(&p, 1)->source_name, "s2");
    CHECK_STR(pkg(&p, 1)->source_version, "9");
    CHECK_STR(pkg(&p, 2)->source_version, "7.0");
    CHECK_STR(pkg(&p, 3)->source_name, "s4");
    CHECK_STR(pkg(&p, 3)->source_version, "1");
    CHECK_STR(pkg(&p, 4)->source_name, "e");
  }
  done(&p);
}

/* Rejections leave the caller's list as it was. */
static void check_rejected(const char *text, size_t len, int code, const char *what) {
  parsed p;
  memset(&p, 0, sizeof p);
  p.arena = bw_arena_new();
  bw_pkglist_init(&p.list);
  bw_error e = {0};
  bw_package *pre = bw_pkglist_add(&p.list, &e);
  if (pre) pre->name = "pre-existing";
  bw_analyze_out out = {.arena = p.arena, .packages = &p.list, .path = STATUS};
  p.rc = bw_dpkg_parse((const uint8_t *)text, len, &out, &p.err);
  if (p.rc != -code) fprintf(stderr, "%s: rc %d (%s)\n", what, p.rc, p.err.msg);
  CHECK(p.rc == -code);
  CHECK(p.err.code == code);
  CHECK(p.err.msg[0] != '\0');
  CHECK(bw_pkglist_len(&p.list) == 1);
  done(&p);
}

static void test_rejections(void) {
  static const char nul[] = "Package: a\nStatus: install ok installed\nVersion: 1\n\nPackage: b\0c\nVersion: 1\n";
  check_rejected(nul, sizeof nul - 1, BW_ECORRUPT, "NUL byte");
  const char *bad = "Package: a\nStatus: install ok installed\nVersion: 1\n\nthis line has no colon\n";
  check_rejected(bad, strlen(bad), BW_ECORRUPT, "no colon");
  const char *cont = " leading continuation\nPackage: a\n";
  check_rejected(cont, strlen(cont), BW_ECORRUPT, "continuation first");
  const char *cont2 = "Package: a\nVersion: 1\n\n continuation after a blank line\n";
  check_rejected(cont2, strlen(cont2), BW_ECORRUPT, "continuation after blank");
  const char *dup = "Package: a\nStatus: install ok installed\nVersion: 1\nVersion: 99\n";
  check_rejected(dup, strlen(dup), BW_ECORRUPT, "duplicate Version");
  const char *empty_name = ": value\n";
  check_rejected(empty_name, strlen(empty_name), BW_ECORRUPT, "empty field name");

  /* one huge field: a single line, then a field made of many continuation lines */
  size_t big = BW_LIMIT_FIELD_BYTES + 100;
  char *buf = malloc(big + 64);
  if (!buf) return;
  size_t n = (size_t)snprintf(buf, 64, "Package: a\nVersion: 1\nDescription: ");
  memset(buf + n, 'x', big - n);
  buf[big] = '\n';
  check_rejected(buf, big + 1, BW_ELIMIT, "huge line");
  n = (size_t)snprintf(buf, 64, "Package: a\nVersion: 1\nDescription: d\n");
  for (size_t i = n; i < big; i++) buf[i] = (i - n) % 64 == 0 ? ' ' : ((i - n) % 64 == 63 ? '\n' : 'y');
  buf[big] = '\n';
  check_rejected(buf, big + 1, BW_ELIMIT, "huge continued field");
  free(buf);
}

static void test_empty(void) {
  parsed p;
  parse_path(&p, "", 0, STATUS);
  CHECK(p.rc == 0 && bw_pkglist_len(&p.list) == 0);
  done(&p);
  parse_str(&p, "\n\n \n", STATUS);
  CHECK(p.rc == 0 && bw_pkglist_len(&p.list) == 0);
  done(&p);
}

static void test_wants_and_registry(void) {
  CHECK(bw_analyzer_dpkg.wants("var/lib/dpkg/status"));
  CHECK(!bw_analyzer_dpkg.wants("var/lib/dpkg/status-old"));
  CHECK(!bw_analyzer_dpkg.wants("var/lib/dpkg/status.d/base"));
  CHECK(!bw_analyzer_dpkg.wants("usr/var/lib/dpkg/status"));
  CHECK(bw_analyzer_dpkg_statusd.wants("var/lib/dpkg/status.d/libsqlite3-0"));
  CHECK(bw_analyzer_dpkg_statusd.wants("var/lib/dpkg/status.d/libbz2-1.0")); /* dotted name */
  CHECK(bw_analyzer_dpkg_statusd.wants("var/lib/dpkg/status.d/base"));
  CHECK(!bw_analyzer_dpkg_statusd.wants("var/lib/dpkg/status.d/libsqlite3-0.md5sums"));
  CHECK(!bw_analyzer_dpkg_statusd.wants("var/lib/dpkg/status.d/tzdata.list"));
  CHECK(!bw_analyzer_dpkg_statusd.wants("var/lib/dpkg/status.d/tzdata.conffiles"));
  CHECK(!bw_analyzer_dpkg_statusd.wants("var/lib/dpkg/status.d/.hidden"));
  CHECK(!bw_analyzer_dpkg_statusd.wants("var/lib/dpkg/status.d/"));
  CHECK(!bw_analyzer_dpkg_statusd.wants("var/lib/dpkg/status.d/sub/x"));
  CHECK(!bw_analyzer_dpkg_statusd.wants("var/lib/dpkg/status"));
  CHECK(bw_analyzer_dpkg.max_bytes == BW_LIMIT_TEXTDB_BYTES);
  CHECK(bw_analyzer_dpkg_statusd.parse == bw_dpkg_parse);

  int seen_dpkg = 0, seen_statusd = 0, seen_apk = 0;
  size_t i = 0;
  for (; bw_analyzers[i]; i++) {
    seen_dpkg += bw_analyzers[i] == &bw_analyzer_dpkg;
    seen_statusd += bw_analyzers[i] == &bw_analyzer_dpkg_statusd;
    seen_apk += bw_analyzers[i] == &bw_analyzer_apk;
    CHECK(bw_analyzers[i]->name && bw_analyzers[i]->wants && bw_analyzers[i]->parse);
  }
  CHECK(seen_dpkg == 1 && seen_statusd == 1 && seen_apk == 1);
}

/* ---- shared fixtures ------------------------------------------------------------------- */

/* Splits s at tabs into at most max fields (in place); returns the count. */
static size_t split_tabs(char *s, char **f, size_t max) {
  size_t n = 0;
  f[n++] = s;
  for (char *p = s; *p && n < max; p++)
    if (*p == '\t') {
      *p = 0;
      f[n++] = p + 1;
    }
  return n;
}

/* Trivy splits a Debian version into epoch / version / release. */
static void join_version(char *out, size_t cap, const char *epoch, const char *ver, const char *rel) {
  snprintf(out, cap, "%s%s%s%s%s", epoch, *epoch ? ":" : "", ver, *rel ? "-" : "", rel);
}

static void check_fixture(const char *dir, const char *name) {
  char fpath[4096], tpath[4096];
  snprintf(fpath, sizeof fpath, "%s/%s", dir, name);
  snprintf(tpath, sizeof tpath, "%s/%s.expected.tsv", dir, name);
  size_t flen = 0, tlen = 0;
  unsigned char *data = test_read_file(fpath, &flen);
  char *tsv = (char *)test_read_file(tpath, &tlen);
  if (!data || !tsv) {
    fprintf(stderr, "%s: cannot read fixture or its TSV\n", name);
    CHECK(0);
    free(data);
    free(tsv);
    return;
  }
  /* the image path this file would have */
  char ipath[512];
  const char *sd = strstr(name, "status.d__");
  if (sd)
    snprintf(ipath, sizeof ipath, "var/lib/dpkg/status.d/%s", sd + strlen("status.d__"));
  else
    snprintf(ipath, sizeof ipath, "var/lib/dpkg/status");
  CHECK(sd ? bw_analyzer_dpkg_statusd.wants(ipath) : bw_analyzer_dpkg.wants(ipath));

  parsed p;
  parse_path(&p, (const char *)data, flen, ipath);
  if (p.rc) fprintf(stderr, "%s: %s\n", name, p.err.msg);
  CHECK(p.rc == 0);

  char *save = NULL, *line = strtok_r(tsv, "\n", &save);
  char *hdr[16];
  size_t nh = line ? split_tabs(line, hdr, 16) : 0;
  bool trivy = nh >= 10 && strcmp(hdr[1], "epoch") == 0;
  size_t got = 0, rows = 0, skipped = 0;
  static unsigned char used[4096];
  memset(used, 0, sizeof used);
  while ((line = strtok_r(NULL, "\n", &save))) {
    char *f[16];
    size_t nf = split_tabs(line, f, 16);
    rows++;
    char ename[256], ever[256], earch[64], esrc[256], esrcver[256];
    if (trivy) {
      if (nf < 10) { CHECK(0); continue; }
      snprintf(ename, sizeof ename, "%s", f[0]);
      join_version(ever, sizeof ever, f[1], f[2], f[3]);
      snprintf(earch, sizeof earch, "%s", f[4]);
      snprintf(esrc, sizeof esrc, "%s", f[5]);
      join_version(esrcver, sizeof esrcver, f[6], f[7], f[8]);
    } else {
      if (nf < 5) { CHECK(0); continue; }
      snprintf(ename, sizeof ename, "%s", f[0]);
      snprintf(ever, sizeof ever, "%s", f[1]);
      snprintf(earch, sizeof earch, "%s", f[2]);
      /* syft and osv-scalibr leave source / source_version empty when they equal the
       * package's own name / version, which is what we fill in */
      snprintf(esrc, sizeof esrc, "%s", *f[3] ? f[3] : f[0]);
      snprintf(esrcver, sizeof esrcver, "%s", *f[4] ? f[4] : f[1]);
    }
    if (!*ever) {
      /* syft lists a stanza that has a Package but no Version ("no-version" in status.d
       * "multiple"); we skip those by design, like Trivy: a versionless package can be
       * matched against nothing. */
      skipped++;
      continue;
    }
    /* order-insensitive: Trivy lists packages sorted, the others in file order */
    const bw_package *g = NULL;
    for (size_t i = 0; i < bw_pkglist_len(&p.list) && i < sizeof used && !g; i++) {
      const bw_package *c = pkg(&p, i);
      if (!used[i] && strcmp(c->name, ename) == 0 && strcmp(c->version, ever) == 0 &&
          strcmp(c->arch ? c->arch : "", earch) == 0) {
        used[i] = 1;
        g = c;
      }
    }
    got++;
    if (!g) {
      fprintf(stderr, "%s: missing %s %s\n", name, ename, ever);
      CHECK(0);
      continue;
    }
    CHECK_STR(g->name, ename);
    CHECK_STR(g->version, ever);
    CHECK_STR(g->arch ? g->arch : "", earch);
    CHECK_STR(g->source_name, esrc);
    CHECK_STR(g->source_version, esrcver);
    CHECK(g->type == BW_PKG_DEB && g->licenses == NULL);
  }
  if (got != bw_pkglist_len(&p.list))
    fprintf(stderr, "%s: parsed %zu packages, expected %zu\n", name, bw_pkglist_len(&p.list), got);
  CHECK(got == bw_pkglist_len(&p.list));
  CHECK(rows > 0);
  printf("fixture %s: %zu rows, %zu matched, %zu skipped (no Version)\n", name, rows, got, skipped);
  done(&p);
  free(data);
  free(tsv);
}

static void test_fixtures(void) {
  const char *root = getenv("BW_SHARED_DATA");
  if (!root || !*root) root = BW_SHARED_DATA;
  char dir[2048];
  snprintf(dir, sizeof dir, "%s/fixtures/dpkg", root);
  DIR *d = opendir(dir);
  if (!d) {
    SKIP("no dpkg fixtures at %s (shared data missing)", dir);
    return;
  }
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    static const char suf[] = ".expected.tsv";
    if (l <= sizeof suf - 1 || strcmp(e->d_name + l - (sizeof suf - 1), suf) != 0) continue;
    char name[1024];
    snprintf(name, sizeof name, "%.*s", (int)(l - (sizeof suf - 1)), e->d_name);
    check_fixture(dir, name);
    n++;
  }
  closedir(d);
  CHECK(n >= 7);

  /* the .md5sums companion is not offered to the parser */
  CHECK(!bw_analyzer_dpkg_statusd.wants("var/lib/dpkg/status.d/libsqlite3-0.md5sums"));
}

int main(void) {
  test_basic_and_source();
  test_status_filter();
  test_missing_fields_skipped();
  test_continuations_and_separators();
  test_crlf_and_no_trailing_newline();
  test_source_forms();
  test_rejections();
  test_empty();
  test_wants_and_registry();
  test_fixtures();
  return test_finish();
}
