/* SQLite driver core: open with WAL, run each part's pending migrations, transactions. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/meta_sqlite_internal.h"

static const meta_schema_part *const parts[] = {&meta_schema_registry, &meta_schema_auth, &meta_schema_service,
                                                   &meta_schema_notify, NULL};

void meta_lock(bw_meta *m) { pthread_mutex_lock(&m->mu); }
void meta_unlock(bw_meta *m) { pthread_mutex_unlock(&m->mu); }

int meta_sqlite_fail(bw_meta *m, bw_error *err, const char *what) {
  int rc = sqlite3_extended_errcode(m->db);
  int code = (rc & 0xff) == SQLITE_CONSTRAINT ? BW_ECONFLICT : BW_EIO;
  return bw_error_set(err, code, "metadata store: %s: %s", what, sqlite3_errmsg(m->db));
}

int64_t bw_meta_now(void) {
  const char *fake = getenv("BULWARK_FAKE_NOW");
  if (fake && *fake) {
    char *end = NULL;
    long long v = strtoll(fake, &end, 10);
    if (end && *end == '\0') return v;
  }
  return (int64_t)time(NULL);
}

static int exec(bw_meta *m, const char *sql, bw_error *err, const char *what) {
  char *msg = NULL;
  if (sqlite3_exec(m->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    int r = bw_error_set(err, BW_EIO, "metadata store: %s: %s", what, msg ? msg : "failed");
    sqlite3_free(msg);
    return r;
  }
  return 0;
}

static int migrate(bw_meta *m, bw_error *err) {
  int r = exec(m, "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS schema_migrations("
                  "part TEXT NOT NULL, idx INTEGER NOT NULL, applied_at INTEGER NOT NULL, PRIMARY KEY(part, idx))",
               err, "schema");
  if (r) return r;
  for (size_t p = 0; parts[p]; p++) {
    for (int i = 0; parts[p]->migrations[i]; i++) {
      sqlite3_stmt *st = NULL;
      if (sqlite3_prepare_v2(m->db, "SELECT 1 FROM schema_migrations WHERE part=?1 AND idx=?2", -1, &st, NULL) !=
          SQLITE_OK) {
        r = meta_sqlite_fail(m, err, "schema");
        goto fail;
      }
      sqlite3_bind_text(st, 1, parts[p]->name, -1, SQLITE_STATIC);
      sqlite3_bind_int(st, 2, i);
      int done = sqlite3_step(st) == SQLITE_ROW;
      sqlite3_finalize(st);
      if (done) continue;
      char what[96];
      snprintf(what, sizeof what, "migration %s/%d", parts[p]->name, i);
      if ((r = exec(m, parts[p]->migrations[i], err, what))) goto fail;
      char sql[256];
      snprintf(sql, sizeof sql, "INSERT INTO schema_migrations VALUES('%s', %d, %lld)", parts[p]->name, i,
               (long long)bw_meta_now());
      if ((r = exec(m, sql, err, what))) goto fail;
    }
  }
  return exec(m, "COMMIT", err, "schema");
fail:
  sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
  return r;
}

int bw_meta_open(bw_meta **out, const char *url, bw_error *err) {
  *out = NULL;
  if (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13))
    return bw_error_set(err, BW_EUNSUPPORTED, "metadata store %s: the PostgreSQL driver is not built yet; use sqlite:PATH",
                        url);
  if (!strncmp(url, "sqlite:", 7)) url += 7;
  bw_meta *m = calloc(1, sizeof *m);
  if (!m) return bw_error_set(err, BW_ENOMEM, "out of memory");
  /* recursive: a transaction holds the lock from begin to commit, and the operations inside it
   * (same thread) take it again; other threads wait, so they never land inside another's tx */
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&m->mu, &attr);
  pthread_mutexattr_destroy(&attr);
  if (sqlite3_open_v2(url, &m->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
      SQLITE_OK) {
    int r = bw_error_set(err, BW_EIO, "metadata store %s: %s", url, m->db ? sqlite3_errmsg(m->db) : "cannot open");
    bw_meta_close(m);
    return r;
  }
  sqlite3_busy_timeout(m->db, 10000);
  int r = exec(m, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", err, "open");
  if (!r) r = migrate(m, err);
  if (r) {
    bw_error_wrap(err, "metadata store %s", url);
    bw_meta_close(m);
    return r;
  }
  *out = m;
  return 0;
}

void bw_meta_close(bw_meta *m) {
  if (!m) return;
  sqlite3_close_v2(m->db);
  pthread_mutex_destroy(&m->mu);
  free(m);
}

int bw_meta_begin(bw_meta *m, bw_error *err) {
  meta_lock(m);
  if (m->in_tx) {
    meta_unlock(m);
    return bw_error_set(err, BW_EINVAL, "metadata store: nested transaction");
  }
  int r = exec(m, "BEGIN IMMEDIATE", err, "begin");
  if (r) {
    meta_unlock(m);
    return r;
  }
  m->in_tx = 1;
  return 0; /* the lock stays held until commit or rollback */
}

int bw_meta_commit(bw_meta *m, bw_error *err) {
  meta_lock(m);
  int r = exec(m, "COMMIT", err, "commit");
  if (r) sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
  m->in_tx = 0;
  meta_unlock(m);
  meta_unlock(m); /* the one taken by begin */
  return r;
}

void bw_meta_rollback(bw_meta *m) {
  meta_lock(m);
  sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
  m->in_tx = 0;
  meta_unlock(m);
  meta_unlock(m); /* the one taken by begin */
}

/* ---- statement helpers shared by the driver parts ---- */

void meta_copy(char *dst, size_t cap, const unsigned char *src) {
  snprintf(dst, cap, "%s", src ? (const char *)src : "");
}

/* Prepares sql and binds the arguments described by fmt: 't' text (const char *, NULL = NULL),
 * 'i' int64, 'b' blob (const void *, size_t). Call with the lock held. */
int meta_prep(bw_meta *m, sqlite3_stmt **st, bw_error *err, const char *sql, const char *fmt, ...) {
  if (sqlite3_prepare_v2(m->db, sql, -1, st, NULL) != SQLITE_OK) return meta_sqlite_fail(m, err, "prepare");
  va_list ap;
  va_start(ap, fmt);
  int i = 1;
  for (const char *f = fmt; *f; f++, i++) {
    if (*f == 't') {
      const char *s = va_arg(ap, const char *);
      if (s)
        sqlite3_bind_text(*st, i, s, -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null(*st, i);
    } else if (*f == 'i') {
      sqlite3_bind_int64(*st, i, va_arg(ap, int64_t));
    } else if (*f == 'b') {
      const void *p = va_arg(ap, const void *);
      size_t n = va_arg(ap, size_t);
      sqlite3_bind_blob64(*st, i, p, n, SQLITE_TRANSIENT);
    }
  }
  va_end(ap);
  return 0;
}

/* Runs a statement that returns no rows. */
int meta_run(bw_meta *m, sqlite3_stmt *st, bw_error *err, const char *what) {
  int rc = sqlite3_step(st);
  int r = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : meta_sqlite_fail(m, err, what);
  sqlite3_finalize(st);
  return r;
}
