/* Fuzzes bw_python_metadata_parse (METADATA / PKG-INFO) and, on the same text-line input,
 * bw_pip_requirements_parse. */
#include "analyze/python.h"
#include "app_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  app_fuzz_run(bw_python_metadata_parse, BW_PKG_PYPI, "x-1.0.dist-info/METADATA", data, size);
  app_fuzz_run(bw_pip_requirements_parse, BW_PKG_PYPI, "requirements.txt", data, size);
  return 0;
}
