/* Debian copyright files (DEP-5 and free form). */
#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bw_arena *a = bw_arena_new();
  bw_pkglist l;
  bw_pkglist_init(&l);
  bw_analyze_out out = {.arena = a, .packages = &l, .path = "usr/share/doc/fuzz/copyright"};
  bw_error err = {0};
  bw_dpkg_copyright_parse(data, size, &out, &err);
  bw_pkglist_dispose(&l);
  bw_arena_free(a);
  return 0;
}
