/* Tar entry handling: any byte stream through decompression detection, libarchive and the
 * dispatcher must end in a record or a clean error. */
#include <stddef.h>
#include <stdint.h>

#include "layer/decompress.h"
#include "layer/walk.h"
#include "base/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_error err = {0};
  bw_reader *r = NULL, *d = NULL;
  if (bw_reader_mem(&r, data, size, &err) < 0) return 0;
  if (bw_decompress_open(&d, r, &err) < 0) return 0;
  bw_layer_record *rec = bw_layer_record_new();
  bw_log_set_level(BW_LOG_QUIET);
  rec->diff_id = "sha256:fuzz";
  bw_layer_walk_tar(rec, d, &err);
  bw_reader_close(d);
  bw_layer_record_free(rec);
  return 0;
}
