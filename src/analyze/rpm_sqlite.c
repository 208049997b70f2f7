/* SQLite `rpmdb.sqlite` reader (rpm >= 4.16: Fedora 33+, RHEL 9, CBL-Mariner 2, Azure Linux).
 * rpm keeps one table Packages(hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL).
 * The file is untrusted, so it is opened as a private read-only in-memory copy with SQLite's
 * defensive settings, its schema is checked before use, and all VM work is capped. */
#include <sqlite3.h>
#include <string.h>
#include <strings.h>

#include "analyze/rpm_db.h"
#include "base/limits.h"

static const char SQLITE_MAGIC[16] = "SQLite format 3";

bool bw_rpmdb_is_sqlite(const uint8_t *buf, size_t len) {
  return len >= sizeof SQLITE_MAGIC && memcmp(buf, SQLITE_MAGIC, sizeof SQLITE_MAGIC) == 0;
}

typedef struct work_cap {
  uint64_t left; /* progress callbacks (1000 VM ops each) still allowed */
  bool hit;
} work_cap;

static int on_progress(void *p) {
  work_cap *w = p;
  if (w->left == 0) {
    w->hit = true;
    return 1; /* interrupts the statement */
  }
  w->left--;
  return 0;
}

/* Maps a failed SQLite call to a Bulwark error. */
static int sql_error(sqlite3 *db, int rc, const work_cap *w, const char *what, bw_error *err) {
  if (w->hit)
    return bw_error_set(err, BW_ELIMIT, "rpm sqlite: %s: work cap reached (hostile schema or data?)", what);
  if (rc == SQLITE_NOMEM) return bw_error_set(err, BW_ENOMEM, "rpm sqlite: %s: out of memory", what);
  if (rc == SQLITE_TOOBIG)
    return bw_error_set(err, BW_ELIMIT, "rpm sqlite: %s: value larger than the header cap", what);
  return BW_CORRUPT(err, "rpm sqlite: %s: %s", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* Cheap sanity checks of the 100-byte database header before SQLite sees the bytes. */
static int check_header(const uint8_t *buf, size_t len, bw_error *err) {
  if (len < 512 || !bw_rpmdb_is_sqlite(buf, len))
    return BW_CORRUPT(err, "rpm sqlite: not an SQLite database (%zu bytes)", len);
  uint32_t pagesize = (uint32_t)buf[16] << 8 | buf[17];
  if (pagesize == 1) pagesize = 65536;
  if (pagesize < 512 || (pagesize & (pagesize - 1)))
    return BW_CORRUPT(err, "rpm sqlite: page size %u", pagesize);
  if (buf[18] < 1 || buf[18] > 2 || buf[19] < 1 || buf[19] > 2)
    return bw_error_set(err, BW_EUNSUPPORTED, "rpm sqlite: file format %u/%u", buf[18], buf[19]);
  if (len < pagesize) return BW_CORRUPT(err, "rpm sqlite: file shorter than one %u-byte page", pagesize);
  return 0;
}

/* Opens a read-only in-memory database over a copy of buf. */
static int open_copy(const uint8_t *buf, size_t len, sqlite3 **out, bw_error *err) {
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           NULL);
  if (rc != SQLITE_OK) {
    sqlite3_close(db);
    return bw_error_set(err, rc == SQLITE_NOMEM ? BW_ENOMEM : BW_EIO, "rpm sqlite: cannot open: %s",
                        sqlite3_errstr(rc));
  }
  /* Hardening for a hostile file (https://sqlite.org/security.html). */
  sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
  sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL);
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, (int *)NULL);
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 8 + 16 * BW_LIMIT_RPM_TAGS + BW_LIMIT_RPM_HEADER_BYTES);
  sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 1 << 20);
  sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 100);
  sqlite3_limit(db, SQLITE_LIMIT_COLUMN, 100);

  unsigned char *copy = sqlite3_malloc64(len);
  if (!copy) {
    sqlite3_close(db);
    return bw_error_set(err, BW_ENOMEM, "rpm sqlite: out of memory copying %zu bytes", len);
  }
  memcpy(copy, buf, len);
  /* rpm leaves its databases in WAL mode; the in-memory VFS has no WAL, and a WAL file beside
   * the database is not ours to read, so read the file as a rollback-journal database. */
  copy[18] = copy[19] = 1;
  rc = sqlite3_deserialize(db, "main", copy, (sqlite3_int64)len, (sqlite3_int64)len,
                           SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY);
  if (rc != SQLITE_OK) { /* copy is freed by SQLite on failure too */
    sqlite3_close(db);
    return bw_error_set(err, rc == SQLITE_NOMEM ? BW_ENOMEM : BW_ECORRUPT,
                        "rpm sqlite: cannot load database: %s", sqlite3_errstr(rc));
  }
  *out = db;
  return 0;
}

/* Runs a statement returning one text value into buf (empty when no row). */
static int query_text(sqlite3 *db, const char *sql, char *buf, size_t cap, const work_cap *w,
                      const char *what, bw_error *err) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(st);
    return sql_error(db, rc, w, what, err);
  }
  buf[0] = 0;
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const unsigned char *t = sqlite3_column_text(st, 0);
    if (t) {
      size_t n = strnlen((const char *)t, cap - 1);
      memcpy(buf, t, n);
      buf[n] = 0;
    }
    rc = SQLITE_DONE;
  }
  if (rc != SQLITE_DONE) {
    int e = sql_error(db, rc, w, what, err);
    sqlite3_finalize(st);
    return e;
  }
  sqlite3_finalize(st);
  return 0;
}

static int walk(sqlite3 *db, size_t len, work_cap *w, bw_rpmdb_blob_fn fn, void *ctx, bw_error *err) {
  char text[64];
  /* Packages must be an ordinary table: not a view, not a virtual table whose module would
   * interpret the hostile bytes in its own way. */
  int rc = query_text(db,
                      "SELECT substr(sql, 1, 40) FROM sqlite_schema WHERE type = 'table' AND name = "
                      "'Packages'",
                      text, sizeof text, w, "reading the schema", err);
  if (rc) return rc;
  if (!text[0]) return BW_CORRUPT(err, "rpm sqlite: no Packages table");
  if (strncasecmp(text, "CREATE TABLE", 12) != 0)
    return BW_CORRUPT(err, "rpm sqlite: Packages is not a plain table");
  /* SQLite's own structural check, limited to the one table we read, so it costs about as much
   * as reading it. */
  rc = query_text(db, "PRAGMA quick_check('Packages')", text, sizeof text, w, "quick_check", err);
  if (rc) return rc;
  if (strcmp(text, "ok") != 0) return BW_CORRUPT(err, "rpm sqlite: quick_check: %s", text);

  sqlite3_stmt *st = NULL;
  rc = sqlite3_prepare_v2(db, "SELECT blob FROM Packages", -1, &st, NULL);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(st);
    return sql_error(db, rc, w, "preparing the Packages query", err);
  }
  uint64_t budget = len; /* rows cannot hold more distinct bytes than the file */
  int ret = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (sqlite3_column_type(st, 0) != SQLITE_BLOB) continue; /* not a header; rpm skips it too */
    const uint8_t *blob = sqlite3_column_blob(st, 0);
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    if (!blob) continue;
    if (n > budget) {
      ret = BW_CORRUPT(err, "rpm sqlite: Packages rows hold more bytes than the file");
      break;
    }
    budget -= n;
    ret = fn(ctx, blob, n, err);
    if (ret) break;
  }
  if (!ret && rc != SQLITE_DONE) ret = sql_error(db, rc, w, "reading Packages", err);
  sqlite3_finalize(st);
  return ret;
}

int bw_rpmdb_sqlite_walk(const uint8_t *buf, size_t len, bw_rpmdb_blob_fn fn, void *ctx, bw_error *err) {
  int rc = check_header(buf, len, err);
  if (rc) return rc;
  sqlite3 *db = NULL;
  rc = open_copy(buf, len, &db, err);
  if (rc) return rc;
  /* About 16 VM operations per file byte: far above what reading a sound file costs. */
  work_cap w = {.left = 1000 + len / 64};
  sqlite3_progress_handler(db, 1000, on_progress, &w);
  rc = walk(db, len, &w, fn, ctx, err);
  sqlite3_close(db);
  return rc;
}
