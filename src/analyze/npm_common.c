/* Shared pieces of the Node.js analysers: name checks, licence fields and the per-file
 * (name, version) de-duplication every lockfile needs (the same package version appears once per
 * place it is installed in; a report lists it once per file, as Trivy does). */
#include <stdlib.h>
#include <string.h>

#include "analyze/npm_internal.h"
#include "base/json.h"
#include "base/limits.h"

bool npm_name_ok(const char *s, size_t n) {
  if (!s || n == 0 || n > BW_LIMIT_NPM_NAME_BYTES) return false;
  size_t slashes = 0, seg = 0; /* seg: start of the current segment */
  for (size_t i = 0; i <= n; i++) {
    if (i == n || s[i] == '/') {
      size_t len = i - seg;
      if (len == 0 || s[seg] == '.') return false; /* empty, ".", "..", ".hidden" */
      if (i < n && ++slashes > 1) return false;
      seg = i + 1;
      continue;
    }
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c >= 0x7f || c == '\\') return false;
  }
  /* a '/' only as the scope separator: "@scope/name" */
  if (slashes && s[0] != '@') return false;
  if (s[0] == '@' && (slashes != 1 || n < 4)) return false;
  return true;
}

bool npm_version_ok(const char *s, size_t n) {
  if (!s || n == 0 || n > BW_LIMIT_NPM_NAME_BYTES) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

bool npm_semver_like(const char *s, size_t n) {
  if (!s || n == 0 || s[0] < '0' || s[0] > '9') return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' ||
          c == '+'))
      return false;
  }
  return true;
}

/* "MIT" from "MIT" or {"type": "MIT"} */
static const char *license_value(const json_t *v) {
  if (json_is_string(v)) return json_string_value(v);
  if (json_is_object(v)) return bw_json_str(v, "type");
  return NULL;
}

const char *npm_json_license(bw_arena *a, const json_t *obj, bool *oom) {
  const char *l = license_value(json_object_get(obj, "license"));
  if (l && *l) {
    const char *r = bw_arena_strdup(a, l);
    if (!r) *oom = true;
    return r;
  }
  const json_t *arr = json_object_get(obj, "licenses");
  if (!json_is_array(arr)) return NULL;
  size_t total = 0, count = 0, i;
  const json_t *it;
  json_array_foreach(arr, i, it) {
    const char *s = license_value(it);
    if (s && *s) total += strlen(s) + 4, count++;
  }
  if (!count) return NULL;
  char *r = bw_arena_alloc(a, total + 1), *p = r;
  if (!r) {
    *oom = true;
    return NULL;
  }
  json_array_foreach(arr, i, it) {
    const char *s = license_value(it);
    if (!s || !*s) continue;
    if (p != r) memcpy(p, " OR ", 4), p += 4;
    size_t n = strlen(s);
    memcpy(p, s, n);
    p += n;
  }
  *p = 0;
  return r;
}

void npm_emitter_init(npm_emitter *e, bw_analyze_out *out, const char *what) {
  memset(e, 0, sizeof *e);
  e->out = out;
  e->what = what;
  e->base = bw_pkglist_len(out->packages);
}

int npm_emitter_finish(npm_emitter *e, int rc) {
  free(e->slots);
  e->slots = NULL;
  if (rc < 0) e->out->packages->v.len = e->base;
  return rc;
}

static uint64_t key_hash(const char *name, size_t nn, const char *ver, size_t vn) {
  uint64_t h = npm_hash(name, nn, 0);
  h = npm_hash("", 1, h); /* separator: ("ab","c") and ("a","bc") differ */
  return ver ? npm_hash(ver, vn, h) : h;
}

static bool same(const char *kept, const char *s, size_t n) {
  if (!kept || !s) return !kept && !s;
  return strlen(kept) == n && memcmp(kept, s, n) == 0;
}

static int grow(npm_emitter *e, bw_error *err) {
  size_t ncap = e->cap ? e->cap * 2 : 256;
  size_t *ns = calloc(ncap, sizeof *ns);
  if (!ns) return bw_error_set(err, BW_ENOMEM, "out of memory reading %s", e->what);
  for (size_t i = 0; i < e->cap; i++) {
    if (!e->slots[i]) continue;
    const bw_package *p = bw_pkglist_at(e->out->packages, e->slots[i] - 1);
    size_t vn = p->version ? strlen(p->version) : 0;
    size_t k = key_hash(p->name, strlen(p->name), p->version, vn) & (ncap - 1);
    while (ns[k]) k = (k + 1) & (ncap - 1);
    ns[k] = e->slots[i];
  }
  free(e->slots);
  e->slots = ns;
  e->cap = ncap;
  return 0;
}

int npm_emit(npm_emitter *e, const char *name, size_t nn, const char *ver, size_t vn, int dev,
             const char *licenses, size_t *pkg_index, bw_error *err) {
  if (!npm_name_ok(name, nn))
    return BW_CORRUPT(err, "%s: invalid package name \"%.*s\"", e->what, (int)(nn > 80 ? 80 : nn), name ? name : "");
  if (ver && !npm_version_ok(ver, vn))
    return BW_CORRUPT(err, "%s: package %.*s: invalid version", e->what, (int)nn, name);
  if ((e->used + 1) * 2 > e->cap) {
    int rc = grow(e, err);
    if (rc) return rc;
  }
  size_t k = key_hash(name, nn, ver, vn) & (e->cap - 1);
  while (e->slots[k]) {
    bw_package *p = bw_pkglist_at(e->out->packages, e->slots[k] - 1);
    if (same(p->name, name, nn) && same(p->version, ver, vn)) {
      if (!dev) p->dev = 0;
      if (!p->licenses) p->licenses = licenses;
      if (pkg_index) *pkg_index = e->slots[k] - 1;
      return 0;
    }
    k = (k + 1) & (e->cap - 1);
  }
  if (bw_pkglist_len(e->out->packages) - e->base >= BW_LIMIT_PACKAGES)
    return bw_error_set(err, BW_ELIMIT, "%s has more than %u packages (BW_LIMIT_PACKAGES)", e->what,
                        (unsigned)BW_LIMIT_PACKAGES);
  bw_package *p = bw_pkglist_add(e->out->packages, err);
  if (!p) return err ? -err->code : -BW_ENOMEM;
  p->type = BW_PKG_NPM;
  p->name = bw_arena_strndup(e->out->arena, name, nn);
  p->version = ver ? bw_arena_strndup(e->out->arena, ver, vn) : NULL;
  p->licenses = licenses;
  p->dev = dev ? 1 : 0;
  if (!p->name || (ver && !p->version)) return bw_error_set(err, BW_ENOMEM, "out of memory reading %s", e->what);
  size_t idx = bw_pkglist_len(e->out->packages) - 1;
  e->slots[k] = idx + 1;
  e->used++;
  if (pkg_index) *pkg_index = idx;
  return 0;
}
