/* Version comparison: scheme lookup from OSV ecosystem names and dispatch to the per-scheme
 * comparators (version_<scheme>.c). */
#include "vuln/version.h"

#include <string.h>
#include <strings.h>

#include "base/limits.h"
#include "vuln/version_internal.h"

int bw_vnum_cmp(const char *a, size_t alen, const char *b, size_t blen) {
  while (alen && *a == '0') a++, alen--;
  while (blen && *b == '0') b++, blen--;
  if (alen != blen) return alen < blen ? -1 : 1;
  int c = alen ? memcmp(a, b, alen) : 0;
  return bw_vsign(c);
}

int bw_vstr_casecmp(const char *a, size_t alen, const char *b, size_t blen) {
  size_t n = alen < blen ? alen : blen;
  for (size_t i = 0; i < n; i++) {
    int x = bw_vlower((unsigned char)a[i]), y = bw_vlower((unsigned char)b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

int bw_vstr_cmp(const char *a, size_t alen, const char *b, size_t blen) {
  size_t n = alen < blen ? alen : blen;
  int c = n ? memcmp(a, b, n) : 0;
  if (c) return bw_vsign(c);
  return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

static const struct {
  const char *name;
  bw_vscheme scheme;
} ecosystems[] = {
    {"Debian", BW_VSCHEME_DPKG},       {"Ubuntu", BW_VSCHEME_DPKG},
    {"Alpine", BW_VSCHEME_APK},        {"Wolfi", BW_VSCHEME_APK},
    {"Chainguard", BW_VSCHEME_APK},    {"Red Hat", BW_VSCHEME_RPM},
    {"AlmaLinux", BW_VSCHEME_RPM},     {"Rocky Linux", BW_VSCHEME_RPM},
    {"SUSE", BW_VSCHEME_RPM},          {"openSUSE", BW_VSCHEME_RPM},
    {"Mageia", BW_VSCHEME_RPM},        {"openEuler", BW_VSCHEME_RPM},
    {"Photon OS", BW_VSCHEME_RPM},     {"Azure Linux", BW_VSCHEME_RPM},
    {"Mariner", BW_VSCHEME_RPM},       {"Oracle Linux", BW_VSCHEME_RPM},
    {"CentOS", BW_VSCHEME_RPM},        {"Fedora", BW_VSCHEME_RPM},
    {"npm", BW_VSCHEME_SEMVER},        {"PyPI", BW_VSCHEME_PEP440},
    {"Maven", BW_VSCHEME_MAVEN},       {"RubyGems", BW_VSCHEME_RUBYGEMS},
    {"Go", BW_VSCHEME_GO},             {"NuGet", BW_VSCHEME_NUGET},
    {"Packagist", BW_VSCHEME_COMPOSER}, {"crates.io", BW_VSCHEME_CARGO},
};

int bw_vscheme_for_ecosystem(const char *ecosystem) {
  if (!ecosystem) return -1;
  const char *colon = strchr(ecosystem, ':');
  size_t n = colon ? (size_t)(colon - ecosystem) : strlen(ecosystem);
  for (size_t i = 0; i < sizeof ecosystems / sizeof ecosystems[0]; i++)
    if (strlen(ecosystems[i].name) == n && memcmp(ecosystems[i].name, ecosystem, n) == 0)
      return (int)ecosystems[i].scheme;
  return -1;
}

static bw_vcmp_fn scheme_fn(bw_vscheme s) {
  switch (s) {
  case BW_VSCHEME_DPKG: return bw_vcmp_dpkg;
  case BW_VSCHEME_RPM: return bw_vcmp_rpm;
  case BW_VSCHEME_APK: return bw_vcmp_apk;
  case BW_VSCHEME_SEMVER: return bw_vcmp_semver;
  case BW_VSCHEME_PEP440: return bw_vcmp_pep440;
  case BW_VSCHEME_MAVEN: return bw_vcmp_maven;
  case BW_VSCHEME_RUBYGEMS: return bw_vcmp_rubygems;
  case BW_VSCHEME_GO: return bw_vcmp_go;
  case BW_VSCHEME_NUGET: return bw_vcmp_nuget;
  case BW_VSCHEME_COMPOSER: return bw_vcmp_composer;
  case BW_VSCHEME_CARGO: return bw_vcmp_cargo;
  }
  return NULL;
}

int bw_version_compare(bw_vscheme scheme, const char *a, const char *b, int *out, bw_error *err) {
  bw_vcmp_fn fn = scheme_fn(scheme);
  if (!fn) return bw_error_set(err, BW_EINVAL, "unknown version scheme %d", (int)scheme);
  if (!a || !b) return bw_error_set(err, BW_EINVAL, "missing version");
  size_t alen = strnlen(a, BW_LIMIT_VERSION_BYTES + 1), blen = strnlen(b, BW_LIMIT_VERSION_BYTES + 1);
  if (alen > BW_LIMIT_VERSION_BYTES || blen > BW_LIMIT_VERSION_BYTES)
    return bw_error_set(err, BW_EINVAL, "version longer than %d bytes", BW_LIMIT_VERSION_BYTES);
  int c = 0;
  int rc = fn(a, alen, b, blen, &c, err);
  if (rc < 0) return rc;
  *out = c < 0 ? -1 : c > 0;
  return 0;
}

int bw_version_valid(bw_vscheme scheme, const char *v) {
  int c;
  bw_error err = {0};
  return bw_version_compare(scheme, v, v, &c, &err) == 0;
}
