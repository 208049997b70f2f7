/* SQLite driver: webhook targets, outbox, delivery log, fan-out cursor (store/notify_meta.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "store/meta_sqlite_internal.h"
#include "store/notify_meta.h"

static const char *const migrations[] = {
    "CREATE TABLE webhooks(id INTEGER PRIMARY KEY, namespace TEXT NOT NULL, kind TEXT NOT NULL, url TEXT NOT NULL,"
    "  secret TEXT NOT NULL DEFAULT '', headers TEXT NOT NULL DEFAULT '', events TEXT NOT NULL DEFAULT '',"
    "  min_severity INTEGER NOT NULL DEFAULT 0, ca_file TEXT NOT NULL DEFAULT '', options TEXT NOT NULL DEFAULT '',"
    "  enabled INTEGER NOT NULL DEFAULT 1, created_at INTEGER NOT NULL);"
    "CREATE INDEX webhooks_ns ON webhooks(namespace);"
    "CREATE TABLE notify_outbox(id INTEGER PRIMARY KEY, target_id INTEGER NOT NULL REFERENCES webhooks(id)"
    "  ON DELETE CASCADE, event_id INTEGER NOT NULL, payload TEXT NOT NULL, state INTEGER NOT NULL DEFAULT 0,"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL, created_at INTEGER NOT NULL,"
    "  UNIQUE(target_id, event_id));"
    "CREATE INDEX notify_outbox_pending ON notify_outbox(state, target_id, id);"
    "CREATE TABLE notify_log(id INTEGER PRIMARY KEY, target_id INTEGER NOT NULL REFERENCES webhooks(id)"
    "  ON DELETE CASCADE, event_id INTEGER NOT NULL, attempt INTEGER NOT NULL, status INTEGER NOT NULL,"
    "  latency_ms INTEGER NOT NULL, excerpt TEXT NOT NULL DEFAULT '', at INTEGER NOT NULL);"
    "CREATE INDEX notify_log_target ON notify_log(target_id, id);"
    "CREATE TABLE notify_cursor(id INTEGER PRIMARY KEY CHECK(id = 1), last_event INTEGER NOT NULL);",
    NULL};
const meta_schema_part meta_schema_notify = {"notify", migrations};

/* ---- targets ---- */

int bw_webhook_add(bw_meta *m, bw_webhook *w, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  w->created_at = bw_meta_now();
  int r = meta_prep(m, &st, err,
               "INSERT INTO webhooks(namespace, kind, url, secret, headers, events, min_severity, ca_file, options,"
               " enabled, created_at) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
               "ttttttittii", w->ns, w->kind, w->url, w->secret, w->headers, w->events, (int64_t)w->min_severity,
               w->ca_file, w->options, (int64_t)w->enabled, w->created_at);
  if (!r) r = meta_run(m, st, err, "add webhook");
  if (!r) w->id = sqlite3_last_insert_rowid(m->db);
  meta_unlock(m);
  return r;
}

#define WH_COLS "id, namespace, kind, url, secret, headers, events, min_severity, ca_file, options, enabled, created_at"

static void wh_row(sqlite3_stmt *st, bw_webhook *w) {
  memset(w, 0, sizeof *w);
  w->id = sqlite3_column_int64(st, 0);
  meta_copy(w->ns, sizeof w->ns, sqlite3_column_text(st, 1));
  meta_copy(w->kind, sizeof w->kind, sqlite3_column_text(st, 2));
  meta_copy(w->url, sizeof w->url, sqlite3_column_text(st, 3));
  meta_copy(w->secret, sizeof w->secret, sqlite3_column_text(st, 4));
  meta_copy(w->headers, sizeof w->headers, sqlite3_column_text(st, 5));
  meta_copy(w->events, sizeof w->events, sqlite3_column_text(st, 6));
  w->min_severity = sqlite3_column_int(st, 7);
  meta_copy(w->ca_file, sizeof w->ca_file, sqlite3_column_text(st, 8));
  meta_copy(w->options, sizeof w->options, sqlite3_column_text(st, 9));
  w->enabled = sqlite3_column_int(st, 10) != 0;
  w->created_at = sqlite3_column_int64(st, 11);
}

int bw_webhook_get(bw_meta *m, int64_t id, bw_webhook *out, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "SELECT " WH_COLS " FROM webhooks WHERE id=?1", "i", id);
  if (!r) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
      wh_row(st, out);
    else if (rc == SQLITE_DONE)
      r = bw_error_set(err, BW_ENOTFOUND, "webhook %lld not found", (long long)id);
    else
      r = meta_sqlite_fail(m, err, "webhook");
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}

int bw_webhook_list(bw_meta *m, const char *ns, bw_webhook **out, size_t *n, bw_error *err) {
  *out = NULL, *n = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = ns ? meta_prep(m, &st, err, "SELECT " WH_COLS " FROM webhooks WHERE namespace=?1 ORDER BY id", "t", ns)
             : meta_prep(m, &st, err, "SELECT " WH_COLS " FROM webhooks ORDER BY id", "");
  if (!r) {
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      bw_webhook *nw = realloc(*out, (*n + 1) * sizeof **out);
      if (!nw) {
        r = bw_error_set(err, BW_ENOMEM, "out of memory");
        break;
      }
      *out = nw;
      wh_row(st, &nw[(*n)++]);
    }
    if (!r && rc != SQLITE_DONE) r = meta_sqlite_fail(m, err, "webhooks");
    sqlite3_finalize(st);
  }
  if (r) free(*out), *out = NULL, *n = 0;
  meta_unlock(m);
  return r;
}

int bw_webhook_rm(bw_meta *m, int64_t id, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  /* explicit deletes: foreign keys may be off on this connection */
  int r = meta_prep(m, &st, err, "DELETE FROM notify_outbox WHERE target_id=?1", "i", id);
  if (!r) r = meta_run(m, st, err, "remove webhook");
  if (!r && !(r = meta_prep(m, &st, err, "DELETE FROM notify_log WHERE target_id=?1", "i", id)))
    r = meta_run(m, st, err, "remove webhook");
  if (!r && !(r = meta_prep(m, &st, err, "DELETE FROM webhooks WHERE id=?1", "i", id))) r = meta_run(m, st, err, "remove webhook");
  if (!r && sqlite3_changes(m->db) == 0) r = bw_error_set(err, BW_ENOTFOUND, "webhook %lld not found", (long long)id);
  meta_unlock(m);
  return r;
}

/* ---- fan-out ---- */

int bw_notify_cursor_get(bw_meta *m, int64_t *cursor, bw_error *err) {
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "SELECT last_event FROM notify_cursor WHERE id=1", "");
  if (!r) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *cursor = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
      r = meta_prep(m, &st, err, "INSERT INTO notify_cursor(id, last_event) SELECT 1, COALESCE(MAX(id), 0) FROM events", "");
      if (!r) r = meta_run(m, st, err, "cursor");
      if (!r) {
        meta_unlock(m);
        return bw_notify_cursor_get(m, cursor, err);
      }
    } else if (rc != SQLITE_ROW) {
      r = meta_sqlite_fail(m, err, "cursor");
    }
  }
  meta_unlock(m);
  return r;
}

static int has_data_column(bw_meta *m) {
  static int cached = -1; /* the schema only grows while the process runs */
  if (cached >= 0) return cached;
  sqlite3_stmt *st = NULL;
  int found = 0;
  if (sqlite3_prepare_v2(m->db, "SELECT 1 FROM pragma_table_info('events') WHERE name='data'", -1, &st, NULL) ==
      SQLITE_OK) {
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
  }
  if (found) cached = 1;
  return found;
}

int bw_notify_event_data(bw_meta *m, int64_t event_id, char **data, bw_error *err) {
  *data = NULL;
  meta_lock(m);
  int r = 0;
  if (has_data_column(m)) {
    sqlite3_stmt *st = NULL;
    r = meta_prep(m, &st, err, "SELECT data FROM events WHERE id=?1", "i", event_id);
    if (!r) {
      if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        if (t && *t && !(*data = strdup((const char *)t))) r = bw_error_set(err, BW_ENOMEM, "out of memory");
      }
      sqlite3_finalize(st);
    }
  }
  meta_unlock(m);
  return r;
}

int bw_notify_fanout(bw_meta *m, const bw_outbox_new *rows, size_t n, int64_t cursor, bw_error *err) {
  meta_lock(m);
  int r = bw_meta_begin(m, err);
  int64_t now = bw_meta_now() * 1000;
  for (size_t i = 0; !r && i < n; i++) {
    sqlite3_stmt *st = NULL;
    if (!(r = meta_prep(m, &st, err,
                   "INSERT OR IGNORE INTO notify_outbox(target_id, event_id, payload, next_attempt_at, created_at)"
                   " VALUES(?1, ?2, ?3, ?4, ?4)",
                   "iiti", rows[i].target_id, rows[i].event_id, rows[i].payload, now)))
      r = meta_run(m, st, err, "outbox");
  }
  if (!r) {
    sqlite3_stmt *st = NULL;
    if (!(r = meta_prep(m, &st, err, "INSERT OR REPLACE INTO notify_cursor(id, last_event) VALUES(1, ?1)", "i", cursor)))
      r = meta_run(m, st, err, "cursor");
  }
  if (!r)
    r = bw_meta_commit(m, err);
  else
    bw_meta_rollback(m);
  meta_unlock(m);
  return r;
}

void bw_outbox_rows_free(bw_outbox_row *rows, size_t n) {
  for (size_t i = 0; rows && i < n; i++) free(rows[i].payload);
  free(rows);
}

int bw_notify_due_targets(bw_meta *m, int64_t now_ms, int64_t *ids, size_t max, size_t *n, bw_error *err) {
  *n = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "SELECT o.target_id FROM notify_outbox o JOIN webhooks w ON w.id=o.target_id"
               " WHERE w.enabled=1 AND o.id IN (SELECT MIN(id) FROM notify_outbox WHERE state=0 GROUP BY target_id)"
               " AND o.next_attempt_at <= ?1 ORDER BY o.next_attempt_at LIMIT ?2",
               "ii", now_ms, (int64_t)max);
  if (!r) {
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) ids[(*n)++] = sqlite3_column_int64(st, 0);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) r = meta_sqlite_fail(m, err, "outbox");
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}

int bw_notify_pending(bw_meta *m, int64_t target_id, size_t max, bw_outbox_row **out, size_t *n, bw_error *err) {
  *out = NULL, *n = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "SELECT id, target_id, event_id, state, attempts, next_attempt_at, created_at, payload FROM notify_outbox"
               " WHERE state=0 AND target_id=?1 ORDER BY id LIMIT ?2",
               "ii", target_id, (int64_t)max);
  if (!r) {
    bw_outbox_row *rows = calloc(max ? max : 1, sizeof *rows);
    if (!rows) r = bw_error_set(err, BW_ENOMEM, "out of memory");
    int rc = SQLITE_DONE;
    while (!r && *n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
      bw_outbox_row *o = &rows[*n];
      o->id = sqlite3_column_int64(st, 0);
      o->target_id = sqlite3_column_int64(st, 1);
      o->event_id = sqlite3_column_int64(st, 2);
      o->state = sqlite3_column_int(st, 3);
      o->attempts = sqlite3_column_int(st, 4);
      o->next_attempt_at = sqlite3_column_int64(st, 5);
      o->created_at = sqlite3_column_int64(st, 6);
      const unsigned char *p = sqlite3_column_text(st, 7);
      if (!(o->payload = strdup(p ? (const char *)p : ""))) r = bw_error_set(err, BW_ENOMEM, "out of memory");
      (*n)++;
    }
    if (!r && rc != SQLITE_DONE && rc != SQLITE_ROW) r = meta_sqlite_fail(m, err, "outbox");
    sqlite3_finalize(st);
    if (r)
      bw_outbox_rows_free(rows, *n), *n = 0;
    else
      *out = rows;
  }
  meta_unlock(m);
  return r;
}

int bw_notify_attempt(bw_meta *m, int64_t outbox_id, int state, int attempts, int64_t next_attempt_at,
                      const bw_delivery *d, bw_error *err) {
  meta_lock(m);
  int r = bw_meta_begin(m, err);
  sqlite3_stmt *st = NULL;
  if (!r && !(r = meta_prep(m, &st, err, "UPDATE notify_outbox SET state=?1, attempts=?2, next_attempt_at=?3 WHERE id=?4",
                       "iiii", (int64_t)state, (int64_t)attempts, next_attempt_at, outbox_id)))
    r = meta_run(m, st, err, "outbox");
  if (!r && d &&
      !(r = meta_prep(m, &st, err,
                 "INSERT INTO notify_log(target_id, event_id, attempt, status, latency_ms, excerpt, at)"
                 " VALUES(?1,?2,?3,?4,?5,?6,?7)",
                 "iiiiiti", d->target_id, d->event_id, (int64_t)d->attempt, (int64_t)d->status, d->latency_ms,
                 d->excerpt, d->at)))
    r = meta_run(m, st, err, "delivery log");
  /* the log keeps the newest BW_LIMIT_NOTIFY_LOG_ROWS attempts per target */
  if (!r && d && sqlite3_last_insert_rowid(m->db) % 64 == 0 &&
      !(r = meta_prep(m, &st, err,
                 "DELETE FROM notify_log WHERE target_id=?1 AND id < (SELECT id FROM notify_log WHERE target_id=?1"
                 " ORDER BY id DESC LIMIT 1 OFFSET ?2)",
                 "ii", d->target_id, (int64_t)BW_LIMIT_NOTIFY_LOG_ROWS)))
    r = meta_run(m, st, err, "delivery log");
  if (!r)
    r = bw_meta_commit(m, err);
  else
    bw_meta_rollback(m);
  meta_unlock(m);
  return r;
}

int bw_notify_deliveries(bw_meta *m, int64_t target_id, size_t max, bw_delivery **out, size_t *n, bw_error *err) {
  *out = NULL, *n = 0;
  if (!max) max = 100;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err,
               "SELECT id, target_id, event_id, attempt, status, latency_ms, excerpt, at FROM notify_log"
               " WHERE target_id=?1 ORDER BY id DESC LIMIT ?2",
               "ii", target_id, (int64_t)max);
  if (!r) {
    bw_delivery *d = calloc(max, sizeof *d);
    if (!d) r = bw_error_set(err, BW_ENOMEM, "out of memory");
    int rc = SQLITE_DONE;
    while (!r && *n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
      bw_delivery *x = &d[(*n)++];
      x->id = sqlite3_column_int64(st, 0);
      x->target_id = sqlite3_column_int64(st, 1);
      x->event_id = sqlite3_column_int64(st, 2);
      x->attempt = sqlite3_column_int(st, 3);
      x->status = sqlite3_column_int(st, 4);
      x->latency_ms = sqlite3_column_int64(st, 5);
      meta_copy(x->excerpt, sizeof x->excerpt, sqlite3_column_text(st, 6));
      x->at = sqlite3_column_int64(st, 7);
    }
    if (!r && rc != SQLITE_DONE && rc != SQLITE_ROW) r = meta_sqlite_fail(m, err, "delivery log");
    sqlite3_finalize(st);
    if (r)
      free(d), *n = 0;
    else
      *out = d;
  }
  meta_unlock(m);
  return r;
}

int bw_notify_counts(bw_meta *m, int64_t target_id, int64_t counts[3], bw_error *err) {
  counts[0] = counts[1] = counts[2] = 0;
  meta_lock(m);
  sqlite3_stmt *st = NULL;
  int r = meta_prep(m, &st, err, "SELECT state, COUNT(*) FROM notify_outbox WHERE ?1 < 0 OR target_id=?1 GROUP BY state",
               "i", target_id);
  if (!r) {
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      int s = sqlite3_column_int(st, 0);
      if (s >= 0 && s < 3) counts[s] = sqlite3_column_int64(st, 1);
    }
    if (rc != SQLITE_DONE) r = meta_sqlite_fail(m, err, "outbox");
    sqlite3_finalize(st);
  }
  meta_unlock(m);
  return r;
}
