/* A layer record: everything a layer contributes to the analysis, derived in one pass over its
 * tar stream, cached on disk by diff_id, and merged in layer order into the image view. */
#ifndef BW_LAYER_RECORD_H
#define BW_LAYER_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/package.h"
#include "base/arena.h"
#include "base/error.h"
#include "base/vec.h"

/* Bump when analysers change what they record: cached records of another version are ignored. */
#define BW_RECORD_VERSION 10 /* 7: content findings, modes, path hashes; 8/9: the real secret and malware
                                scanners; 10: content_fp (which rules produced the findings) */

/* A package database file parsed in this layer: packages[first, first+count) of the record. */
typedef struct bw_record_db {
  const char *path;
  const char *analyzer;
  size_t first, count;
} bw_record_db;

/* A small file captured whole for later checks (os-release, passwd, ...). */
typedef struct bw_record_file {
  const char *path;
  const uint8_t *data;
  size_t len;
  uint32_t mode;
} bw_record_file;

/* What a content scanner found in one file of this layer (a leaked secret, a malware rule hit).
 * Kept only while the file survives the merge (bw_view_path_live). Strings in the record's arena. */
typedef enum { BW_FINDING_SECRET = 1, BW_FINDING_MALWARE = 2 } bw_finding_kind;
typedef struct bw_record_finding {
  uint32_t kind;           /* bw_finding_kind */
  uint32_t severity;       /* bw_severity (vuln/vulndb.h) */
  const char *rule;        /* stable id: "BW-SEC-003", or the malware rule's name */
  const char *category;    /* secret: the kind of key ("aws-access-key"); malware: the family ("webshell") */
  const char *title;       /* one line a person understands */
  const char *path;
  uint32_t line;           /* 1-based; 0 when not applicable */
  const char *evidence;    /* secrets: the line with the value redacted; malware: what matched */
  const char *remediation; /* secrets: what to do; malware: the rule's description */
  const char *sha256;      /* hex digest of the file (malware), NULL when not computed */
  uint64_t size;           /* the file's size */
} bw_record_finding;

/* An entry whose mode matters to the permission checks: setuid/setgid files, world-writable files
 * and directories (the walk records only those: a handful per layer). */
typedef struct bw_record_mode {
  const char *path;
  uint32_t mode; /* st_mode bits incl. the file type */
  uint32_t uid, gid;
} bw_record_mode;

typedef struct bw_record_link {
  const char *path, *target; /* target as written in the tar (symlink) or root-relative (hard) */
  int hard;
} bw_record_link;

typedef struct bw_layer_record {
  bw_arena *arena;
  const char *digest;  /* the blob digest, verified while streaming: the cache key */
  const char *diff_id; /* as the image config claims it (checked only with verify_diff_id) */
  bw_pkglist packages;
  bw_vec dbs;       /* bw_record_db */
  bw_vec files;     /* bw_record_file */
  bw_vec links;     /* bw_record_link */
  bw_vec whiteouts; /* const char *: paths deleted from lower layers */
  bw_vec opaques;   /* const char *: directories whose lower content is hidden */
  bw_vec warnings;  /* const char *: skipped entries, with the reason */
  bw_vec orphans;   /* const char *: entries whose parent directory this layer did not declare:
                       the merge checks they are not written through a lower layer's symlink */
  uint64_t entries, bytes;
  /* Content scanners that ran over this layer (BW_SCANNER_* of analyze/analyzer.h): a cached
   * record serves a scan only when it holds every scanner the scan wants. Set before the walk. */
  uint32_t scanners;
  /* Fingerprint of the content scanners' configuration (secret rules, YARA rules, blocklist) that
   * produced the findings; a cached record serves a content scan only with the same one. */
  const char *content_fp;
  bw_vec findings;    /* bw_record_finding */
  bw_vec modes;       /* bw_record_mode */
  bw_vec path_hashes; /* uint64_t: bw_path_hash of every entry, so the merge knows when a later
                         layer replaced a file a finding was about (sorted by bw_merge) */
  uint64_t content_skipped; /* files a content scanner skipped (size cap, timeout): reported */
  bool modes_capped;        /* walk-time only: the modes cap was reached and warned about */
  bool findings_capped;     /* walk-time only: likewise for findings */
} bw_layer_record;

/* The hash the walk records per entry path (FNV-1a 64 of the normalised path). */
uint64_t bw_path_hash(const char *path);

/* Returns a new empty record (caller frees with bw_layer_record_free), NULL on OOM. */
bw_layer_record *bw_layer_record_new(void);
void bw_layer_record_free(bw_layer_record *r);

/* Appends a warning (formatted into the record's arena) and logs it. */
void bw_layer_record_warn(bw_layer_record *r, const char *fmt, ...) BW_PRINTF(2, 3);

/* Disk cache: <dir>/layers/sha256/<hex of the blob digest>.rec, written atomically (temp file +
 * rename). Keyed by the blob digest, the one digest Bulwark always computes: keying by a diff_id
 * that was not recomputed would let one image's config poison another image's layers.
 * Load returns BW_ENOTFOUND on a miss, BW_ECORRUPT for a damaged record (the caller re-reads the
 * layer). Caller owns *out. */
int bw_layer_record_load(bw_layer_record **out, const char *cache_dir, const char *digest, bw_error *err);
int bw_layer_record_save(const bw_layer_record *r, const char *cache_dir, bw_error *err);
/* The pure decoder behind load (fuzz target). */
int bw_layer_record_decode(bw_layer_record **out, const uint8_t *buf, size_t len, bw_error *err);

#endif
