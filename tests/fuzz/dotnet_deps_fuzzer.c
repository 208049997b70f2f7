/* Fuzzes bw_dotnet_deps_parse (*.deps.json) and, on the same JSON input, bw_nuget_lock_parse
 * (packages.lock.json). */
#include "analyze/dotnet.h"
#include "app_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  app_fuzz_run(bw_dotnet_deps_parse, BW_PKG_NUGET, "app/x.deps.json", data, size);
  app_fuzz_run(bw_nuget_lock_parse, BW_PKG_NUGET, "packages.lock.json", data, size);
  return 0;
}
