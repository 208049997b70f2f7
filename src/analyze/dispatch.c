#include "analyze/dispatch.h"

#include <string.h>

#include "analyze/analyzer.h"
#include "analyze/os_detect.h"
#include "base/limits.h"

bool bw_dispatch_plan_for(const char *path, bw_dispatch_plan *plan) {
  memset(plan, 0, sizeof *plan);
  for (size_t i = 0; bw_analyzers[i] && i < 64; i++) {
    if (!bw_analyzers[i]->wants(path)) continue;
    plan->analyzers |= 1ull << i;
    if (bw_analyzers[i]->max_bytes > plan->max_bytes) plan->max_bytes = bw_analyzers[i]->max_bytes;
  }
  if (bw_os_wants(path)) {
    plan->capture = true;
    if (plan->max_bytes < BW_LIMIT_SMALL_FILE_BYTES) plan->max_bytes = BW_LIMIT_SMALL_FILE_BYTES;
  }
  return plan->analyzers || plan->capture;
}

int bw_dispatch_file(bw_layer_record *rec, const char *path, uint32_t mode, const uint8_t *buf, size_t len,
                     const bw_dispatch_plan *plan, bw_error *err) {
  const char *kept_path = bw_arena_strdup(rec->arena, path);
  if (!kept_path) return bw_error_set(err, BW_ENOMEM, "out of memory");
  for (size_t i = 0; bw_analyzers[i] && i < 64; i++) {
    if (!(plan->analyzers & (1ull << i))) continue;
    const bw_analyzer *an = bw_analyzers[i];
    if (len > an->max_bytes) {
      bw_layer_record_warn(rec, "entry %s: %zu bytes, over the %s analyser's limit of %zu: skipped", path, len,
                           an->name, an->max_bytes);
      continue;
    }
    size_t before = bw_pkglist_len(&rec->packages);
    bw_analyze_out out = {.arena = rec->arena, .packages = &rec->packages, .path = kept_path};
    bw_error perr = {0};
    int rc = an->parse(buf, len, &out, &perr);
    if (rc < 0) {
      rec->packages.v.len = before; /* drop what a failed parse appended */
      if (perr.code == BW_ENOMEM) return bw_error_set(err, BW_ENOMEM, "out of memory parsing %s", path);
      bw_layer_record_warn(rec, "entry %s: %s analyser: %s", path, an->name, perr.msg);
      /* still record the (empty) database: this file replaces whatever lower layers had */
    }
    size_t after = bw_pkglist_len(&rec->packages);
    for (size_t k = before; k < after; k++) bw_pkglist_at(&rec->packages, k)->path = kept_path;
    bw_record_db *db = bw_vec_push(&rec->dbs);
    if (!db) return bw_error_set(err, BW_ENOMEM, "out of memory");
    *db = (bw_record_db){.path = kept_path, .analyzer = an->name, .first = before, .count = after - before};
  }
  if (plan->capture) {
    if (len > BW_LIMIT_SMALL_FILE_BYTES) {
      bw_layer_record_warn(rec, "entry %s: %zu bytes, too large to capture: skipped", path, len);
      return 0;
    }
    bw_record_file *f = bw_vec_push(&rec->files);
    uint8_t *copy = bw_arena_alloc(rec->arena, len + 1);
    if (!f || !copy) return bw_error_set(err, BW_ENOMEM, "out of memory");
    memcpy(copy, buf, len);
    *f = (bw_record_file){.path = kept_path, .data = copy, .len = len, .mode = mode};
  }
  return 0;
}
