/* rpm header blobs: the per-package record every rpm database format (BDB, NDB, SQLite) stores. */
#ifndef BW_ANALYZE_RPM_HEADER_H
#define BW_ANALYZE_RPM_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/error.h"

/* The tags Bulwark reads from a header. Strings are NUL-terminated copies owned by the arena
 * passed to bw_rpm_header_parse; NULL when the header has no such tag. */
typedef struct bw_rpm_header {
  const char *name, *version, *release, *arch;
  const char *sourcerpm; /* "bash-4.2.46-34.el7.src.rpm" */
  const char *license, *vendor;
  int epoch; /* -1 when the header has no EPOCH tag */
} bw_rpm_header;

/* Parses one header blob as an rpm database stores it (no lead, no magic): be32 index count,
 * be32 data length, the index entries (be32 tag, type, offset, count; 16 bytes each), then the
 * data store. A leading region tag (HEADERIMMUTABLE/HEADERIMAGE/HEADERSIGNATURES) is verified
 * like rpm does; entries after the region ("dribbles") override region entries with the same tag.
 * Bytes after the data store are ignored. Pure: no I/O.
 * Errors: -BW_ECORRUPT on anything out of bounds or malformed (truncated blob, offsets past the
 * data store, unterminated strings, wrong tag types), -BW_ELIMIT past BW_LIMIT_RPM_TAGS,
 * BW_LIMIT_RPM_HEADER_BYTES or BW_LIMIT_FIELD_BYTES, -BW_ENOMEM. On error *out is undefined. */
int bw_rpm_header_parse(const uint8_t *buf, size_t len, bw_arena *arena, bw_rpm_header *out,
                        bw_error *err);

#endif
