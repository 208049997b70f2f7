/* The metadata store: repositories, manifests, tags, uploads, events, users, namespaces, roles,
 * robots (and later rules, jobs, reports, webhooks). One interface, drivers behind it: SQLite (WAL)
 * today, PostgreSQL later. Callers never see SQL.
 *
 * Thread safety: one bw_meta is shared by every server thread; each call is atomic on its own
 * (the driver serialises writers). Multi-step changes go through bw_meta_begin/commit/rollback.
 *
 * The operations are grouped by owner, each group in its own driver file:
 *   meta_sqlite.c           open, close, schema migrations, transactions (this header's core)
 *   meta_sqlite_registry.c  repositories, blobs, manifests, tags, uploads, events (store/registry_meta.h)
 *   meta_sqlite_auth.c      users, namespaces, roles, robots (auth/auth_store.h) */
#ifndef BW_STORE_META_H
#define BW_STORE_META_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"

typedef struct bw_meta bw_meta;

/* Opens (creating if needed) the metadata store at `url`:
 *   "sqlite:PATH" or a bare PATH   SQLite database file (WAL journal, foreign keys on)
 *   "postgres://..."              not built yet: -BW_EUNSUPPORTED
 * Applies every pending schema migration in one transaction. Caller owns *out (bw_meta_close). */
int bw_meta_open(bw_meta **out, const char *url, bw_error *err);
void bw_meta_close(bw_meta *m);

/* A write transaction over several operations (nesting is an error). Rollback discards every
 * change since begin; a crash before commit loses only that transaction. */
int bw_meta_begin(bw_meta *m, bw_error *err);
int bw_meta_commit(bw_meta *m, bw_error *err);
void bw_meta_rollback(bw_meta *m);

/* Seconds since the epoch, honouring BULWARK_FAKE_NOW (tests of expiry). */
int64_t bw_meta_now(void);

#endif
