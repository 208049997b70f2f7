/* PHP packages (type BW_PKG_COMPOSER, name "vendor/name"): composer.lock and Composer's record
 * of what it installed, vendor/composer/installed.json (1.x: an array; 2.x: {"packages": [...]}). */
#ifndef BW_ANALYZE_PHP_H
#define BW_ANALYZE_PHP_H

#include "analyze/analyzer.h"

extern const bw_analyzer bw_analyzer_composer_lock;      /* composer.lock */
extern const bw_analyzer bw_analyzer_composer_installed; /* vendor/composer/installed.json */

/* composer.lock: "packages" (dev 0) and "packages-dev" (dev 1), each package's name, version
 * (as written, "v1.27.0" included) and licence (a string as written; an array, which Composer
 * defines as a choice, joined with " OR "). Entries without name or version are skipped.
 * Errors: BW_ECORRUPT (not JSON, wrong shapes), BW_ELIMIT, BW_ENOMEM. */
int bw_composer_lock_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);
/* installed.json, both forms; in the 2.x form the packages named in "dev-package-names" are dev.
 * Errors as bw_composer_lock_parse. */
int bw_composer_installed_parse(const uint8_t *buf, size_t len, bw_analyze_out *out, bw_error *err);

#endif
