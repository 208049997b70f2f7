/* Shared by the application-package analyser tests (python, ruby, php, dotnet): run a parser over
 * a buffer, and compare its packages with a shared fixture's .expected.tsv (columns: name,
 * version, relationship, dev, licenses, id, depends_on; see /work/shared/data/fixtures/SOURCES.md). */
#ifndef BW_TEST_APP_FIXTURE_H
#define BW_TEST_APP_FIXTURE_H

#include <stdbool.h>
#include <strings.h>

#include "analyze/analyzer.h"
#include "base/limits.h"
#include "unit/test.h"

typedef int (*app_parse_fn)(const uint8_t *, size_t, bw_analyze_out *, bw_error *);

typedef struct parsed {
  bw_arena *arena;
  bw_pkglist list;
  bw_error err;
  int rc;
} parsed;

static void parse_len(parsed *p, app_parse_fn fn, const char *path, const void *text, size_t len) {
  memset(p, 0, sizeof *p);
  p->arena = bw_arena_new();
  bw_pkglist_init(&p->list);
  bw_analyze_out out = {.arena = p->arena, .packages = &p->list, .path = path};
  p->rc = fn((const uint8_t *)text, len, &out, &p->err);
}
static void parse_str(parsed *p, app_parse_fn fn, const char *path, const char *text) {
  parse_len(p, fn, path, text, strlen(text));
}
static void done(parsed *p) {
  bw_pkglist_dispose(&p->list);
  bw_arena_free(p->arena);
}
static size_t npkg(const parsed *p) { return bw_pkglist_len(&p->list); }
static const bw_package *pkg(const parsed *p, size_t i) {
  return i < bw_pkglist_len(&p->list) ? bw_pkglist_at(&p->list, i) : NULL;
}
/* The package called name (NULL when absent). */
static const bw_package *find(const parsed *p, const char *name) {
  for (size_t i = 0; i < npkg(p); i++)
    if (strcmp(pkg(p, i)->name, name) == 0) return pkg(p, i);
  return NULL;
}

/* Checks a hostile input is rejected with the given code, a message, and no package kept. */
#define CHECK_REJECTS(fn, path, text, len, want_code)                                                \
  do {                                                                                          \
    parsed r_;                                                                                  \
    parse_len(&r_, fn, path, text, len);                                                        \
    CHECK(r_.rc == -(want_code));                                                                    \
    CHECK(r_.err.code == (want_code) && r_.err.msg[0]);                                              \
    CHECK(npkg(&r_) == 0);                                                                      \
    if (r_.rc != -(want_code)) fprintf(stderr, "  rc %d, message: %s\n", r_.rc, r_.err.msg);          \
    done(&r_);                                                                                  \
  } while (0)

static int row_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Splits a licence expression or a ';' list into sorted, ';'-joined ids (operators dropped),
 * so "MIT OR BSD-2-Clause", "MIT or BSD-2-Clause" and "MIT;BSD-2-Clause" compare equal. */
static void lic_canon(const char *s, char *out, size_t cap) {
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", s ? s : "");
  char *parts[64];
  size_t n = 0;
  char *p = buf;
  while (*p && n < 64) {
    while (*p == ' ' || *p == ';' || *p == '(' || *p == ')') p++;
    if (!*p) break;
    char *e = p;
    while (*e && *e != ' ' && *e != ';' && *e != '(' && *e != ')') e++;
    char save = *e;
    *e = 0;
    if (strcasecmp(p, "or") && strcasecmp(p, "and")) parts[n++] = p;
    if (!save) break;
    p = e + 1;
  }
  qsort(parts, n, sizeof parts[0], row_cmp);
  out[0] = 0;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) k += (size_t)snprintf(out + k, k < cap ? cap - k : 0, "%s%s", i ? ";" : "", parts[i]);
}

/* Compares the parser's packages on a shared fixture with its .expected.tsv as sorted
 * "name<TAB>version<TAB>dev[<TAB>licences]" rows (the sources list packages in map order, so the
 * order is not part of the expectation). Rows whose relationship is skip_rel (e.g. "root") are
 * left out of the expectation. Returns false (after a SKIP) when the fixture is absent. */
static bool check_fixture(app_parse_fn fn, const char *file, const char *skip_rel, bool with_licenses) {
  char path[4096], tsv[4096];
  const char *root = getenv("BW_SHARED_DATA"); /* the env wins over the build's default */
  if (!root || !*root) root = BW_SHARED_DATA;
  snprintf(path, sizeof path, "%s/fixtures/lockfile/%s", root, file);
  snprintf(tsv, sizeof tsv, "%s.expected.tsv", path);
  size_t len = 0, tlen = 0;
  unsigned char *buf = test_read_file(path, &len);
  unsigned char *exp = test_read_file(tsv, &tlen);
  if (!buf || !exp) {
    SKIP("shared fixture %s not found (BW_SHARED_DATA=%s)", file, root);
    free(buf);
    free(exp);
    return false;
  }
  char *want[512], *got[512];
  size_t nw = 0, ng = 0;
  /* expected rows */
  char *save = NULL;
  int line = 0;
  for (char *l = strtok_r((char *)exp, "\n", &save); l && nw < 512; l = strtok_r(NULL, "\n", &save)) {
    if (line++ == 0) continue; /* header */
    char *col[8] = {0};
    size_t nc = 0;
    for (char *c = l; nc < 8;) {
      col[nc++] = c;
      char *tab = strchr(c, '\t');
      if (!tab) break;
      *tab = 0;
      c = tab + 1;
    }
    if (nc < 5) continue;
    if (skip_rel && strcmp(col[2], skip_rel) == 0) continue;
    char lic[512] = "";
    lic_canon(col[4], lic, sizeof lic);
    char row[1024];
    snprintf(row, sizeof row, "%s\t%s\t%d%s%s", col[0], col[1], strcmp(col[3], "true") == 0,
             with_licenses ? "\t" : "", with_licenses ? lic : "");
    want[nw++] = strdup(row);
  }
  parsed p;
  parse_len(&p, fn, file, buf, len);
  CHECK(p.rc == 0);
  if (p.rc) fprintf(stderr, "  %s: %s\n", file, p.err.msg);
  for (size_t i = 0; i < npkg(&p) && ng < 512; i++) {
    const bw_package *q = pkg(&p, i);
    char lic[512] = "";
    lic_canon(q->licenses, lic, sizeof lic);
    char row[1024];
    snprintf(row, sizeof row, "%s\t%s\t%d%s%s", q->name, q->version, q->dev, with_licenses ? "\t" : "",
             with_licenses ? lic : "");
    got[ng++] = strdup(row);
  }
  qsort(want, nw, sizeof want[0], row_cmp);
  qsort(got, ng, sizeof got[0], row_cmp);
  bool same = nw == ng && nw > 0;
  for (size_t i = 0; same && i < nw; i++) same = strcmp(want[i], got[i]) == 0;
  CHECK(same);
  if (!same) {
    fprintf(stderr, "  %s: %zu expected rows, %zu parsed\n", file, nw, ng);
    for (size_t i = 0; i < nw || i < ng; i++)
      fprintf(stderr, "    want %-50s got %s\n", i < nw ? want[i] : "-", i < ng ? got[i] : "-");
  }
  /* every package carries its type's fields */
  for (size_t i = 0; i < npkg(&p); i++) CHECK(pkg(&p, i)->name[0] && pkg(&p, i)->version[0]);
  for (size_t i = 0; i < nw; i++) free(want[i]);
  for (size_t i = 0; i < ng; i++) free(got[i]);
  done(&p);
  free(buf);
  free(exp);
  return true;
}

#endif
