/* A bounded zip reader over bytes in memory, for jar/war/ear files and the archives nested in them.
 * Random access by the central directory (what the JVM itself trusts), so members are read in any
 * order and an archive nested in an archive is opened from the parent's bytes without touching
 * the disk. Handles zip64, data descriptors, stored and deflated members, and bytes before the
 * archive (a Spring Boot "fully executable" jar starts with a shell script; its offsets are
 * relative to the zip, not the file). Hostile archives are the normal case: every offset is
 * bounds-checked, members whose bytes overlap another member are refused (non-recursive zip
 * bombs), and inflation is capped by size, ratio and a budget shared by a whole walk. */
#ifndef BW_ANALYZE_ZIP_H
#define BW_ANALYZE_ZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

enum { BW_ZIP_STORED = 0, BW_ZIP_DEFLATED = 8 };

typedef struct bw_zip_entry {
  const char *name; /* points into the archive bytes; NOT NUL-terminated, may hold any byte */
  size_t name_len;
  uint16_t method, flags;
  uint32_t crc;
  uint64_t csize, usize; /* as the central directory claims them (zip64 extra applied) */
  uint64_t offset;       /* of the local header in the buffer, the prefix already added */
} bw_zip_entry;

typedef struct bw_zip {
  const uint8_t *buf;
  size_t len;
  uint64_t prefix;   /* bytes in front of the archive proper (a launch script) */
  uint64_t cd_start; /* where the central directory starts in buf */
  size_t count;
  bw_zip_entry *entries; /* central directory order */
  uint64_t *offsets;     /* every entry's local header offset, sorted (overlap checks) */
} bw_zip;

/* What every read of one walk may still produce: members read out (stored or inflated) are
 * charged against `left`; a read that would go past it fails with BW_ELIMIT. */
typedef struct bw_zip_budget {
  uint64_t left;
} bw_zip_budget;

/* Parses the end records and the central directory of the archive in [buf, buf+len). The bytes
 * must outlive z. At most BW_LIMIT_ARCHIVE_ENTRIES entries. Returns 0, or -BW_ECORRUPT (not a zip,
 * truncated or inconsistent directory), -BW_EUNSUPPORTED (multi-disk), -BW_ELIMIT, -BW_ENOMEM.
 * Dispose with bw_zip_dispose (also safe after a failed open). */
int bw_zip_open(bw_zip *z, const uint8_t *buf, size_t len, bw_error *err);
void bw_zip_dispose(bw_zip *z);

/* True when the entry names a directory (ends with '/'). */
bool bw_zip_entry_is_dir(const bw_zip_entry *e);

/* Reads one member, at most `max` bytes of content, charging the budget. A stored member is not
 * copied: *data points into the archive and *owned is NULL. A deflated member is inflated into a
 * malloc'd buffer: *data == *owned, which the caller frees. The CRC-32 and the sizes the
 * directory claims are checked. Errors (nothing to free then): -BW_ECORRUPT (bad local header,
 * bytes out of bounds or overlapping another member, invalid deflate data, size or CRC mismatch),
 * -BW_ELIMIT (over max, over BW_LIMIT_ARCHIVE_RATIO past the first MiB, over the budget),
 * -BW_EUNSUPPORTED (encrypted, or a method other than stored/deflated), -BW_ENOMEM. */
int bw_zip_read(const bw_zip *z, const bw_zip_entry *e, size_t max, bw_zip_budget *budget, const uint8_t **data,
                size_t *len, uint8_t **owned, bw_error *err);

#endif
