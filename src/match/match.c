/* Matching an inventory against the advisory DB (match.h). OS packages are looked up by their
 * source package in the image's release ("Debian:12"), application packages by ecosystem and name;
 * each advisory entry's OSV ranges are then evaluated with the ecosystem's own version order. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/json.h"
#include "base/limits.h"
#include "base/log.h"
#include "match/match.h"
#include "report/report_util.h" /* bw_strset */

/* ---- ecosystems ---- */

/* "12.4" -> "12": the part before the first '.'. */
static const char *major(bw_arena *a, const char *v) {
  if (!v || !*v) return NULL;
  const char *dot = strchr(v, '.');
  return dot ? bw_arena_strndup(a, v, (size_t)(dot - v)) : v;
}

/* "3.19.1" -> "3.19". */
static const char *major_minor(bw_arena *a, const char *v) {
  if (!v || !*v) return NULL;
  const char *dot = strchr(v, '.');
  const char *dot2 = dot ? strchr(dot + 1, '.') : NULL;
  return dot2 ? bw_arena_strndup(a, v, (size_t)(dot2 - v)) : v;
}

static const char *os_ecosystem(bw_arena *a, const bw_os_info *os) {
  const char *fam = os ? os->family : NULL;
  if (!fam || !os->version) return NULL;
  if (!strcmp(fam, "debian")) {
    const char *m = major(a, os->version);
    return m ? bw_arena_printf(a, "Debian:%s", m) : NULL;
  }
  if (!strcmp(fam, "ubuntu")) {
    /* osv.dev names LTS releases "Ubuntu:22.04:LTS" and the others "Ubuntu:23.10" */
    const char *v = os->version;
    bool lts = strlen(v) == 5 && isdigit((unsigned char)v[0]) && isdigit((unsigned char)v[1]) && (v[1] - '0') % 2 == 0 &&
               !strcmp(v + 2, ".04");
    return bw_arena_printf(a, "Ubuntu:%s%s", v, lts ? ":LTS" : "");
  }
  if (!strcmp(fam, "alpine")) {
    const char *mm = major_minor(a, os->version);
    return mm ? bw_arena_printf(a, "Alpine:v%s", mm) : NULL;
  }
  if (!strcmp(fam, "alma")) return bw_arena_printf(a, "AlmaLinux:%s", major(a, os->version));
  if (!strcmp(fam, "rocky")) return bw_arena_printf(a, "Rocky Linux:%s", major(a, os->version));
  /* Red Hat, SUSE, Oracle ... name their OSV ecosystems per product stream ("Red Hat:
   * enterprise_linux:9::appstream"), which an image does not tell: not matched yet. */
  return NULL;
}

const char *bw_match_ecosystem(struct bw_arena *a, const bw_package *p, const bw_os_info *os) {
  switch (p->type) {
  case BW_PKG_DEB:
  case BW_PKG_APK:
  case BW_PKG_RPM: return os_ecosystem(a, os);
  case BW_PKG_MAVEN: return "Maven";
  case BW_PKG_NPM: return "npm";
  case BW_PKG_PYPI: return "PyPI";
  case BW_PKG_GOLANG: return "Go";
  case BW_PKG_CARGO: return "crates.io";
  case BW_PKG_GEM: return "RubyGems";
  case BW_PKG_COMPOSER: return "Packagist";
  case BW_PKG_NUGET: return "NuGet";
  }
  return NULL;
}

/* PEP 503 normalisation: lowercase, runs of "-", "_", "." become one "-". */
static const char *pypi_normalise(bw_arena *a, const char *name) {
  size_t n = strlen(name);
  char *out = bw_arena_alloc(a, n + 1);
  if (!out) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (c == '-' || c == '_' || c == '.') {
      if (o == 0 || out[o - 1] != '-') out[o++] = '-';
    } else {
      out[o++] = (char)tolower((unsigned char)c);
    }
  }
  out[o] = 0;
  return out;
}

/* ---- range evaluation ---- */

typedef enum { EV_INTRODUCED, EV_FIXED, EV_LAST_AFFECTED, EV_LIMIT } ev_kind;
typedef struct event {
  ev_kind kind;
  const char *v;
  bool zero; /* introduced "0": below every version */
} event;

/* Go versions are compared with their "v"; OSV SEMVER ranges of Go modules leave it out. */
static const char *scheme_version(bw_arena *a, bw_vscheme scheme, const char *v) {
  if (scheme == BW_VSCHEME_GO && v[0] != 'v') return bw_arena_printf(a, "v%s", v);
  return v;
}

static int cmp(bw_arena *a, bw_vscheme scheme, const char *x, const char *y, int *out, bw_error *err) {
  const char *sx = scheme_version(a, scheme, x), *sy = scheme_version(a, scheme, y);
  if (!sx || !sy) return bw_error_set(err, BW_ENOMEM, "out of memory");
  return bw_version_compare(scheme, sx, sy, out, err);
}

/* Insertion sort by version ("0" first); stable, so an introduced and a fixed of the same
 * version keep the record's order. Fails when a version does not parse. */
static int sort_events(bw_arena *a, bw_vscheme scheme, event *ev, size_t n, bw_error *err) {
  for (size_t i = 1; i < n; i++) {
    event cur = ev[i];
    size_t j = i;
    while (j > 0) {
      int c;
      if (cur.zero) c = ev[j - 1].zero ? 0 : -1;
      else if (ev[j - 1].zero) c = 1;
      else {
        int rc = cmp(a, scheme, cur.v, ev[j - 1].v, &c, err);
        if (rc) return rc;
      }
      if (c >= 0) break;
      ev[j] = ev[j - 1];
      j--;
    }
    ev[j] = cur;
  }
  return 0;
}

/* One range: affected per the OSV evaluation algorithm; *fixed = the first fixed event above
 * the installed version. */
static int eval_range(bw_arena *a, bw_vscheme scheme, const json_t *events, const char *installed, bool *affected,
                      const char **fixed, bw_error *err) {
  size_t n = json_array_size(events);
  if (n > BW_LIMIT_OSV_EVENTS) return bw_error_set(err, BW_ELIMIT, "more than %u events in one range", (unsigned)BW_LIMIT_OSV_EVENTS);
  event *ev = n ? bw_arena_calloc(a, n, sizeof *ev) : NULL;
  if (n && !ev) return bw_error_set(err, BW_ENOMEM, "out of memory");
  size_t m = 0;
  const char *limit = NULL;
  for (size_t i = 0; i < n; i++) {
    const json_t *e = json_array_get(events, i);
    const char *v;
    if ((v = bw_json_str(e, "introduced"))) ev[m++] = (event){EV_INTRODUCED, v, !strcmp(v, "0")};
    else if ((v = bw_json_str(e, "fixed"))) ev[m++] = (event){EV_FIXED, v, false};
    else if ((v = bw_json_str(e, "last_affected"))) ev[m++] = (event){EV_LAST_AFFECTED, v, false};
    else if ((v = bw_json_str(e, "limit"))) {
      if (strcmp(v, "*") != 0) ev[m++] = (event){EV_LIMIT, v, false};
      continue;
    } else {
      return BW_CORRUPT(err, "an OSV event without introduced, fixed, last_affected or limit");
    }
    if (!*v) return BW_CORRUPT(err, "an OSV event with an empty version");
  }
  int rc = sort_events(a, scheme, ev, m, err);
  if (rc) return rc;
  bool in = false;
  for (size_t i = 0; i < m; i++) {
    int c = 0;
    if (!ev[i].zero && (rc = cmp(a, scheme, installed, ev[i].v, &c, err))) return rc;
    switch (ev[i].kind) {
    case EV_INTRODUCED:
      if (ev[i].zero || c >= 0) in = true;
      break;
    case EV_FIXED:
      if (c >= 0) in = false;
      break;
    case EV_LAST_AFFECTED:
      if (c > 0) in = false;
      break;
    case EV_LIMIT:
      /* versions at or above a limit are outside this range */
      if (c >= 0 && !limit) limit = ev[i].v;
      break;
    }
  }
  if (limit) in = false;
  *affected = in;
  *fixed = NULL;
  if (in) {
    for (size_t i = 0; i < m; i++) {
      int c;
      if (ev[i].kind != EV_FIXED) continue;
      if ((rc = cmp(a, scheme, ev[i].v, installed, &c, err))) return rc;
      if (c > 0) {
        *fixed = ev[i].v; /* sorted: the first one above is the smallest */
        break;
      }
    }
  }
  return 0;
}

static int parse_array(json_t **out, const char *text, const char *what, bw_error *err) {
  *out = NULL;
  if (!text || !*text || !strcmp(text, "[]") || !strcmp(text, "null")) return 0; /* the usual case: no parse */
  int rc = bw_json_parse(out, text, strlen(text), BW_LIMIT_OSV_RANGES_BYTES, what, err);
  if (rc) return rc;
  if (json_is_null(*out)) {
    json_decref(*out);
    *out = NULL;
    return 0;
  }
  if (!json_is_array(*out)) {
    json_decref(*out);
    *out = NULL;
    return BW_CORRUPT(err, "OSV %s: not an array", what);
  }
  return 0;
}

int bw_match_affected(struct bw_arena *a, bw_vscheme scheme, const char *ranges_json, const char *versions_json,
                      const char *installed, bool *affected, const char **fixed, unsigned *skipped, bw_error *err) {
  *affected = false;
  *fixed = NULL;
  if (!installed || !*installed) return 0;
  json_t *ranges = NULL, *versions = NULL;
  int rc = parse_array(&ranges, ranges_json, "ranges", err);
  if (rc == 0) rc = parse_array(&versions, versions_json, "versions", err);
  if (rc) goto out;
  const char *best = NULL;
  for (size_t i = 0; i < json_array_size(ranges); i++) {
    const json_t *r = json_array_get(ranges, i);
    const char *type = bw_json_str(r, "type");
    if (!type) {
      rc = BW_CORRUPT(err, "an OSV range without a type");
      goto out;
    }
    if (strcmp(type, "ECOSYSTEM") != 0 && strcmp(type, "SEMVER") != 0) continue; /* GIT: commits, not versions */
    const json_t *events = json_object_get(r, "events");
    if (!json_is_array(events)) {
      rc = BW_CORRUPT(err, "an OSV range without events");
      goto out;
    }
    bool in = false;
    const char *f = NULL;
    bw_error rerr = {0};
    int r2 = eval_range(a, scheme, events, installed, &in, &f, &rerr);
    if (r2 == -BW_ENOMEM) {
      rc = bw_error_set(err, BW_ENOMEM, "out of memory");
      goto out;
    }
    if (r2 == -BW_ECORRUPT) {
      rc = bw_error_set(err, BW_ECORRUPT, "%s", rerr.msg);
      goto out;
    }
    if (r2) { /* a version the scheme cannot read, or an absurd range: skip this range */
      if (skipped) (*skipped)++;
      bw_debug("OSV range skipped: %s", rerr.msg);
      continue;
    }
    if (!in) continue;
    *affected = true;
    if (f) {
      int c = 0;
      if (!best) best = f;
      else if (cmp(a, scheme, f, best, &c, &rerr) == 0 && c < 0) best = f;
    }
  }
  for (size_t i = 0; !*affected && i < json_array_size(versions); i++) {
    const char *v = json_string_value(json_array_get(versions, i));
    if (!v) continue;
    int c = 1;
    bw_error verr = {0};
    if (!strcmp(v, installed) || (cmp(a, scheme, v, installed, &c, &verr) == 0 && c == 0)) *affected = true;
  }
  /* listed by version only: the fix is the first fixed event above it, if the ranges give one */
  if (*affected && !best) {
    for (size_t i = 0; i < json_array_size(ranges); i++) {
      const json_t *events = json_object_get(json_array_get(ranges, i), "events");
      for (size_t k = 0; k < json_array_size(events); k++) {
        const char *f = bw_json_str(json_array_get(events, k), "fixed");
        int c = 0;
        bw_error ferr = {0};
        if (!f || cmp(a, scheme, f, installed, &c, &ferr) || c <= 0) continue;
        if (!best || (cmp(a, scheme, f, best, &c, &ferr) == 0 && c < 0)) best = f;
      }
    }
  }
  if (best && !(*fixed = bw_arena_strdup(a, best))) rc = bw_error_set(err, BW_ENOMEM, "out of memory");
out:
  json_decref(ranges);
  json_decref(versions);
  return rc;
}

/* ---- running over an inventory ---- */

typedef struct match_ctx {
  bw_scan_result *res;
  const bw_match_opts *opts;
  const bw_package *pkg;
  size_t pkg_index;
  bw_vscheme scheme;
  const char *installed;
  bw_arena *scratch;
  bw_strset seen; /* "index|id": one entry per advisory and installed package */
  unsigned skipped;
  bw_error *err;
} match_ctx;

static int on_hit(void *vctx, const bw_advisory_hit *hit) {
  match_ctx *m = vctx;
  bool affected = false;
  const char *fixed = NULL;
  bw_error herr = {0};
  int rc = bw_match_affected(m->scratch, m->scheme, hit->ranges_json, hit->versions_json, m->installed, &affected,
                             &fixed, &m->skipped, &herr);
  if (rc == -BW_ENOMEM) return bw_error_set(m->err, BW_ENOMEM, "out of memory matching");
  if (rc) { /* one bad record must not hide the others */
    m->skipped++;
    bw_debug("advisory %s: %s", hit->id ? hit->id : "?", herr.msg);
    return 0;
  }
  if (!affected || !hit->id) return 0;
  bw_arena *ra = m->res->arena;
  const char *key = bw_arena_printf(ra, "%zu|%s", m->pkg_index, hit->id);
  if (!key) return bw_error_set(m->err, BW_ENOMEM, "out of memory matching");
  if (bw_strset_has(&m->seen, key)) return 0;
  if (bw_strset_add(&m->seen, key)) return bw_error_set(m->err, BW_ENOMEM, "out of memory matching");

  const char *status;
  if (hit->status && !strcmp(hit->status, "wont_fix")) status = "wont_fix";
  else status = fixed ? "fixed" : "unfixed";
  if (m->opts && m->opts->ignore_unfixed && strcmp(status, "fixed") != 0) return 0;
  int sev = (int)hit->severity;
  if (sev < BW_SEV_UNKNOWN || sev > BW_SEV_CRITICAL) sev = BW_SEV_UNKNOWN;
  if (m->opts && m->opts->severities && !(m->opts->severities & (1u << sev))) return 0;

  bw_vuln *v = bw_vec_push(&m->res->vulns);
  if (!v) return bw_error_set(m->err, BW_ENOMEM, "out of memory matching");
  /* the hit's strings belong to the DB handle until the next lookup: copy */
  v->id = bw_arena_strdup(ra, hit->id);
  v->aliases_json = bw_arena_strdup(ra, hit->aliases_json ? hit->aliases_json : "[]");
  v->app = !(m->pkg->type == BW_PKG_DEB || m->pkg->type == BW_PKG_APK || m->pkg->type == BW_PKG_RPM);
  v->package = m->pkg;
  v->fixed_version = fixed ? bw_arena_strdup(ra, fixed) : NULL;
  v->status = status;
  v->severity = sev;
  v->cvss_version = bw_arena_strdup(ra, hit->cvss_version);
  v->cvss_vector = bw_arena_strdup(ra, hit->cvss_vector);
  v->cvss_score = hit->cvss_score;
  v->title = bw_arena_strdup(ra, hit->summary);
  v->references_json = bw_arena_strdup(ra, hit->references_json ? hit->references_json : "[]");
  if (!v->id || !v->aliases_json || !v->references_json || (fixed && !v->fixed_version))
    return bw_error_set(m->err, BW_ENOMEM, "out of memory matching");
  return 0;
}

static int vuln_order(const void *pa, const void *pb) {
  const bw_vuln *a = pa, *b = pb;
  if (a->severity != b->severity) return b->severity - a->severity;
  int c = strcmp(a->package->name ? a->package->name : "", b->package->name ? b->package->name : "");
  if (c) return c;
  c = strcmp(a->package->version ? a->package->version : "", b->package->version ? b->package->version : "");
  if (c) return c;
  c = strcmp(a->id, b->id);
  if (c) return c;
  return strcmp(a->package->path ? a->package->path : "", b->package->path ? b->package->path : "");
}

int bw_match_run(bw_scan_result *res, bw_vulndb *db, const bw_match_opts *opts, bw_error *err) {
  match_ctx m = {.res = res, .opts = opts, .err = err};
  bw_arena *seen_arena = bw_arena_new();
  if (!seen_arena) return bw_error_set(err, BW_ENOMEM, "out of memory matching");
  bw_strset_init(&m.seen, seen_arena);
  int rc = 0;
  size_t n = bw_pkglist_len(&res->packages);
  for (size_t i = 0; rc == 0 && i < n; i++) {
    const bw_package *p = bw_pkglist_at(&res->packages, i);
    if (!p->name || !p->version) continue;
    /* scratch (sorted events, Go "v" versions) is renewed every so often, not per package */
    if (m.scratch && bw_arena_used(m.scratch) > (4u << 20)) {
      bw_arena_free(m.scratch);
      m.scratch = NULL;
    }
    if (!m.scratch && !(m.scratch = bw_arena_new())) {
      rc = bw_error_set(err, BW_ENOMEM, "out of memory matching");
      break;
    }
    const char *eco = bw_match_ecosystem(m.scratch, p, &res->os);
    int scheme = eco ? bw_vscheme_for_ecosystem(eco) : -1;
    if (scheme < 0) goto next;
    m.pkg = p;
    m.pkg_index = i;
    m.scheme = (bw_vscheme)scheme;
    /* Names to look up. Distro advisories are keyed by source package (Debian, Ubuntu, Alpine:
     * the origin), and the source version is what they compare; AlmaLinux and Rocky list binary
     * rpms, so rpm also tries the binary name with its own version. */
    const char *names[2] = {NULL, NULL};
    m.installed = p->version;
    switch (p->type) {
    case BW_PKG_DEB:
      names[0] = p->source_name ? p->source_name : p->name;
      /* a binNMU (+b1) has no source version of its own in the status file: dpkg.c then leaves
       * the binary's version, which compares as the source's plus a suffix */
      m.installed = p->source_version ? p->source_version : p->version;
      break;
    case BW_PKG_APK: names[0] = p->source_name ? p->source_name : p->name; break;
    case BW_PKG_RPM:
      names[0] = p->name;
      if (p->source_name && strcmp(p->source_name, p->name) != 0) names[1] = p->source_name;
      break;
    case BW_PKG_MAVEN:
      /* OSV names Maven packages groupId:artifactId; a jar without a group cannot be matched */
      if (!strchr(p->name, ':')) goto next;
      names[0] = p->name;
      break;
    case BW_PKG_PYPI:
      names[0] = p->name;
      names[1] = pypi_normalise(m.scratch, p->name);
      if (names[1] && !strcmp(names[1], names[0])) names[1] = NULL;
      break;
    default: names[0] = p->name; break;
    }
    for (int k = 0; rc == 0 && k < 2; k++) {
      if (!names[k]) continue;
      rc = bw_vulndb_lookup(db, eco, names[k], on_hit, &m, err);
      if (rc > 0) rc = 0;
    }
  next:;
  }
  bw_arena_free(m.scratch);
  bw_arena_free(seen_arena);
  if (rc < 0) return rc;
  if (m.skipped) bw_warn("%u advisory ranges could not be evaluated and were skipped (--debug lists them)", m.skipped);
  if (res->vulns.len > 1) qsort(res->vulns.data, res->vulns.len, sizeof(bw_vuln), vuln_order);
  res->scanned_vulns = true;
  return 0;
}
