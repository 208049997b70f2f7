#include "analyze/package.h"

#include <stdlib.h>
#include <string.h>

#include "base/limits.h"

const char *bw_pkg_type_name(bw_pkg_type t) {
  static const char *names[] = {"deb", "apk", "rpm", "maven", "npm", "pypi",
                                "golang", "cargo", "gem", "composer", "nuget"};
  return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

void bw_pkglist_init(bw_pkglist *l) { bw_vec_init(&l->v, sizeof(bw_package), BW_LIMIT_PACKAGES * 4); }
void bw_pkglist_dispose(bw_pkglist *l) { bw_vec_dispose(&l->v); }

bw_package *bw_pkglist_add(bw_pkglist *l, bw_error *err) {
  bw_package *p = bw_vec_push(&l->v);
  if (!p) {
    if (l->v.max && l->v.len >= l->v.max)
      bw_error_set(err, BW_ELIMIT, "more than %zu packages", l->v.max);
    else
      bw_error_set(err, BW_ENOMEM, "out of memory adding a package");
    return NULL;
  }
  p->epoch = -1;
  return p;
}

static int nullcmp(const char *a, const char *b) {
  if (!a || !b) return (a != NULL) - (b != NULL);
  return strcmp(a, b);
}

static int pkg_cmp(const void *x, const void *y) {
  const bw_package *a = x, *b = y;
  if (a->type != b->type) return (int)a->type - (int)b->type;
  int c = nullcmp(a->name, b->name);
  if (!c) c = nullcmp(a->version, b->version);
  if (!c) c = nullcmp(a->arch, b->arch);
  if (!c) c = nullcmp(a->path, b->path);
  return c;
}

void bw_pkglist_sort(bw_pkglist *l) {
  if (l->v.len > 1) qsort(l->v.data, l->v.len, sizeof(bw_package), pkg_cmp);
}
