/* Streaming decompression of layer blobs: gzip (ISA-L), zstd (libzstd) or none, told apart by
 * magic bytes, with the caps of limits.h against decompression bombs. */
#ifndef BW_LAYER_DECOMPRESS_H
#define BW_LAYER_DECOMPRESS_H

#include "image/image.h"
#include "image/reader.h"

/* Wraps inner (taking ownership) in a reader that yields the decompressed bytes. The format is
 * detected from the first bytes (the media type may lie); `compressed_hint` only labels errors.
 * A truncated or corrupt stream is BW_ECORRUPT; more than BW_LIMIT_LAYER_UNPACKED bytes, or a
 * ratio over BW_LIMIT_LAYER_RATIO past the first 64 MiB, is BW_ELIMIT. Caller owns *out. */
int bw_decompress_open(bw_reader **out, bw_reader *inner, bw_error *err);

/* The compression the stream turned out to have (valid after the first read). */
bw_compression bw_decompress_kind(const bw_reader *r);

#endif
