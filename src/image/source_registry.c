/* Placeholder until the registry client lands (being written on another branch). */
#include "image/image.h"

int bw_source_registry_open(bw_image *img, const bw_image_ref *ref, const bw_image_opts *opts, bw_error *err) {
  return bw_error_set(err, BW_EUNSUPPORTED, "registry pulls are not built in yet");
}
