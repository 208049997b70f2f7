/* The advisory DB: OSV records in one SQLite file (schema below, versioned by PRAGMA user_version).
 *
 *   advisories  one row per OSV id; severity is the resolved rating (own, CVSS, or inherited from
 *               aliases), base_severity what the record itself gives (0 when nothing)
 *   affected    one row per OSV `affected` entry, indexed by (ecosystem, package) for matching
 *   aliases     id -> alias/upstream ids, both ways indexed, for severity inheritance
 *   changes     append-only log of which (ecosystem, package) gained or changed advisories
 *   meta        key/value: updated_at
 *
 * Import is one transaction per call: a killed import leaves the previous DB (rollback journal). */
#include "vuln/vulndb.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/json.h"
#include "base/limits.h"
#include "base/strutil.h"
#include "vuln/cvss.h"

#define SCHEMA_VERSION 1

enum {
  ST_FIND,
  ST_INSERT_ADV,
  ST_UPDATE_ADV,
  ST_DEL_AFFECTED,
  ST_DEL_ALIASES,
  ST_HAS_ECO,
  ST_INSERT_AFFECTED,
  ST_INSERT_ALIAS,
  ST_INSERT_CHANGE,
  ST_LOOKUP,
  ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_FIND] = "SELECT rid, modified FROM advisories WHERE id = ?1",
    [ST_INSERT_ADV] = "INSERT INTO advisories(id, modified, published, summary, details, aliases_json, "
                      "references_json, base_severity, severity, cvss_version, cvss_vector, cvss_score, source) "
                      "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?8,?9,?10,?11,?12)",
    [ST_UPDATE_ADV] = "UPDATE advisories SET modified=?2, published=?3, summary=?4, details=?5, aliases_json=?6, "
                      "references_json=?7, base_severity=?8, severity=?8, cvss_version=?9, cvss_vector=?10, "
                      "cvss_score=?11, source=?12 WHERE rid=?13",
    [ST_DEL_AFFECTED] = "DELETE FROM affected WHERE adv = ?1 AND ecosystem = ?2",
    [ST_HAS_ECO] = "SELECT 1 FROM affected WHERE adv = ?1 AND ecosystem = ?2 LIMIT 1",
    [ST_DEL_ALIASES] = "DELETE FROM aliases WHERE adv = ?1",
    [ST_INSERT_AFFECTED] = "INSERT INTO affected(adv, ecosystem, package, ranges_json, versions_json, status) "
                           "VALUES(?1,?2,?3,?4,?5,?6)",
    [ST_INSERT_ALIAS] = "INSERT INTO aliases(adv, alias) VALUES(?1, ?2)",
    [ST_INSERT_CHANGE] = "INSERT INTO changes(advisory_id, ecosystem, package, kind, at) VALUES(?1,?2,?3,?4,?5)",
    [ST_LOOKUP] = "SELECT a.id, a.aliases_json, coalesce(a.summary, substr(a.details, 1, 160)), a.references_json, f.ecosystem, f.package, "
                  "f.ranges_json, f.versions_json, f.status, a.severity, a.cvss_version, a.cvss_vector, "
                  "a.cvss_score FROM affected f JOIN advisories a ON a.rid = f.adv "
                  "WHERE f.ecosystem = ?1 AND f.package = ?2",
};

struct bw_vulndb {
  sqlite3 *db;
  sqlite3_stmt *st[ST_COUNT];
  bool writable;
  bw_arena *hit_arena; /* strings of the last lookup's hits */
};

static const char *const schema_sql =
    "CREATE TABLE IF NOT EXISTS advisories("
    " rid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, modified TEXT, published TEXT, summary TEXT,"
    " details TEXT, aliases_json TEXT, references_json TEXT, base_severity INTEGER NOT NULL DEFAULT 0,"
    " severity INTEGER NOT NULL DEFAULT 0, cvss_version TEXT, cvss_vector TEXT, cvss_score REAL, source TEXT);"
    "CREATE TABLE IF NOT EXISTS affected("
    " adv INTEGER NOT NULL, ecosystem TEXT NOT NULL, package TEXT NOT NULL, ranges_json TEXT,"
    " versions_json TEXT, status TEXT);"
    "CREATE INDEX IF NOT EXISTS affected_pkg ON affected(ecosystem, package);"
    "CREATE INDEX IF NOT EXISTS affected_adv ON affected(adv, ecosystem);"
    "CREATE TABLE IF NOT EXISTS aliases(adv INTEGER NOT NULL, alias TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS aliases_adv ON aliases(adv);"
    "CREATE INDEX IF NOT EXISTS aliases_alias ON aliases(alias);"
    "CREATE TABLE IF NOT EXISTS changes(seq INTEGER PRIMARY KEY, advisory_id TEXT NOT NULL, ecosystem TEXT,"
    " package TEXT, kind TEXT NOT NULL, at TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);";

static int sql_err(bw_vulndb *db, bw_error *err, const char *what) {
  return bw_error_set(err, BW_EIO, "advisory DB: %s: %s", what, sqlite3_errmsg(db->db));
}

static int exec(bw_vulndb *db, const char *sql, bw_error *err) {
  char *msg = NULL;
  if (sqlite3_exec(db->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    int rc = bw_error_set(err, BW_EIO, "advisory DB: %s", msg ? msg : sqlite3_errmsg(db->db));
    sqlite3_free(msg);
    return rc;
  }
  return 0;
}

static int user_version(bw_vulndb *db, int *out, bw_error *err) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(db->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
    return sql_err(db, err, "reading the schema version");
  *out = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
  sqlite3_finalize(s);
  return 0;
}

int bw_vulndb_open(bw_vulndb **out, const char *path, bool writable, bw_error *err) {
  *out = NULL;
  struct stat sb;
  if (!writable && stat(path, &sb) != 0)
    return bw_error_sys(err, BW_ENOTFOUND, "no advisory DB at %s (run `bulwark db update` or `bulwark db import`)",
                        path);
  bw_vulndb *db = calloc(1, sizeof *db);
  if (!db) return bw_error_set(err, BW_ENOMEM, "out of memory");
  db->writable = writable;
  int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  int rc;
  if (sqlite3_open_v2(path, &db->db, flags, NULL) != SQLITE_OK) {
    rc = bw_error_set(err, BW_EIO, "cannot open advisory DB %s: %s", path,
                      db->db ? sqlite3_errmsg(db->db) : "out of memory");
    goto fail;
  }
  sqlite3_busy_timeout(db->db, 5000);
  int ver = 0;
  if ((rc = user_version(db, &ver, err)) < 0) goto fail;
  if (ver > SCHEMA_VERSION) {
    rc = bw_error_set(err, BW_EUNSUPPORTED, "advisory DB %s has schema %d; this bulwark knows %d", path, ver,
                      SCHEMA_VERSION);
    goto fail;
  }
  if (ver == 0) {
    if (!writable) {
      rc = bw_error_set(err, BW_ECORRUPT, "%s is not a bulwark advisory DB (no schema)", path);
      goto fail;
    }
    /* rollback journal (not WAL): the DB stays one file, which `db update` copies and renames */
    if ((rc = exec(db, "PRAGMA journal_mode=DELETE; BEGIN", err)) < 0) goto fail;
    if ((rc = exec(db, schema_sql, err)) < 0) goto fail;
    if ((rc = exec(db, "PRAGMA user_version=1; COMMIT", err)) < 0) goto fail;
  }
  if (writable && (rc = exec(db, "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536", err)) < 0) goto fail;
  for (int i = 0; i < ST_COUNT; i++) {
    if (!writable && i != ST_LOOKUP) continue;
    if (sqlite3_prepare_v3(db->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &db->st[i], NULL) != SQLITE_OK) {
      rc = sql_err(db, err, "preparing a statement");
      goto fail;
    }
  }
  *out = db;
  return 0;
fail:
  bw_vulndb_close(db);
  return rc;
}

void bw_vulndb_close(bw_vulndb *db) {
  if (!db) return;
  for (int i = 0; i < ST_COUNT; i++) sqlite3_finalize(db->st[i]);
  sqlite3_close(db->db);
  bw_arena_free(db->hit_arena);
  free(db);
}

/* ---- severity names ---- */

const char *bw_severity_name(bw_severity s) {
  switch (s) {
  case BW_SEV_LOW: return "LOW";
  case BW_SEV_MEDIUM: return "MEDIUM";
  case BW_SEV_HIGH: return "HIGH";
  case BW_SEV_CRITICAL: return "CRITICAL";
  default: return "UNKNOWN";
  }
}

int bw_severity_parse(const char *s) {
  static const struct {
    const char *name;
    bw_severity sev;
  } names[] = {
      {"unknown", BW_SEV_UNKNOWN},  {"low", BW_SEV_LOW},           {"negligible", BW_SEV_LOW},
      {"unimportant", BW_SEV_LOW},  {"medium", BW_SEV_MEDIUM},     {"moderate", BW_SEV_MEDIUM},
      {"high", BW_SEV_HIGH},        {"important", BW_SEV_HIGH},    {"critical", BW_SEV_CRITICAL},
  };
  if (!s) return -1;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (!strcasecmp(s, names[i].name)) return (int)names[i].sev;
  return -1;
}

/* ---- import ---- */

/* OSV ecosystem names accepted (the part before ':'), from the OSV schema's ecosystem list. */
static const char *const known_ecosystems[] = {
    "Debian",   "Ubuntu",    "Alpine",   "AlmaLinux", "Rocky Linux", "Red Hat", "SUSE",     "openSUSE",
    "Wolfi",    "Chainguard", "Photon OS", "Mariner",  "Azure Linux", "npm",    "PyPI",     "Maven",
    "Go",       "crates.io", "RubyGems", "Packagist", "NuGet",      NULL};

static bool ecosystem_known(const char *eco) {
  size_t n = strcspn(eco, ":");
  for (size_t i = 0; known_ecosystems[i]; i++)
    if (strlen(known_ecosystems[i]) == n && !memcmp(known_ecosystems[i], eco, n)) return true;
  return false;
}

#define MAX_REASONS 16
typedef struct {
  bw_vulndb *db;
  bw_import_stats *stats;
  const char *reasons[MAX_REASONS];
  uint64_t counts[MAX_REASONS];
  size_t nreasons;
  char now[32];
  uint64_t inflated; /* bytes read from the current zip */
  bool progress;
  double started; /* CLOCK_MONOTONIC seconds, for the rate */
} importer;

static void skip(importer *im, const char *reason) {
  im->stats->skipped++;
  for (size_t i = 0; i < im->nreasons; i++)
    if (!strcmp(im->reasons[i], reason)) {
      im->counts[i]++;
      return;
    }
  if (im->nreasons == MAX_REASONS) return;
  im->reasons[im->nreasons] = reason;
  im->counts[im->nreasons++] = 1;
}

static bool str_ok(const char *s) { return s && strlen(s) <= BW_LIMIT_ADVISORY_VERSION_BYTES; }

/* Checks one `affected` entry's ranges and versions; returns NULL or a skip reason. */
static const char *check_affected(const json_t *aff) {
  const json_t *ranges = json_object_get(aff, "ranges"), *versions = json_object_get(aff, "versions");
  if (ranges && !json_is_array(ranges)) return "malformed ranges";
  if (versions && !json_is_array(versions)) return "malformed versions";
  if (json_array_size(ranges) > BW_LIMIT_ADVISORY_EVENTS) return "absurd ranges (too many)";
  if (json_array_size(versions) > BW_LIMIT_ADVISORY_VERSIONS) return "absurd versions (too many)";
  size_t i, j;
  const json_t *r, *ev, *v;
  json_array_foreach(versions, i, v) {
    if (!json_is_string(v) || !str_ok(json_string_value(v))) return "absurd versions (bad version string)";
  }
  json_array_foreach(ranges, i, r) {
    const json_t *events = json_object_get(r, "events");
    if (!json_is_object(r) || !json_is_array(events) || json_array_size(events) == 0) return "malformed ranges";
    if (json_array_size(events) > BW_LIMIT_ADVISORY_EVENTS) return "absurd ranges (too many events)";
    bool introduced = false;
    json_array_foreach(events, j, ev) {
      const char *k;
      const json_t *val;
      if (!json_is_object(ev) || json_object_size(ev) != 1) return "malformed ranges";
      json_object_foreach((json_t *)ev, k, val) {
        if (!json_is_string(val) || !str_ok(json_string_value(val)))
          return "absurd ranges (bad version string)";
        if (!strcmp(k, "introduced")) introduced = true;
        else if (strcmp(k, "fixed") && strcmp(k, "last_affected") && strcmp(k, "limit"))
          return "malformed ranges";
      }
    }
    if (!introduced) return "absurd ranges (no introduced event)";
  }
  return NULL;
}

typedef struct {
  bw_severity own;
  bw_cvss_version cv;
  double score;
  const char *vector;
} sev_info;

static void consider_cvss(sev_info *si, const json_t *sevs) {
  size_t i;
  const json_t *s;
  json_array_foreach(sevs, i, s) {
    const char *type = bw_json_str(s, "type"), *score = bw_json_str(s, "score");
    if (!type || !score) continue;
    if (!strcmp(type, "Ubuntu")) {
      int r = bw_severity_parse(score);
      if (r > (int)si->own) si->own = (bw_severity)r;
      continue;
    }
    if (strncmp(type, "CVSS_V", 6)) continue;
    bw_cvss_version v;
    double sc;
    bw_error e = {0};
    int rc = bw_cvss_score(score, strlen(score), &v, &sc, &e);
    if (rc < 0) continue;
    if (!si->vector || sc > si->score) {
      si->cv = v;
      si->score = sc;
      si->vector = score;
    }
  }
}

/* A rating the ecosystem gives itself: GHSA database_specific.severity, Debian urgency. */
static void consider_own(sev_info *si, const json_t *obj) {
  if (!obj) return;
  const char *keys[] = {"severity", "urgency"};
  for (size_t k = 0; k < 2; k++) {
    int r = bw_severity_parse(bw_json_str(obj, keys[k]));
    if (r > (int)si->own) si->own = (bw_severity)r;
  }
}

static char *dump(const json_t *v) { return v ? json_dumps(v, JSON_COMPACT) : NULL; }

static void bind_text(sqlite3_stmt *s, int i, const char *t) {
  if (t) sqlite3_bind_text(s, i, t, -1, SQLITE_TRANSIENT);
  else sqlite3_bind_null(s, i);
}

static int step_done(importer *im, sqlite3_stmt *s, bw_error *err) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return sql_err(im->db, err, "writing");
  return 0;
}

/* The ecosystem of an `affected` entry that is imported, or NULL (unknown ecosystem, bad package). */
static const char *entry_eco(const json_t *aff) {
  const json_t *pkg = json_object_get(aff, "package");
  const char *eco = bw_json_str(pkg, "ecosystem"), *name = bw_json_str(pkg, "name");
  if (!eco || !name || !*name || strlen(name) > 1024 || strlen(eco) > 256 || !ecosystem_known(eco)) return NULL;
  return eco;
}

static int insert_entry(importer *im, int64_t rid, const char *id, const json_t *aff, const char *kind,
                        bw_error *err) {
  bw_vulndb *db = im->db;
  const json_t *pkg = json_object_get(aff, "package");
  const char *eco = bw_json_str(pkg, "ecosystem"), *name = bw_json_str(pkg, "name");
  char *ranges = dump(json_object_get(aff, "ranges")), *versions = dump(json_object_get(aff, "versions"));
  const char *status = bw_json_str(json_object_get(aff, "ecosystem_specific"), "status");
  if (!status) status = bw_json_str(json_object_get(aff, "database_specific"), "status");
  sqlite3_stmt *s = db->st[ST_INSERT_AFFECTED];
  sqlite3_bind_int64(s, 1, rid);
  sqlite3_bind_text(s, 2, eco, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
  bind_text(s, 4, ranges);
  bind_text(s, 5, versions);
  bind_text(s, 6, status);
  int rc = step_done(im, s, err);
  free(ranges);
  free(versions);
  if (rc < 0) return rc;
  s = db->st[ST_INSERT_CHANGE];
  sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, eco, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 4, kind, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 5, im->now, -1, SQLITE_STATIC);
  return step_done(im, s, err);
}

/* A withdrawn record: a known advisory loses its affected rows (logged once, package NULL), as
 * long as the withdrawal is newer; an unknown one is skipped. */
static int withdraw(importer *im, const char *id, const char *modified, bw_error *err) {
  bw_vulndb *db = im->db;
  sqlite3_stmt *s = db->st[ST_FIND];
  sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  int64_t rid = 0;
  bool newer = false;
  if (sqlite3_step(s) == SQLITE_ROW) {
    rid = sqlite3_column_int64(s, 0);
    const char *old = (const char *)sqlite3_column_text(s, 1);
    newer = strcmp(modified, old ? old : "") > 0;
  }
  sqlite3_reset(s);
  if (!rid) {
    skip(im, "withdrawn");
    return 0;
  }
  if (!newer) {
    im->stats->unchanged++;
    return 0;
  }
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(db->db, "DELETE FROM affected WHERE adv = ?1", -1, &q, NULL) != SQLITE_OK)
    return sql_err(db, err, "withdrawing");
  sqlite3_bind_int64(q, 1, rid);
  int rc = step_done(im, q, err);
  sqlite3_finalize(q);
  if (rc < 0) return rc;
  if (sqlite3_prepare_v2(db->db, "UPDATE advisories SET modified = ?1 WHERE rid = ?2", -1, &q, NULL) != SQLITE_OK)
    return sql_err(db, err, "withdrawing");
  sqlite3_bind_text(q, 1, modified, -1, SQLITE_STATIC);
  sqlite3_bind_int64(q, 2, rid);
  rc = step_done(im, q, err);
  sqlite3_finalize(q);
  if (rc < 0) return rc;
  s = db->st[ST_INSERT_CHANGE];
  sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_null(s, 2);
  sqlite3_bind_null(s, 3);
  sqlite3_bind_text(s, 4, "withdrawn", -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 5, im->now, -1, SQLITE_STATIC);
  if ((rc = step_done(im, s, err)) < 0) return rc;
  im->stats->updated++;
  return 0;
}

/* Imports one record's bytes. Returns 0 (imported, unchanged or skipped with a reason) or a
 * negative error for a DB failure, which aborts the import. */
static int import_record(importer *im, const char *buf, size_t len, bw_error *err) {
  im->stats->records++;
  bw_vulndb *db = im->db;
  json_t *root = NULL;
  bw_error pe = {0};
  if (bw_json_parse(&root, buf, len, BW_LIMIT_ADVISORY_BYTES, "advisory", &pe) < 0) {
    skip(im, pe.code == BW_ELIMIT ? "too large" : "malformed JSON");
    return 0;
  }
  int rc = 0;
  char *aliases = NULL, *refs = NULL;
  json_t *all = NULL;
  const char *id = bw_json_str(root, "id"), *modified = bw_json_str(root, "modified");
  const json_t *affected = json_object_get(root, "affected");
  if (!json_is_object(root) || !id || !*id || strlen(id) > 256) {
    skip(im, "missing id");
    goto out;
  }
  if (!modified) modified = "";
  if (json_is_string(json_object_get(root, "withdrawn"))) {
    rc = withdraw(im, id, modified, err);
    goto out;
  }
  if (!json_is_array(affected) || json_array_size(affected) == 0) {
    skip(im, "missing affected");
    goto out;
  }
  /* validate every entry before writing anything */
  size_t i, nknown = 0;
  const json_t *aff;
  const char *bad = NULL;
  if (json_array_size(affected) > BW_LIMIT_ADVISORY_EVENTS) {
    skip(im, "absurd affected list (too many entries)");
    goto out;
  }
  json_array_foreach(affected, i, aff) {
    if (!entry_eco(aff)) continue;
    if ((bad = check_affected(aff))) break;
    nknown++;
  }
  if (bad) {
    skip(im, bad);
    goto out;
  }
  if (nknown == 0) {
    skip(im, "unknown ecosystem");
    goto out;
  }

  sqlite3_stmt *s = db->st[ST_FIND];
  sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
  int64_t rid = 0;
  bool exists = false, newer = true;
  if (sqlite3_step(s) == SQLITE_ROW) {
    exists = true;
    rid = sqlite3_column_int64(s, 0);
    const char *old = (const char *)sqlite3_column_text(s, 1);
    newer = strcmp(modified, old ? old : "") > 0;
  }
  sqlite3_reset(s);

  /* severity */
  sev_info si = {.score = -1};
  consider_cvss(&si, json_object_get(root, "severity"));
  consider_own(&si, json_object_get(root, "database_specific"));
  json_array_foreach(affected, i, aff) {
    consider_cvss(&si, json_object_get(aff, "severity"));
    consider_own(&si, json_object_get(aff, "database_specific"));
    consider_own(&si, json_object_get(aff, "ecosystem_specific"));
  }
  bw_severity base = si.own != BW_SEV_UNKNOWN ? si.own : bw_cvss_rating(si.cv, si.score);

  /* aliases: OSV aliases, upstream (DEBIAN-CVE-x lists CVE-x there) and related (AlmaLinux's
   * ALSA records list their CVEs there) */
  all = json_array();
  const char *lists[] = {"aliases", "upstream", "related"};
  for (size_t l = 0; l < 3; l++) {
    const json_t *arr = json_object_get(root, lists[l]), *a;
    size_t k;
    json_array_foreach(arr, k, a) {
      if (!json_is_string(a) || json_string_length(a) > 256 || !strcmp(json_string_value(a), id)) continue;
      bool dup = false;
      size_t m;
      const json_t *b;
      json_array_foreach(all, m, b) dup = dup || json_equal(a, b);
      if (!dup && json_array_size(all) < 1024) json_array_append(all, (json_t *)a);
    }
  }
  bool wrote = false;
  if (!exists || newer) {
    aliases = dump(all);
    json_t *urls = json_array();
    const json_t *r;
    json_array_foreach(json_object_get(root, "references"), i, r) {
      const json_t *u = json_object_get(r, "url");
      if (json_is_string(u)) json_array_append(urls, (json_t *)u);
    }
    refs = dump(urls);
    json_decref(urls);

    s = exists ? db->st[ST_UPDATE_ADV] : db->st[ST_INSERT_ADV];
    const char *summary = bw_json_str(root, "summary");
    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, modified, -1, SQLITE_STATIC);
    bind_text(s, 3, bw_json_str(root, "published"));
    bind_text(s, 4, summary);
    bind_text(s, 5, bw_json_str(root, "details"));
    bind_text(s, 6, aliases);
    bind_text(s, 7, refs);
    sqlite3_bind_int(s, 8, (int)base);
    bind_text(s, 9, si.vector ? bw_cvss_version_name(si.cv) : NULL);
    bind_text(s, 10, si.vector);
    if (si.score >= 0) sqlite3_bind_double(s, 11, si.score);
    else sqlite3_bind_null(s, 11);
    { /* source: the id's prefix (GHSA, DSA, DEBIAN, ALSA, PYSEC, GO, RUSTSEC, ...) */
      size_t pl = strcspn(id, "-");
      char src[64];
      snprintf(src, sizeof src, "%.*s", (int)(pl < 63 ? pl : 63), id);
      sqlite3_bind_text(s, 12, src, -1, SQLITE_TRANSIENT);
    }
    if (exists) sqlite3_bind_int64(s, 13, rid);
    if ((rc = step_done(im, s, err)) < 0) goto out;
    if (!exists) rid = sqlite3_last_insert_rowid(db->db);
    else {
      sqlite3_bind_int64(db->st[ST_DEL_ALIASES], 1, rid);
      if ((rc = step_done(im, db->st[ST_DEL_ALIASES], err)) < 0) goto out;
    }
    const json_t *a;
    json_array_foreach(all, i, a) {
      s = db->st[ST_INSERT_ALIAS];
      sqlite3_bind_int64(s, 1, rid);
      sqlite3_bind_text(s, 2, json_string_value(a), -1, SQLITE_STATIC);
      if ((rc = step_done(im, s, err)) < 0) goto out;
    }
    wrote = true;
  }

  /* affected rows, one ecosystem at a time: an ecosystem the advisory has no rows for yet is added
   * (sources that split one id per release, like Alpine's per-branch records, merge); one it has is
   * replaced only by a newer record. */
  json_array_foreach(affected, i, aff) {
    const char *eco = entry_eco(aff);
    if (!eco) continue;
    bool first = true;
    for (size_t k = 0; k < i && first; k++) {
      const char *e2 = entry_eco(json_array_get(affected, k));
      first = !e2 || strcmp(e2, eco);
    }
    if (!first) continue;
    bool present = false;
    if (exists) {
      s = db->st[ST_HAS_ECO];
      sqlite3_bind_int64(s, 1, rid);
      sqlite3_bind_text(s, 2, eco, -1, SQLITE_STATIC);
      present = sqlite3_step(s) == SQLITE_ROW;
      sqlite3_reset(s);
    }
    if (present && !newer) continue;
    if (present) {
      s = db->st[ST_DEL_AFFECTED];
      sqlite3_bind_int64(s, 1, rid);
      sqlite3_bind_text(s, 2, eco, -1, SQLITE_STATIC);
      if ((rc = step_done(im, s, err)) < 0) goto out;
    }
    for (size_t j = i; j < json_array_size(affected); j++) {
      const json_t *e = json_array_get(affected, j);
      const char *ej = entry_eco(e);
      if (!ej || strcmp(ej, eco)) continue;
      if ((rc = insert_entry(im, rid, id, e, present ? "updated" : "added", err)) < 0) goto out;
    }
    wrote = true;
  }
  if (!exists) im->stats->inserted++;
  else if (wrote) im->stats->updated++;
  else im->stats->unchanged++;
out:
  json_decref(all);
  free(aliases);
  free(refs);
  json_decref(root);
  return rc;
}

static void progress(importer *im) {
  if (!im->progress || im->stats->records % 5000) return;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  double dt = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - im->started;
  fprintf(stderr, "\rbulwark db: %llu files, %llu records, %.0f records/s", (unsigned long long)im->stats->files,
          (unsigned long long)im->stats->records, dt > 0 ? (double)im->stats->records / dt : 0.0);
}

/* Reads a whole regular file under the record cap; a bigger one is skipped without reading. */
static int import_json_file(importer *im, const char *path, bw_error *err) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    skip(im, "unreadable file");
    return 0;
  }
  struct stat sb;
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    close(fd);
    skip(im, "unreadable file");
    return 0;
  }
  im->stats->files++;
  if ((uint64_t)sb.st_size > BW_LIMIT_ADVISORY_BYTES) {
    close(fd);
    im->stats->records++;
    skip(im, "too large");
    return 0;
  }
  size_t n = (size_t)sb.st_size, got = 0;
  char *buf = malloc(n + 1);
  if (!buf) {
    close(fd);
    return bw_error_set(err, BW_ENOMEM, "out of memory");
  }
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
  }
  close(fd);
  int rc = 0;
  if (got != n) skip(im, "unreadable file");
  else rc = import_record(im, buf, n, err);
  free(buf);
  progress(im);
  return rc;
}

/* Streams the members of an OSV zip archive; every member is capped, and so is the total. */
static int import_zip(importer *im, const char *path, bw_error *err) {
  struct archive *a = archive_read_new();
  if (!a) return bw_error_set(err, BW_ENOMEM, "out of memory");
  archive_read_support_format_zip_streamable(a);
  int rc = 0;
  char *buf = NULL;
  if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
    skip(im, "unreadable zip archive");
    goto out;
  }
  im->stats->files++;
  buf = malloc(BW_LIMIT_ADVISORY_BYTES + 1);
  if (!buf) {
    rc = bw_error_set(err, BW_ENOMEM, "out of memory");
    goto out;
  }
  uint64_t members = 0, inflated = 0;
  struct archive_entry *e;
  int r;
  while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    if (archive_entry_filetype(e) != AE_IFREG) continue;
    if (!bw_str_endswith(archive_entry_pathname(e) ? archive_entry_pathname(e) : "", ".json")) continue;
    if (++members > BW_LIMIT_ADVISORY_ZIP_MEMBERS) {
      skip(im, "zip archive: too many members");
      break;
    }
    if (archive_entry_size_is_set(e) && archive_entry_size(e) > (la_int64_t)BW_LIMIT_ADVISORY_BYTES) {
      im->stats->records++;
      skip(im, "too large");
      continue;
    }
    size_t n = 0;
    bool big = false, broken = false;
    for (;;) {
      la_ssize_t got = archive_read_data(a, buf + n, BW_LIMIT_ADVISORY_BYTES + 1 - n);
      if (got < 0) {
        broken = true;
        break;
      }
      if (got == 0) break;
      n += (size_t)got;
      inflated += (uint64_t)got;
      if (n > BW_LIMIT_ADVISORY_BYTES) {
        big = true; /* the rest of the member is never inflated */
        break;
      }
    }
    if (inflated > BW_LIMIT_ADVISORY_ZIP_INFLATED) {
      skip(im, "zip archive: too many inflated bytes");
      break;
    }
    if (broken) {
      im->stats->records++;
      skip(im, "damaged zip member");
      break;
    }
    if (big) {
      im->stats->records++;
      skip(im, "too large");
      continue;
    }
    if ((rc = import_record(im, buf, n, err)) < 0) goto out;
    progress(im);
  }
  if (r != ARCHIVE_EOF && r != ARCHIVE_OK) skip(im, "damaged zip archive");
out:
  free(buf);
  archive_read_free(a);
  return rc;
}

static bool is_zip(const char *path) {
  if (bw_str_endswith(path, ".zip")) return true;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char m[4] = {0};
  bool z = read(fd, m, 4) == 4 && !memcmp(m, "PK\3\4", 4);
  close(fd);
  return z;
}

static int import_path(importer *im, const char *path, int depth, bw_error *err) {
  struct stat sb;
  if (stat(path, &sb) != 0) {
    skip(im, "unreadable file");
    return 0;
  }
  if (S_ISDIR(sb.st_mode)) {
    if (depth > BW_LIMIT_ADVISORY_DEPTH) {
      skip(im, "folders nested too deep");
      return 0;
    }
    struct dirent **names = NULL;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
      skip(im, "unreadable folder");
      return 0;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
      const char *nm = names[i]->d_name;
      if (rc == 0 && nm[0] != '.') {
        char *child = bw_path_join(path, nm);
        if (!child) rc = bw_error_set(err, BW_ENOMEM, "out of memory");
        else {
          struct stat cs;
          if (lstat(child, &cs) == 0 &&
              (S_ISDIR(cs.st_mode) || bw_str_endswith(nm, ".json") || bw_str_endswith(nm, ".zip")))
            rc = import_path(im, child, depth + 1, err);
          free(child);
        }
      }
      free(names[i]);
    }
    free(names);
    return rc;
  }
  if (!S_ISREG(sb.st_mode)) {
    skip(im, "not a regular file");
    return 0;
  }
  return is_zip(path) ? import_zip(im, path, err) : import_json_file(im, path, err);
}

/* Advisories with no rating of their own take the highest of those they alias or that alias them. */
static int inherit_severity(bw_vulndb *db, bw_error *err) {
  return exec(db,
              "UPDATE advisories SET severity = base_severity WHERE base_severity > 0 AND severity <> base_severity;"
              "UPDATE advisories SET severity = coalesce((SELECT max(s) FROM ("
              "  SELECT b.base_severity AS s FROM aliases x JOIN advisories b ON b.id = x.alias"
              "   WHERE x.adv = advisories.rid"
              "  UNION ALL SELECT b.base_severity FROM aliases x JOIN advisories b ON b.rid = x.adv"
              "   WHERE x.alias = advisories.id"
              "  UNION ALL SELECT b.base_severity FROM aliases x JOIN aliases y ON y.alias = x.alias"
              "   JOIN advisories b ON b.rid = y.adv WHERE x.adv = advisories.rid)), 0)"
              " WHERE base_severity = 0",
              err);
}

static void now_iso(char *out, size_t n) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int import_run(bw_vulndb *db, const char *const *paths, size_t n, const char *buf, size_t len,
                      bw_import_stats *stats, bw_error *err) {
  memset(stats, 0, sizeof *stats);
  if (!db->writable) return bw_error_set(err, BW_EINVAL, "advisory DB opened read-only");
  importer im = {.db = db, .stats = stats, .progress = getenv("BULWARK_PROGRESS") != NULL};
  now_iso(im.now, sizeof im.now);
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  im.started = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
  int rc = exec(db, "BEGIN IMMEDIATE", err);
  if (rc < 0) return rc;
  for (size_t i = 0; i < n && rc == 0; i++) rc = import_path(&im, paths[i], 0, err);
  if (buf && rc == 0) rc = import_record(&im, buf, len, err);
  if (rc == 0 && (stats->inserted || stats->updated)) rc = inherit_severity(db, err);
  if (rc == 0) {
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db->db, "INSERT OR REPLACE INTO meta(key, value) VALUES('updated_at', ?1)", -1, &s,
                           NULL) != SQLITE_OK)
      rc = sql_err(db, err, "preparing meta");
    else {
      sqlite3_bind_text(s, 1, im.now, -1, SQLITE_STATIC);
      if (sqlite3_step(s) != SQLITE_DONE) rc = sql_err(db, err, "writing meta");
      sqlite3_finalize(s);
    }
  }
  if (im.progress && stats->records >= 5000) fputc('\n', stderr);
  if (rc == 0) rc = exec(db, "COMMIT", err);
  if (rc < 0) {
    sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
  }
  size_t off = 0;
  stats->skipped_reasons[0] = 0;
  for (size_t i = 0; i < im.nreasons && off < sizeof stats->skipped_reasons; i++) {
    int w = snprintf(stats->skipped_reasons + off, sizeof stats->skipped_reasons - off, "%s%s %llu",
                     i ? ", " : "", im.reasons[i], (unsigned long long)im.counts[i]);
    if (w < 0) break;
    off += (size_t)w;
  }
  return 0;
}

int bw_vulndb_import(bw_vulndb *db, const char *const *paths, size_t n, bw_import_stats *stats, bw_error *err) {
  return import_run(db, paths, n, NULL, 0, stats, err);
}

int bw_vulndb_import_buffer(bw_vulndb *db, const char *buf, size_t len, bw_import_stats *stats, bw_error *err) {
  return import_run(db, NULL, 0, buf, len, stats, err);
}

/* ---- reading ---- */

int bw_vulndb_lookup(bw_vulndb *db, const char *ecosystem, const char *package, bw_advisory_fn fn, void *ctx,
                     bw_error *err) {
  bw_arena_free(db->hit_arena);
  db->hit_arena = bw_arena_new();
  if (!db->hit_arena) return bw_error_set(err, BW_ENOMEM, "out of memory");
  sqlite3_stmt *s = db->st[ST_LOOKUP];
  sqlite3_bind_text(s, 1, ecosystem, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 2, package, -1, SQLITE_STATIC);
  int rc = 0, r;
  while ((r = sqlite3_step(s)) == SQLITE_ROW) {
    bw_advisory_hit h = {0};
    const char **cols[] = {&h.id,          &h.aliases_json,  &h.summary, &h.references_json, &h.ecosystem,
                           &h.package,     &h.ranges_json,   &h.versions_json, &h.status};
    for (int c = 0; c < 9; c++) *cols[c] = bw_arena_strdup(db->hit_arena, (const char *)sqlite3_column_text(s, c));
    h.severity = (bw_severity)sqlite3_column_int(s, 9);
    if (h.severity > BW_SEV_CRITICAL) h.severity = BW_SEV_UNKNOWN;
    h.cvss_version = bw_arena_strdup(db->hit_arena, (const char *)sqlite3_column_text(s, 10));
    h.cvss_vector = bw_arena_strdup(db->hit_arena, (const char *)sqlite3_column_text(s, 11));
    h.cvss_score = sqlite3_column_type(s, 12) == SQLITE_NULL ? -1 : sqlite3_column_double(s, 12);
    if (!h.id) {
      rc = bw_error_set(err, BW_ENOMEM, "out of memory");
      break;
    }
    if ((rc = fn(ctx, &h)) != 0) break;
  }
  if (rc == 0 && r != SQLITE_DONE && r != SQLITE_ROW) rc = sql_err(db, err, "lookup");
  sqlite3_reset(s);
  return rc;
}

int bw_vulndb_info_get(bw_vulndb *db, bw_vulndb_info *out, bw_error *err) {
  memset(out, 0, sizeof *out);
  int rc = user_version(db, &out->schema_version, err);
  if (rc < 0) return rc;
  sqlite3_stmt *s = NULL;
  static const char *const q[] = {
      "SELECT count(*) FROM advisories", "SELECT count(*) FROM affected",
      "SELECT value FROM meta WHERE key = 'updated_at'",
      "SELECT ecosystem, count(DISTINCT adv) FROM affected GROUP BY ecosystem ORDER BY 2 DESC, 1"};
  for (int i = 0; i < 4; i++) {
    if (sqlite3_prepare_v2(db->db, q[i], -1, &s, NULL) != SQLITE_OK) return sql_err(db, err, "reading info");
    size_t off = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
      if (i == 0) out->advisories = sqlite3_column_int64(s, 0);
      else if (i == 1) out->affected = sqlite3_column_int64(s, 0);
      else if (i == 2 && sqlite3_column_text(s, 0))
        snprintf(out->updated_at, sizeof out->updated_at, "%s", (const char *)sqlite3_column_text(s, 0));
      else if (off < sizeof out->sources - 1) {
        int w = snprintf(out->sources + off, sizeof out->sources - off, "%s%s %lld", off ? ", " : "",
                         (const char *)sqlite3_column_text(s, 0), (long long)sqlite3_column_int64(s, 1));
        if (w > 0) off += (size_t)w;
      }
    }
    sqlite3_finalize(s);
  }
  return 0;
}
