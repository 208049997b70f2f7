/* npm lockfiles: package-lock.json and npm-shrinkwrap.json (the same format; the shrinkwrap is
 * the one published inside a package).
 *
 * lockfileVersion 1 (npm 5-6) nests packages under "dependencies", each possibly with its own
 * "dependencies" (installed under its node_modules). Versions 2 and 3 (npm 7+) list every install
 * location under "packages", keyed by path: "node_modules/a", "node_modules/a/node_modules/b",
 * "packages/ws/node_modules/c" (a workspace's own node_modules); "" is the project itself and keys
 * outside any node_modules are workspace or linked sources, reached through "link": true entries
 * whose "resolved" names them. v2 also carries the v1 tree for old npm versions: "packages" wins.
 *
 * Keys are looked up, never opened: a key with ".." names no file, and a name derived from one
 * fails the name check (npm_name_ok). "dev": true marks a package only the project's
 * devDependencies need; "optional", "devOptional" and "peer" packages are installed for
 * production use and are not dev. */
#include <string.h>

#include "analyze/npm.h"
#include "analyze/npm_internal.h"
#include "base/json.h"
#include "base/limits.h"

typedef struct lock_ctx {
  npm_emitter e;
  bw_arena *arena;
  const char *what;
} lock_ctx;

static bool flag(const json_t *o, const char *key) { return json_is_true(json_object_get(o, key)); }

static int emit_entry(lock_ctx *c, const char *name, size_t nn, const json_t *entry, const char *version, int dev,
                      bw_error *err) {
  bool oom = false;
  const char *lic = npm_json_license(c->arena, entry, &oom);
  if (oom) return bw_error_set(err, BW_ENOMEM, "out of memory reading %s", c->what);
  return npm_emit(&c->e, name, nn, version, version ? strlen(version) : 0, dev, lic, NULL, err);
}

/* v1: {"name": {"version": ..., "dev": true, "dependencies": {...}}, ...}; depth is bounded by
 * the JSON depth cap. An alias installs "name" from another package: "version": "npm:real@1.0.0". */
static int lock_v1(lock_ctx *c, const json_t *deps, bw_error *err) {
  const char *key;
  json_t *d;
  json_object_foreach((json_t *)deps, key, d) {
    if (!json_is_object(d)) return BW_CORRUPT(err, "%s: dependency \"%.80s\" is not an object", c->what, key);
    const char *v = bw_json_str(d, "version");
    const char *name = key;
    size_t nn = strlen(key);
    if (v && strncmp(v, "npm:", 4) == 0) { /* alias: npm:<name>@<version> */
      const char *real = v + 4, *at = real[0] ? strchr(real + 1, '@') : NULL;
      if (at) {
        name = real;
        nn = (size_t)(at - real);
        v = at + 1;
      }
    }
    /* the project's own sources (file:, link:) are not third-party packages */
    bool local = v && (strncmp(v, "file:", 5) == 0 || strncmp(v, "link:", 5) == 0);
    if (v && *v && !local) {
      int rc = emit_entry(c, name, nn, d, v, flag(d, "dev"), err);
      if (rc) return rc;
    }
    const json_t *sub = json_object_get(d, "dependencies");
    if (json_is_object(sub)) {
      int rc = lock_v1(c, sub, err);
      if (rc) return rc;
    }
  }
  return 0;
}

/* The name an install path gives: what follows its last "node_modules/". */
static const char *name_from_path(const char *key, size_t *nn) {
  const char *p = key, *best = NULL;
  for (const char *q = strstr(p, "node_modules/"); q; q = strstr(q + 1, "node_modules/"))
    if (q == key || q[-1] == '/') best = q + 13;
  if (!best) return NULL;
  *nn = strlen(best);
  return best;
}

/* An optional package restricted to other operating systems ("os": ["darwin"], or "!linux") is
 * listed in every lockfile but installed only there (fsevents, esbuild's darwin and win32
 * binaries). A Linux image does not have it, so it is not reported. */
static bool other_os_only(const json_t *p) {
  if (!flag(p, "optional")) return false;
  const json_t *os = json_object_get(p, "os");
  if (!json_is_array(os) || json_array_size(os) == 0) return false;
  bool positive = false;
  size_t i;
  const json_t *v;
  json_array_foreach((json_t *)os, i, v) {
    const char *s = json_string_value(v);
    if (!s) continue;
    if (!strcmp(s, "linux")) return false;
    if (!strcmp(s, "!linux")) return true;
    if (s[0] != '!') positive = true;
  }
  return positive;
}

static int lock_v2(lock_ctx *c, const json_t *pkgs, bw_error *err) {
  const char *key;
  json_t *p;
  json_object_foreach((json_t *)pkgs, key, p) {
    if (!*key) continue; /* the project itself */
    if (!json_is_object(p)) return BW_CORRUPT(err, "%s: package \"%.80s\" is not an object", c->what, key);
    size_t nn = 0;
    const char *from_path = name_from_path(key, &nn);
    if (!from_path) continue; /* a workspace or linked source: counted through its link */
    const json_t *target = p;
    if (other_os_only(p)) continue;
    int dev = flag(p, "dev");
    if (flag(p, "link")) {
      const char *res = bw_json_str(p, "resolved");
      target = res ? json_object_get(pkgs, res) : NULL;
      /* a link to a link, or to nothing, installs nothing we can name */
      if (!json_is_object(target) || flag(target, "link")) continue;
      dev = dev || flag(target, "dev");
    }
    const char *name = bw_json_str(target, "name");
    if (name) nn = strlen(name);
    else name = from_path;
    const char *v = bw_json_str(target, "version");
    if (!v || !*v) {
      if (target == p) continue; /* an entry npm could not resolve */
      v = NULL;                  /* a workspace package without a version */
    }
    int rc = emit_entry(c, name, nn, target, v, dev, err);
    if (rc) return rc;
  }
  return 0;
}

/* jansson spends ~50 bytes per value, so a 64 MiB "[1,1,1,...]" would cost 1.5 GB: count the
 * separators outside strings first (at least one per value but the first) and refuse past the cap. */
static int lock_values_cap(const char *p, size_t n, const char *what, bw_error *err) {
  size_t count = 0;
  bool in_str = false;
  for (size_t i = 0; i < n; i++) {
    char c = p[i];
    if (in_str) {
      if (c == '\\') i++;
      else if (c == '"') in_str = false;
    } else if (c == '"') {
      in_str = true;
    } else if (c == ',' || c == ':' || c == '[' || c == '{') {
      if (++count > BW_LIMIT_LOCKFILE_NODES)
        return bw_error_set(err, BW_ELIMIT, "%s has more than %u JSON values (BW_LIMIT_LOCKFILE_NODES)", what,
                            (unsigned)BW_LIMIT_LOCKFILE_NODES);
    }
  }
  return 0;
}

int bw_npm_lock_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  const char *what = "package-lock.json";
  if (out->path) {
    const char *slash = strrchr(out->path, '/');
    if (strcmp(slash ? slash + 1 : out->path, "npm-shrinkwrap.json") == 0) what = "npm-shrinkwrap.json";
  }
  if (len > BW_LIMIT_LOCKFILE_BYTES)
    return bw_error_set(err, BW_ELIMIT, "%s is %zu bytes, over %u (BW_LIMIT_LOCKFILE_BYTES)", what, len,
                        (unsigned)BW_LIMIT_LOCKFILE_BYTES);
  json_t *doc = NULL;
  int rc = lock_values_cap((const char *)buf, len, what, err);
  if (rc) return rc;
  rc = bw_json_parse(&doc, (const char *)buf, len, BW_LIMIT_LOCKFILE_BYTES, what, err);
  if (rc) return rc;
  lock_ctx c = {.arena = out->arena, .what = what};
  npm_emitter_init(&c.e, out, what);
  if (!json_is_object(doc)) {
    rc = BW_CORRUPT(err, "%s is not a JSON object", what);
  } else {
    const json_t *pkgs = json_object_get(doc, "packages");
    const json_t *deps = json_object_get(doc, "dependencies");
    if (json_is_object(pkgs)) rc = lock_v2(&c, pkgs, err);
    else if (json_is_object(deps)) rc = lock_v1(&c, deps, err);
    else if (pkgs || deps) rc = BW_CORRUPT(err, "%s: \"packages\" or \"dependencies\" is not an object", what);
  }
  json_decref(doc);
  return npm_emitter_finish(&c.e, rc);
}

static bool in_node_modules(const char *path) {
  for (const char *q = strstr(path, "node_modules/"); q; q = strstr(q + 1, "node_modules/"))
    if (q == path || q[-1] == '/') return true;
  return false;
}

static bool lock_wants(const char *path) {
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  if (strcmp(base, "package-lock.json") != 0 && strcmp(base, "npm-shrinkwrap.json") != 0) return false;
  return !in_node_modules(path); /* a lockfile shipped inside an installed package installs nothing */
}

const bw_analyzer bw_analyzer_npm_lock = {
    .name = "npm-lock",
    .wants = lock_wants,
    .parse = bw_npm_lock_parse,
    .max_bytes = BW_LIMIT_LOCKFILE_BYTES,
};
