/* The package model every analyser fills and every report writer reads. */
#ifndef BW_ANALYZE_PACKAGE_H
#define BW_ANALYZE_PACKAGE_H

#include <stddef.h>

#include "base/arena.h"
#include "base/error.h"
#include "base/vec.h"

/* purl types (DESIGN.md §6) */
typedef enum {
  BW_PKG_DEB,
  BW_PKG_APK,
  BW_PKG_RPM,
  BW_PKG_MAVEN,
  BW_PKG_NPM,
  BW_PKG_PYPI,
  BW_PKG_GOLANG,
  BW_PKG_CARGO,
  BW_PKG_GEM,
  BW_PKG_COMPOSER,
  BW_PKG_NUGET,
} bw_pkg_type;

/* Strings are owned by the arena of whatever produced the package (a layer record).
 * NULL means "not recorded". */
typedef struct bw_package {
  bw_pkg_type type;
  const char *name;
  /* The full version as the ecosystem compares it: deb "[epoch:]upstream[-revision]",
   * apk "1.2.3-r0", rpm "[epoch:]version-release". */
  const char *version;
  /* rpm only: the parts of `version`; epoch -1 when the header has none. */
  int epoch;
  const char *rpm_version, *rpm_release;
  const char *arch;
  const char *source_name;    /* dpkg Source:, rpm SOURCERPM name, apk origin */
  const char *source_version; /* full source version (rpm: [epoch:]V-R of the source rpm) */
  const char *licenses;       /* as recorded, several joined with " AND " for rpm, ";" never */
  const char *maintainer;
  const char *layer; /* diff_id of the layer that introduced the package (set at merge) */
  /* File it came from, relative to the image root; inside archives "outer.jar!inner/lib.jar".
   * The dispatcher fills it with the analysed file when the analyser leaves it NULL. */
  const char *path;
  /* Application packages */
  const char *digest;  /* of the artefact itself when known, e.g. "sha1:<hex>" of a jar */
  const char *parents; /* npm: the dependency path inside node_modules ("express>body-parser") */
  int dev;             /* 1: a development-only dependency */
} bw_package;

const char *bw_pkg_type_name(bw_pkg_type t);

/* A list of packages backed by a bw_vec; `max` caps the count (BW_ELIMIT past it). */
typedef struct bw_pkglist {
  bw_vec v;
} bw_pkglist;

void bw_pkglist_init(bw_pkglist *l);
void bw_pkglist_dispose(bw_pkglist *l);
/* Appends a zeroed package (epoch -1) and returns it; NULL + BW_ELIMIT/BW_ENOMEM in err. */
bw_package *bw_pkglist_add(bw_pkglist *l, bw_error *err);
static inline size_t bw_pkglist_len(const bw_pkglist *l) { return l->v.len; }
static inline bw_package *bw_pkglist_at(const bw_pkglist *l, size_t i) {
  return &((bw_package *)l->v.data)[i];
}
/* Sorts by type, name, version, arch (stable report order). */
void bw_pkglist_sort(bw_pkglist *l);

#endif
