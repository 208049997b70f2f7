/* Fuzzes bw_gemspec_parse with the whole input as an installed specifications/x.gemspec. */
#include "analyze/ruby.h"
#include "app_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  app_fuzz_run(bw_gemspec_parse, BW_PKG_GEM, "specifications/x-1.gemspec", data, size);
  return 0;
}
