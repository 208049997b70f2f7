/* Reading a layer: blob -> digest check -> decompression -> diff_id check -> tar entries ->
 * dispatcher, in one streaming pass. */
#ifndef BW_LAYER_WALK_H
#define BW_LAYER_WALK_H

#include "base/error.h"
#include "image/image.h"
#include "image/reader.h"
#include "layer/record.h"

/* Reads one layer of an image from its source. The blob's digest (when it differs from the
 * diff_id) and the diff_id are both verified; on a mismatch the record is discarded and the
 * error names the layer. Caller owns *out. */
int bw_layer_read(bw_layer_record **out, bw_source *src, const bw_layer_desc *desc, bw_error *err);

/* Walks an uncompressed tar stream into rec (tests and fuzzing use it directly). The stream is
 * read to its end so that a wrapping verifier sees every byte. Errors name the entry. */
int bw_layer_walk_tar(bw_layer_record *rec, bw_reader *tar, bw_error *err);

/* Walks an unpacked root filesystem (dir: transport) as one layer, never following symlinks.
 * Caller owns *out. */
int bw_layer_read_rootfs(bw_layer_record **out, const char *root, bw_error *err);

#endif
