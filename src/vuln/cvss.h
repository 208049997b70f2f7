/* CVSS base scores per the FIRST specifications: v2 (2007), v3.0 (2015), v3.1 (2019) and v4.0
 * (2023: MacroVector table and interpolation). */
#ifndef BW_VULN_CVSS_H
#define BW_VULN_CVSS_H

#include <stddef.h>

#include "base/error.h"
#include "vuln/vulndb.h"

typedef enum { BW_CVSS_NONE = 0, BW_CVSS_V2, BW_CVSS_V30, BW_CVSS_V31, BW_CVSS_V40 } bw_cvss_version;

/* Parses a CVSS vector of len bytes ("AV:N/AC:L/Au:N/C:P/I:P/A:P", "CVSS:3.1/AV:N/...",
 * "CVSS:4.0/AV:N/...") and computes its base score (0.0-10.0) into *score, the version into
 * *version. Temporal/environmental metrics are accepted and ignored. Errors: -BW_ECORRUPT for a
 * malformed vector (unknown metric or value, duplicate, missing base metric); *version is set as
 * soon as the prefix is read. v4.0 scores are base scores (threat/environmental metrics ignored). */
int bw_cvss_score(const char *vec, size_t len, bw_cvss_version *version, double *score, bw_error *err);

/* Qualitative rating of a score: v3/v4 0.1-3.9 LOW, 4.0-6.9 MEDIUM, 7.0-8.9 HIGH, 9.0+ CRITICAL
 * (0.0 is UNKNOWN: "None"); v2 <4 LOW, <7 MEDIUM, else HIGH. */
bw_severity bw_cvss_rating(bw_cvss_version v, double score);

/* "2.0", "3.0", "3.1", "4.0" or "" (static strings). */
const char *bw_cvss_version_name(bw_cvss_version v);

#endif
