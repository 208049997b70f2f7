/* Baseline checks: the capture list, the finding sink, the view of the captured files, and the
 * driver that runs each check family (image_config.c, accounts.c + crack.c, permissions.c,
 * services.c + sshd.c). */
#include "baseline/baseline.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "base/limits.h"
#include "base/log.h"
#include "base/pool.h"
#include "base/strutil.h"
#include "baseline/internal.h"
#include "image/image.h"
#include "layer/merge.h"
#include "layer/safepath.h"
#include "vuln/vulndb.h"

bool bw_baseline_wants(const char *path) {
  if (path[0] == 'e' && !strncmp(path, "etc/", 4)) {
    const char *p = path + 4;
    static const char *const exact[] = {"passwd", "shadow", "group", "login.defs", "security/pwquality.conf",
                                        "ssh/sshd_config", NULL};
    for (size_t i = 0; exact[i]; i++)
      if (!strcmp(p, exact[i])) return true;
    if (!strncmp(p, "security/pwquality.conf.d/", 26) && bw_str_endswith(p, ".conf")) return true;
    if (!strncmp(p, "ssh/sshd_config.d/", 18)) return true;
  }
  return bl_service_kind(path) != 0;
}

/* --- sink ----------------------------------------------------------------------------------- */

int bl_warn(bl_sink *s, const char *fmt, ...) {
  if (!s->warnings) return 0;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  bw_warn("%s", msg); /* the report has no warnings section yet: say it on stderr too */
  char **slot = bw_vec_push(s->warnings);
  if (!slot || !(*slot = bw_arena_strdup(s->arena, msg))) return -BW_ENOMEM;
  return 0;
}

int bl_emit(bl_sink *s, const bl_check *c, int severity, const char *path, uint32_t line, const char *layer,
            const char *fmt, ...) {
  if (s->emitted >= BW_LIMIT_BASELINE_FINDINGS) {
    if (!s->capped) {
      s->capped = true;
      return bl_warn(s, "more than %u baseline findings: the rest not reported", BW_LIMIT_BASELINE_FINDINGS);
    }
    return 0;
  }
  char ev[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ev, sizeof ev, fmt, ap);
  va_end(ap);
  bw_baseline_finding *f = bw_vec_push(s->findings);
  if (!f) return -BW_ENOMEM;
  *f = (bw_baseline_finding){.id = c->id,
                             .category = c->category,
                             .severity = severity >= 0 ? severity : c->severity,
                             .title = c->title,
                             .path = path ? bw_arena_strdup(s->arena, path) : NULL,
                             .line = line,
                             .evidence = bw_arena_strdup(s->arena, ev),
                             .remediation = c->remediation,
                             .layer = layer ? bw_arena_strdup(s->arena, layer) : NULL};
  if ((path && !f->path) || !f->evidence || (layer && !f->layer)) return -BW_ENOMEM;
  s->emitted++;
  return 0;
}

/* --- text helpers --------------------------------------------------------------------------- */

bool bl_lines_next(bl_lines *l, const char **line, size_t *n) {
  if (l->p >= l->end) return false;
  const char *nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
  const char *e = nl ? nl : l->end;
  *line = l->p;
  *n = (size_t)(e - l->p);
  if (*n && (*line)[*n - 1] == '\r') (*n)--;
  l->p = nl ? nl + 1 : l->end;
  l->lineno++;
  return true;
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

bool bl_ieq(const char *s, size_t n, const char *w) {
  size_t wn = strlen(w);
  if (n != wn) return false;
  for (size_t i = 0; i < n; i++)
    if (lower(s[i]) != lower(w[i])) return false;
  return true;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

bool bl_word(const char **s, size_t *n, const char **w, size_t *wn) {
  const char *p = *s, *e = *s + *n;
  while (p < e && is_space(*p)) p++;
  if (p == e) {
    *s = p;
    *n = 0;
    return false;
  }
  const char *b = p;
  while (p < e && !is_space(*p)) p++;
  *w = b;
  *wn = (size_t)(p - b);
  while (p < e && is_space(*p)) p++;
  *n = (size_t)(e - p);
  *s = p;
  return true;
}

const char *bl_redact(bw_arena *a, const char *value, size_t n) {
  /* short values keep nothing: two characters of a four-character secret are half of it */
  size_t keep = n >= 8 ? 2 : 0;
  char buf[8];
  size_t k = 0;
  for (size_t i = 0; i < keep; i++) {
    unsigned char c = (unsigned char)value[i];
    buf[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
  }
  buf[k] = 0;
  return bw_arena_printf(a, "%s****", buf);
}

const char *bl_clip(bw_arena *a, const char *s, size_t n, size_t max) {
  bool cut = n > max;
  if (cut) n = max;
  char *out = bw_arena_alloc(a, n + 4);
  if (!out) return NULL;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    out[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
  }
  if (cut) memcpy(out + n, "...", 4);
  else out[n] = 0;
  return out;
}

/* --- the merged image as a bl_fs ------------------------------------------------------------- */

typedef struct view_fs {
  const bw_image_view *v;
  const bw_image *img;
} view_fs;

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

static const char *view_symlink(void *ctx, const char *path) {
  const bw_image_view *v = ctx;
  const bw_view_item *it = find(&v->links, path);
  if (!it || ((const bw_record_link *)it->item)->hard) return NULL;
  return ((const bw_record_link *)it->item)->target;
}

static const char *layer_id(const view_fs *fs, size_t layer) {
  if (!fs->img || fs->img->is_rootfs || layer >= fs->img->nlayers) return NULL;
  return fs->img->layers[layer].diff_id;
}

/* The file item behind path (symlinks and one hard-link hop resolved), like bw_view_read. */
static const bw_view_item *view_item(const bw_image_view *v, const char *path) {
  char resolved[BW_LIMIT_PATH_BYTES + 1];
  bw_error err = {0};
  if (bw_path_resolve(resolved, sizeof resolved, path, view_symlink, (void *)v, &err) < 0) return NULL;
  for (int hop = 0; hop < 2; hop++) {
    const bw_view_item *it = find(&v->files, resolved);
    if (it) return it;
    it = find(&v->links, resolved);
    if (!it || !((const bw_record_link *)it->item)->hard) return NULL;
    snprintf(resolved, sizeof resolved, "%s", ((const bw_record_link *)it->item)->target);
  }
  return NULL;
}

static bool vfs_read(void *ctx, const char *path, bl_file *out) {
  view_fs *fs = ctx;
  const bw_view_item *it = view_item(fs->v, path);
  if (!it) return false;
  const bw_record_file *f = it->item;
  *out = (bl_file){.path = path, .layer = layer_id(fs, it->layer), .data = f->data, .len = f->len};
  return true;
}

static int file_cmp(const void *x, const void *y) {
  return strcmp(((const bl_file *)x)->path, ((const bl_file *)y)->path);
}

static int vfs_list(void *ctx, const char *prefix, bl_each_fn each, void *arg) {
  view_fs *fs = ctx;
  size_t pn = strlen(prefix);
  bw_vec all;
  bw_vec_init(&all, sizeof(bl_file), 0);
  int rc = 0;
  for (size_t i = lower_bound(&fs->v->files, prefix); i < fs->v->files.len && rc == 0; i++) {
    const bw_view_item *it = bw_vec_at(&fs->v->files, bw_view_item, i);
    if (strncmp(it->path, prefix, pn)) break;
    const bw_record_file *f = it->item;
    bl_file *o = bw_vec_push(&all);
    if (!o) rc = -BW_ENOMEM;
    else *o = (bl_file){.path = it->path, .layer = layer_id(fs, it->layer), .data = f->data, .len = f->len};
  }
  for (size_t i = lower_bound(&fs->v->links, prefix); i < fs->v->links.len && rc == 0; i++) {
    const bw_view_item *it = bw_vec_at(&fs->v->links, bw_view_item, i);
    if (strncmp(it->path, prefix, pn)) break;
    if (((const bw_record_link *)it->item)->hard) continue;
    /* a full listing resolves only the links the service checks may read (sites-enabled/...) */
    if (!prefix[0] && !bl_service_kind(it->path)) continue;
    const bw_view_item *t = view_item(fs->v, it->path);
    if (!t) continue;
    const bw_record_file *f = t->item;
    bl_file *o = bw_vec_push(&all);
    if (!o) rc = -BW_ENOMEM;
    else *o = (bl_file){.path = it->path, .layer = layer_id(fs, t->layer), .data = f->data, .len = f->len};
  }
  if (rc == 0 && all.len > 1) qsort(all.data, all.len, sizeof(bl_file), file_cmp);
  for (size_t i = 0; i < all.len && rc == 0; i++) rc = each(arg, bw_vec_at(&all, bl_file, i));
  bw_vec_dispose(&all);
  return rc;
}

/* --- driver --------------------------------------------------------------------------------- */

/* The setuid/setgid and world-writable entries the final image still has (the walk recorded
 * them per layer; a later layer replacing or deleting the entry hides the older mode). */
static int collect_modes(bw_vec *out, const bw_scan_result *res, const view_fs *fs) {
  for (size_t i = 0; i < res->nrecords; i++) {
    const bw_layer_record *r = res->records[i];
    for (size_t k = 0; k < r->modes.len; k++) {
      const bw_record_mode *m = bw_vec_at(&r->modes, bw_record_mode, k);
      if (!bw_view_path_live(res->view, i, m->path)) continue;
      bl_mode_entry *e = bw_vec_push(out);
      if (!e) return -BW_ENOMEM;
      *e = (bl_mode_entry){.path = m->path, .mode = m->mode, .uid = m->uid, .gid = m->gid, .layer = layer_id(fs, i)};
    }
  }
  return 0;
}

/* The layer each history entry made (NULL for empty_layer entries: ENV, EXPOSE, ...). */
static const char **history_layers(const bw_image *img, const json_t *hist, size_t *n, bw_arena *a) {
  *n = json_is_array(hist) ? json_array_size(hist) : 0;
  const char **out = bw_arena_calloc(a, *n + 1, sizeof *out);
  if (!out) return NULL;
  size_t li = 0;
  for (size_t i = 0; i < *n; i++) {
    const json_t *h = json_array_get(hist, i);
    if (json_is_true(json_object_get(h, "empty_layer"))) continue;
    if (img && li < img->nlayers) out[i] = img->layers[li].diff_id;
    li++;
  }
  return out;
}

int bw_baseline_run(bw_scan_result *res, const bw_baseline_opts *opts, bw_error *err) {
  double budget = opts && opts->crack_seconds > 0 ? opts->crack_seconds : BW_BASELINE_CRACK_SECONDS;
  bl_sink s = {.arena = res->arena, .findings = &res->baseline, .warnings = &res->warnings};
  if (!res->baseline.elem) bw_vec_init(&res->baseline, sizeof(bw_baseline_finding), 0);
  if (!res->warnings.elem) bw_vec_init(&res->warnings, sizeof(char *), 0);
  int rc = 0;
  const bw_image *img = res->image;
  if (img && !img->is_rootfs && img->config) {
    size_t nh = 0;
    const char **hl = history_layers(img, json_object_get(img->config, "history"), &nh, res->arena);
    if (!hl) return bw_error_set(err, BW_ENOMEM, "out of memory");
    rc = bl_image_config(&s, img->config, hl, nh);
  }
  if (rc == 0 && res->view) {
    view_fs vf = {.v = res->view, .img = img};
    bl_fs fs = {.ctx = &vf, .read = vfs_read, .list = vfs_list};
    bw_vec modes;
    bw_vec_init(&modes, sizeof(bl_mode_entry), 0);
    rc = collect_modes(&modes, res, &vf);
    if (rc == 0) rc = bl_permissions(&s, modes.data, modes.len);
    bw_vec_dispose(&modes);
    if (rc == 0) rc = bl_accounts(&s, &fs, budget, opts ? opts->threads : 0);
    if (rc == 0) rc = bl_services(&s, &fs);
  }
  if (rc < 0) return bw_error_set(err, BW_ENOMEM, "out of memory in the baseline checks");
  return 0;
}
