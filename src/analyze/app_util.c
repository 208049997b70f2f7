/* Shared helpers of the application-package analysers (see app_util.h). */
#include "analyze/app_util.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/strutil.h"

static bool app_has_control(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return true;
  return false;
}

int bw_app_add(bw_analyze_out *out, bw_pkg_type type, const char *name, size_t name_len, const char *version,
               size_t version_len, const char *licenses, int dev, size_t *count, const char *what,
               bw_package **added, bw_error *err) {
  if (added) *added = NULL;
  if (!name || !version) return 0;
  bw_trim(&name, &name_len);
  bw_trim(&version, &version_len);
  if (!name_len || !version_len) return 0;
  if (name_len > BW_LIMIT_FIELD_BYTES || version_len > BW_LIMIT_FIELD_BYTES)
    return bw_error_set(err, BW_ELIMIT, "%s: a package name or version longer than %u bytes (BW_LIMIT_FIELD_BYTES)",
                        what, (unsigned)BW_LIMIT_FIELD_BYTES);
  if (app_has_control(name, name_len) || app_has_control(version, version_len))
    return BW_CORRUPT(err, "%s: control character in a package name or version", what);
  if (++*count > BW_LIMIT_PACKAGES)
    return bw_error_set(err, BW_ELIMIT, "%s: more than %u packages (BW_LIMIT_PACKAGES)", what,
                        (unsigned)BW_LIMIT_PACKAGES);
  bw_package *p = bw_pkglist_add(out->packages, err);
  if (!p) return err && err->code ? -err->code : -BW_ENOMEM;
  p->type = type;
  p->name = bw_arena_strndup(out->arena, name, name_len);
  p->version = bw_arena_strndup(out->arena, version, version_len);
  p->licenses = licenses ? bw_arena_strdup(out->arena, licenses) : NULL;
  p->dev = dev ? 1 : 0;
  if (!p->name || !p->version || (licenses && !p->licenses))
    return bw_error_set(err, BW_ENOMEM, "out of memory reading %s", what);
  if (added) *added = p;
  return 0;
}

static int app_cmp(const void *a, const void *b) {
  const bw_package *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (!c) c = strcmp(x->version, y->version);
  if (!c) c = x->dev - y->dev;
  /* a total order, so which copy survives does not depend on qsort's whims */
  if (!c) c = (x->licenses != NULL) - (y->licenses != NULL);
  if (!c && x->licenses) c = strcmp(x->licenses, y->licenses);
  return c;
}

void bw_app_dedupe(bw_pkglist *l, size_t start) {
  size_t n = bw_pkglist_len(l);
  if (n <= start + 1) return;
  bw_package *v = bw_pkglist_at(l, start);
  qsort(v, n - start, sizeof *v, app_cmp);
  size_t k = 0;
  for (size_t i = 0; i < n - start; i++) {
    /* after the sort the non-dev copy of a name and version comes first */
    if (k && strcmp(v[k - 1].name, v[i].name) == 0 && strcmp(v[k - 1].version, v[i].version) == 0) continue;
    if (k != i) v[k] = v[i];
    k++;
  }
  l->v.len = start + k;
}

char *bw_pep503_name(bw_arena *a, const char *s, size_t n) {
  char *o = bw_arena_alloc(a, n + 1);
  if (!o) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '-' || c == '_' || c == '.') {
      if (k == 0 || o[k - 1] != '-') o[k++] = '-';
      continue;
    }
    o[k++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
  }
  o[k] = 0;
  return o;
}

const char *bw_app_join(bw_arena *a, const char *const *v, size_t n, const char *sep, int *oom) {
  size_t total = 0, parts = 0, sl = strlen(sep);
  for (size_t i = 0; i < n; i++) {
    if (!v[i] || !*v[i]) continue;
    total += strlen(v[i]) + (parts ? sl : 0);
    parts++;
  }
  if (!parts) return NULL;
  char *o = bw_arena_alloc(a, total + 1);
  if (!o) {
    *oom = 1;
    return NULL;
  }
  size_t k = 0;
  parts = 0;
  for (size_t i = 0; i < n; i++) {
    if (!v[i] || !*v[i]) continue;
    if (parts++) {
      memcpy(o + k, sep, sl);
      k += sl;
    }
    size_t l = strlen(v[i]);
    memcpy(o + k, v[i], l);
    k += l;
  }
  o[k] = 0;
  return o;
}
