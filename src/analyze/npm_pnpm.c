/* pnpm-lock.yaml.
 *
 * "packages" is keyed by dependency path, whose shape changed with the lockfile version:
 *   5.x   /name/1.0.0, /@scope/name/1.0.0_peer@2.0.0 (peers after '_'), registry.example/name/1.0.0
 *   6.x   /name@1.0.0, /@scope/name@1.0.0(peer@2.0.0)
 *   9.x   name@1.0.0, @scope/name@1.0.0; peers only in "snapshots" keys: name@1.0.0(peer@2.0.0)
 * Entries installed from elsewhere carry "name" and "version" fields (5.x/6.x) or "version" (9.x
 * keys such as "lodash@file:foo.tgz" or "asynckit@https://...": the key's version is no version).
 *
 * Dev: up to 8.x each entry says "dev: true" (dev only), "dev: false" (production) or nothing
 * (both). 9.x dropped the flag: a package is dev when no importer's dependencies or
 * optionalDependencies reach it through the "snapshots" graph (as Trivy computes it).
 * With several YAML documents (pnpm 11 writes its own tool dependencies first), the last document
 * is the project's lockfile. */
#include <stdlib.h>
#include <string.h>

#include "analyze/npm.h"
#include "analyze/npm_internal.h"
#include "base/limits.h"

#define WHAT "pnpm-lock.yaml"

typedef struct pkey {
  const char *name, *ver; /* spans into the key */
  size_t nn, vn;
} pkey;

/* Splits a dependency path into name and version (peer suffix dropped). major < 6: '/'
 * separates name and version and '_' starts the peers; 6-8: '@' and '('; 9+: no leading
 * registry part. False when the key has no version part. */
static bool pnpm_key(const char *k, int major, pkey *out) {
  size_t n = strlen(k);
  const char *p = k;
  if (major < 9) { /* "/rest" or "registry.host/rest" */
    const char *slash = memchr(p, '/', n);
    if (!slash) return false;
    n -= (size_t)(slash + 1 - p);
    p = slash + 1;
  }
  const char *name = p;
  size_t skip = 0;
  if (n && p[0] == '@') { /* scope */
    const char *slash = memchr(p, '/', n);
    if (!slash) return false;
    skip = (size_t)(slash + 1 - p);
  }
  char sep = major < 6 ? '/' : '@';
  const char *s = memchr(p + skip, sep, n - skip);
  if (!s || s == p + skip) return false;
  out->name = name;
  out->nn = (size_t)(s - name);
  out->ver = s + 1;
  size_t vn = n - out->nn - 1;
  const char *peer = memchr(out->ver, major < 6 ? '_' : '(', vn);
  out->vn = peer ? (size_t)(peer - out->ver) : vn;
  return true;
}

static int lock_major(const ny_node *root, int *major, bw_error *err) {
  const ny_node *v;
  int rc = ny_get(root, "lockfileVersion", &v, WHAT, err);
  if (rc) return rc;
  const char *s = ny_str(v);
  if (!s || *s < '0' || *s > '9') return BW_CORRUPT(err, WHAT ": no lockfileVersion");
  int m = 0;
  for (; *s >= '0' && *s <= '9' && m < 1000; s++) m = m * 10 + (*s - '0');
  *major = m;
  return 0;
}

/* ---- 5.x - 8.x -------------------------------------------------------------------------- */

static int pnpm_v5(npm_emitter *e, const ny_node *pkgs, int major, bw_error *err) {
  for (size_t i = 0; i < pkgs->n; i++) {
    const char *key = ny_str(pkgs->kids[2 * i]);
    const ny_node *info = pkgs->kids[2 * i + 1];
    if (!key) return BW_CORRUPT(err, WHAT ": package %zu has no text key", i);
    const ny_node *nm, *vr, *dv;
    int rc;
    if ((rc = ny_get(info, "name", &nm, WHAT, err)) || (rc = ny_get(info, "version", &vr, WHAT, err)) ||
        (rc = ny_get(info, "dev", &dv, WHAT, err)))
      return rc;
    if ((nm && !ny_str(nm)) || (vr && !ny_str(vr)))
      return BW_CORRUPT(err, WHAT ": package \"%.80s\": name or version is not text", key);
    const char *dev = ny_str(dv);
    int is_dev = dev && strcmp(dev, "true") == 0;
    pkey k;
    const char *name = ny_str(nm), *ver = ny_str(vr);
    if (name) {
      rc = npm_emit(e, name, strlen(name), ver, ver ? strlen(ver) : 0, is_dev, NULL, NULL, err);
    } else if (pnpm_key(key, major, &k)) {
      bool v_ok = npm_semver_like(k.ver, k.vn);
      rc = npm_emit(e, k.name, k.nn, v_ok ? k.ver : NULL, v_ok ? k.vn : 0, is_dev, NULL, NULL, err);
    } else {
      return BW_CORRUPT(err, WHAT ": package key \"%.80s\" has no name and version", key);
    }
    if (rc) return rc;
  }
  return 0;
}

/* ---- 9.x -------------------------------------------------------------------------------- */

typedef struct v9 {
  const ny_node *pkgs;
  size_t *table; /* hash of package keys (peers dropped) -> index + 1 */
  size_t cap;
  bool *prod;
  size_t *queue, qlen;
  size_t *snap_head, *snap_next; /* snapshots grouped by package: linked lists of snapshot indexes + 1 */
  const ny_node *snaps;
} v9;

static size_t peerless(const char *s);

static size_t v9_find(const v9 *g, const char *k, size_t kn) {
  size_t h = npm_hash(k, kn, 0) & (g->cap - 1);
  while (g->table[h]) {
    const char *pk = g->pkgs->kids[2 * (g->table[h] - 1)]->s;
    if (peerless(pk) == kn && memcmp(pk, k, kn) == 0) return g->table[h];
    h = (h + 1) & (g->cap - 1);
  }
  return 0;
}

static size_t peerless(const char *s) {
  const char *p = strchr(s, '(');
  return p ? (size_t)(p - s) : strlen(s);
}

/* A dependency "name: version" of an importer or snapshot -> package index + 1, or 0. The version
 * may be a plain version ("1.0.0(peer@1)"), a full key ("string-width@4.2.3" for an alias) or a
 * link to a workspace ("link:../a", found nowhere). */
static size_t v9_resolve(const v9 *g, const char *dep, const char *ver, char *scratch, size_t scratch_cap) {
  size_t dn = strlen(dep), vn = peerless(ver);
  if (dn + 1 + vn < scratch_cap) {
    memcpy(scratch, dep, dn);
    scratch[dn] = '@';
    memcpy(scratch + dn + 1, ver, vn);
    size_t r = v9_find(g, scratch, dn + 1 + vn);
    if (r) return r;
  }
  return v9_find(g, ver, vn);
}

static int v9_mark(v9 *g, size_t idx1) {
  if (!idx1 || g->prod[idx1 - 1]) return 0;
  g->prod[idx1 - 1] = true;
  g->queue[g->qlen++] = idx1 - 1; /* each package is queued at most once */
  return 0;
}

/* Marks what a mapping of dependencies (name -> version, or name -> {version}) reaches. */
static int v9_roots(v9 *g, const ny_node *deps, char *scratch, size_t cap, bw_error *err) {
  if (!deps || deps->kind != NY_MAP) return 0;
  for (size_t i = 0; i < deps->n; i++) {
    const char *dep = ny_str(deps->kids[2 * i]);
    const ny_node *v = deps->kids[2 * i + 1];
    if (v->kind == NY_MAP) {
      int rc = ny_get(v, "version", &v, WHAT, err);
      if (rc) return rc;
    }
    const char *ver = ny_str(v);
    if (dep && ver) v9_mark(g, v9_resolve(g, dep, ver, scratch, cap));
  }
  return 0;
}

static int pnpm_v9(npm_emitter *e, const ny_node *root, const ny_node *pkgs, bw_error *err) {
  v9 g = {.pkgs = pkgs};
  int rc = 0;
  size_t np = pkgs->n;
  char *scratch = NULL;
  size_t scap = 2 * BW_LIMIT_NPM_NAME_BYTES + 2;
  g.cap = 16;
  while (g.cap < np * 2) g.cap *= 2;
  g.table = calloc(g.cap, sizeof *g.table);
  g.prod = calloc(np ? np : 1, sizeof *g.prod);
  g.queue = calloc(np ? np : 1, sizeof *g.queue);
  g.snap_head = calloc(np ? np : 1, sizeof *g.snap_head);
  scratch = malloc(scap);
  if (!g.table || !g.prod || !g.queue || !g.snap_head || !scratch) {
    rc = bw_error_set(err, BW_ENOMEM, "out of memory reading " WHAT);
    goto out;
  }
  for (size_t i = 0; i < np; i++) {
    const char *k = ny_str(pkgs->kids[2 * i]);
    if (!k) {
      rc = BW_CORRUPT(err, WHAT ": package %zu has no text key", i);
      goto out;
    }
    size_t kn = peerless(k);
    if (v9_find(&g, k, kn)) {
      rc = BW_CORRUPT(err, WHAT ": package \"%.80s\" listed twice", k);
      goto out;
    }
    size_t h = npm_hash(k, kn, 0) & (g.cap - 1);
    while (g.table[h]) h = (h + 1) & (g.cap - 1);
    g.table[h] = i + 1;
  }
  /* snapshots of each package (one per peer set) */
  const ny_node *snaps;
  if ((rc = ny_get(root, "snapshots", &snaps, WHAT, err))) goto out;
  if (snaps && snaps->kind == NY_MAP && snaps->n) {
    g.snaps = snaps;
    g.snap_next = calloc(snaps->n, sizeof *g.snap_next);
    if (!g.snap_next) {
      rc = bw_error_set(err, BW_ENOMEM, "out of memory reading " WHAT);
      goto out;
    }
    for (size_t s = 0; s < snaps->n; s++) {
      const char *k = ny_str(snaps->kids[2 * s]);
      size_t p = k ? v9_find(&g, k, peerless(k)) : 0;
      if (!p) continue;
      g.snap_next[s] = g.snap_head[p - 1];
      g.snap_head[p - 1] = s + 1;
    }
  }
  /* roots: every importer's production dependencies */
  const ny_node *imps;
  bool any_importer_dep = false;
  if ((rc = ny_get(root, "importers", &imps, WHAT, err))) goto out;
  for (size_t i = 0; imps && imps->kind == NY_MAP && i < imps->n; i++) {
    const ny_node *imp = imps->kids[2 * i + 1], *d, *o, *dd;
    if ((rc = ny_get(imp, "dependencies", &d, WHAT, err)) || (rc = ny_get(imp, "optionalDependencies", &o, WHAT, err)) ||
        (rc = ny_get(imp, "devDependencies", &dd, WHAT, err)))
      goto out;
    if (d || o || dd) any_importer_dep = true;
    if ((rc = v9_roots(&g, d, scratch, scap, err)) || (rc = v9_roots(&g, o, scratch, scap, err))) goto out;
  }
  /* walk the graph: what production packages depend on is production too */
  for (size_t qi = 0; qi < g.qlen; qi++) {
    for (size_t s = g.snap_head[g.queue[qi]]; s; s = g.snap_next[s - 1]) {
      const ny_node *snap = g.snaps->kids[2 * (s - 1) + 1], *d, *o;
      if ((rc = ny_get(snap, "dependencies", &d, WHAT, err)) || (rc = ny_get(snap, "optionalDependencies", &o, WHAT, err)))
        goto out;
      if ((rc = v9_roots(&g, d, scratch, scap, err)) || (rc = v9_roots(&g, o, scratch, scap, err))) goto out;
    }
  }
  for (size_t i = 0; i < np; i++) {
    const char *key = pkgs->kids[2 * i]->s;
    const ny_node *info = pkgs->kids[2 * i + 1], *vr;
    if ((rc = ny_get(info, "version", &vr, WHAT, err))) goto out;
    pkey k;
    if (!pnpm_key(key, 9, &k)) {
      rc = BW_CORRUPT(err, WHAT ": package key \"%.80s\" has no name and version", key);
      goto out;
    }
    const char *ver = ny_str(vr);
    if (vr && !ver) {
      rc = BW_CORRUPT(err, WHAT ": package \"%.80s\": version is not text", key);
      goto out;
    }
    size_t vn = ver ? strlen(ver) : 0;
    if (!ver && npm_semver_like(k.ver, k.vn)) ver = k.ver, vn = k.vn;
    int dev = any_importer_dep && !g.prod[i];
    if ((rc = npm_emit(e, k.name, k.nn, ver, vn, dev, NULL, NULL, err))) goto out;
  }
out:
  free(g.table);
  free(g.prod);
  free(g.queue);
  free(g.snap_head);
  free(g.snap_next);
  free(scratch);
  return rc;
}

int bw_pnpm_lock_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err) {
  if (len > BW_LIMIT_LOCKFILE_BYTES)
    return bw_error_set(err, BW_ELIMIT, WHAT " is %zu bytes, over %u (BW_LIMIT_LOCKFILE_BYTES)", len,
                        (unsigned)BW_LIMIT_LOCKFILE_BYTES);
  npm_emitter e;
  npm_emitter_init(&e, out, WHAT);
  ny_node *root;
  int rc = ny_parse(&root, out->arena, buf, len, WHAT, err);
  if (rc == 0 && root) {
    int major = 0;
    const ny_node *pkgs = NULL;
    if (root->kind != NY_MAP) rc = BW_CORRUPT(err, WHAT " is not a YAML mapping");
    if (rc == 0) rc = lock_major(root, &major, err);
    if (rc == 0) rc = ny_get(root, "packages", &pkgs, WHAT, err);
    if (rc == 0 && pkgs && pkgs->kind != NY_MAP) rc = BW_CORRUPT(err, WHAT ": packages is not a mapping");
    if (rc == 0 && pkgs) rc = major >= 9 ? pnpm_v9(&e, root, pkgs, err) : pnpm_v5(&e, pkgs, major, err);
  }
  return npm_emitter_finish(&e, rc);
}

static bool pnpm_wants(const char *path) {
  const char *slash = strrchr(path, '/');
  if (strcmp(slash ? slash + 1 : path, "pnpm-lock.yaml") != 0) return false;
  for (const char *q = strstr(path, "node_modules/"); q; q = strstr(q + 1, "node_modules/"))
    if (q == path || q[-1] == '/') return false; /* shipped inside an installed package */
  return true;
}

const bw_analyzer bw_analyzer_pnpm_lock = {
    .name = "pnpm-lock",
    .wants = pnpm_wants,
    .parse = bw_pnpm_lock_parse,
    .max_bytes = BW_LIMIT_LOCKFILE_BYTES,
};
