/* An index of the members of an uncompressed tar file (oci-archive, docker-archive), so that
 * blobs are streamed straight from their offset without unpacking the archive. */
#ifndef BW_IMAGE_TAR_INDEX_H
#define BW_IMAGE_TAR_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

typedef struct bw_tar_member {
  char *name;     /* normalised: no leading "./" or "/" */
  int64_t offset; /* of the data */
  int64_t size;
} bw_tar_member;

typedef struct bw_tar_index {
  bw_tar_member *members;
  size_t n;
} bw_tar_index;

/* Indexes regular files of the tar at path. Fails with BW_EUNSUPPORTED for a compressed file
 * (tell the user to decompress), BW_ECORRUPT for a malformed header, BW_ELIMIT past
 * BW_LIMIT_INDEX_ENTRIES * 64 members. Caller disposes. */
int bw_tar_index_open(bw_tar_index *out, const char *path, bw_error *err);
/* Same over a memory buffer (the fuzz target). `base` is added to offsets. */
int bw_tar_index_parse(bw_tar_index *out, const uint8_t *buf, size_t len, bw_error *err);
void bw_tar_index_dispose(bw_tar_index *idx);
const bw_tar_member *bw_tar_index_find(const bw_tar_index *idx, const char *name);

#endif
