#include "analyze/dispatch.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "analyze/os_detect.h"
#include "baseline/baseline.h"
#include "base/limits.h"
#include "base/log.h"

void bw_analyze_warn(const bw_analyze_out *out, const char *fmt, ...) {
  char msg[BW_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (out && out->warn) out->warn(out->warn_ctx, msg);
  else bw_debug("%s: %s", out && out->path ? out->path : "?", msg);
}

bw_record_finding *bw_analyze_finding(bw_analyze_out *out) {
  if (!out->findings) return NULL;
  bw_record_finding *f = bw_vec_push(out->findings);
  if (f) f->path = out->path;
  return f;
}

/* out->warn of a whole-file analyser: a record warning naming the entry and the analyser. */
typedef struct warn_ctx {
  bw_layer_record *rec;
  const char *path, *analyzer;
} warn_ctx;

static void record_warn(void *ctx, const char *msg) {
  warn_ctx *w = ctx;
  bw_layer_record_warn(w->rec, "entry %s: %s analyser: %s", w->path, w->analyzer, msg);
}

bool bw_dispatch_plan_for(const char *path, bw_dispatch_plan *plan) {
  memset(plan, 0, sizeof *plan);
  for (size_t i = 0; bw_analyzers[i] && i < 64; i++) {
    if (!bw_analyzers[i]->wants(path)) continue;
    plan->analyzers |= 1ull << i;
    if (bw_analyzers[i]->max_bytes > plan->max_bytes) plan->max_bytes = bw_analyzers[i]->max_bytes;
  }
  if (bw_os_wants(path) || bw_baseline_wants(path)) {
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
    warn_ctx wc = {.rec = rec, .path = kept_path, .analyzer = an->name};
    bw_analyze_out out = {
        .arena = rec->arena, .packages = &rec->packages, .path = kept_path, .warn = record_warn, .warn_ctx = &wc};
    bw_error perr = {0};
    int rc = an->parse(buf, len, &out, &perr);
    if (rc < 0) {
      rec->packages.v.len = before; /* drop what a failed parse appended */
      if (perr.code == BW_ENOMEM) return bw_error_set(err, BW_ENOMEM, "out of memory parsing %s", path);
      bw_layer_record_warn(rec, "entry %s: %s analyser: %s", path, an->name, perr.msg);
      /* still record the (empty) database: this file replaces whatever lower layers had */
    }
    size_t after = bw_pkglist_len(&rec->packages);
    for (size_t k = before; k < after; k++)
      if (!bw_pkglist_at(&rec->packages, k)->path) bw_pkglist_at(&rec->packages, k)->path = kept_path;
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

bool bw_dispatch_stream_begin(bw_stream_session *s, bw_layer_record *rec, const char *path, uint32_t mode,
                              uint64_t size, const uint8_t *head, size_t head_len) {
  memset(s, 0, sizeof *s);
  for (size_t i = 0; bw_stream_analyzers[i] && s->n < BW_STREAM_MAX; i++) {
    const bw_stream_analyzer *an = bw_stream_analyzers[i];
    if (an->scanner && !(an->scanner & rec->scanners)) continue;
    if (!an->wants(path, mode, size, head, head_len)) continue;
    if (!s->path && !(s->path = bw_arena_strdup(rec->arena, path))) break;
    bw_error err = {0};
    void *state = NULL;
    if (an->open(&state, path, size, &err) < 0) {
      bw_layer_record_warn(rec, "entry %s: %s analyser: %s", path, an->name, err.msg);
      continue;
    }
    s->an[s->n] = an;
    s->state[s->n++] = state;
  }
  return s->n > 0;
}

void bw_dispatch_stream_feed(bw_stream_session *s, bw_layer_record *rec, const uint8_t *buf, size_t len) {
  for (size_t i = 0; i < s->n; i++) {
    if (s->failed[i]) continue;
    bw_error err = {0};
    if (s->an[i]->feed(s->state[i], buf, len, &err) < 0) {
      s->failed[i] = true;
      bw_layer_record_warn(rec, "entry %s: %s analyser: %s", s->path, s->an[i]->name, err.msg);
    }
  }
}

int bw_dispatch_stream_end(bw_stream_session *s, bw_layer_record *rec, bool complete, bw_error *err) {
  int rc = 0;
  for (size_t i = 0; i < s->n; i++) {
    if (complete && !s->failed[i] && rc == 0) {
      size_t before = bw_pkglist_len(&rec->packages), fbefore = rec->findings.len;
      warn_ctx wc = {.rec = rec, .path = s->path, .analyzer = s->an[i]->name};
      bw_analyze_out out = {.arena = rec->arena,
                            .packages = &rec->packages,
                            .path = s->path,
                            .warn = record_warn,
                            .warn_ctx = &wc,
                            .findings = &rec->findings,
                            .skipped = &rec->content_skipped};
      bw_error perr = {0};
      if (s->an[i]->finish(s->state[i], &out, &perr) < 0) {
        rec->packages.v.len = before;
        rec->findings.len = fbefore;
        if (perr.code == BW_ENOMEM) rc = bw_error_set(err, BW_ENOMEM, "out of memory in %s", s->an[i]->name);
        else bw_layer_record_warn(rec, "entry %s: %s analyser: %s", s->path, s->an[i]->name, perr.msg);
      }
      size_t after = bw_pkglist_len(&rec->packages);
      for (size_t k = before; k < after; k++)
        if (!bw_pkglist_at(&rec->packages, k)->path) bw_pkglist_at(&rec->packages, k)->path = s->path;
      bw_record_db *db = after > before ? bw_vec_push(&rec->dbs) : NULL;
      if (after > before && !db) rc = bw_error_set(err, BW_ENOMEM, "out of memory");
      if (db) *db = (bw_record_db){.path = s->path, .analyzer = s->an[i]->name, .first = before, .count = after - before};
    }
    s->an[i]->close(s->state[i]);
  }
  if (rec->findings.len == rec->findings.max && !rec->findings_capped) {
    rec->findings_capped = true;
    bw_layer_record_warn(rec, "more than %u findings in this layer: the rest not recorded", BW_LIMIT_FINDINGS_PER_LAYER);
  }
  s->n = 0;
  return rc;
}
