/* Version comparison per ecosystem, exactly as each ecosystem's own tool compares. One file per
 * scheme under src/vuln/ (version_dpkg.c, version_rpm.c, ...). */
#ifndef BW_VULN_VERSION_H
#define BW_VULN_VERSION_H

#include "base/error.h"

typedef enum {
  BW_VSCHEME_DPKG,     /* Debian, Ubuntu */
  BW_VSCHEME_RPM,      /* Red Hat, AlmaLinux, Rocky Linux, SUSE, openSUSE, Mariner, Photon, Oracle */
  BW_VSCHEME_APK,      /* Alpine, Wolfi, Chainguard */
  BW_VSCHEME_SEMVER,   /* npm (node-semver) */
  BW_VSCHEME_PEP440,   /* PyPI */
  BW_VSCHEME_MAVEN,    /* Maven ComparableVersion */
  BW_VSCHEME_RUBYGEMS, /* Gem::Version */
  BW_VSCHEME_GO,       /* Go modules: semver with v prefix, +incompatible, pseudo-versions */
  BW_VSCHEME_NUGET,    /* NuGet SemVer 2 with 4-part versions */
  BW_VSCHEME_COMPOSER, /* Packagist / Composer */
  BW_VSCHEME_CARGO,    /* crates.io (semver 2.0) */
} bw_vscheme;

/* Scheme for an OSV ecosystem name ("Debian:12", "Alpine:v3.18", "npm", "PyPI", "crates.io", ...;
 * a ":suffix" is ignored). -1 when unknown. */
int bw_vscheme_for_ecosystem(const char *ecosystem);

/* Compares a and b: *out = -1, 0 or 1. A version the scheme cannot parse is BW_EINVAL with the
 * reason (the caller decides; matching skips such a range with a warning). */
int bw_version_compare(bw_vscheme scheme, const char *a, const char *b, int *out, bw_error *err);

/* True when the string is a valid version of the scheme. */
int bw_version_valid(bw_vscheme scheme, const char *v);

#endif
