/* The archive member index behind oci-archive and docker-archive. */
#include <stddef.h>
#include <stdint.h>

#include "image/tar_index.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_error err = {0};
  bw_tar_index idx;
  if (bw_tar_index_parse(&idx, data, size, &err) == 0) {
    bw_tar_index_find(&idx, "manifest.json");
    bw_tar_index_dispose(&idx);
  }
  return 0;
}
