/* Shared by the baseline fuzz targets: an in-memory bl_fs over slices of the input and a sink. */
#ifndef BW_FUZZ_BASELINE_H
#define BW_FUZZ_BASELINE_H

#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/vec.h"
#include "baseline/internal.h"
#include "report/result.h"

#define FZ_MAX_FILES 8
typedef struct fz_fs {
  const char *path[FZ_MAX_FILES];
  const uint8_t *data[FZ_MAX_FILES];
  size_t len[FZ_MAX_FILES];
  size_t n;
} fz_fs;

/* Splits the input at "\n@@\n" markers into the given paths, in order. */
static inline void fz_split(fz_fs *fs, const uint8_t *data, size_t size, const char *const *paths, size_t npaths) {
  fs->n = 0;
  size_t start = 0;
  for (size_t i = 0; i + 4 <= size && fs->n + 1 < npaths; i++)
    if (!memcmp(data + i, "\n@@\n", 4)) {
      fs->path[fs->n] = paths[fs->n];
      fs->data[fs->n] = data + start;
      fs->len[fs->n++] = i - start;
      start = i + 4;
      i += 3;
    }
  fs->path[fs->n] = paths[fs->n];
  fs->data[fs->n] = data + start;
  fs->len[fs->n++] = size - start;
}

static inline bool fz_read(void *ctx, const char *path, bl_file *out) {
  fz_fs *fs = ctx;
  for (size_t i = 0; i < fs->n; i++)
    if (!strcmp(fs->path[i], path)) {
      *out = (bl_file){.path = fs->path[i], .layer = "sha256:fuzz", .data = fs->data[i], .len = fs->len[i]};
      return true;
    }
  return false;
}

static inline int fz_list(void *ctx, const char *prefix, bl_each_fn each, void *arg) {
  fz_fs *fs = ctx;
  for (size_t i = 0; i < fs->n; i++) {
    if (strncmp(fs->path[i], prefix, strlen(prefix))) continue;
    bl_file f = {.path = fs->path[i], .layer = "sha256:fuzz", .data = fs->data[i], .len = fs->len[i]};
    int rc = each(arg, &f);
    if (rc) return rc;
  }
  return 0;
}

/* Every finding must be complete C strings. */
static inline void fz_check(const bw_vec *findings) {
  for (size_t i = 0; i < findings->len; i++) {
    const bw_baseline_finding *f = bw_vec_at(findings, bw_baseline_finding, i);
    (void)strlen(f->id);
    (void)strlen(f->evidence);
    if (f->path) (void)strlen(f->path);
  }
}

#endif
