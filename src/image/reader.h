/* A pull-style byte stream: layer blobs flow through readers (file, HTTP, digest check,
 * decompression) so that each blob is read once and every stage sees it in that one pass. */
#ifndef BW_IMAGE_READER_H
#define BW_IMAGE_READER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"

typedef struct bw_reader bw_reader;
struct bw_reader {
  /* Reads up to n bytes; returns the count, 0 at end of stream, or -BW_E* with err filled. */
  ssize_t (*read)(bw_reader *r, void *buf, size_t n, bw_error *err);
  /* Frees the reader and everything it owns (including an inner reader it wraps). */
  void (*close)(bw_reader *r);
};

static inline ssize_t bw_reader_read(bw_reader *r, void *buf, size_t n, bw_error *err) {
  return r->read(r, buf, n, err);
}
static inline void bw_reader_close(bw_reader *r) {
  if (r) r->close(r);
}

/* A reader over the byte range [offset, offset+length) of a file (length -1 = to EOF).
 * Caller owns *out. */
int bw_reader_file(bw_reader **out, const char *path, int64_t offset, int64_t length, bw_error *err);
/* A reader over memory the caller keeps alive. */
int bw_reader_mem(bw_reader **out, const void *data, size_t len, bw_error *err);
/* Wraps inner (taking ownership) and checks, at end of stream, that the bytes hash to `digest`
 * and, when expected_size >= 0, that exactly that many bytes came. A mismatch is BW_ECORRUPT:
 * the stream's consumer must discard whatever it derived from the bytes. */
int bw_reader_verify(bw_reader **out, bw_reader *inner, const char *digest, int64_t expected_size,
                     bw_error *err);
/* Same, naming what the digest is ("blob digest", "diff_id") in the mismatch error. */
int bw_reader_verify_as(bw_reader **out, bw_reader *inner, const char *what, const char *digest,
                        int64_t expected_size, bw_error *err);
/* Reads a whole stream into a malloc'd buffer (NUL-terminated, caller frees), at most max bytes. */
int bw_reader_slurp(bw_reader *r, size_t max, char **out, size_t *len, bw_error *err);

#endif
