#include "analyze/inventory.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/analyzer.h"
#include "analyze/os_detect.h"
#include "base/log.h"
#include "base/pool.h"
#include "layer/merge.h"
#include "layer/walk.h"

typedef struct {
  const bw_image *img;
  const size_t *order; /* layers by decreasing blob size: the longest jobs start first */
  const bw_inventory_opts *opts;
  bw_layer_record **records;
  bw_error *errors;
  int *rcs;
  _Atomic size_t cached; /* layers taken from the record cache */
} layer_job;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void read_one_layer(void *ctx, size_t slot) {
  layer_job *job = ctx;
  size_t i = job->order[slot];
  const bw_layer_desc *d = &job->img->layers[i];
  bw_error *err = &job->errors[i];
  const char *cache = job->opts->cache_dir;
  double t0 = now_s();
  unsigned want = job->opts->scanners & BW_SCANNER_CONTENT;
  if (cache) {
    bw_error cerr = {0};
    const char *fp = job->opts->content_fp ? job->opts->content_fp : "";
    if (bw_layer_record_load(&job->records[i], cache, d->digest, &cerr) == 0 &&
        ((job->records[i]->scanners & want) != want ||
         (want && strcmp(job->records[i]->content_fp ? job->records[i]->content_fp : "", fp) != 0))) {
      /* cached without a content scanner this scan wants, or by other rules: read the layer
       * again. With the same rules, keep the scanners the cached record had so the new record
       * serves both kinds of scan; with other rules, only what this scan configured. */
      if (!strcmp(job->records[i]->content_fp ? job->records[i]->content_fp : "", fp))
        want |= job->records[i]->scanners & BW_SCANNER_CONTENT;
      bw_layer_record_free(job->records[i]);
      job->records[i] = NULL;
    } else if (job->records[i]) {
      if (job->opts->progress)
        bw_info("layer %zu/%zu %.19s: cached (%zu packages)", i + 1, job->img->nlayers, d->diff_id,
                bw_pkglist_len(&job->records[i]->packages));
      job->cached++;
      return;
    }
    if (cerr.code == BW_ECORRUPT) bw_warn("ignoring damaged cache record: %s", cerr.msg);
  }
  job->rcs[i] = bw_layer_read(&job->records[i], job->img->source, d, job->opts->verify_diff_ids, want, err);
  if (job->rcs[i] < 0) return;
  if (want && job->opts->content_fp &&
      !(job->records[i]->content_fp = bw_arena_strdup(job->records[i]->arena, job->opts->content_fp))) {
    job->rcs[i] = bw_error_set(err, BW_ENOMEM, "out of memory");
    return;
  }
  if (job->opts->progress)
    bw_info("layer %zu/%zu %.19s: %llu entries, %.1f MB in %.2fs", i + 1, job->img->nlayers, d->diff_id,
            (unsigned long long)job->records[i]->entries, job->records[i]->bytes / 1e6, now_s() - t0);
  if (cache) {
    bw_error serr = {0};
    if (bw_layer_record_save(job->records[i], cache, &serr) < 0) bw_warn("layer cache not written: %s", serr.msg);
  }
}

static bool analyzer_annotates(const char *name) {
  for (size_t i = 0; bw_analyzers[i]; i++)
    if (name && !strcmp(bw_analyzers[i]->name, name)) return bw_analyzers[i]->annotates;
  return false;
}

static const char *annotated_licenses(const bw_vec *notes, const bw_package *p) {
  for (size_t i = 0; i < notes->len; i++) {
    const bw_package *n = *bw_vec_at(notes, const bw_package *, i);
    if (n->type == p->type && n->name && p->name && !strcmp(n->name, p->name)) return n->licenses;
  }
  return NULL;
}

static bool view_lookup(void *ctx, const char *path, const uint8_t **buf, size_t *len) {
  return bw_view_read(ctx, path, buf, len);
}

void bw_scan_result_dispose(bw_scan_result *res) {
  if (res->view) {
    bw_image_view_dispose(res->view);
    free(res->view);
  }
  bw_vec_dispose(&res->baseline);
  bw_vec_dispose(&res->malware);
  for (size_t i = 0; i < res->nrecords; i++) bw_layer_record_free(res->records[i]);
  free(res->records);
  bw_pkglist_dispose(&res->packages);
  bw_vec_dispose(&res->warnings);
  bw_vec_dispose(&res->vulns);
  bw_arena_free(res->arena);
  memset(res, 0, sizeof *res);
}

/* Findings of the content scanners on files the final image still has. */
static int collect_findings(bw_scan_result *res, bw_error *err) {
  const bw_image *img = res->image;
  for (size_t i = 0; i < res->nrecords; i++) {
    const bw_layer_record *r = res->records[i];
    res->content_skipped += r->content_skipped;
    const char *layer = img->is_rootfs ? NULL : img->layers[i].diff_id;
    for (size_t k = 0; k < r->findings.len; k++) {
      const bw_record_finding *f = bw_vec_at(&r->findings, bw_record_finding, k);
      if (!bw_view_path_live(res->view, i, f->path)) continue;
      if (f->kind == BW_FINDING_SECRET) {
        bw_baseline_finding *b = bw_vec_push(&res->baseline);
        if (!b) return bw_error_set(err, BW_ENOMEM, "out of memory");
        *b = (bw_baseline_finding){.id = f->rule, .category = "secret", .severity = (int)f->severity,
                                   .title = f->title, .path = f->path, .line = f->line, .evidence = f->evidence,
                                   .remediation = f->remediation, .layer = layer};
      } else {
        bw_malware_finding *m = bw_vec_push(&res->malware);
        if (!m) return bw_error_set(err, BW_ENOMEM, "out of memory");
        *m = (bw_malware_finding){.rule = f->rule, .family = f->category, .severity = (int)f->severity,
                                  .path = f->path, .layer = layer, .sha256 = f->sha256, .size = f->size,
                                  .description = f->remediation ? f->remediation : f->title};
      }
    }
  }
  return 0;
}

static int collect_warnings(bw_scan_result *res, bw_error *err) {
  for (size_t i = 0; i < res->nrecords; i++) {
    const bw_layer_record *r = res->records[i];
    for (size_t k = 0; k < r->warnings.len; k++) {
      const char **slot = bw_vec_push(&res->warnings);
      if (!slot) return bw_error_set(err, BW_ENOMEM, "out of memory");
      *slot = bw_arena_printf(res->arena, "layer %s: %s", r->diff_id, *bw_vec_at(&r->warnings, const char *, k));
    }
  }
  return 0;
}

int bw_inventory_run(bw_scan_result *res, const bw_image *img, const bw_inventory_opts *opts, bw_error *err) {
  static const bw_inventory_opts defaults;
  if (!opts) opts = &defaults;
  memset(res, 0, sizeof *res);
  res->image = img;
  res->arena = bw_arena_new();
  bw_pkglist_init(&res->packages);
  bw_vec_init(&res->warnings, sizeof(char *), 0);
  bw_vec_init(&res->vulns, sizeof(bw_vuln), 0);
  bw_vec_init(&res->baseline, sizeof(bw_baseline_finding), 0);
  bw_vec_init(&res->malware, sizeof(bw_malware_finding), 0);
  res->scanners = opts->scanners;
  if (!res->arena) return bw_error_set(err, BW_ENOMEM, "out of memory");
  int rc = 0;
  if (img->is_rootfs) {
    res->records = calloc(1, sizeof *res->records);
    if (!res->records) return bw_error_set(err, BW_ENOMEM, "out of memory");
    if ((rc = bw_layer_read_rootfs(&res->records[0], img->rootfs, opts->scanners & BW_SCANNER_CONTENT, err)) < 0)
      return rc;
    res->nrecords = 1;
  } else {
    size_t n = img->nlayers;
    res->records = calloc(n ? n : 1, sizeof *res->records);
    bw_error *errors = calloc(n ? n : 1, sizeof *errors);
    int *rcs = calloc(n ? n : 1, sizeof *rcs);
    if (!res->records || !errors || !rcs) {
      free(errors);
      free(rcs);
      return bw_error_set(err, BW_ENOMEM, "out of memory");
    }
    size_t *order = calloc(n ? n : 1, sizeof *order);
    if (!order) {
      free(errors);
      free(rcs);
      return bw_error_set(err, BW_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) order[i] = i;
    /* longest processing time first: with fewer cores than layers, the big layer must not start last */
    for (size_t i = 1; i < n; i++)
      for (size_t k = i; k > 0 && img->layers[order[k]].size > img->layers[order[k - 1]].size; k--) {
        size_t t = order[k];
        order[k] = order[k - 1];
        order[k - 1] = t;
      }
    layer_job job = {img, order, opts, res->records, errors, rcs, 0};
    bw_pool_run(n, read_one_layer, &job, opts->threads);
    free(order);
    res->nrecords = n;
    res->layers_cached = job.cached;
    res->layers_read = n - job.cached;
    for (size_t i = 0; i < n && rc == 0; i++) {
      if (rcs[i] < 0) {
        *err = errors[i];
        rc = rcs[i];
      }
    }
    free(errors);
    free(rcs);
    if (rc < 0) return rc;
  }

  res->view = calloc(1, sizeof *res->view);
  if (!res->view) return bw_error_set(err, BW_ENOMEM, "out of memory");
  bw_image_view view;
  if ((rc = bw_merge(&view, res->records, res->nrecords, err)) < 0) {
    bw_image_view_dispose(&view);
    free(res->view);
    res->view = NULL;
    return rc;
  }
  rc = bw_os_detect(&res->os, res->arena, view_lookup, &view, err);
  bw_vec notes; /* const bw_package *: annotations from annotating analysers */
  bw_vec_init(&notes, sizeof(const bw_package *), 0);
  for (size_t i = 0; rc == 0 && i < view.dbs.len; i++) {
    const bw_view_item *it = bw_vec_at(&view.dbs, bw_view_item, i);
    const bw_record_db *db = it->item;
    if (!analyzer_annotates(db->analyzer)) continue;
    const bw_layer_record *r = res->records[it->layer];
    for (size_t k = db->first; k < db->first + db->count; k++) {
      const bw_package **slot = bw_vec_push(&notes);
      if (!slot) {
        rc = bw_error_set(err, BW_ENOMEM, "out of memory");
        break;
      }
      *slot = bw_pkglist_at(&r->packages, k);
    }
  }
  for (size_t i = 0; rc == 0 && i < view.dbs.len; i++) {
    const bw_view_item *it = bw_vec_at(&view.dbs, bw_view_item, i);
    const bw_record_db *db = it->item;
    if (analyzer_annotates(db->analyzer)) continue;
    const bw_layer_record *r = res->records[it->layer];
    for (size_t k = db->first; k < db->first + db->count; k++) {
      const bw_package *src = bw_pkglist_at(&r->packages, k);
      bw_package *p = bw_pkglist_add(&res->packages, err);
      if (!p) {
        rc = -err->code;
        break;
      }
      *p = *src;
      size_t origin = bw_view_package_origin(&view, db->path, src, it->layer);
      /* this image's diff_id: a cached record may come from another image's config */
      p->layer = img->is_rootfs ? NULL : img->layers[origin].diff_id;
      if (!p->licenses) p->licenses = annotated_licenses(&notes, p);
    }
  }
  bw_vec_dispose(&notes);
  for (size_t i = 0; rc == 0 && i < view.warnings.len; i++) {
    const char **slot = bw_vec_push(&res->warnings);
    if (!slot || !(*slot = bw_arena_strdup(res->arena, *bw_vec_at(&view.warnings, char *, i))))
      rc = bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  *res->view = view;
  if (rc == 0) rc = collect_findings(res, err);
  if (rc == 0) rc = collect_warnings(res, err);
  if (rc == 0) bw_pkglist_sort(&res->packages);
  return rc;
}
