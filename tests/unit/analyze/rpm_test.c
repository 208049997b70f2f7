/* rpm analyser tests: every shared rpm fixture against its expected list, then synthetic and
 * hostile inputs built here (header blobs, BDB hash files in both byte orders, NDB, SQLite). */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "analyze/analyzer.h"
#include "analyze/rpm_header.h"
#include "base/limits.h"
#include "unit/test.h"

#define FIXTURES BW_SHARED_DATA "/fixtures/rpm/"

/* ---------- running a parser ---------- */

typedef struct run {
  bw_arena *arena;
  bw_pkglist pkgs;
  bw_error err;
  int rc;
} run;

static void run_parse(run *r, int (*parse)(const uint8_t *, size_t, bw_analyze_out *, bw_error *),
                      const uint8_t *buf, size_t len) {
  memset(r, 0, sizeof *r);
  r->arena = bw_arena_new();
  bw_pkglist_init(&r->pkgs);
  bw_analyze_out out = {.arena = r->arena, .packages = &r->pkgs, .path = "x"};
  r->rc = parse(buf, len, &out, &r->err);
}

static void run_free(run *r) {
  bw_pkglist_dispose(&r->pkgs);
  bw_arena_free(r->arena);
}

static const bw_package *find_pkg(const run *r, const char *name) {
  for (size_t i = 0; i < bw_pkglist_len(&r->pkgs); i++)
    if (strcmp(bw_pkglist_at(&r->pkgs, i)->name, name) == 0) return bw_pkglist_at(&r->pkgs, i);
  return NULL;
}

/* ---------- fixtures against their TSV lists ---------- */

typedef struct row {
  char *f[8]; /* name epoch version release arch source_rpm license, then a spare */
} row;

/* Splits a line on tabs in place. */
static size_t split_tabs(char *line, char **f, size_t max) {
  size_t n = 0;
  f[n++] = line;
  for (char *p = line; *p && n < max; p++) {
    if (*p == '\t') {
      *p = 0;
      f[n++] = p + 1;
    }
  }
  return n;
}

/* Reads a TSV into rows of the 7 columns we compare, mapped by the header row's names. Returns the
 * row count, or -1 when the file is missing. The rows point into *text (caller frees both). */
static long read_tsv(const char *path, char **text, row **rows) {
  size_t len;
  char *t = (char *)test_read_file(path, &len);
  if (!t) return -1;
  static const char *cols[7] = {"name", "epoch", "version", "release", "arch", "source_rpm", "license"};
  int map[7];
  size_t nlines = 0;
  for (size_t i = 0; i < len; i++) nlines += t[i] == '\n';
  row *rs = calloc(nlines + 1, sizeof *rs);
  long n = -2;
  char *save = t;
  for (char *line = t; line && *line;) {
    char *nl = strchr(line, '\n');
    if (nl) *nl = 0;
    char *f[16];
    size_t nf = split_tabs(line, f, 16);
    if (n == -2) { /* header row */
      for (int c = 0; c < 7; c++) {
        map[c] = -1;
        for (size_t k = 0; k < nf; k++)
          if (strcmp(f[k], cols[c]) == 0) map[c] = (int)k;
      }
      n = 0;
    } else {
      for (int c = 0; c < 7; c++) rs[n].f[c] = map[c] >= 0 && (size_t)map[c] < nf ? f[map[c]] : "";
      n++;
    }
    line = nl ? nl + 1 : NULL;
  }
  *text = save;
  *rows = rs;
  return n < 0 ? 0 : n;
}

/* The source name and [epoch:]version-release a source rpm file name stands for, derived here
 * independently of the analyser: drop ".<arch>.rpm", then the version starts after the
 * second-to-last '-'. */
static void expected_source(const row *w, char *name, char *ver, size_t cap) {
  name[0] = ver[0] = 0;
  const char *s = w->f[5];
  size_t n = strlen(s);
  if (!n || strcmp(s, "(none)") == 0) return;
  const char *sfx[] = {".src.rpm", ".nosrc.rpm"};
  for (int i = 0; i < 2; i++) {
    size_t k = strlen(sfx[i]);
    if (n > k && strcmp(s + n - k, sfx[i]) == 0) {
      n -= k;
      break;
    }
  }
  int dashes = 0;
  size_t cut = 0;
  for (size_t i = n; i-- > 0;) {
    if (s[i] == '-' && ++dashes == 2) {
      cut = i;
      break;
    }
  }
  if (dashes < 2) return;
  snprintf(name, cap, "%.*s", (int)cut, s);
  const char *ep = w->f[1];
  bool has_epoch = *ep && strcmp(ep, "0") != 0;
  snprintf(ver, cap, "%s%s%.*s", has_epoch ? ep : "", has_epoch ? ":" : "", (int)(n - cut - 1), s + cut + 1);
}

/* Compares one package with one expected row; prints the first difference. */
static bool same_pkg(const bw_package *p, const row *w, bool quiet) {
  char epoch[16] = "", vfull[512], sname[256], sver[256];
  if (p->epoch >= 0) snprintf(epoch, sizeof epoch, "%d", p->epoch);
  bool has_epoch = w->f[1][0] && strcmp(w->f[1], "0") != 0;
  snprintf(vfull, sizeof vfull, "%s%s%s-%s", has_epoch ? w->f[1] : "", has_epoch ? ":" : "", w->f[2], w->f[3]);
  expected_source(w, sname, sver, sizeof sname);
  const char *got[] = {p->name, epoch, p->rpm_version, p->rpm_release, p->arch, p->licenses,
                       p->version, p->source_name, p->source_version};
  const char *want[] = {w->f[0], w->f[1], w->f[2], w->f[3], w->f[4], w->f[6], vfull, sname, sver};
  static const char *what[] = {"name", "epoch", "version", "release", "arch", "license",
                               "full version", "source name", "source version"};
  for (size_t i = 0; i < sizeof got / sizeof got[0]; i++) {
    const char *g = got[i] ? got[i] : "";
    if (strcmp(g, want[i]) != 0) {
      if (!quiet) fprintf(stderr, "  %s: %s = \"%s\", want \"%s\"\n", w->f[0], what[i], g, want[i]);
      return false;
    }
  }
  return p->type == BW_PKG_RPM;
}

/* Parses fixture `file` with `parse` and checks the result is exactly the TSV list, in order. */
static void check_fixture(const char *file, const char *tsv,
                          int (*parse)(const uint8_t *, size_t, bw_analyze_out *, bw_error *)) {
  char path[1024], tpath[1024];
  snprintf(path, sizeof path, FIXTURES "%s", file);
  snprintf(tpath, sizeof tpath, FIXTURES "%s", tsv);
  size_t len;
  uint8_t *buf = test_read_file(path, &len);
  char *text = NULL;
  row *rows = NULL;
  long n = read_tsv(tpath, &text, &rows);
  if (!buf || n < 0) {
    SKIP("%s: shared fixture missing (BW_SHARED_DATA=%s)", file, BW_SHARED_DATA);
    free(buf);
    free(text);
    free(rows);
    return;
  }
  run r;
  run_parse(&r, parse, buf, len);
  if (r.rc) fprintf(stderr, "%s: %s\n", file, r.err.msg);
  CHECK(r.rc == 0);
  size_t got = bw_pkglist_len(&r.pkgs);
  if (got != (size_t)n) fprintf(stderr, "%s: %zu packages, want %ld\n", file, got, n);
  CHECK(got == (size_t)n);
  size_t bad = 0;
  for (size_t i = 0; i < got && i < (size_t)n; i++) bad += !same_pkg(bw_pkglist_at(&r.pkgs, i), &rows[i], bad > 3);
  if (bad) fprintf(stderr, "%s: %zu packages differ from %s\n", file, bad, tsv);
  CHECK(bad == 0);
  run_free(&r);
  free(buf);
  free(text);
  free(rows);
}

static void test_fixtures(void) {
  static const char *dbs[] = {
      "go-rpmdb__pkg__testdata__centos5-plain__Packages",
      "go-rpmdb__pkg__testdata__centos7-plain__Packages",
      "go-rpmdb__pkg__testdata__libuuid__Packages",
      "syft__syft__pkg__cataloger__redhat__testdata__Packages",
      "osv-scalibr__extractor__filesystem__os__rpm__testdata__Packages_epoch",
      "go-rpmdb__pkg__testdata__sle15-bci__Packages.db",
  };
  char tsv[512];
  for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
    snprintf(tsv, sizeof tsv, "%s.expected.tsv", dbs[i]);
    check_fixture(dbs[i], tsv, bw_rpmdb_parse);
  }
  /* CBL-Mariner SQLite: the full rpm -qa list, and the one row go-rpmdb's own test asserts. */
  const char *mariner = "go-rpmdb__pkg__testdata__cbl-mariner-2.0__rpmdb.sqlite";
  snprintf(tsv, sizeof tsv, "%s.rpm-qa.tsv", mariner);
  check_fixture(mariner, tsv, bw_rpmdb_parse);
  char path[1024], tpath[1024];
  snprintf(path, sizeof path, FIXTURES "%s", mariner);
  snprintf(tpath, sizeof tpath, FIXTURES "%s.expected.tsv", mariner);
  size_t len;
  uint8_t *buf = test_read_file(path, &len);
  char *text = NULL;
  row *rows = NULL;
  long n = read_tsv(tpath, &text, &rows);
  if (buf && n == 1) {
    run r;
    run_parse(&r, bw_rpmdb_parse, buf, len);
    const bw_package *curl = find_pkg(&r, rows[0].f[0]);
    CHECK(curl && same_pkg(curl, &rows[0], false));
    CHECK_STR(curl ? curl->maintainer : NULL, "Microsoft Corporation");
    run_free(&r);
  } else {
    SKIP("%s: shared fixture missing", mariner);
  }
  free(buf);
  free(text);
  free(rows);

  check_fixture("syft__syft__pkg__cataloger__redhat__testdata__container-manifest-2",
                "syft__syft__pkg__cataloger__redhat__testdata__container-manifest-2.expected.tsv",
                bw_rpm_manifest_parse);
}

/* ---------- header blob builder ---------- */

enum { T_INT32 = 4, T_STRING = 6, T_BIN = 7, T_STRING_ARRAY = 8, T_I18N = 9 };

typedef struct hb {
  uint8_t idx[64 * 16], data[8192];
  uint32_t il, dl;
} hb;

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static void hb_entry(hb *h, uint32_t tag, uint32_t type, uint32_t off, uint32_t count) {
  uint8_t *e = h->idx + 16 * h->il++;
  put32(e, tag);
  put32(e + 4, type);
  put32(e + 8, off);
  put32(e + 12, count);
}

static void hb_str(hb *h, uint32_t tag, const char *s) {
  size_t n = strlen(s) + 1;
  hb_entry(h, tag, T_STRING, h->dl, 1);
  memcpy(h->data + h->dl, s, n);
  h->dl += (uint32_t)n;
}

static void hb_i32(hb *h, uint32_t tag, uint32_t v) {
  while (h->dl % 4) h->data[h->dl++] = 0;
  hb_entry(h, tag, T_INT32, h->dl, 1);
  put32(h->data + h->dl, v);
  h->dl += 4;
}

/* Starts a header with an immutable region tag (its trailer is written by hb_close_region). */
static void hb_open_region(hb *h) { hb_entry(h, 63, T_BIN, 0, 16); }

static void hb_close_region(hb *h) {
  put32(h->idx + 8, h->dl); /* the region tag points to the trailer at the end of its data */
  uint8_t *t = h->data + h->dl;
  put32(t, 63);
  put32(t + 4, T_BIN);
  put32(t + 8, (uint32_t)-(int32_t)(16 * h->il));
  put32(t + 12, 16);
  h->dl += 16;
}

/* Serialises into out (il, dl, index, data); returns the length. */
static size_t hb_blob(const hb *h, uint8_t *out) {
  put32(out, h->il);
  put32(out + 4, h->dl);
  memcpy(out + 8, h->idx, 16 * h->il);
  memcpy(out + 8 + 16 * h->il, h->data, h->dl);
  return 8 + 16 * h->il + h->dl;
}

/* A typical package header inside a region; epoch < 0 = no EPOCH tag. */
static size_t make_pkg(uint8_t *out, const char *name, int epoch, const char *ver, const char *rel,
                       const char *srpm) {
  hb h = {0};
  hb_open_region(&h);
  hb_str(&h, 1000, name);
  hb_str(&h, 1001, ver);
  hb_str(&h, 1002, rel);
  if (epoch >= 0) hb_i32(&h, 1003, (uint32_t)epoch);
  hb_str(&h, 1011, "Bulwark Test Vendor");
  hb_str(&h, 1014, "MIT AND BSD-3-Clause");
  hb_str(&h, 1022, "x86_64");
  if (srpm) hb_str(&h, 1044, srpm);
  hb_close_region(&h);
  return hb_blob(&h, out);
}

static int parse_hdr(const uint8_t *b, size_t n, bw_rpm_header *out, bw_arena *a) {
  bw_error err = {0};
  int rc = bw_rpm_header_parse(b, n, a, out, &err);
  if (rc && !err.code) fprintf(stderr, "error code not set\n");
  return rc;
}

static void test_header(void) {
  bw_arena *a = bw_arena_new();
  uint8_t b[16384];
  bw_rpm_header h;
  size_t n = make_pkg(b, "bash", 2, "4.2.46", "34.el7", "bash-4.2.46-34.el7.src.rpm");
  CHECK(parse_hdr(b, n, &h, a) == 0);
  CHECK_STR(h.name, "bash");
  CHECK_STR(h.version, "4.2.46");
  CHECK_STR(h.release, "34.el7");
  CHECK(h.epoch == 2);
  CHECK_STR(h.arch, "x86_64");
  CHECK_STR(h.license, "MIT AND BSD-3-Clause");
  CHECK_STR(h.vendor, "Bulwark Test Vendor");
  CHECK_STR(h.sourcerpm, "bash-4.2.46-34.el7.src.rpm");

  /* No EPOCH tag, no region (legacy header), I18N and string-array strings. */
  hb x = {0};
  hb_str(&x, 1000, "legacy");
  hb_entry(&x, 1014, T_I18N, x.dl, 2);
  memcpy(x.data + x.dl, "GPL\0GPL-de", 11);
  x.dl += 11;
  hb_entry(&x, 1011, T_STRING_ARRAY, x.dl, 2);
  memcpy(x.data + x.dl, "V1\0V2", 6);
  x.dl += 6;
  n = hb_blob(&x, b);
  CHECK(parse_hdr(b, n, &h, a) == 0);
  CHECK(h.epoch == -1);
  CHECK_STR(h.license, "GPL");
  CHECK_STR(h.vendor, "V1");
  CHECK(h.version == NULL);

  /* A dribble entry after the region replaces the region's entry. */
  hb d = {0};
  hb_open_region(&d);
  hb_str(&d, 1000, "old");
  hb_close_region(&d);
  hb_str(&d, 1000, "new");
  n = hb_blob(&d, b);
  CHECK(parse_hdr(b, n, &h, a) == 0);
  CHECK_STR(h.name, "new");

  /* Trailing bytes after the data store are ignored. */
  n = make_pkg(b, "t", -1, "1", "1", NULL);
  CHECK(parse_hdr(b, n + 7, &h, a) == 0);

  /* Truncations at every length fail cleanly. */
  int all_fail = 1;
  for (size_t k = 0; k < n; k++) all_fail &= parse_hdr(b, k, &h, a) == -BW_ECORRUPT;
  CHECK(all_fail);

  /* Huge index count / data length: limits, before anything is read. */
  uint8_t big[8] = {0};
  put32(big, 0x7fffffff);
  put32(big + 4, 16);
  CHECK(parse_hdr(big, sizeof big, &h, a) == -BW_ELIMIT);
  put32(big, 1);
  put32(big + 4, 0xfffffff0u);
  CHECK(parse_hdr(big, sizeof big, &h, a) == -BW_ELIMIT);
  put32(big, 0);
  put32(big + 4, 0);
  CHECK(parse_hdr(big, sizeof big, &h, a) == -BW_ECORRUPT);

  /* An offset past the data store. */
  n = make_pkg(b, "off", -1, "1", "1", NULL);
  put32(b + 8 + 16 + 8, 1u << 20); /* entry 1 (NAME) offset */
  CHECK(parse_hdr(b, n, &h, a) == -BW_ECORRUPT);
  put32(b + 8 + 16 + 8, 0xfffffff0u); /* negative offset */
  CHECK(parse_hdr(b, n, &h, a) == -BW_ECORRUPT);

  /* A string without its NUL at the end of the data store. */
  hb u = {0};
  hb_entry(&u, 1000, T_STRING, 0, 1);
  memcpy(u.data, "abc", 3);
  u.dl = 3;
  n = hb_blob(&u, b);
  CHECK(parse_hdr(b, n, &h, a) == -BW_ECORRUPT);

  /* NAME with a non-string type, STRING with count 2, EPOCH misaligned or past the end. */
  hb t = {0};
  hb_i32(&t, 1000, 5);
  n = hb_blob(&t, b);
  CHECK(parse_hdr(b, n, &h, a) == -BW_ECORRUPT);
  hb c2 = {0};
  hb_str(&c2, 1000, "x");
  put32(c2.idx + 12, 2);
  n = hb_blob(&c2, b);
  CHECK(parse_hdr(b, n, &h, a) == -BW_ECORRUPT);
  hb m = {0};
  hb_str(&m, 1000, "x"); /* 2 bytes, so the next INT32 would need padding */
  hb_entry(&m, 1003, T_INT32, 2, 1);
  m.dl = 8;
  n = hb_blob(&m, b);
  CHECK(parse_hdr(b, n, &h, a) == -BW_ECORRUPT);
  hb p = {0};
  hb_i32(&p, 1003, 1);
  p.dl = 2; /* the value's 4 bytes are no longer inside the data store */
  n = hb_blob(&p, b);
  CHECK(parse_hdr(b, n, &h, a) == -BW_ECORRUPT);
  hb neg = {0};
  hb_i32(&neg, 1003, 0x80000000u);
  n = hb_blob(&neg, b);
  CHECK(parse_hdr(b, n, &h, a) == -BW_ECORRUPT);

  /* Broken regions: trailer outside the data, wrong trailer tag, region larger than the index. */
  n = make_pkg(b, "r", -1, "1", "1", NULL);
  uint8_t save[16384];
  memcpy(save, b, n);
  put32(b + 8 + 8, 1u << 24);
  CHECK(parse_hdr(b, n, &h, a) == -BW_ECORRUPT);
  memcpy(b, save, n);
  uint32_t ril = (uint32_t)b[3], rdl = (uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7];
  uint8_t *trailer = b + 8 + 16 * ril + rdl - 16;
  put32(trailer, 62);
  CHECK(parse_hdr(b, n, &h, a) == -BW_ECORRUPT);
  memcpy(b, save, n);
  put32(trailer + 8, (uint32_t)-(int32_t)(16 * (ril + 1)));
  CHECK(parse_hdr(b, n, &h, a) == -BW_ECORRUPT);
  memcpy(b, save, n);
  put32(trailer + 8, 16);
  CHECK(parse_hdr(b, n, &h, a) == -BW_ECORRUPT);

  /* A reserved tag number outside the first entry, an unknown type. */
  memcpy(b, save, n);
  put32(b + 8 + 16, 50);
  CHECK(parse_hdr(b, n, &h, a) == -BW_ECORRUPT);
  memcpy(b, save, n);
  put32(b + 8 + 16 + 4, 10);
  CHECK(parse_hdr(b, n, &h, a) == -BW_ECORRUPT);
  bw_arena_free(a);
}

/* ---------- packages from headers ---------- */

/* A minimal NDB file holding the given blobs (see src/analyze/rpm_ndb.c for the layout). */
static void le32put(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static size_t make_ndb(uint8_t *out, size_t cap, const uint8_t *const *blobs, const size_t *lens, size_t n) {
  memset(out, 0, cap);
  memcpy(out, "RpmP", 4);
  le32put(out + 12, 1); /* one slot page */
  size_t pos = 4096;
  for (size_t i = 0; i < 254; i++) memcpy(out + 32 + 16 * i, "Slot", 4);
  for (size_t i = 0; i < n; i++) {
    uint8_t *s = out + 32 + 16 * i;
    size_t blocks = (16 + lens[i] + 12 + 15) / 16;
    le32put(s + 4, (uint32_t)i + 1);
    le32put(s + 8, (uint32_t)(pos / 16));
    le32put(s + 12, (uint32_t)blocks);
    uint8_t *b = out + pos;
    memcpy(b, "BlbS", 4);
    le32put(b + 4, (uint32_t)i + 1);
    le32put(b + 12, (uint32_t)lens[i]);
    memcpy(b + 16, blobs[i], lens[i]);
    memcpy(b + blocks * 16 - 4, "BlbE", 4);
    pos += blocks * 16;
  }
  return pos;
}

static void test_packages(void) {
  uint8_t b1[4096], b2[4096], b3[4096], b4[4096], b5[64];
  size_t l1 = make_pkg(b1, "bash", -1, "4.2.46", "34.el7", "bash-4.2.46-34.el7.src.rpm");
  size_t l2 = make_pkg(b2, "vim-minimal", 2, "7.4.160", "4.el7", "vim-7.4.160-4.el7.src.rpm");
  size_t l3 = make_pkg(b3, "gpg-pubkey", -1, "f4a80eb5", "53a7ff4b", "(none)");
  size_t l4 = make_pkg(b4, "zero", 0, "1.0", "1", "(none)");
  static const uint8_t junk[17] = {0, 0, 0, 1, 0, 0, 0, 0, 'g', 'a', 'r', 'b', 'a', 'g', 'e', '!', '!'};
  memcpy(b5, junk, sizeof junk); /* 1 entry announced, 17 bytes: not a header, skipped */
  const uint8_t *blobs[] = {b1, b2, b3, b4, b5};
  size_t lens[] = {l1, l2, l3, l4, 17};
  static uint8_t ndb[65536];
  size_t n = make_ndb(ndb, sizeof ndb, blobs, lens, 5);
  run r;
  run_parse(&r, bw_rpmdb_parse, ndb, n);
  CHECK(r.rc == 0);
  CHECK(bw_pkglist_len(&r.pkgs) == 3);
  const bw_package *p = find_pkg(&r, "vim-minimal");
  CHECK(p != NULL);
  if (p) {
    CHECK(p->type == BW_PKG_RPM);
    CHECK(p->epoch == 2);
    CHECK_STR(p->version, "2:7.4.160-4.el7");
    CHECK_STR(p->rpm_version, "7.4.160");
    CHECK_STR(p->rpm_release, "4.el7");
    CHECK_STR(p->source_name, "vim");
    CHECK_STR(p->source_version, "2:7.4.160-4.el7");
    CHECK_STR(p->licenses, "MIT AND BSD-3-Clause");
    CHECK_STR(p->maintainer, "Bulwark Test Vendor");
    CHECK(p->path == NULL); /* the caller's job */
  }
  p = find_pkg(&r, "bash");
  CHECK(p && p->epoch == -1 && strcmp(p->version, "4.2.46-34.el7") == 0);
  p = find_pkg(&r, "zero");
  CHECK(p && p->epoch == 0 && strcmp(p->version, "1.0-1") == 0 && p->source_name == NULL);
  CHECK(find_pkg(&r, "gpg-pubkey") == NULL);
  run_free(&r);

  /* Every record bad: the header's error comes back, not an empty success. */
  const uint8_t *bad[] = {b5};
  size_t badl[] = {17};
  n = make_ndb(ndb, sizeof ndb, bad, badl, 1);
  run_parse(&r, bw_rpmdb_parse, ndb, n);
  CHECK(r.rc == -BW_ECORRUPT);
  run_free(&r);

  /* NDB hostility: slot page count past the file, blob outside the file, bad slot magic, and
   * many slots sharing one blob (quadratic work) all fail. */
  n = make_ndb(ndb, sizeof ndb, blobs, lens, 2);
  le32put(ndb + 12, 1000);
  run_parse(&r, bw_rpmdb_parse, ndb, n);
  CHECK(r.rc == -BW_ECORRUPT);
  run_free(&r);
  n = make_ndb(ndb, sizeof ndb, blobs, lens, 2);
  le32put(ndb + 32 + 8, 0x0fffffff);
  run_parse(&r, bw_rpmdb_parse, ndb, n);
  CHECK(r.rc == -BW_ECORRUPT);
  run_free(&r);
  n = make_ndb(ndb, sizeof ndb, blobs, lens, 2);
  memcpy(ndb + 32 + 16 * 100, "Sl0t", 4);
  run_parse(&r, bw_rpmdb_parse, ndb, n);
  CHECK(r.rc == -BW_ECORRUPT);
  run_free(&r);
  n = make_ndb(ndb, sizeof ndb, blobs, lens, 1);
  for (size_t i = 1; i < 254; i++) memcpy(ndb + 32 + 16 * i, ndb + 32, 16);
  run_parse(&r, bw_rpmdb_parse, ndb, n);
  CHECK(r.rc == -BW_ECORRUPT);
  run_free(&r);

  /* Not a database at all; an empty file. */
  run_parse(&r, bw_rpmdb_parse, (const uint8_t *)"hello, world, this is not a db", 30);
  CHECK(r.rc == -BW_EUNSUPPORTED);
  run_free(&r);
  run_parse(&r, bw_rpmdb_parse, (const uint8_t *)"", 0);
  CHECK(r.rc == 0 && bw_pkglist_len(&r.pkgs) == 0);
  run_free(&r);
}

/* ---------- Berkeley DB hash ---------- */

typedef struct bdbw {
  uint8_t *buf;
  uint32_t ps;
  bool be;
} bdbw;

static void w32(const bdbw *w, uint8_t *p, uint32_t v) {
  if (w->be)
    put32(p, v);
  else
    le32put(p, v);
}
static void w16(const bdbw *w, uint8_t *p, uint16_t v) {
  if (w->be) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
  } else {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
  }
}

/* Builds a BDB hash file: page 0 metadata, page 1 one hash page holding the record-0 counter and
 * one (key, off-page value) pair per blob, then each blob's overflow chain. */
static size_t make_bdb(uint8_t *out, size_t cap, uint32_t ps, bool be, const uint8_t *const *blobs,
                       const size_t *lens, size_t n) {
  memset(out, 0, cap);
  bdbw w = {out, ps, be};
  uint32_t next = 2;
  uint8_t *hp = out + ps;
  uint16_t top = (uint16_t)ps, entries = 0;
  /* item helper: copies bytes to the top of the free area, records its offset */
#define ITEM(bytes, len)                                                                     \
  do {                                                                                       \
    top = (uint16_t)(top - (len));                                                           \
    memcpy(hp + top, bytes, len);                                                            \
    w16(&w, hp + 26 + 2 * entries++, top);                                                   \
  } while (0)
  uint8_t key[5] = {1}, val[12] = {1};
  w32(&w, key + 1, 0);
  ITEM(key, 5);
  w32(&w, val + 1, (uint32_t)n + 1);
  ITEM(val, 5);
  for (size_t i = 0; i < n; i++) {
    w32(&w, key + 1, (uint32_t)i + 1);
    ITEM(key, 5);
    memset(val, 0, sizeof val);
    val[0] = 3; /* H_OFFPAGE */
    w32(&w, val + 4, next);
    w32(&w, val + 8, (uint32_t)lens[i]);
    ITEM(val, 12);
    size_t done = 0;
    while (done < lens[i]) {
      uint8_t *op = out + (size_t)next * ps;
      size_t k = lens[i] - done < ps - 26 ? lens[i] - done : ps - 26;
      w32(&w, op + 8, next);
      op[25] = 7; /* P_OVERFLOW */
      w16(&w, op + 20, 1);
      w16(&w, op + 22, (uint16_t)k);
      memcpy(op + 26, blobs[i] + done, k);
      done += k;
      next++;
      w32(&w, op + 16, done < lens[i] ? next : 0);
    }
  }
#undef ITEM
  w32(&w, hp + 8, 1);
  w16(&w, hp + 20, entries);
  w16(&w, hp + 22, top);
  hp[25] = 13; /* P_HASH */
  w32(&w, out + 12, 0x061561);
  w32(&w, out + 16, 9);
  w32(&w, out + 20, ps);
  out[25] = 8; /* P_HASHMETA */
  w32(&w, out + 32, next - 1);
  return (size_t)next * ps;
}

/* Rewrites a little-endian BDB hash file in big-endian order, in place (a real file's bytes stand
 * in for one written on s390x or ppc64). Keys (record numbers, host order) are swapped too. */
static bool bdb_swap(uint8_t *b, size_t len) {
  uint32_t ps = (uint32_t)b[20] | (uint32_t)b[21] << 8 | (uint32_t)b[22] << 16 | (uint32_t)b[23] << 24;
  if (ps < 512 || len % ps) return false;
#define SW32(p) do { uint8_t *q_ = (p), t_; t_ = q_[0]; q_[0] = q_[3]; q_[3] = t_; t_ = q_[1]; q_[1] = q_[2]; q_[2] = t_; } while (0)
#define SW16(p) do { uint8_t *q_ = (p), t_ = q_[0]; q_[0] = q_[1]; q_[1] = t_; } while (0)
  for (size_t pg = 0; pg < len / ps; pg++) {
    uint8_t *p = b + pg * ps;
    if (pg == 0) {
      for (size_t o = 8; o < 24; o += 4) SW32(p + o);
      for (size_t o = 28; o < 52; o += 4) SW32(p + o);
      for (size_t o = 72; o < 224; o += 4) SW32(p + o);
      continue;
    }
    uint16_t entries = (uint16_t)(p[20] | p[21] << 8);
    SW32(p + 8);
    SW32(p + 12);
    SW32(p + 16);
    SW16(p + 20);
    SW16(p + 22);
    if (p[25] != 13 && p[25] != 2) continue;
    uint16_t offs[2048];
    if (entries > 2048) return false;
    for (uint16_t i = 0; i < entries; i++) offs[i] = (uint16_t)(p[26 + 2 * i] | p[27 + 2 * i] << 8);
    for (uint16_t i = 0; i < entries; i++) {
      uint16_t off = offs[i], end = i == 0 ? (uint16_t)ps : offs[i - 1];
      SW16(p + 26 + 2 * i);
      if (p[off] == 3) {
        SW32(p + off + 4);
        SW32(p + off + 8);
      } else if (p[off] == 1 && end - off == 5) {
        SW32(p + off + 1);
      }
    }
  }
#undef SW32
#undef SW16
  return true;
}

/* Offset of item i on page 1 of a little-endian file made by make_bdb (3 = blob 1's value). */
static size_t item_at(const uint8_t *db, uint32_t ps, unsigned i) {
  const uint8_t *ix = db + ps + 26 + 2 * i;
  return ps + (size_t)(ix[0] | ix[1] << 8);
}

static void test_bdb(void) {
  static uint8_t db[1 << 16];
  uint8_t b1[4096], b2[4096];
  size_t l1 = make_pkg(b1, "openssl-libs", 1, "1.0.2k", "25.el7_9", "openssl-1.0.2k-25.el7_9.src.rpm");
  size_t l2 = make_pkg(b2, "zlib", -1, "1.2.7", "21.el7_9", "zlib-1.2.7-21.el7_9.src.rpm");
  const uint8_t *blobs[] = {b1, b2};
  size_t lens[] = {l1, l2};
  for (int be = 0; be < 2; be++) {
    size_t n = make_bdb(db, sizeof db, 512, be, blobs, lens, 2);
    run r;
    run_parse(&r, bw_rpmdb_parse, db, n);
    if (r.rc) fprintf(stderr, "bdb %s: %s\n", be ? "BE" : "LE", r.err.msg);
    CHECK(r.rc == 0);
    CHECK(bw_pkglist_len(&r.pkgs) == 2);
    const bw_package *p = find_pkg(&r, "openssl-libs");
    CHECK(p && strcmp(p->version, "1:1.0.2k-25.el7_9") == 0 && strcmp(p->source_version, "1:1.0.2k-25.el7_9") == 0);
    CHECK(find_pkg(&r, "zlib") != NULL);
    run_free(&r);
  }

  /* Overflow chain loops back on itself: stops with CORRUPT after at most one pass of the file. */
  size_t n = make_bdb(db, sizeof db, 512, false, blobs, lens, 2);
  uint8_t *page2 = db + 2 * 512;
  le32put(page2 + 16, 2);                      /* next = itself */
  le32put(db + item_at(db, 512, 3) + 8, 0x00ffffff); /* blob 1's tlen: much more than its chain */
  run r;
  run_parse(&r, bw_rpmdb_parse, db, n);
  CHECK(r.rc == -BW_ECORRUPT || r.rc == -BW_ELIMIT);
  run_free(&r);
  /* A chain that loops without overrunning tlen per page: the same, via the visit cap. */
  n = make_bdb(db, sizeof db, 512, false, blobs, lens, 2);
  uint32_t last = (uint32_t)(n / 512) - 1;
  le32put(db + (size_t)last * 512 + 16, 2); /* the last overflow page of blob 2 goes back to page 2 */
  le32put(db + item_at(db, 512, 5) + 8, 0x00ffffff);
  run_parse(&r, bw_rpmdb_parse, db, n);
  CHECK(r.rc == -BW_ECORRUPT || r.rc == -BW_ELIMIT);
  run_free(&r);

  /* Overflow pointer past the last page, an odd item count, a page-size lie, a non-hash magic. */
  n = make_bdb(db, sizeof db, 512, false, blobs, lens, 2);
  le32put(db + item_at(db, 512, 3) + 4, 9999);
  run_parse(&r, bw_rpmdb_parse, db, n);
  CHECK(r.rc == -BW_ECORRUPT);
  run_free(&r);
  n = make_bdb(db, sizeof db, 512, false, blobs, lens, 2);
  db[512 + 20] = 5;
  run_parse(&r, bw_rpmdb_parse, db, n);
  CHECK(r.rc == -BW_ECORRUPT);
  run_free(&r);
  n = make_bdb(db, sizeof db, 512, false, blobs, lens, 2);
  le32put(db + 20, 1000);
  run_parse(&r, bw_rpmdb_parse, db, n);
  CHECK(r.rc == -BW_ECORRUPT);
  run_free(&r);
  n = make_bdb(db, sizeof db, 512, false, blobs, lens, 2);
  db[24] = 1; /* encrypted */
  run_parse(&r, bw_rpmdb_parse, db, n);
  CHECK(r.rc == -BW_EUNSUPPORTED);
  run_free(&r);
  /* last_pgno past the file: only the pages present are read. */
  n = make_bdb(db, sizeof db, 512, false, blobs, lens, 2);
  le32put(db + 32, 0xfffffff0u);
  run_parse(&r, bw_rpmdb_parse, db, n);
  CHECK(r.rc == 0 && bw_pkglist_len(&r.pkgs) == 2);
  run_free(&r);
  /* Truncated file: the chains now point past the end. */
  run_parse(&r, bw_rpmdb_parse, db, n - 512);
  CHECK(r.rc == -BW_ECORRUPT);
  run_free(&r);

  /* A real file rewritten big-endian parses to the same package. */
  size_t len;
  uint8_t *real = test_read_file(FIXTURES "go-rpmdb__pkg__testdata__libuuid__Packages", &len);
  if (!real) {
    SKIP("libuuid fixture missing");
    return;
  }
  CHECK(bdb_swap(real, len));
  CHECK(real[12] == 0 && real[13] == 0x06 && real[14] == 0x15 && real[15] == 0x61);
  run_parse(&r, bw_rpmdb_parse, real, len);
  if (r.rc) fprintf(stderr, "big-endian libuuid: %s\n", r.err.msg);
  CHECK(r.rc == 0 && bw_pkglist_len(&r.pkgs) == 1);
  const bw_package *p = find_pkg(&r, "libuuid");
  CHECK(p && strcmp(p->version, "2.32.1-42.el8_8") == 0 && strcmp(p->source_name, "util-linux") == 0);
  run_free(&r);
  free(real);
}

/* ---------- SQLite ---------- */

/* Builds an SQLite database from SQL plus blobs inserted into Packages; returns sqlite3_malloc'd
 * bytes (sqlite3_free) with rpm's WAL marker set when wal is true. */
static uint8_t *make_sqlite(const char *sql, const uint8_t *const *blobs, const size_t *lens, size_t n,
                            bool wal, size_t *len) {
  sqlite3 *db = NULL;
  sqlite3_open(":memory:", &db);
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    fprintf(stderr, "sqlite: %s\n", msg);
    sqlite3_free(msg);
  }
  for (size_t i = 0; i < n; i++) {
    sqlite3_stmt *st = NULL;
    sqlite3_prepare_v2(db, "INSERT INTO Packages(blob) VALUES (?)", -1, &st, NULL);
    sqlite3_bind_blob(st, 1, blobs[i], (int)lens[i], SQLITE_STATIC);
    sqlite3_step(st);
    sqlite3_finalize(st);
  }
  sqlite3_int64 sz = 0;
  uint8_t *bytes = sqlite3_serialize(db, "main", &sz, 0);
  sqlite3_close(db);
  if (bytes && wal) bytes[18] = bytes[19] = 2;
  *len = (size_t)sz;
  return bytes;
}

#define RPM_SCHEMA "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);"

static void test_sqlite(void) {
  uint8_t b1[4096], b2[4096], b3[4096];
  size_t l1 = make_pkg(b1, "curl", -1, "7.76.0", "6.cm2", "curl-7.76.0-6.cm2.src.rpm");
  size_t l2 = make_pkg(b2, "gpg-pubkey", -1, "3135ce90", "5e6fda74", "(none)");
  size_t l3 = make_pkg(b3, "vim", 2, "9.0", "1.cm2", "vim-9.0-1.cm2.src.rpm");
  const uint8_t *blobs[] = {b1, b2, b3};
  size_t lens[] = {l1, l2, l3}, len;
  uint8_t *db = make_sqlite(RPM_SCHEMA, blobs, lens, 3, true, &len);
  CHECK(db != NULL);
  run r;
  run_parse(&r, bw_rpmdb_parse, db, len);
  if (r.rc) fprintf(stderr, "sqlite: %s\n", r.err.msg);
  CHECK(r.rc == 0 && bw_pkglist_len(&r.pkgs) == 2);
  CHECK(bw_pkglist_len(&r.pkgs) == 2 && strcmp(bw_pkglist_at(&r.pkgs, 0)->name, "curl") == 0);
  const bw_package *p = find_pkg(&r, "vim");
  CHECK(p && strcmp(p->version, "2:9.0-1.cm2") == 0);
  run_free(&r);

  /* Garbage behind a valid magic; a truncated database; one page of zeros. */
  uint8_t *g = malloc(len);
  memcpy(g, db, 100);
  for (size_t i = 100; i < len; i++) g[i] = (uint8_t)(i * 131 + 7);
  run_parse(&r, bw_rpmdb_parse, g, len);
  CHECK(r.rc == -BW_ECORRUPT);
  run_free(&r);
  memcpy(g, db, len);
  for (size_t i = len / 2; i < len; i++) g[i] = 0xa5;
  run_parse(&r, bw_rpmdb_parse, g, len);
  CHECK(r.rc < 0 || bw_pkglist_len(&r.pkgs) <= 2);
  run_free(&r);
  run_parse(&r, bw_rpmdb_parse, db, 600);
  CHECK(r.rc < 0);
  run_free(&r);
  free(g);
  sqlite3_free(db);

  /* No Packages table; Packages as a never-ending view; Packages as a virtual table. */
  db = make_sqlite("CREATE TABLE Other (x);", NULL, NULL, 0, false, &len);
  run_parse(&r, bw_rpmdb_parse, db, len);
  CHECK(r.rc == -BW_ECORRUPT);
  run_free(&r);
  sqlite3_free(db);
  db = make_sqlite("CREATE VIEW Packages AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                   "SELECT zeroblob(100) AS blob FROM c;",
                   NULL, NULL, 0, false, &len);
  run_parse(&r, bw_rpmdb_parse, db, len);
  CHECK(r.rc == -BW_ECORRUPT);
  run_free(&r);
  sqlite3_free(db);
  db = make_sqlite("CREATE VIRTUAL TABLE Packages USING fts5(blob);", NULL, NULL, 0, false, &len);
  run_parse(&r, bw_rpmdb_parse, db, len);
  CHECK(r.rc < 0);
  run_free(&r);
  sqlite3_free(db);
  /* A text value instead of a blob is skipped; the blob beside it is read. */
  db = make_sqlite(RPM_SCHEMA "INSERT INTO Packages(blob) VALUES ('text');", blobs, lens, 1, false, &len);
  run_parse(&r, bw_rpmdb_parse, db, len);
  CHECK(r.rc == 0 && bw_pkglist_len(&r.pkgs) == 1);
  run_free(&r);
  sqlite3_free(db);
}

/* ---------- manifest and wants() ---------- */

static void test_manifest_and_wants(void) {
  const char *m = "bash\t5.1.8-1.cm2\t1\t2\tMicrosoft Corporation\t(none)\t100\tx86_64\t0\tbash-5.1.8-1.cm2.src.rpm\r\n"
                  "\n"
                  "short\tline\n"
                  "gpg-pubkey\t3135ce90-5e6fda74\t1\t2\t\t(none)\t0\t(none)\t0\t(none)\n"
                  "nover\tnodash\t1\t2\tV\t(none)\t1\tx86_64\t0\tx.src.rpm\n"
                  "tar\t1.34-1.cm2\t1\t2\tMicrosoft Corporation\t3\t100\tx86_64\t3\ttar-1.34-1.cm2.src.rpm";
  run r;
  run_parse(&r, bw_rpm_manifest_parse, (const uint8_t *)m, strlen(m));
  CHECK(r.rc == 0 && bw_pkglist_len(&r.pkgs) == 2);
  const bw_package *p = find_pkg(&r, "bash");
  CHECK(p && strcmp(p->version, "5.1.8-1.cm2") == 0 && p->epoch == -1 && strcmp(p->source_name, "bash") == 0);
  p = find_pkg(&r, "tar");
  CHECK(p && strcmp(p->version, "3:1.34-1.cm2") == 0 && strcmp(p->source_version, "3:1.34-1.cm2") == 0);
  run_free(&r);

  const char *yes[] = {"var/lib/rpm/Packages", "var/lib/rpm/Packages.db", "var/lib/rpm/rpmdb.sqlite",
                       "usr/lib/sysimage/rpm/Packages", "usr/lib/sysimage/rpm/rpmdb.sqlite",
                       "usr/lib/sysimage/rpm/Packages.db", "usr/share/rpm/Packages"};
  const char *no[] = {"var/lib/rpm/Name", "var/lib/rpm/Packages.bak", "foo/var/lib/rpm/Packages",
                      "var/lib/rpm/rpmdb.sqlite-wal", "var/lib/rpm", "usr/lib/sysimage/rpm/Basenames", ""};
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) CHECK(bw_analyzer_rpm.wants(yes[i]));
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) CHECK(!bw_analyzer_rpm.wants(no[i]));
  CHECK(bw_analyzer_rpm.max_bytes == BW_LIMIT_PKGDB_BYTES);
  CHECK(bw_analyzer_rpm_manifest.wants("var/lib/rpmmanifest/container-manifest-2"));
  CHECK(!bw_analyzer_rpm_manifest.wants("var/lib/rpmmanifest/container-manifest-1"));
}

int main(void) {
  test_fixtures();
  test_header();
  test_packages();
  test_bdb();
  test_sqlite();
  test_manifest_and_wants();
  return test_finish();
}
