/* Matching an inventory against the advisory DB: OS packages by source package and release,
 * application packages by ecosystem and name; OSV ranges evaluated with the ecosystem's own
 * version order. */
#ifndef BW_MATCH_MATCH_H
#define BW_MATCH_MATCH_H

#include <stdbool.h>

#include "base/error.h"
#include "report/result.h"
#include "vuln/version.h"
#include "vuln/vulndb.h"

typedef struct bw_match_opts {
  bool ignore_unfixed;
  unsigned severities; /* bit (1 << bw_severity) per level to keep; 0 = all */
} bw_match_opts;

/* Fills res->vulns (see result.h). */
int bw_match_run(bw_scan_result *res, bw_vulndb *db, const bw_match_opts *opts, bw_error *err);

/* The OSV ecosystem of a package in this image: "Debian:12", "Alpine:v3.18", "AlmaLinux:9",
 * "npm", "PyPI", "Maven", "Go", "crates.io", "RubyGems", "Packagist", "NuGet"; NULL when unknown.
 * Returns an arena string. */
const char *bw_match_ecosystem(struct bw_arena *a, const bw_package *p, const bw_os_info *os);

/* Evaluates one OSV `affected` entry against an installed version (https://ossf.github.io/osv-schema/
 * #evaluation): ranges_json is the entry's "ranges" array (ECOSYSTEM and SEMVER ranges are
 * evaluated with the scheme; GIT ranges are ignored), versions_json its "versions" array (either
 * may be NULL). *affected is set; *fixed (arena string or NULL) is the smallest `fixed` event above
 * the installed version in a range that contains it. A range whose versions the scheme cannot
 * parse, or with more than BW_LIMIT_OSV_EVENTS events, is skipped and counted in *skipped (may
 * be NULL). Returns 0, -BW_ECORRUPT for JSON that is not an OSV ranges array, -BW_ENOMEM. */
int bw_match_affected(struct bw_arena *a, bw_vscheme scheme, const char *ranges_json, const char *versions_json,
                      const char *installed, bool *affected, const char **fixed, unsigned *skipped, bw_error *err);

#endif
