/* Go build info analyser: the shared Go fixtures (each must give exactly its .expected.tsv, fed
 * through the real stream interface in chunks of many sizes down to 1 byte, so every split of the
 * magic, the header, the sentinels and the strings is crossed), hand-made ELF files for both
 * build-info layouts and hostile headers, and the -ldflags / semver rules. */
#include <dirent.h>
#include <stdint.h>

#include "analyze/gobinary.h"
#include "analyze/stream_util.h"
#include "unit/test.h"

typedef struct run {
  bw_arena *arena;
  bw_pkglist list;
  bw_error err;
  int rc;
} run;

static void run_go(run *r, const uint8_t *buf, size_t len, size_t chunk) {
  memset(r, 0, sizeof *r);
  r->arena = bw_arena_new();
  bw_pkglist_init(&r->list);
  bw_analyze_out out = {.arena = r->arena, .packages = &r->list, .path = "usr/bin/app"};
  r->rc = bw_stream_run(&bw_stream_gobinary, "usr/bin/app", buf, len, chunk, &out, &r->err);
}

static void run_done(run *r) {
  bw_pkglist_dispose(&r->list);
  bw_arena_free(r->arena);
}

/* "name\tversion\n" lines, sorted, of a package list (caller frees). */
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
/* Sorts and concatenates the rows, freeing them (caller frees the result). */
static char *join_rows(char **rows, size_t n) {
  qsort(rows, n, sizeof *rows, cmp_str);
  size_t total = 1, at = 0;
  for (size_t i = 0; i < n; i++) total += strlen(rows[i]);
  char *s = calloc(1, total);
  for (size_t i = 0; i < n; i++) {
    size_t k = strlen(rows[i]);
    memcpy(s + at, rows[i], k);
    at += k;
    free(rows[i]);
  }
  free(rows);
  return s;
}

static char *list_text(const bw_pkglist *l) {
  size_t n = bw_pkglist_len(l);
  char **rows = calloc(n ? n : 1, sizeof *rows);
  for (size_t i = 0; i < n; i++) {
    const bw_package *p = bw_pkglist_at(l, i);
    size_t k = strlen(p->name) + (p->version ? strlen(p->version) : 0) + 3;
    rows[i] = malloc(k);
    snprintf(rows[i], k, "%s\t%s\n", p->name, p->version ? p->version : "");
  }
  return join_rows(rows, n);
}

/* The expected list of a fixture TSV (module, version, relationship, ...) as list_text lays it
 * out. Trivy's TSVs name the toolchain "stdlib" with "v1.x"; osv-scalibr's name it "go" with
 * relationship "toolchain" and drop the "v" of every version, and keep "(devel)": both are
 * restated in Trivy's convention, which is ours. */
static char *expected_text(const char *tsv, bool scalibr) {
  size_t n = 0;
  char **rows = calloc(256, sizeof *rows);
  const char *line = strchr(tsv, '\n'); /* skip the header */
  while (line && *++line && n < 256) {
    const char *end = strchr(line, '\n');
    size_t ll = end ? (size_t)(end - line) : strlen(line);
    char buf[1024];
    if (ll >= sizeof buf) break;
    memcpy(buf, line, ll);
    buf[ll] = 0;
    char *f[4] = {buf, NULL, NULL, NULL};
    for (int k = 1; k < 4; k++) {
      char *t = f[k - 1] ? strchr(f[k - 1], '\t') : NULL;
      if (t) *t = 0, f[k] = t + 1;
    }
    const char *name = f[0], *ver = f[1] ? f[1] : "", *rel = f[2] ? f[2] : "";
    char v[512];
    if (scalibr && !strcmp(rel, "toolchain")) name = "stdlib";
    if (!strcmp(ver, "(devel)")) ver = "";
    snprintf(v, sizeof v, "%s%s", scalibr && *ver ? "v" : "", ver);
    size_t k = strlen(name) + strlen(v) + 3;
    rows[n] = malloc(k);
    snprintf(rows[n], k, "%s\t%s\n", name, v);
    n++;
    line = end;
  }
  return join_rows(rows, n);
}

static void test_fixtures(void) {
  const char *shared = getenv("BW_SHARED_DATA");
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/fixtures/go-binary", shared ? shared : BW_SHARED_DATA);
  DIR *d = opendir(dir);
  if (!d) {
    SKIP("no Go fixtures at %s (shared data absent)", dir);
    return;
  }
  struct dirent *de;
  int files = 0;
  while ((de = readdir(d))) {
    size_t nl = strlen(de->d_name);
    if (de->d_name[0] == '.' || (nl > 4 && !strcmp(de->d_name + nl - 4, ".tsv"))) continue;
    char path[8192], tsvp[8300];
    snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
    snprintf(tsvp, sizeof tsvp, "%s.expected.tsv", path);
    size_t len, tl;
    unsigned char *bin = test_read_file(path, &len);
    char *tsv = (char *)test_read_file(tsvp, &tl);
    if (!bin || !tsv) {
      free(bin);
      free(tsv);
      continue;
    }
    files++;
    char *want = expected_text(tsv, !strncmp(de->d_name, "osv-scalibr", 11));
    static const size_t chunks[] = {0, 65536, 4099, 1000, 31, 13, 7, 1};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
      run r;
      run_go(&r, bin, len, chunks[c]);
      if (r.rc != 1) fprintf(stderr, "%s (chunk %zu): rc %d: %s\n", de->d_name, chunks[c], r.rc, r.err.msg);
      CHECK(r.rc == 1);
      char *got = list_text(&r.list);
      if (strcmp(got, want) != 0)
        fprintf(stderr, "%s (chunk %zu):\n--- want\n%s--- got\n%s", de->d_name, chunks[c], want, got);
      CHECK_STR(got, want);
      for (size_t i = 0; i < bw_pkglist_len(&r.list); i++) {
        CHECK(bw_pkglist_at(&r.list, i)->type == BW_PKG_GOLANG);
        CHECK(bw_pkglist_at(&r.list, i)->path == NULL);
      }
      free(got);
      run_done(&r);
    }
    free(want);
    free(bin);
    free(tsv);
  }
  closedir(d);
  CHECK(files >= 3);
}

/* ---- hand-made ELF files ---- */

#define BASE 0x400000u
#define FILE_LEN 0x1000u

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

/* ELF64 little-endian with two PT_LOADs at BASE: read-only data over [0, 0x800) (where .rodata
 * keeps the strings) and a segment with `flags` over [0x800, FILE_LEN) (the data segment). */
#define DATA 0x800u
static void elf_init(uint8_t *b, uint32_t flags) {
  memset(b, 0, FILE_LEN);
  memcpy(b, "\x7f" "ELF", 4);
  b[4] = 2, b[5] = 1, b[6] = 1;
  put16(b + 16, 2);
  put16(b + 18, 62);
  put32(b + 20, 1);
  put64(b + 32, 64); /* phoff */
  put16(b + 52, 64);
  put16(b + 54, 56);
  put16(b + 56, 2);
  uint8_t *ph = b + 64;
  put32(ph, 1);
  put32(ph + 4, 4);
  put64(ph + 8, 0);
  put64(ph + 16, BASE);
  put64(ph + 32, DATA);
  put64(ph + 40, DATA);
  ph += 56;
  put32(ph, 1);
  put32(ph + 4, flags);
  put64(ph + 8, DATA);
  put64(ph + 16, BASE + DATA);
  put64(ph + 32, FILE_LEN - DATA);
  put64(ph + 40, FILE_LEN - DATA);
}
#define PH1_FLAGS (64 + 56 + 4)
#define PH1_FILESZ (64 + 56 + 32)

static const uint8_t sent_start[16] = {0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02,
                                       0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6};
static const uint8_t sent_end[16] = {0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72,
                                     0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2};

static const char MODTEXT[] =
    "path\texample.com/app\n"
    "mod\texample.com/app\t(devel)\t\n"
    "dep\texample.com/lib\tv1.2.3\th1:abc=\n"
    "dep\texample.com/old\tv0.1.0\n"
    "=>\texample.com/new\tv0.2.0\th1:def=\n"
    "build\t-ldflags=\"-s -w -X main.version=1.4.0\"\n";
static const char WANT[] = "example.com/app\t1.4.0\nexample.com/lib\tv1.2.3\nexample.com/new\tv0.2.0\nstdlib\tv1.21.5\n";

/* sentinel + text + sentinel at b (returns the length) */
static size_t put_modinfo(uint8_t *b, const char *text) {
  size_t n = strlen(text);
  memcpy(b, sent_start, 16);
  memcpy(b + 16, text, n);
  memcpy(b + 16 + n, sent_end, 16);
  return n + 32;
}

static size_t uvarint(uint8_t *p, uint64_t v) {
  size_t i = 0;
  while (v >= 0x80) p[i++] = (uint8_t)(v | 0x80), v >>= 7;
  p[i++] = (uint8_t)v;
  return i;
}

static void check_want(const uint8_t *b, size_t len, const char *want, const char *what) {
  static const size_t chunks[] = {0, 1, 2, 3, 5, 16, 17, 100, 333};
  for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
    run r;
    run_go(&r, b, len, chunks[c]);
    if (r.rc != 1) fprintf(stderr, "%s chunk %zu: rc %d %s\n", what, chunks[c], r.rc, r.err.msg);
    CHECK(r.rc == 1);
    char *got = list_text(&r.list);
    if (strcmp(got, want)) fprintf(stderr, "%s chunk %zu:\n%s", what, chunks[c], got);
    CHECK_STR(got, want);
    free(got);
    run_done(&r);
  }
}

/* rc and message of a file that must be rejected, in every chunking (from = 1: not as one
 * chunk, for bytes that only a whole-file reader could see behind the stream position) */
static void check_corrupt_from(const uint8_t *b, size_t len, const char *needle, const char *what, size_t from) {
  static const size_t chunks[] = {0, 1, 7, 64};
  for (size_t c = from; c < sizeof chunks / sizeof chunks[0]; c++) {
    run r;
    run_go(&r, b, len, chunks[c]);
    if (r.rc != -BW_ECORRUPT || !strstr(r.err.msg, needle))
      fprintf(stderr, "%s chunk %zu: rc %d msg \"%s\"\n", what, chunks[c], r.rc, r.err.msg);
    CHECK(r.rc == -BW_ECORRUPT);
    CHECK(strstr(r.err.msg, needle) != NULL);
    CHECK(bw_pkglist_len(&r.list) == 0);
    run_done(&r);
  }
}

static void check_corrupt(const uint8_t *b, size_t len, const char *needle, const char *what) {
  check_corrupt_from(b, len, needle, what, 0);
}

static void check_nothing(const uint8_t *b, size_t len, const char *what) {
  static const size_t chunks[] = {0, 1, 9};
  for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
    run r;
    run_go(&r, b, len, chunks[c]);
    if (r.rc != 1 || bw_pkglist_len(&r.list)) fprintf(stderr, "%s chunk %zu: rc %d %s\n", what, chunks[c], r.rc, r.err.msg);
    CHECK(r.rc == 1);
    CHECK(bw_pkglist_len(&r.list) == 0);
    run_done(&r);
  }
}

/* Go >= 1.18: header with inline strings at hdr (16-aligned). */
static size_t make_inline(uint8_t *b, size_t hdr, const char *vers, const char *text) {
  elf_init(b, 6); /* RW */
  memcpy(b + hdr, "\xff Go buildinf:", 14);
  b[hdr + 14] = 8;
  b[hdr + 15] = 2;
  size_t at = hdr + 32;
  at += uvarint(b + at, strlen(vers));
  memcpy(b + at, vers, strlen(vers));
  at += strlen(vers);
  uint8_t mod[2048];
  size_t ml = put_modinfo(mod, text);
  at += uvarint(b + at, ml);
  memcpy(b + at, mod, ml);
  return at + ml;
}

static void test_inline(void) {
  static uint8_t b[2 * FILE_LEN];
  make_inline(b, 0x900, "go1.21.5", MODTEXT);
  check_want(b, FILE_LEN, WANT, "inline");
  /* " X:boringcrypto" is cut from the toolchain version */
  make_inline(b, 0x900, "go1.21.5 X:boringcrypto", MODTEXT);
  check_want(b, FILE_LEN, WANT, "inline boringcrypto");
  /* no module info (GOPATH build): the toolchain only */
  make_inline(b, 0x900, "go1.21.5", "");
  check_want(b, FILE_LEN, "stdlib\tv1.21.5\n", "inline no modinfo");
  /* the magic as a constant in a read-only segment (a Go tool that reads build info) is no header */
  make_inline(b, 0x900, "go1.21.5", MODTEXT);
  put32(b + PH1_FLAGS, 4); /* R only */
  check_nothing(b, FILE_LEN, "read-only magic");
  /* an executable segment neither */
  put32(b + PH1_FLAGS, 7);
  check_nothing(b, FILE_LEN, "rwx magic");
  /* misaligned magic */
  make_inline(b, 0x908, "go1.21.5", MODTEXT);
  check_nothing(b, FILE_LEN, "misaligned magic");
  /* a misaligned copy first, then the real one: the real one is read */
  make_inline(b, 0xa00, "go1.21.5", MODTEXT);
  memcpy(b + 0x908, "\xff Go buildinf:", 14);
  check_want(b, FILE_LEN, WANT, "misaligned decoy");
}

static void test_inline_hostile(void) {
  static uint8_t b[2 * FILE_LEN];
  /* truncated: the file ends inside the header */
  make_inline(b, 0xff0, "go1.21.5", "");
  put64(b + PH1_FILESZ, 2 * FILE_LEN); /* the segment claims more bytes than the file has */
  check_corrupt(b, FILE_LEN, "truncated", "header cut by EOF");
  /* the strings cut by the end of the file */
  size_t end = make_inline(b, 0x900, "go1.21.5", MODTEXT);
  (void)end;
  check_corrupt(b, 0x900 + 32 + 20, "truncated", "strings cut by EOF");
  /* a varint of 11 bytes */
  make_inline(b, 0x900, "go1.21.5", MODTEXT);
  memset(b + 0x920, 0xff, 11);
  check_corrupt(b, FILE_LEN, "varint", "huge varint");
  /* a length past the cap */
  make_inline(b, 0x900, "go1.21.5", MODTEXT);
  uvarint(b + 0x920, 5u << 20);
  check_corrupt(b, FILE_LEN, "cap", "length past cap");
  /* a length past the end of the file (but under the cap) */
  make_inline(b, 0x900, "go1.21.5", MODTEXT);
  uvarint(b + 0x920, 1u << 19);
  check_corrupt(b, FILE_LEN, "truncated", "length past EOF");
  /* empty version */
  make_inline(b, 0x900, "", MODTEXT);
  check_corrupt(b, FILE_LEN, "empty toolchain", "empty version");
  /* malformed module info: a replacement with nothing before it */
  make_inline(b, 0x900, "go1.21.5", "=>\ta\tv1\th1:x\n");
  check_corrupt(b, FILE_LEN, "replacement", "orphan =>");
  make_inline(b, 0x900, "go1.21.5", "dep\ta\tb\tc\td\n");
  check_corrupt(b, FILE_LEN, "columns", "dep with 4 columns");
  make_inline(b, 0x900, "go1.21.5", "build\tnoequals\n");
  check_corrupt(b, FILE_LEN, "'='", "build without =");
  make_inline(b, 0x900, "go1.21.5", "build\tk=\"unterminated\n");
  check_corrupt(b, FILE_LEN, "quoted", "bad quoted value");
}

/* Go < 1.18: the header holds addresses of {ptr, len} string headers placed after it. */
static void make_pointer(uint8_t *b, size_t vers_at, size_t mod_at, const char *text) {
  elf_init(b, 6);
  memcpy(b + vers_at, "go1.16.5", 8);
  size_t ml = put_modinfo(b + mod_at, text);
  size_t hdr = 0x800;
  memcpy(b + hdr, "\xff Go buildinf:", 14);
  b[hdr + 14] = 8;
  b[hdr + 15] = 0;
  put64(b + hdr + 16, BASE + 0x900);
  put64(b + hdr + 24, BASE + 0x910);
  put64(b + 0x900, BASE + vers_at);
  put64(b + 0x908, 8);
  put64(b + 0x910, BASE + mod_at);
  put64(b + 0x918, ml);
}

static void test_pointer(void) {
  static uint8_t b[2 * FILE_LEN];
  const char *want = "example.com/app\t1.4.0\nexample.com/lib\tv1.2.3\nexample.com/new\tv0.2.0\nstdlib\tv1.16.5\n";
  /* both strings before the header (the usual layout: .rodata precedes .data) */
  make_pointer(b, 0x200, 0x300, MODTEXT);
  check_want(b, FILE_LEN, want, "pointer behind");
  /* both strings after the string headers: captured as the stream passes */
  make_pointer(b, 0xa00, 0xb00, MODTEXT);
  check_want(b, FILE_LEN, want, "pointer ahead");
  /* "go1." decoys around the real version string */
  make_pointer(b, 0x208, 0x300, MODTEXT);
  memcpy(b + 0x1f0, "go1.99go1.98", 12);
  memcpy(b + 0x210, "go1.", 4);
  check_want(b, FILE_LEN, want, "pointer decoys");
  /* linkers without a read-only segment put .rodata in the text segment: scanned then */
  make_pointer(b, 0x200, 0x300, MODTEXT);
  put32(b + 64 + 4, 5);
  check_want(b, FILE_LEN, want, "pointer, rodata in R+X");
  /* strings in writable data are not where Go puts them: not remembered */
  make_pointer(b, 0x200, 0x300, MODTEXT);
  put32(b + 64 + 4, 6);
  check_corrupt_from(b, FILE_LEN, "not found", "pointer, strings in RW", 1);
  /* a null module info string header: toolchain only */
  make_pointer(b, 0x200, 0x300, MODTEXT);
  put64(b + 0x918, 0);
  check_want(b, FILE_LEN, "stdlib\tv1.16.5\n", "pointer no modinfo");
}

static void test_pointer_hostile(void) {
  static uint8_t b[2 * FILE_LEN];
  make_pointer(b, 0x200, 0x300, MODTEXT);
  put64(b + 0x810, 0xdeadbeef00ull);
  check_corrupt(b, FILE_LEN, "no segment", "string header address out of range");
  make_pointer(b, 0x200, 0x300, MODTEXT);
  put64(b + 0x900, 0x10);
  check_corrupt(b, FILE_LEN, "no segment", "string address out of range");
  make_pointer(b, 0x200, 0x300, MODTEXT);
  put64(b + 0x918, 0xffffffffffull);
  check_corrupt(b, FILE_LEN, "cap", "string length past cap");
  make_pointer(b, 0x200, 0x300, MODTEXT);
  put64(b + 0x918, 0xe00); /* ends past the segment */
  check_corrupt(b, FILE_LEN, "no segment", "string past the segment");
  make_pointer(b, 0x200, 0x300, MODTEXT);
  b[0x800 + 14] = 3;
  check_corrupt(b, FILE_LEN, "pointer size", "pointer size 3");
  make_pointer(b, 0x200, 0x300, MODTEXT);
  put64(b + 0x810, BASE + 0x100); /* a string header before the build info header */
  check_corrupt_from(b, FILE_LEN, "precedes", "string header behind", 1);
  make_pointer(b, 0x200, 0x300, MODTEXT);
  put64(b + 0x900, BASE + 0x300); /* version pointer to bytes that are no "go1." string */
  check_corrupt_from(b, FILE_LEN, "not found", "version not found", 1);
  make_pointer(b, 0x200, 0x300, MODTEXT);
  put64(b + 0x918, 300); /* longer than the sentinel-bracketed copy */
  check_corrupt_from(b, FILE_LEN, "not found", "modinfo longer than its copy", 1);
  /* shorter than the copy: Go reads that many bytes, the sentinel check fails, no modules */
  make_pointer(b, 0x200, 0x300, MODTEXT);
  put64(b + 0x918, 40);
  check_want(b, FILE_LEN, "stdlib\tv1.16.5\n", "modinfo shorter than its copy");
  /* the file ends before the string headers */
  make_pointer(b, 0x200, 0x300, MODTEXT);
  {
    run r;
    /* the segment claims FILE_LEN bytes; the stream stops at 0x904 */
    run_go(&r, b, 0x904, 3);
    CHECK(r.rc == -BW_ECORRUPT && strstr(r.err.msg, "truncated"));
    run_done(&r);
  }
}

static void test_not_elf(void) {
  static const uint8_t text[] = "#!/bin/sh\necho \xff Go buildinf: not a binary at all, padding padding padding padding\n";
  run r;
  run_go(&r, text, sizeof text - 1, 0);
  CHECK(r.rc == 0); /* not wanted */
  run_done(&r);
  /* an ELF header with no program headers: ignored quietly */
  static uint8_t b[2 * FILE_LEN];
  make_inline(b, 0x900, "go1.21.5", MODTEXT);
  put16(b + 56, 0);
  check_nothing(b, FILE_LEN, "no phdrs");
  /* a program header table past the cap */
  make_inline(b, 0x900, "go1.21.5", MODTEXT);
  put16(b + 56, 0xffff);
  check_nothing(b, FILE_LEN, "huge phdr table");
}

static void test_ldflags(void) {
  bw_arena *a = bw_arena_new();
  const char *m = "github.com/x/app";
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-s -w -X main.version=1.2.3"), "1.2.3");
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-X=main.version=v1.0.0"), "v1.0.0");
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-X 'main.version=1.0.0'"), "1.0.0");
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-X \"main.Version=2.0.0\""), "2.0.0");
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-Xmain.ver=v1.2"), "v1.2");
  /* two versions of one category: ambiguous */
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-X main.version=1.0.0 -X main.Version=2.0.0"), "");
  /* the module's cmd/ keys win over main., which wins over others */
  CHECK_STR(bw_gobinary_ldflags_version(
                a, m, "-X github.com/x/app/cmd/tool/info.version=3.0.0 -X main.version=1.0.0 -X x/y.version=9.9.9"),
            "3.0.0");
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-X github.com/other/pkg.version=4.0.0 -X main.version=1.0.0"), "1.0.0");
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-X github.com/other/pkg.version=4.0.0"), "4.0.0");
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-X github.com/x/app/internal/common.ver=5.0.0"), "5.0.0");
  /* not semver, not a version key, the same key twice (the last wins), several in one -X */
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-X main.version=dev"), "");
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-X main.commit=1.0.0"), "");
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-X main.version=1.0.0 -X main.version=1.1.0"), "1.1.0");
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-X main.commit=abc,main.version=1.3.0"), "1.3.0");
  /* a -X value without '=' fails the whole parse, as pflag does; so does a missing argument */
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-X main.version=1.0.0 -X oops"), "");
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-X"), "");
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-X 'main.version=1.0.0"), ""); /* unbalanced quote */
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-extldflags -static -X main.version=1.5.0"), "1.5.0");
  CHECK_STR(bw_gobinary_ldflags_version(a, m, "-X main.version=1.5.0; rm -rf /"), "1.5.0");
  CHECK_STR(bw_gobinary_ldflags_version(a, m, ""), "");
  bw_arena_free(a);
}

static void test_semver(void) {
  static const char *const ok[] = {"v1", "v1.2", "v1.2.3", "v0.0.0-20210121094942-22b2f8951d46", "v1.2.3-rc.1+meta.5",
                                   "v1.2.3+build", "v10.20.30-alpha-beta"};
  static const char *const bad[] = {"", "1.2.3", "v", "v01", "v1.02", "v1.2.3-01", "v1.2.3-", "v1.2.3+", "v1.2.3-a..b",
                                    "v1.2-pre", "v1.2.3.4", "vx"};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) CHECK(bw_go_semver_valid(ok[i], strlen(ok[i])));
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (bw_go_semver_valid(bad[i], strlen(bad[i]))) fprintf(stderr, "semver accepted %s\n", bad[i]);
    CHECK(!bw_go_semver_valid(bad[i], strlen(bad[i])));
  }
}

static void test_packages_rules(void) {
  bw_arena *a = bw_arena_new();
  bw_pkglist l;
  bw_pkglist_init(&l);
  bw_analyze_out out = {.arena = a, .packages = &l};
  bw_error err = {0};
  /* a local replacement keeps its path and has no version; a dep without path is skipped;
   * a main module with a real version keeps it over -ldflags; text after the last newline is dropped */
  const char *t = "mod\texample.com/app\tv1.0.0\th1:x\n"
                  "dep\texample.com/lib\tv0.0.0-00010101000000-000000000000\n"
                  "=>\t../lib\t(devel)\t\n"
                  "dep\t\t(devel)\t\n"
                  "build\t-ldflags=\"-X main.version=2.0.0\"\n"
                  "dep\texample.com/cut\tv1.0.0";
  CHECK(bw_gobinary_packages("go1.19.8", 8, t, strlen(t), &out, &err) == 0);
  char *got = list_text(&l);
  CHECK_STR(got, "../lib\t\nexample.com/app\tv1.0.0\nstdlib\tv1.19.8\n");
  free(got);
  /* a v0.0.0 pseudo-version of the main module gives way to -ldflags */
  l.v.len = 0;
  t = "mod\texample.com/app\tv0.0.0-20240101000000-abcdef123456\n"
      "build\t-ldflags=\"-X main.version=2.0.0\"\n"
      "build\t-ldflags=\"-X main.version=3.0.0\"\n";
  CHECK(bw_gobinary_packages("go1.22.0", 8, t, strlen(t), &out, &err) == 0);
  got = list_text(&l);
  CHECK_STR(got, "example.com/app\t2.0.0\nstdlib\tv1.22.0\n");
  free(got);
  /* a path of NUL bytes names nothing: skipped (not an empty-named package) */
  l.v.len = 0;
  static const char nul[] = "dep\t\0\0x\tv1.0.0\n";
  CHECK(bw_gobinary_packages("go1.22.0", 8, nul, sizeof nul - 1, &out, &err) == 0);
  got = list_text(&l);
  CHECK_STR(got, "stdlib\tv1.22.0\n");
  free(got);
  bw_pkglist_dispose(&l);
  bw_arena_free(a);
}

int main(void) {
  test_fixtures();
  test_inline();
  test_inline_hostile();
  test_pointer();
  test_pointer_hostile();
  test_not_elf();
  test_ldflags();
  test_semver();
  test_packages_rules();
  return test_finish();
}
