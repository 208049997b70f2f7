/* Helpers shared by the application-package analysers of python.c, ruby.c, php.c and dotnet.c:
 * appending a package with Bulwark's caps and checks, dropping duplicates, PEP 503 names. */
#ifndef BW_ANALYZE_APP_UTIL_H
#define BW_ANALYZE_APP_UTIL_H

#include <stddef.h>

#include "analyze/analyzer.h"

/* Appends one package of `type` with copies (in out->arena) of name and version, both trimmed of
 * ASCII whitespace; licenses (may be NULL) is copied as is. A package whose name or version is
 * empty after trimming is skipped (returns 0, nothing appended). `count` counts the packages this
 * file produced, against BW_LIMIT_PACKAGES. `what` names the file kind in errors.
 * Errors: BW_ECORRUPT (a control character in name or version), BW_ELIMIT (count or a field
 * over BW_LIMIT_FIELD_BYTES), BW_ENOMEM. On success *added (if non-NULL) is the new package or NULL. */
int bw_app_add(bw_analyze_out *out, bw_pkg_type type, const char *name, size_t name_len, const char *version,
               size_t version_len, const char *licenses, int dev, size_t *count, const char *what,
               bw_package **added, bw_error *err);

/* Sorts the packages appended since index `start` by name and version and drops repeats of the
 * same name and version, keeping the non-dev one when both exist (a package needed at run time
 * is not a dev-only dependency). Nothing can fail. */
void bw_app_dedupe(bw_pkglist *l, size_t start);

/* The PEP 503 normal form of a Python distribution name (lowercase, runs of '-', '_' and '.'
 * become one '-'), in the arena; NULL on OOM. */
char *bw_pep503_name(bw_arena *a, const char *s, size_t n);

/* Joins the strings v[0..n) with sep into the arena (empty strings skipped); NULL when none is
 * left or on OOM (*oom set). */
const char *bw_app_join(bw_arena *a, const char *const *v, size_t n, const char *sep, int *oom);

#endif
