/* Reading a layer: blob -> digest check -> decompression -> diff_id check -> tar entries ->
 * dispatcher, in one streaming pass. */
#ifndef BW_LAYER_WALK_H
#define BW_LAYER_WALK_H

#include <stdbool.h>

#include "base/error.h"
#include "image/image.h"
#include "image/reader.h"
#include "layer/record.h"

/* Reads one layer of an image from its source. The blob digest is always verified on the raw
 * bytes (for an uncompressed blob, or a docker-archive layer, that digest is the diff_id). The
 * diff_id of a compressed blob is recomputed only with verify_diff_id: it doubles the hashing
 * work, and nothing relies on it (the cache is keyed by the blob digest). On a mismatch the
 * record is discarded and the error names the layer. Caller owns *out. */
int bw_layer_read(bw_layer_record **out, bw_source *src, const bw_layer_desc *desc, bool verify_diff_id,
                  uint32_t scanners, bw_error *err);

/* `scanners` (BW_SCANNER_* of analyze/analyzer.h) chooses the content scanners that run in the
 * pass besides the inventory (secrets, malware); the record remembers them.
 *
 * Walks an uncompressed tar stream into rec (tests and fuzzing use it directly; rec->scanners
 * chooses the content scanners). The stream is
 * read to its end so that a wrapping verifier sees every byte. Errors name the entry. */
int bw_layer_walk_tar(bw_layer_record *rec, bw_reader *tar, bw_error *err);

/* Walks an unpacked root filesystem (dir: transport) as one layer, never following symlinks.
 * Caller owns *out. */
int bw_layer_read_rootfs(bw_layer_record **out, const char *root, uint32_t scanners, bw_error *err);

#endif
