/* Shared pieces of the per-scheme comparators (src/vuln/version_*.c). Not part of the API. */
#ifndef BW_VULN_VERSION_INTERNAL_H
#define BW_VULN_VERSION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* Every comparator: a and b are NUL-free byte strings of alen / blen bytes (at most
 * BW_LIMIT_VERSION_BYTES), *out = -1, 0 or 1; -BW_EINVAL with the reason when either does not
 * parse under the scheme. */
typedef int (*bw_vcmp_fn)(const char *a, size_t alen, const char *b, size_t blen, int *out,
                          bw_error *err);

int bw_vcmp_dpkg(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err);
int bw_vcmp_rpm(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err);
int bw_vcmp_apk(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err);
int bw_vcmp_semver(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err);
int bw_vcmp_cargo(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err);
int bw_vcmp_pep440(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err);
int bw_vcmp_maven(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err);
int bw_vcmp_rubygems(const char *a, size_t alen, const char *b, size_t blen, int *out,
                     bw_error *err);
int bw_vcmp_go(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err);
int bw_vcmp_nuget(const char *a, size_t alen, const char *b, size_t blen, int *out, bw_error *err);
int bw_vcmp_composer(const char *a, size_t alen, const char *b, size_t blen, int *out,
                     bw_error *err);

/* ASCII classes: comparators never depend on the locale. */
static inline bool bw_vdigit(int c) { return c >= '0' && c <= '9'; }
static inline bool bw_valpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool bw_valnum(int c) { return bw_vdigit(c) || bw_valpha(c); }
static inline int bw_vlower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static inline int bw_vsign(long long v) { return v < 0 ? -1 : v > 0; }

/* Compares two runs of ASCII digits as unbounded non-negative integers (leading zeros ignored),
 * so no digit string can overflow. Returns -1, 0 or 1. */
int bw_vnum_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* Case-insensitive ASCII comparison of two byte runs (shorter prefix first): -1, 0 or 1. */
int bw_vstr_casecmp(const char *a, size_t alen, const char *b, size_t blen);
/* Byte-wise comparison of two runs (shorter prefix first): -1, 0 or 1. */
int bw_vstr_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* SemVer pre-release identifier order (node-semver compareIdentifiers): numeric ones numerically
 * and before alphanumeric ones, alphanumeric ones by ASCII. */
int bw_semver_ident_cmp(const char *a, size_t al, const char *b, size_t bl);
/* Compares dot-separated identifier lists with ident; a longer list of equal identifiers is
 * greater. */
int bw_semver_pre_cmp(const char *a, size_t al, const char *b, size_t bl,
                      int (*ident)(const char *, size_t, const char *, size_t));

#endif
