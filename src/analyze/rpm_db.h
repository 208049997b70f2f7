/* The three rpm database containers (Berkeley DB hash, NDB, SQLite): each one walks its file and
 * hands every stored header blob to a callback. Internal to the rpm analyser (src/analyze/rpm*.c). */
#ifndef BW_ANALYZE_RPM_DB_H
#define BW_ANALYZE_RPM_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* Called once per header blob, in database order. The blob is only valid during the call.
 * Returns 0 to go on, or a negative -BW_E* code (err filled) that stops the walk and is returned. */
typedef int (*bw_rpmdb_blob_fn)(void *ctx, const uint8_t *blob, size_t len, bw_error *err);

/* Format sniffing on the first bytes of a file. */
bool bw_rpmdb_is_bdb(const uint8_t *buf, size_t len);
bool bw_rpmdb_is_ndb(const uint8_t *buf, size_t len);
bool bw_rpmdb_is_sqlite(const uint8_t *buf, size_t len);

/* Berkeley DB hash `Packages` (either byte order): scans the hash pages in file order and follows
 * each value's overflow chain. Overflow pages visited are capped by the page count, so a chain
 * that loops or is shared fails with -BW_ECORRUPT instead of running on.
 * Errors: -BW_ECORRUPT, -BW_EUNSUPPORTED (encrypted or checksummed DB), -BW_ELIMIT, -BW_ENOMEM. */
int bw_rpmdb_bdb_walk(const uint8_t *buf, size_t len, bw_rpmdb_blob_fn fn, void *ctx, bw_error *err);

/* NDB `Packages.db` (rpm's own format, SUSE): walks the slot pages, then each slot's blob.
 * Errors: -BW_ECORRUPT, -BW_ELIMIT. */
int bw_rpmdb_ndb_walk(const uint8_t *buf, size_t len, bw_rpmdb_blob_fn fn, void *ctx, bw_error *err);

/* SQLite `rpmdb.sqlite`: opens a private read-only in-memory copy of buf (sqlite3_deserialize, no
 * file I/O) and reads `SELECT blob FROM Packages` in hnum order. The VM work is capped in
 * proportion to the file size, so a hostile schema cannot run forever.
 * Errors: -BW_ECORRUPT (not a database, malformed, no Packages table), -BW_ELIMIT, -BW_ENOMEM. */
int bw_rpmdb_sqlite_walk(const uint8_t *buf, size_t len, bw_rpmdb_blob_fn fn, void *ctx, bw_error *err);

#endif
