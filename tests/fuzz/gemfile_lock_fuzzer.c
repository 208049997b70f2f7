/* Fuzzes bw_gemfile_lock_parse with the whole input as a Gemfile.lock. */
#include "analyze/ruby.h"
#include "app_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  app_fuzz_run(bw_gemfile_lock_parse, BW_PKG_GEM, "Gemfile.lock", data, size);
  return 0;
}
