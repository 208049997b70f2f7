/* Manifest, index and config JSON: parse under limits, classify, select a platform, read
 * layers and config into an image. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/json.h"
#include "base/limits.h"
#include "image/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_error err = {0};
  json_t *doc = NULL;
  if (bw_json_parse(&doc, (const char *)data, size, BW_LIMIT_MANIFEST_BYTES, "fuzz", &err) < 0) return 0;
  bw_image img;
  memset(&img, 0, sizeof img);
  switch (bw_manifest_kind(doc, NULL)) {
  case BW_DOC_INDEX: {
    const char *d = NULL;
    bw_index_select(&d, doc, "linux/arm64/v8", &err);
    break;
  }
  case BW_DOC_MANIFEST:
    if (bw_manifest_read(&img, doc, &err) == 0) bw_config_read(&img, doc, &err);
    break;
  default:
    bw_config_read(&img, doc, &err);
    break;
  }
  bw_image_layers_free(&img);
  free(img.config_digest);
  free(img.os);
  free(img.architecture);
  free(img.variant);
  json_decref(img.config);
  json_decref(doc);
  return 0;
}
