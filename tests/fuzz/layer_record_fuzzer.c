/* The on-disk layer record decoder (the cache directory may be damaged or shared). */
#include <stddef.h>
#include <stdint.h>

#include "layer/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_error err = {0};
  bw_layer_record *r = NULL;
  if (bw_layer_record_decode(&r, data, size, &err) == 0) bw_layer_record_free(r);
  return 0;
}
