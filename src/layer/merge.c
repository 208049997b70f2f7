#include "layer/merge.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

#include "base/limits.h"
#include "layer/safepath.h"

/* true when path is dir itself or below it ("" is the root: everything is below it) */
static bool under(const char *path, const char *dir) {
  size_t n = strlen(dir);
  if (n == 0) return true;
  return strncmp(path, dir, n) == 0 && (path[n] == 0 || path[n] == '/');
}

static bool strictly_under(const char *path, const char *dir) {
  size_t n = strlen(dir);
  if (n == 0) return path[0] != 0;
  return strncmp(path, dir, n) == 0 && path[n] == '/';
}

static void remove_matching(bw_vec *v, const char *p, bool opaque) {
  size_t k = 0;
  for (size_t i = 0; i < v->len; i++) {
    bw_view_item *it = bw_vec_at(v, bw_view_item, i);
    bool hit = opaque ? strictly_under(it->path, p) : under(it->path, p);
    if (!hit) *bw_vec_at(v, bw_view_item, k++) = *it;
  }
  v->len = k;
}

static int put(bw_vec *v, const void *item, const char *path, size_t layer, bw_error *err) {
  for (size_t i = 0; i < v->len; i++) {
    bw_view_item *it = bw_vec_at(v, bw_view_item, i);
    if (!strcmp(it->path, path)) {
      *it = (bw_view_item){item, path, layer};
      return 0;
    }
  }
  bw_view_item *it = bw_vec_push(v);
  if (!it) return bw_error_set(err, BW_ENOMEM, "out of memory merging layers");
  *it = (bw_view_item){item, path, layer};
  return 0;
}

/* A path that a layer writes as a new file or link replaces whatever lower layers had there,
 * including a directory and its content. */
static void replace_path(bw_image_view *v, const char *path) {
  remove_matching(&v->files, path, true);
  remove_matching(&v->dbs, path, true);
  remove_matching(&v->links, path, true);
}

static int view_warn(bw_image_view *v, bw_error *err, const char *fmt, ...) BW_PRINTF(3, 4);
static int view_warn(bw_image_view *v, bw_error *err, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  bw_warn("%s", msg);
  char **slot = bw_vec_push(&v->warnings);
  if (!slot || !(*slot = strdup(msg))) return bw_error_set(err, BW_ENOMEM, "out of memory");
  return 0;
}

/* An orphan entry below a symlink of a lower layer would, when extracted by a container runtime,
 * be written wherever that link points; when the link leaves the root, that is outside the
 * image. Bulwark never writes it anywhere; it says so. */
static int check_orphans(bw_image_view *v, const bw_layer_record *r, bw_error *err) {
  for (size_t i = 0; i < r->orphans.len; i++) {
    const char *path = *bw_vec_at(&r->orphans, const char *, i);
    for (size_t k = 0; k < v->links.len; k++) {
      const bw_view_item *it = bw_vec_at(&v->links, bw_view_item, k);
      const bw_record_link *l = it->item;
      if (l->hard || !strictly_under(path, it->path) || !bw_path_link_escapes(it->path, l->target)) continue;
      int rc = view_warn(v, err, "layer %s: entry %s is written through symlink %s -> %s, which leaves the image root: ignored",
                         r->diff_id, path, it->path, l->target);
      if (rc < 0) return rc;
      break;
    }
  }
  return 0;
}

int bw_merge(bw_image_view *out, bw_layer_record *const *records, size_t n, bw_error *err) {
  memset(out, 0, sizeof *out);
  out->records = records;
  out->nrecords = n;
  bw_vec_init(&out->files, sizeof(bw_view_item), 0);
  bw_vec_init(&out->dbs, sizeof(bw_view_item), 0);
  bw_vec_init(&out->links, sizeof(bw_view_item), 0);
  bw_vec_init(&out->warnings, sizeof(char *), 10000);
  bw_vec *all[] = {&out->files, &out->dbs, &out->links};
  for (size_t li = 0; li < n; li++) {
    const bw_layer_record *r = records[li];
    /* deletions first: they apply to lower layers only, not to this layer's own entries */
    for (size_t i = 0; i < r->opaques.len; i++)
      for (size_t k = 0; k < 3; k++) remove_matching(all[k], *bw_vec_at(&r->opaques, const char *, i), true);
    for (size_t i = 0; i < r->whiteouts.len; i++)
      for (size_t k = 0; k < 3; k++) remove_matching(all[k], *bw_vec_at(&r->whiteouts, const char *, i), false);
    int rc;
    if ((rc = check_orphans(out, r, err)) < 0) return rc;
    for (size_t i = 0; i < r->links.len; i++) {
      const bw_record_link *l = bw_vec_at(&r->links, bw_record_link, i);
      replace_path(out, l->path);
      remove_matching(&out->files, l->path, false);
      remove_matching(&out->dbs, l->path, false);
      if ((rc = put(&out->links, l, l->path, li, err)) < 0) return rc;
    }
    for (size_t i = 0; i < r->files.len; i++) {
      const bw_record_file *f = bw_vec_at(&r->files, bw_record_file, i);
      remove_matching(&out->links, f->path, false);
      if ((rc = put(&out->files, f, f->path, li, err)) < 0) return rc;
    }
    for (size_t i = 0; i < r->dbs.len; i++) {
      const bw_record_db *d = bw_vec_at(&r->dbs, bw_record_db, i);
      remove_matching(&out->links, d->path, false);
      if ((rc = put(&out->dbs, d, d->path, li, err)) < 0) return rc;
    }
  }
  return 0;
}

void bw_image_view_dispose(bw_image_view *v) {
  bw_vec_dispose(&v->files);
  bw_vec_dispose(&v->dbs);
  bw_vec_dispose(&v->links);
  for (size_t i = 0; i < v->warnings.len; i++) free(*bw_vec_at(&v->warnings, char *, i));
  bw_vec_dispose(&v->warnings);
}

static const char *view_symlink(void *ctx, const char *path) {
  const bw_image_view *v = ctx;
  for (size_t i = 0; i < v->links.len; i++) {
    const bw_view_item *it = bw_vec_at(&v->links, bw_view_item, i);
    const bw_record_link *l = it->item;
    if (!l->hard && !strcmp(it->path, path)) return l->target;
  }
  return NULL;
}

bool bw_view_read(const bw_image_view *v, const char *path, const uint8_t **buf, size_t *len) {
  char resolved[BW_LIMIT_PATH_BYTES + 1];
  bw_error err = {0};
  if (bw_path_resolve(resolved, sizeof resolved, path, view_symlink, (void *)v, &err) < 0) {
    bw_warn("%s: %s", path, err.msg);
    return false;
  }
  for (int hop = 0; hop < 2; hop++) {
    for (size_t i = 0; i < v->files.len; i++) {
      const bw_view_item *it = bw_vec_at(&v->files, bw_view_item, i);
      if (strcmp(it->path, resolved) != 0) continue;
      const bw_record_file *f = it->item;
      *buf = f->data;
      *len = f->len;
      return true;
    }
    /* a hard link whose target was captured under its own name */
    const char *target = NULL;
    for (size_t i = 0; i < v->links.len && !target; i++) {
      const bw_view_item *it = bw_vec_at(&v->links, bw_view_item, i);
      const bw_record_link *l = it->item;
      if (l->hard && !strcmp(it->path, resolved)) target = l->target;
    }
    if (!target) return false;
    memcpy(resolved, target, strlen(target) + 1);
  }
  return false;
}

static bool same(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

size_t bw_view_package_origin(const bw_image_view *v, const char *db_path, const bw_package *p, size_t final_layer) {
  for (size_t li = 0; li < final_layer && li < v->nrecords; li++) {
    const bw_layer_record *r = v->records[li];
    for (size_t d = 0; d < r->dbs.len; d++) {
      const bw_record_db *db = bw_vec_at(&r->dbs, bw_record_db, d);
      if (strcmp(db->path, db_path) != 0) continue;
      for (size_t k = db->first; k < db->first + db->count; k++) {
        const bw_package *q = bw_pkglist_at(&r->packages, k);
        if (same(q->name, p->name) && same(q->version, p->version) && same(q->arch, p->arch)) return li;
      }
    }
  }
  return final_layer;
}
