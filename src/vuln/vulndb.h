/* The advisory database: OSV records (https://ossf.github.io/osv-schema/) imported into one
 * SQLite file, with a versioned schema. Read by matching; written by `bulwark db import/update`. */
#ifndef BW_VULN_VULNDB_H
#define BW_VULN_VULNDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef struct bw_vulndb bw_vulndb;

/* Opens (creating when writable and absent) the DB at path. Caller closes. */
int bw_vulndb_open(bw_vulndb **out, const char *path, bool writable, bw_error *err);
void bw_vulndb_close(bw_vulndb *db);

typedef struct bw_import_stats {
  uint64_t files, records, inserted, updated, unchanged, skipped;
  /* why records were skipped: counts by reason, e.g. "malformed JSON", "unknown ecosystem" */
  char skipped_reasons[1024];
} bw_import_stats;

/* Imports OSV JSON files, folders of them (recursively) and OSV zip archives. Idempotent: the same
 * record twice is one row, a newer `modified` replaces it; every change is logged (re-evaluation
 * asks which packages gained advisories). All or nothing: one transaction per call. */
int bw_vulndb_import(bw_vulndb *db, const char *const *paths, size_t n, bw_import_stats *stats, bw_error *err);

/* Imports one OSV record held in memory (len bytes), with the same checks and transaction as
 * bw_vulndb_import. For tests and fuzzing. */
int bw_vulndb_import_buffer(bw_vulndb *db, const char *buf, size_t len, bw_import_stats *stats, bw_error *err);

/* Severity levels, ordered. */
typedef enum { BW_SEV_UNKNOWN, BW_SEV_LOW, BW_SEV_MEDIUM, BW_SEV_HIGH, BW_SEV_CRITICAL } bw_severity;
const char *bw_severity_name(bw_severity s);
int bw_severity_parse(const char *s); /* -1 when unknown */

/* One OSV `affected` entry of an advisory, for one (ecosystem, package). Strings owned by the DB
 * handle until the next lookup; ranges_json/versions_json are the OSV JSON text of that entry's
 * "ranges" and "versions". */
typedef struct bw_advisory_hit {
  const char *id;
  const char *aliases_json;    /* JSON array of strings */
  const char *summary;         /* title */
  const char *references_json; /* JSON array of URLs */
  const char *ecosystem;       /* as in the record, e.g. "Debian:12" */
  const char *package;
  const char *ranges_json;
  const char *versions_json;
  const char *status;          /* NULL, or a distro's "unfixed" / "wont_fix" marker when the source says so */
  bw_severity severity;        /* resolved: own rating, CVSS, or inherited from aliases */
  const char *cvss_version, *cvss_vector;
  double cvss_score;           /* -1 when none */
} bw_advisory_hit;

/* Calls fn for every advisory entry of (ecosystem, package). Ecosystem matching: "Debian:12" also
 * matches records that say exactly "Debian:12"; callers pass the exact release. fn returns 0 to go
 * on, non-zero to stop (returned). Entries come in import order (no sorting: one index probe). */
typedef int (*bw_advisory_fn)(void *ctx, const bw_advisory_hit *hit);
int bw_vulndb_lookup(bw_vulndb *db, const char *ecosystem, const char *package, bw_advisory_fn fn, void *ctx,
                     bw_error *err);

typedef struct bw_vulndb_info {
  int64_t advisories, affected;
  char updated_at[32];   /* ISO 8601 of the last import */
  char sources[1024];    /* "Debian:12 1827, Alpine:v3.18 ..." counts per ecosystem */
  int schema_version;    /* PRAGMA user_version */
} bw_vulndb_info;
int bw_vulndb_info_get(bw_vulndb *db, bw_vulndb_info *out, bw_error *err);

#endif
