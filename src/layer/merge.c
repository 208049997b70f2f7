#include "layer/merge.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"

#include "base/limits.h"
#include "layer/safepath.h"

static int u64_cmp(const void *x, const void *y);

/* The view keeps each vector sorted by path: everything below a directory is then one
 * contiguous range, found by binary search, and a layer merges in O((n + k) log n) rather than
 * comparing every new entry with every old one (an npm-heavy layer has thousands). */

/* First index whose path is >= key. */
static size_t lower_bound(const bw_vec *v, const char *key) {
  size_t lo = 0, hi = v->len;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(bw_vec_at(v, bw_view_item, mid)->path, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static const bw_view_item *find(const bw_vec *v, const char *path) {
  size_t i = lower_bound(v, path);
  if (i < v->len && !strcmp(bw_vec_at(v, bw_view_item, i)->path, path)) return bw_vec_at(v, bw_view_item, i);
  return NULL;
}

/* Marks dead (dead = 1) the entry at exactly `path` (when exact) and everything strictly below it
 * (when below); "" is the root. Paths stay in place so later searches of the same layer work. */
static void mark_dead(bw_vec *v, unsigned char *dead, const char *path, bool exact, bool below) {
  if (!path[0]) {
    if (below) memset(dead, 1, v->len);
    return;
  }
  size_t i = lower_bound(v, path), n = strlen(path);
  if (i < v->len && !strcmp(bw_vec_at(v, bw_view_item, i)->path, path)) {
    if (exact) dead[i] = 1;
    i++;
  }
  if (!below) return;
  /* "dir/..." sorts after "dir" but may follow "dir-x", "dir.y" (bytes below '/'): skip those */
  while (i < v->len) {
    const char *q = bw_vec_at(v, bw_view_item, i)->path;
    if (strncmp(q, path, n) != 0) break;
    if (q[n] == '/') dead[i] = 1;
    else if ((unsigned char)q[n] > '/') break;
    i++;
  }
}

static void compact(bw_vec *v, const unsigned char *dead) {
  size_t k = 0;
  for (size_t i = 0; i < v->len; i++)
    if (!dead[i]) *bw_vec_at(v, bw_view_item, k++) = *bw_vec_at(v, bw_view_item, i);
  v->len = k;
}

/* Stable by path: among equal paths, the later entry of the layer comes last (and wins). */
static int add_cmp(const void *x, const void *y) {
  const bw_view_item *a = x, *b = y;
  int c = strcmp(a->path, b->path);
  if (c) return c;
  return a->item < b->item ? -1 : a->item > b->item; /* record arrays: address order = file order */
}

/* Merges a layer's new items into the sorted vector; a new item replaces an old one with the same
 * path, and the last of equal new paths wins. */
static int merge_in(bw_vec *v, bw_vec *add, bw_error *err) {
  if (add->len == 0) return 0;
  qsort(add->data, add->len, sizeof(bw_view_item), add_cmp);
  bw_vec out;
  bw_vec_init(&out, sizeof(bw_view_item), 0);
  size_t i = 0, j = 0;
  while (i < v->len || j < add->len) {
    while (j + 1 < add->len && !strcmp(bw_vec_at(add, bw_view_item, j)->path, bw_vec_at(add, bw_view_item, j + 1)->path))
      j++;
    int c = i >= v->len      ? 1
            : j >= add->len  ? -1
                             : strcmp(bw_vec_at(v, bw_view_item, i)->path, bw_vec_at(add, bw_view_item, j)->path);
    bw_view_item *slot = bw_vec_push(&out);
    if (!slot) {
      bw_vec_dispose(&out);
      return bw_error_set(err, BW_ENOMEM, "out of memory merging layers");
    }
    if (c < 0) {
      *slot = *bw_vec_at(v, bw_view_item, i++);
    } else {
      *slot = *bw_vec_at(add, bw_view_item, j++);
      if (c == 0) i++; /* replaced */
    }
  }
  bw_vec_dispose(v);
  *v = out;
  return 0;
}

static int push_item(bw_vec *v, const void *item, const char *path, size_t layer, bw_error *err) {
  bw_view_item *it = bw_vec_push(v);
  if (!it) return bw_error_set(err, BW_ENOMEM, "out of memory merging layers");
  *it = (bw_view_item){item, path, layer};
  return 0;
}

static int db_ptr_cmp(const void *x, const void *y) {
  return strcmp((*(const bw_record_db *const *)x)->path, (*(const bw_record_db *const *)y)->path);
}

/* Applies one layer: its deletions to what lower layers left, then its own entries. */
static int merge_layer(bw_image_view *out, const bw_layer_record *r, size_t li, bw_vec add[3], bw_error *err) {
  bw_vec *all[] = {&out->files, &out->dbs, &out->links};
  unsigned char *dead[3];
  for (size_t k = 0; k < 3; k++) dead[k] = calloc(all[k]->len + 1, 1);
  if (!dead[0] || !dead[1] || !dead[2]) {
    for (size_t k = 0; k < 3; k++) free(dead[k]);
    return bw_error_set(err, BW_ENOMEM, "out of memory merging layers");
  }
  /* whiteouts and opaque directories hide lower layers only, not this layer's own entries */
  for (size_t i = 0; i < r->opaques.len; i++)
    for (size_t k = 0; k < 3; k++) mark_dead(all[k], dead[k], *bw_vec_at(&r->opaques, const char *, i), false, true);
  for (size_t i = 0; i < r->whiteouts.len; i++)
    for (size_t k = 0; k < 3; k++) mark_dead(all[k], dead[k], *bw_vec_at(&r->whiteouts, const char *, i), true, true);
  /* a link replaces what was at its path, and below it (a directory); a file or database
   * replaces a link at its path */
  for (size_t i = 0; i < r->links.len; i++) {
    const char *p = bw_vec_at(&r->links, bw_record_link, i)->path;
    mark_dead(&out->files, dead[0], p, true, true);
    mark_dead(&out->dbs, dead[1], p, true, true);
    mark_dead(&out->links, dead[2], p, false, true);
  }
  for (size_t i = 0; i < r->files.len; i++)
    mark_dead(&out->links, dead[2], bw_vec_at(&r->files, bw_record_file, i)->path, true, false);
  for (size_t i = 0; i < r->dbs.len; i++)
    mark_dead(&out->links, dead[2], bw_vec_at(&r->dbs, bw_record_db, i)->path, true, false);
  for (size_t k = 0; k < 3; k++) {
    compact(all[k], dead[k]);
    free(dead[k]);
    add[k].len = 0;
  }
  int rc = 0;
  for (size_t i = 0; i < r->files.len && rc == 0; i++) {
    const bw_record_file *f = bw_vec_at(&r->files, bw_record_file, i);
    rc = push_item(&add[0], f, f->path, li, err);
  }
  for (size_t i = 0; i < r->dbs.len && rc == 0; i++) {
    const bw_record_db *d = bw_vec_at(&r->dbs, bw_record_db, i);
    rc = push_item(&add[1], d, d->path, li, err);
  }
  for (size_t i = 0; i < r->links.len && rc == 0; i++) {
    const bw_record_link *l = bw_vec_at(&r->links, bw_record_link, i);
    rc = push_item(&add[2], l, l->path, li, err);
  }
  for (size_t k = 0; k < 3 && rc == 0; k++) rc = merge_in(all[k], &add[k], err);
  return rc;
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
    /* the links that are proper prefixes of path: one lookup per ancestor directory */
    char anc[BW_LIMIT_PATH_BYTES + 1];
    snprintf(anc, sizeof anc, "%s", path);
    for (char *slash = strrchr(anc, '/'); slash; slash = strrchr(anc, '/')) {
      *slash = 0;
      const bw_view_item *it = find(&v->links, anc);
      if (!it) continue;
      const bw_record_link *l = it->item;
      if (l->hard || !bw_path_link_escapes(it->path, l->target)) continue;
      int rc = view_warn(v, err, "layer %s: entry %s is written through symlink %s -> %s, which leaves the image root: ignored",
                         r->diff_id, path, it->path, l->target);
      if (rc < 0) return rc;
      break;
    }
  }
  return 0;
}

int bw_merge(bw_image_view *out, bw_layer_record *const *records, size_t n, bw_error *err) {
  for (size_t i = 0; i < n; i++) /* for bw_view_path_live's binary search */
    if (records[i]->path_hashes.len > 1)
      qsort(records[i]->path_hashes.data, records[i]->path_hashes.len, sizeof(uint64_t), u64_cmp);
  memset(out, 0, sizeof *out);
  out->records = records;
  out->nrecords = n;
  bw_vec_init(&out->files, sizeof(bw_view_item), 0);
  bw_vec_init(&out->dbs, sizeof(bw_view_item), 0);
  bw_vec_init(&out->links, sizeof(bw_view_item), 0);
  bw_vec_init(&out->warnings, sizeof(char *), 10000);
  out->dbs_by_path = calloc(n ? n : 1, sizeof *out->dbs_by_path);
  if (!out->dbs_by_path) return bw_error_set(err, BW_ENOMEM, "out of memory merging layers");
  bw_vec add[3];
  for (size_t k = 0; k < 3; k++) bw_vec_init(&add[k], sizeof(bw_view_item), 0);
  int rc = 0;
  for (size_t li = 0; li < n && rc == 0; li++) {
    const bw_layer_record *r = records[li];
    out->dbs_by_path[li] = calloc(r->dbs.len + 1, sizeof(bw_record_db *));
    if (!out->dbs_by_path[li]) {
      rc = bw_error_set(err, BW_ENOMEM, "out of memory merging layers");
      break;
    }
    for (size_t i = 0; i < r->dbs.len; i++) out->dbs_by_path[li][i] = bw_vec_at(&r->dbs, bw_record_db, i);
    qsort(out->dbs_by_path[li], r->dbs.len, sizeof(bw_record_db *), db_ptr_cmp);
    if ((rc = check_orphans(out, r, err)) < 0) break;
    rc = merge_layer(out, r, li, add, err);
  }
  for (size_t k = 0; k < 3; k++) bw_vec_dispose(&add[k]);
  return rc;
}

void bw_image_view_dispose(bw_image_view *v) {
  bw_vec_dispose(&v->files);
  bw_vec_dispose(&v->dbs);
  bw_vec_dispose(&v->links);
  for (size_t i = 0; i < v->warnings.len; i++) free(*bw_vec_at(&v->warnings, char *, i));
  bw_vec_dispose(&v->warnings);
  if (v->dbs_by_path)
    for (size_t i = 0; i < v->nrecords; i++) free(v->dbs_by_path[i]);
  free(v->dbs_by_path);
  v->dbs_by_path = NULL;
}

static const char *view_symlink(void *ctx, const char *path) {
  const bw_image_view *v = ctx;
  const bw_view_item *it = find(&v->links, path);
  if (!it || ((const bw_record_link *)it->item)->hard) return NULL;
  return ((const bw_record_link *)it->item)->target;
}

bool bw_view_read(const bw_image_view *v, const char *path, const uint8_t **buf, size_t *len) {
  char resolved[BW_LIMIT_PATH_BYTES + 1];
  bw_error err = {0};
  if (bw_path_resolve(resolved, sizeof resolved, path, view_symlink, (void *)v, &err) < 0) {
    bw_warn("%s: %s", path, err.msg);
    return false;
  }
  for (int hop = 0; hop < 2; hop++) {
    const bw_view_item *it = find(&v->files, resolved);
    if (it) {
      const bw_record_file *f = it->item;
      *buf = f->data;
      *len = f->len;
      return true;
    }
    /* a hard link whose target was captured under its own name */
    it = find(&v->links, resolved);
    if (!it || !((const bw_record_link *)it->item)->hard) return false;
    snprintf(resolved, sizeof resolved, "%s", ((const bw_record_link *)it->item)->target);
  }
  return false;
}

static bool same(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

size_t bw_view_package_origin(const bw_image_view *v, const char *db_path, const bw_package *p, size_t final_layer) {
  for (size_t li = 0; li < final_layer && li < v->nrecords; li++) {
    const bw_layer_record *r = v->records[li];
    const bw_record_db **dbs = v->dbs_by_path ? v->dbs_by_path[li] : NULL;
    if (!dbs) continue;
    size_t lo = 0, hi = r->dbs.len;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (strcmp(dbs[mid]->path, db_path) < 0) lo = mid + 1;
      else hi = mid;
    }
    for (; lo < r->dbs.len && !strcmp(dbs[lo]->path, db_path); lo++)
      for (size_t k = dbs[lo]->first; k < dbs[lo]->first + dbs[lo]->count; k++) {
        const bw_package *q = bw_pkglist_at(&r->packages, k);
        if (same(q->name, p->name) && same(q->version, p->version) && same(q->arch, p->arch)) return li;
      }
  }
  return final_layer;
}

static int u64_cmp(const void *x, const void *y) {
  uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
  return a < b ? -1 : a > b;
}

static bool has_hash(const bw_vec *v, uint64_t h) {
  size_t lo = 0, hi = v->len;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    uint64_t m = *bw_vec_at(v, uint64_t, mid);
    if (m == h) return true;
    if (m < h) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/* `prefix` equals path or is one of its parent directories ("" = the root). */
static bool covers(const char *prefix, const char *path, bool strict) {
  size_t n = strlen(prefix);
  if (n == 0) return true;
  if (strncmp(prefix, path, n) != 0) return false;
  return path[n] == '/' || (!strict && path[n] == '\0');
}

bool bw_view_path_live(const bw_image_view *v, size_t layer, const char *path) {
  uint64_t h = bw_path_hash(path);
  for (size_t j = layer + 1; j < v->nrecords; j++) {
    const bw_layer_record *r = v->records[j];
    if (has_hash(&r->path_hashes, h)) return false;
    for (size_t i = 0; i < r->whiteouts.len; i++)
      if (covers(*bw_vec_at(&r->whiteouts, const char *, i), path, false)) return false;
    for (size_t i = 0; i < r->opaques.len; i++)
      if (covers(*bw_vec_at(&r->opaques, const char *, i), path, true)) return false;
    for (size_t i = 0; i < r->links.len; i++)
      if (covers(bw_vec_at(&r->links, bw_record_link, i)->path, path, true)) return false;
  }
  return true;
}
