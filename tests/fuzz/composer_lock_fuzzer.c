/* Fuzzes the Composer parsers (composer.lock, vendor/composer/installed.json) and, on the same
 * JSON input, Pipfile.lock. */
#include "analyze/php.h"
#include "analyze/python.h"
#include "app_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  app_fuzz_run(bw_composer_lock_parse, BW_PKG_COMPOSER, "composer.lock", data, size);
  app_fuzz_run(bw_composer_installed_parse, BW_PKG_COMPOSER, "vendor/composer/installed.json", data, size);
  app_fuzz_run(bw_pipenv_parse, BW_PKG_PYPI, "Pipfile.lock", data, size);
  return 0;
}
