/* Shared by the SQLite driver's files only (not part of the store interface). */
#ifndef BW_STORE_META_SQLITE_INTERNAL_H
#define BW_STORE_META_SQLITE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>

#include "store/meta.h"

struct bw_meta {
  sqlite3 *db;
  pthread_mutex_t mu; /* recursive; one connection, serialised (SQLite WAL is fast enough for metadata);
                       a transaction holds it from begin to commit/rollback */
  int in_tx;
};

/* A schema part: ordered migrations, each a SQL script run once (tracked in schema_migrations by
 * part name and index). Parts live beside the code that owns the tables. */
typedef struct meta_schema_part {
  const char *name;
  const char *const *migrations; /* NULL-terminated */
} meta_schema_part;

extern const meta_schema_part meta_schema_registry;
extern const meta_schema_part meta_schema_auth;
extern const meta_schema_part meta_schema_service;
extern const meta_schema_part meta_schema_notify;

/* Maps the last SQLite failure to err ("what: sqlite message"); returns -BW_EIO, or -BW_ECONFLICT
 * for constraint violations. Call with m->mu held. */
int meta_sqlite_fail(bw_meta *m, bw_error *err, const char *what);

/* Statement helpers shared by the driver parts (call with the lock held):
 * meta_prep prepares sql and binds the arguments fmt describes: 't' text (const char *, NULL =
 * NULL), 'i' int64, 'b' blob (const void *, size_t); meta_run steps a statement that returns no
 * rows and finalizes it; meta_copy copies a column's text ("" for NULL) into a fixed buffer. */
int meta_prep(bw_meta *m, sqlite3_stmt **st, bw_error *err, const char *sql, const char *fmt, ...);
int meta_run(bw_meta *m, sqlite3_stmt *st, bw_error *err, const char *what);
void meta_copy(char *dst, size_t cap, const unsigned char *src);

/* Locks/unlocks m->mu (every driver function holds it while it touches m->db). */
void meta_lock(bw_meta *m);
void meta_unlock(bw_meta *m);

#endif
