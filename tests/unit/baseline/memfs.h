/* An in-memory bl_fs for the baseline unit tests: files given as (path, text) pairs. */
#ifndef BW_TEST_BASELINE_MEMFS_H
#define BW_TEST_BASELINE_MEMFS_H

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/vec.h"
#include "baseline/internal.h"
#include "report/result.h"

#define BW_TEST_UNUSED __attribute__((unused))

typedef struct memfs {
  const char *const *files; /* path, text, path, text, ..., NULL */
  const char *layer;
} memfs;

BW_TEST_UNUSED static bool memfs_read(void *ctx, const char *path, bl_file *out) {
  memfs *m = ctx;
  for (size_t i = 0; m->files[i]; i += 2)
    if (!strcmp(m->files[i], path)) {
      *out = (bl_file){.path = m->files[i], .layer = m->layer, .data = (const uint8_t *)m->files[i + 1],
                       .len = strlen(m->files[i + 1])};
      return true;
    }
  return false;
}

static int memfs_cmp(const void *a, const void *b) {
  return strcmp(((const bl_file *)a)->path, ((const bl_file *)b)->path);
}

BW_TEST_UNUSED static int memfs_list(void *ctx, const char *prefix, bl_each_fn each, void *arg) {
  memfs *m = ctx;
  bl_file fs[64];
  size_t n = 0;
  for (size_t i = 0; m->files[i] && n < 64; i += 2)
    if (!strncmp(m->files[i], prefix, strlen(prefix)))
      fs[n++] = (bl_file){.path = m->files[i], .layer = m->layer, .data = (const uint8_t *)m->files[i + 1],
                          .len = strlen(m->files[i + 1])};
  qsort(fs, n, sizeof fs[0], memfs_cmp);
  for (size_t i = 0; i < n; i++) {
    int rc = each(arg, &fs[i]);
    if (rc) return rc;
  }
  return 0;
}

typedef struct tsink {
  bw_arena *arena;
  bw_vec findings, warnings;
  bl_sink s;
} tsink;

static void tsink_init(tsink *t) {
  t->arena = bw_arena_new();
  bw_vec_init(&t->findings, sizeof(bw_baseline_finding), 0);
  bw_vec_init(&t->warnings, sizeof(char *), 0);
  t->s = (bl_sink){.arena = t->arena, .findings = &t->findings, .warnings = &t->warnings};
}

static void tsink_dispose(tsink *t) {
  bw_vec_dispose(&t->findings);
  bw_vec_dispose(&t->warnings);
  bw_arena_free(t->arena);
}

/* Number of findings with this id (and, when path is non-NULL, this path). */
BW_TEST_UNUSED static size_t count_id(const tsink *t, const char *id) {
  size_t n = 0;
  for (size_t i = 0; i < t->findings.len; i++)
    if (!strcmp(bw_vec_at(&t->findings, bw_baseline_finding, i)->id, id)) n++;
  return n;
}

BW_TEST_UNUSED static const bw_baseline_finding *find_id(const tsink *t, const char *id) {
  for (size_t i = 0; i < t->findings.len; i++)
    if (!strcmp(bw_vec_at(&t->findings, bw_baseline_finding, i)->id, id))
      return bw_vec_at(&t->findings, bw_baseline_finding, i);
  return NULL;
}

/* True when no string of any finding or warning contains needle (a secret that must not leak). */
BW_TEST_UNUSED static bool nowhere(const tsink *t, const char *needle) {
  for (size_t i = 0; i < t->findings.len; i++) {
    const bw_baseline_finding *f = bw_vec_at(&t->findings, bw_baseline_finding, i);
    const char *s[] = {f->title, f->evidence, f->remediation, f->path};
    for (size_t k = 0; k < 4; k++)
      if (s[k] && strstr(s[k], needle)) return false;
  }
  for (size_t i = 0; i < t->warnings.len; i++)
    if (strstr(*bw_vec_at(&t->warnings, char *, i), needle)) return false;
  return true;
}

BW_TEST_UNUSED static void dump(const tsink *t) {
  for (size_t i = 0; i < t->findings.len; i++) {
    const bw_baseline_finding *f = bw_vec_at(&t->findings, bw_baseline_finding, i);
    fprintf(stderr, "  %s %d %s:%u %s\n", f->id, f->severity, f->path ? f->path : "-", f->line, f->evidence);
  }
}

#endif
