/* Fuzzes bw_cvss_score with the whole input as a vector. */
#include <stdint.h>

#include "vuln/cvss.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_cvss_version v;
  double s;
  bw_error err = {0};
  int rc = bw_cvss_score((const char *)data, size, &v, &s, &err);
  if (rc == 0 && (s < 0 || s > 10 || v == BW_CVSS_NONE)) __builtin_trap();
  if (rc != 0 && (err.code != -rc || !err.msg[0])) __builtin_trap();
  (void)bw_cvss_rating(v, s);
  return 0;
}
