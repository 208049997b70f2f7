/* SQLite driver: scan rules, jobs and results (store/service_meta.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/meta_sqlite_internal.h"
#include "store/service_meta.h"

static const char *const migrations[] = {
    "CREATE TABLE scan_rules(id INTEGER PRIMARY KEY, namespace TEXT NOT NULL, repositories TEXT NOT NULL DEFAULT '',"
    "  tags TEXT NOT NULL DEFAULT '', scanners INTEGER NOT NULL, on_push INTEGER NOT NULL, manual INTEGER NOT NULL,"
    "  created_by TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL);"
    "CREATE INDEX scan_rules_ns ON scan_rules(namespace);"
    "CREATE TABLE scan_jobs(id INTEGER PRIMARY KEY, digest TEXT NOT NULL, repo TEXT NOT NULL, tag TEXT NOT NULL DEFAULT '',"
    "  scanners INTEGER NOT NULL, engine TEXT NOT NULL, state INTEGER NOT NULL, error TEXT NOT NULL DEFAULT '',"
    "  attempts INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, started_at INTEGER NOT NULL DEFAULT 0,"
    "  finished_at INTEGER NOT NULL DEFAULT 0, not_before INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE(digest, scanners, engine));"
    "CREATE INDEX scan_jobs_state ON scan_jobs(state, id);"
    "CREATE TABLE scan_results(digest TEXT PRIMARY KEY, repo TEXT NOT NULL, scanners INTEGER NOT NULL,"
    "  engine TEXT NOT NULL, db_updated_at TEXT NOT NULL DEFAULT '', summary TEXT NOT NULL DEFAULT '{}',"
    "  report BLOB NOT NULL, compressed INTEGER NOT NULL, config BLOB, created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE TABLE service_state(key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    /* 2: tag filters by regex beside the globs */
    "ALTER TABLE scan_rules ADD COLUMN tag_regex TEXT NOT NULL DEFAULT '';",
    NULL};
const meta_schema_part meta_schema_service = {"service", migrations};

/* ---- rules ---- */

#define RULE_COLS "id, namespace, repositories, tags, scanners, on_push, manual, created_by, created_at, tag_regex"

static void rule_row(sqlite3_stmt *st, bw_svc_rule *r) {
  memset(r, 0, sizeof *r);
  r->id = sqlite3_column_int64(st, 0);
  meta_copy(r->namespace_, sizeof r->namespace_, sqlite3_column_text(st, 1));
  meta_copy(r->repositories, sizeof r->repositories, sqlite3_column_text(st, 2));
  meta_copy(r->tags, sizeof r->tags, sqlite3_column_text(st, 3));
  r->scanners = (unsigned)sqlite3_column_int64(st, 4);
  r->on_push = sqlite3_column_int(st, 5) != 0;
  r->manual = sqlite3_column_int(st, 6) != 0;
  meta_copy(r->created_by, sizeof r->created_by, sqlite3_column_text(st, 7));
  r->created_at = sqlite3_column_int64(st, 8);
  meta_copy(r->tag_regex, sizeof r->tag_regex, sqlite3_column_text(st, 9));
}

int bw_svc_rule_add(bw_meta *m, bw_svc_rule *r, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  r->created_at = bw_meta_now();
  int rc = meta_prep(m, &st, err,
                "INSERT INTO scan_rules(namespace, repositories, tags, scanners, on_push, manual, created_by, created_at,"
                " tag_regex) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                "tttiiitit", r->namespace_, r->repositories, r->tags, (int64_t)r->scanners, (int64_t)r->on_push,
                (int64_t)r->manual, r->created_by, r->created_at, r->tag_regex);
  if (!rc) rc = meta_run(m, st, err, "add rule");
  if (!rc) r->id = sqlite3_last_insert_rowid(m->db);
  meta_unlock(m);
  return rc;
}

int bw_svc_rule_get(bw_meta *m, int64_t id, bw_svc_rule *out, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "SELECT " RULE_COLS " FROM scan_rules WHERE id=?1", "i", id);
  if (!r) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
      rule_row(st, out);
    else if (rc == SQLITE_DONE)
      r = bw_error_set(err, BW_ENOTFOUND, "rule %lld not found", (long long)id);
    else
      r = meta_sqlite_fail(m, err, "rule");
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}

int bw_svc_rule_delete(bw_meta *m, int64_t id, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "DELETE FROM scan_rules WHERE id=?1", "i", id);
  if (!r) r = meta_run(m, st, err, "delete rule");
  if (!r && sqlite3_changes(m->db) == 0) r = bw_error_set(err, BW_ENOTFOUND, "rule %lld not found", (long long)id);
  meta_unlock(m);
  return r;
}

int bw_svc_rule_list(bw_meta *m, const char *ns, bw_svc_rule **out, size_t *n, bw_error *err) {
  *out = NULL, *n = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "SELECT " RULE_COLS " FROM scan_rules WHERE ?1 IS NULL OR namespace=?1 ORDER BY id", "t",
               ns);
  if (!r) {
    size_t cap = 0;
    int rc;
    while (!r && (rc = sqlite3_step(st)) == SQLITE_ROW) {
      if (*n == cap) {
        cap = cap ? cap * 2 : 8;
        bw_svc_rule *nr = realloc(*out, cap * sizeof *nr);
        if (!nr) {
          r = bw_error_set(err, BW_ENOMEM, "out of memory");
          break;
        }
        *out = nr;
      }
      rule_row(st, &(*out)[(*n)++]);
    }
    if (!r && rc != SQLITE_DONE) r = meta_sqlite_fail(m, err, "rules");
    sqlite3_finalize(st);
    if (r) free(*out), *out = NULL, *n = 0;
  }
  meta_unlock(m);
  return r;
}

/* ---- jobs ---- */

static const char *const state_names[] = {"queued", "running", "done", "failed", "canceled"};

const char *bw_svc_job_state_name(bw_svc_job_state s) {
  return (unsigned)s < sizeof state_names / sizeof state_names[0] ? state_names[s] : "unknown";
}

int bw_svc_job_state_parse(const char *s) {
  for (int i = 0; i < (int)(sizeof state_names / sizeof state_names[0]); i++)
    if (s && !strcmp(s, state_names[i])) return i;
  return -1;
}

#define JOB_COLS                                                                                                   \
  "id, digest, repo, tag, scanners, engine, state, error, attempts, created_at, started_at, finished_at, not_before"

static void job_row(sqlite3_stmt *st, bw_svc_job *j) {
  memset(j, 0, sizeof *j);
  j->id = sqlite3_column_int64(st, 0);
  meta_copy(j->digest, sizeof j->digest, sqlite3_column_text(st, 1));
  meta_copy(j->repo, sizeof j->repo, sqlite3_column_text(st, 2));
  meta_copy(j->tag, sizeof j->tag, sqlite3_column_text(st, 3));
  j->scanners = (unsigned)sqlite3_column_int64(st, 4);
  meta_copy(j->engine, sizeof j->engine, sqlite3_column_text(st, 5));
  j->state = (bw_svc_job_state)sqlite3_column_int(st, 6);
  meta_copy(j->error, sizeof j->error, sqlite3_column_text(st, 7));
  j->attempts = sqlite3_column_int(st, 8);
  j->created_at = sqlite3_column_int64(st, 9);
  j->started_at = sqlite3_column_int64(st, 10);
  j->finished_at = sqlite3_column_int64(st, 11);
  j->not_before = sqlite3_column_int64(st, 12);
}

int bw_svc_job_enqueue(bw_meta *m, const char *digest, const char *repo, const char *tag, unsigned scanners,
                       const char *engine, bool force, int64_t *id, bool *created, bw_error *err) {
  bool made = false;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "INSERT INTO scan_jobs(digest, repo, tag, scanners, engine, state, created_at)"
               " VALUES(?1, ?2, ?3, ?4, ?5, 0, ?6) ON CONFLICT(digest, scanners, engine) DO NOTHING",
               "tttiti", digest, repo, tag ? tag : "", (int64_t)scanners, engine, bw_meta_now());
  if (!r) r = meta_run(m, st, err, "enqueue");
  if (!r) made = sqlite3_changes(m->db) > 0;
  if (!r && !made && force) {
    r = meta_prep(m, &st, err,
             "UPDATE scan_jobs SET state=0, error='', attempts=0, not_before=0, repo=?4, tag=?5, created_at=?6"
             " WHERE digest=?1 AND scanners=?2 AND engine=?3 AND state IN (2, 3, 4)",
             "titt" "ti", digest, (int64_t)scanners, engine, repo, tag ? tag : "", bw_meta_now());
    if (!r) r = meta_run(m, st, err, "requeue");
    if (!r) made = sqlite3_changes(m->db) > 0;
  }
  if (!r && id) {
    if (!(r = meta_prep(m, &st, err, "SELECT id FROM scan_jobs WHERE digest=?1 AND scanners=?2 AND engine=?3", "tit",
                   digest, (int64_t)scanners, engine))) {
      if (sqlite3_step(st) == SQLITE_ROW) *id = sqlite3_column_int64(st, 0);
      sqlite3_finalize(st);
    }
  }
  meta_unlock(m);
  if (created) *created = made;
  return r;
}

int bw_svc_job_claim(bw_meta *m, bw_svc_job *out, bw_error *err) {
  meta_lock(m);
  int64_t now = bw_meta_now();
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "UPDATE scan_jobs SET state=1, attempts=attempts+1, started_at=?1 WHERE id=(SELECT id FROM scan_jobs"
               " WHERE state=0 AND not_before<=?1 ORDER BY id LIMIT 1) RETURNING " JOB_COLS,
               "i", now);
  if (!r) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
      job_row(st, out);
    else if (rc == SQLITE_DONE)
      r = bw_error_set(err, BW_ENOTFOUND, "no queued job");
    else
      r = meta_sqlite_fail(m, err, "claim job");
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}

int bw_svc_job_finish(bw_meta *m, int64_t id, const char *error, int64_t retry_at, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int state = retry_at > 0 ? BW_JOB_QUEUED : error ? BW_JOB_FAILED : BW_JOB_DONE;
  int r = meta_prep(m, &st, err,
               "UPDATE scan_jobs SET state=?2, error=?3, finished_at=?4, not_before=?5 WHERE id=?1 AND state=1", "iitii",
               id, (int64_t)state, error ? error : "", retry_at > 0 ? (int64_t)0 : bw_meta_now(),
               retry_at > 0 ? retry_at : (int64_t)0);
  if (!r) r = meta_run(m, st, err, "finish job");
  if (!r && sqlite3_changes(m->db) == 0) r = bw_error_set(err, BW_ENOTFOUND, "job %lld is not running", (long long)id);
  meta_unlock(m);
  return r;
}

int bw_svc_job_cancel(bw_meta *m, int64_t id, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "UPDATE scan_jobs SET state=4, finished_at=?2 WHERE id=?1 AND state=0", "ii", id,
               bw_meta_now());
  if (!r) r = meta_run(m, st, err, "cancel job");
  if (!r && sqlite3_changes(m->db) == 0)
    r = bw_error_set(err, BW_ENOTFOUND, "job %lld is not queued", (long long)id);
  meta_unlock(m);
  return r;
}

int bw_svc_job_requeue_running(bw_meta *m, int64_t *n, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "UPDATE scan_jobs SET state=0 WHERE state=1", "");
  if (!r) r = meta_run(m, st, err, "requeue");
  if (!r && n) *n = sqlite3_changes(m->db);
  meta_unlock(m);
  return r;
}

static int job_query(bw_meta *m, sqlite3_stmt *st, bw_svc_job **out, size_t *n, bw_error *err) {
  int r = 0, rc;
  size_t cap = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 16;
      bw_svc_job *nj = realloc(*out, cap * sizeof *nj);
      if (!nj) {
        r = bw_error_set(err, BW_ENOMEM, "out of memory");
        break;
      }
      *out = nj;
    }
    job_row(st, &(*out)[(*n)++]);
  }
  if (!r && rc != SQLITE_DONE) r = meta_sqlite_fail(m, err, "jobs");
  sqlite3_finalize(st);
  if (r) free(*out), *out = NULL, *n = 0;
  return r;
}

int bw_svc_job_list(bw_meta *m, const char *digest, int state, size_t max, bw_svc_job **out, size_t *n,
                    bw_error *err) {
  *out = NULL, *n = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "SELECT " JOB_COLS " FROM scan_jobs WHERE (?1 IS NULL OR digest=?1) AND (?2 < 0 OR state=?2)"
               " ORDER BY id DESC LIMIT ?3",
               "tii", digest, (int64_t)state, (int64_t)(max ? max : 1000));
  if (!r) r = job_query(m, st, out, n, err);
  meta_unlock(m);
  return r;
}

int bw_svc_job_get(bw_meta *m, int64_t id, bw_svc_job *out, bw_error *err) {
  bw_svc_job *l = NULL;
  size_t n = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "SELECT " JOB_COLS " FROM scan_jobs WHERE id=?1", "i", id);
  if (!r) r = job_query(m, st, &l, &n, err);
  meta_unlock(m);
  if (!r && !n) r = bw_error_set(err, BW_ENOTFOUND, "job %lld not found", (long long)id);
  if (!r) *out = l[0];
  free(l);
  return r;
}

int bw_svc_job_counts(bw_meta *m, int64_t counts[5], bw_error *err) {
  memset(counts, 0, 5 * sizeof counts[0]);
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "SELECT state, count(*) FROM scan_jobs GROUP BY state", "");
  if (!r) {
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      int s = sqlite3_column_int(st, 0);
      if (s >= 0 && s < 5) counts[s] = sqlite3_column_int64(st, 1);
    }
    if (rc != SQLITE_DONE) r = meta_sqlite_fail(m, err, "job counts");
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}

/* ---- results ---- */

int bw_svc_result_put(bw_meta *m, const bw_svc_result *res, const void *report, size_t report_len, bool compressed,
                      const void *config, size_t config_len, bw_error *err) {
  meta_lock(m);
  int64_t now = bw_meta_now();
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "INSERT INTO scan_results(digest, repo, scanners, engine, db_updated_at, summary, report, compressed,"
               " config, created_at, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)"
               " ON CONFLICT(digest) DO UPDATE SET repo=excluded.repo, scanners=excluded.scanners,"
               " engine=excluded.engine, db_updated_at=excluded.db_updated_at, summary=excluded.summary,"
               " report=excluded.report, compressed=excluded.compressed, config=excluded.config,"
               " updated_at=excluded.updated_at",
               "ttittt" "bi" "bi", res->digest, res->repo, (int64_t)res->scanners, res->engine, res->db_updated_at,
               res->summary[0] ? res->summary : "{}", report, report_len, (int64_t)compressed, config, config_len, now);
  if (!r) r = meta_run(m, st, err, "store result");
  meta_unlock(m);
  return r;
}

static char *dup_blob(const void *p, int n) {
  char *s = malloc((size_t)n + 1);
  if (!s) return NULL;
  if (n) memcpy(s, p, (size_t)n);
  s[n] = '\0';
  return s;
}

int bw_svc_result_get(bw_meta *m, const char *digest, bw_svc_result *out, char **report, size_t *report_len,
                      bool *compressed, char **config, size_t *config_len, bw_error *err) {
  if (report) *report = NULL;
  if (config) *config = NULL;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "SELECT digest, repo, scanners, engine, db_updated_at, summary, created_at, updated_at, compressed,"
               " CASE WHEN ?2 THEN report END, CASE WHEN ?3 THEN config END FROM scan_results WHERE digest=?1",
               "tii", digest, (int64_t)(report != NULL), (int64_t)(config != NULL));
  if (!r) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
      memset(out, 0, sizeof *out);
      meta_copy(out->digest, sizeof out->digest, sqlite3_column_text(st, 0));
      meta_copy(out->repo, sizeof out->repo, sqlite3_column_text(st, 1));
      out->scanners = (unsigned)sqlite3_column_int64(st, 2);
      meta_copy(out->engine, sizeof out->engine, sqlite3_column_text(st, 3));
      meta_copy(out->db_updated_at, sizeof out->db_updated_at, sqlite3_column_text(st, 4));
      meta_copy(out->summary, sizeof out->summary, sqlite3_column_text(st, 5));
      out->created_at = sqlite3_column_int64(st, 6);
      out->updated_at = sqlite3_column_int64(st, 7);
      if (compressed) *compressed = sqlite3_column_int(st, 8) != 0;
      if (report) {
        int n = sqlite3_column_bytes(st, 9);
        if (!(*report = dup_blob(sqlite3_column_blob(st, 9), n))) r = bw_error_set(err, BW_ENOMEM, "out of memory");
        if (report_len) *report_len = (size_t)n;
      }
      if (!r && config && sqlite3_column_type(st, 10) != SQLITE_NULL) {
        int n = sqlite3_column_bytes(st, 10);
        if (!(*config = dup_blob(sqlite3_column_blob(st, 10), n))) r = bw_error_set(err, BW_ENOMEM, "out of memory");
        if (config_len) *config_len = (size_t)n;
      }
    } else if (rc == SQLITE_DONE) {
      r = bw_error_set(err, BW_ENOTFOUND, "no scan result for %s", digest);
    } else {
      r = meta_sqlite_fail(m, err, "result");
    }
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  if (r && report) free(*report), *report = NULL;
  if (r && config) free(*config), *config = NULL;
  return r;
}

static int strings(bw_meta *m, sqlite3_stmt *st, bw_reg_strlist *out, bw_error *err) {
  int r = 0, rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    char **n = realloc(out->items, (out->len + 1) * sizeof *n);
    if (!n || !(n[out->len] = strdup((const char *)sqlite3_column_text(st, 0)))) {
      if (n) out->items = n;
      r = bw_error_set(err, BW_ENOMEM, "out of memory");
      break;
    }
    out->items = n;
    out->len++;
  }
  if (!r && rc != SQLITE_DONE) r = meta_sqlite_fail(m, err, "list");
  sqlite3_finalize(st);
  if (r) bw_reg_strlist_dispose(out);
  return r;
}

int bw_svc_result_digests(bw_meta *m, bw_reg_strlist *out, bw_error *err) {
  out->items = NULL, out->len = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "SELECT digest FROM scan_results ORDER BY digest", "");
  if (!r) r = strings(m, st, out, err);
  meta_unlock(m);
  return r;
}

int bw_svc_digest_repos(bw_meta *m, const char *digest, bw_reg_strlist *out, bw_error *err) {
  out->items = NULL, out->len = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "SELECT DISTINCT r.name FROM manifests mf JOIN repositories r ON r.id=mf.repo_id WHERE mf.digest=?1"
               " ORDER BY r.name",
               "t", digest);
  if (!r) r = strings(m, st, out, err);
  meta_unlock(m);
  return r;
}

/* ---- state ---- */

int bw_svc_state_get(bw_meta *m, const char *key, char *out, size_t cap, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "SELECT value FROM service_state WHERE key=?1", "t", key);
  if (!r) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
      meta_copy(out, cap, sqlite3_column_text(st, 0));
    else if (rc == SQLITE_DONE)
      r = bw_error_set(err, BW_ENOTFOUND, "no state %s", key);
    else
      r = meta_sqlite_fail(m, err, "state");
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}

int bw_svc_state_set(bw_meta *m, const char *key, const char *value, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "INSERT INTO service_state(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
               "tt", key, value);
  if (!r) r = meta_run(m, st, err, "state");
  meta_unlock(m);
  return r;
}
