/* maven version comparison: not implemented yet. */
#include "vuln/version_internal.h"

int bw_vcmp_maven(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err) {
  return bw_error_set(err, BW_EUNSUPPORTED, "maven version comparison is not implemented yet");
}
