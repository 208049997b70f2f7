/* Turns the licence strings package databases record ("GPLv2+ and LGPLv2+", "GPL-2+", "MIT AND
 * BSD") into valid SPDX 2.3 licence expressions (SPDX spec annex D). */
#ifndef BW_REPORT_SPDX_LICENSE_H
#define BW_REPORT_SPDX_LICENSE_H

#include <stddef.h>

#include "base/arena.h"
#include "report/report_util.h"

/* The licence texts that had no SPDX id and got a LicenseRef-, in first-seen order; the SPDX
 * writer lists them in hasExtractedLicensingInfos. Everything lives in the arena. */
typedef struct bw_spdx_refs {
  bw_arena *arena;
  bw_strset ids;   /* LicenseRef ids in use */
  bw_strset texts; /* texts already given an id (keys), for lookups */
  struct bw_spdx_ref {
    const char *id, *text;
  } *v;
  size_t len, cap;
} bw_spdx_refs;

void bw_spdx_refs_init(bw_spdx_refs *r, bw_arena *a);

/* Returns a valid SPDX licence expression for s: operators (and/or/with in any case) upper-cased,
 * SPDX ids in their canonical case, common Fedora and Debian short names mapped to their SPDX id
 * (GPLv2+ -> GPL-2.0-or-later, Expat -> MIT), and every other operand replaced by
 * "LicenseRef-<sanitised text>" recorded in refs. A string that does not parse as an expression
 * becomes one LicenseRef. NULL or blank gives "NOASSERTION". Arena string; NULL on OOM. */
const char *bw_spdx_license_expression(bw_spdx_refs *refs, const char *s);

/* The SPDX licence (kind 0) or exception (kind 1) ids this module knows, one per call, for the
 * tests that check them against the official list; NULL past the end. */
const char *bw_spdx_known_id(int kind, size_t i);

#endif
